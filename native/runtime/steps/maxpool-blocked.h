// Max pooling of f32 data in oneDNN's 8-channel blocked layout (nChw8c), by our own AVX2 loop.
#pragma once
#include "../compile-context.h"

namespace qwb {

/** Records y = maxpool(src) when src is f32 nChw8c with 2 spatial dims, no dilation, padding
 *  smaller than the kernel and an AVX2 CPU; returns false (recording nothing) otherwise. */
bool tryAddBlockedMaxPool(CompileContext& c, const Mem& src, int y, const dims_t& kernel, const dims_t& strides,
                          const dims_t& padL, const dims_t& dilations);

}  // namespace qwb
