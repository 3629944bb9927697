// Shared INT8 helpers (native/PLAN.md, "INT8 (issue 3)"): per-tensor activation scales, per-channel
// weight scales, bias conversion to the accumulator domain, and scale/zero-point conversions between
// tensors recorded as oneDNN reorders.
#pragma once
#include <vector>

#include "../compile-context.h"

namespace qwb {

/** One per-tensor quantization: real = scale * (q - zp). f32 tensors read as {1, 0}. */
struct QScale {
  float scale = 1.f;
  int32_t zp = 0;
};

/** Per-tensor scale of tensor `tid`; throws when an integer activation carries no or per-channel scales. */
QScale perTensor(const CompileContext& c, int tid);

/** Scales of an s8 constant weight tensor: 1 (per-tensor) or `channels` values along `axis`.
 *  Weight zero points must be 0 (oneDNN has no weight zero points). */
std::vector<float> weightScales(const CompileContext& c, int w, int axis, int64_t channels);

/** Bias values in real units: f32 as is, or an s32/s8 quantized constant dequantized. `channels`
 *  values (per-channel bias scales index the same channels). */
std::vector<double> biasReal(const CompileContext& c, int b, int64_t channels);

/** A runtime zero-point argument (one s32 value, held in persistent memory). */
dnnl::memory zeroPointMem(CompileContext& c, int32_t zp);

/** Records a reorder dst = saturate(round(s.scale * (src - s.zp) / d.scale) + d.zp) between any
 *  layouts and dtypes (f32 sides use {1, 0}): quantize, dequantize, requantize. */
void addConvert(CompileContext& c, const Mem& src, QScale s, const Mem& dst, QScale d);

}  // namespace qwb
