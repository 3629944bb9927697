// Post-ops of conv/deconv/matmul (native/PLAN.md): eltwise algs and `sum` (residual add of the
// i-th extra input). Ops oneDNN cannot fuse (erf, and whatever follows it) run after the
// primitive, in place on its destination.
#pragma once
#include <vector>

#include "../compile-context.h"
#include "eltwise-ops.h"
#include "quant.h"

namespace qwb {

struct PostOps {
  dnnl::post_ops ops;
  std::vector<EltOp> tail;
  int sumSlot = -1;  // input slot of sum_src, -1 when there is no sum
  // INT8: the unit of the value the post-ops see is real / domain (the primitive's output scales
  // must be s_x * s_w / domain). domain = s_y when every post-op is scale-invariant (relu; clip
  // with scaled bounds), else 1 (real values) followed by a final linear 1 / s_y.
  float domain = 1.f;
  // sum_src cannot be summed as stored (f32 into an int8 y, or int8 into an f32 y): it is first
  // converted into y's dtype and scale (one extra rounding; values outside y's range saturate, e.g.
  // negative residuals into a u8 y with zero point 0), then summed with y's scale and zero point.
  bool sumConvert = false;
  QScale sumFrom, sumTo;
  // INT8 sum read in sum_src's own dtype (may differ from y's, same size); undef otherwise.
  dt_t sumDtype = dt_t::undef;
};

/** Quantized destination of an int8 conv/deconv/matmul (perTensor of y; intDst false for f32). */
struct QuantOut {
  QScale y;
  bool intDst = false;
  dt_t ydt = dt_t::f32;
};

/** Reads post_ops/post_alpha/post_beta; sum_src inputs follow the `fixedInputs` fixed slots.
 *  With `q`, builds the INT8 variant (see PostOps::domain). */
PostOps buildPostOps(CompileContext& c, size_t fixedInputs, const QuantOut* q = nullptr);

/** Declares the step's output with desc `md`. With a sum, the output holds sum_src before the
 *  primitive runs: sum_src's buffer is taken over when nothing reads it later and its layout matches,
 *  otherwise sum_src is copied (reordered) into the output first. */
Mem outputWithSum(CompileContext& c, const PostOps& p, int outTid, const md_t& md);

/** Records the unfused tail ops, in place on dst. */
void applyTail(CompileContext& c, const PostOps& p, const Mem& dst);

}  // namespace qwb
