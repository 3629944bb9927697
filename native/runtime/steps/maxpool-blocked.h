// Max pooling of f32 data in oneDNN's 8-channel blocked layout (nChw8c), by our own AVX2 loop.
#pragma once
#include "../compile-context.h"

namespace qwb {

/** Records y = maxpool(src) when oneDNN left src as f32 nChw8c (its AVX2 blocking; on AVX-512 it
 *  picks nChw16c and its own pooling runs), with 2 spatial dims, no dilation, padding smaller than
 *  the kernel, and our AVX2 kernels allowed (cpu-features.h); returns false (recording nothing)
 *  otherwise. The caller has checked the geometry. */
bool tryAddBlockedMaxPool(CompileContext& c, const Mem& src, int y, const dims_t& kernel, const dims_t& strides,
                          const dims_t& padL, const dims_t& dilations);

}  // namespace qwb
