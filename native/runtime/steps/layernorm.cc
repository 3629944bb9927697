// layernorm: ONNX LayerNormalization over the trailing dims from `axis` (oneDNN
// layer_normalization_forward on a 2-D (outer, inner) view of plain data, with optional per-element
// scale and shift of `inner` values). Mean and variance are computed in f32 by oneDNN, as ONNX
// Runtime does with stash_type 1. Optional outputs 1 and 2 receive the mean and the inverse standard
// deviation 1/sqrt(var + eps) per normalised row (oneDNN's training propagation computes both).
#include <cmath>
#include <numeric>

#include "../compile-context.h"
#include "../error.h"

namespace qwb {

void compileLayerNorm(CompileContext& c) {
  const PlanStep& s = c.step();
  const int x = c.in(0), scale = c.in(1), bias = c.in(2), y = c.out(0);
  const dims_t xd = c.tdims(x);
  const int64_t axis = s.getInt("axis");
  const float eps = static_cast<float>(s.getFloat("epsilon", 1e-5));
  if (axis < 0 || axis >= static_cast<int64_t>(xd.size())) throw RuntimeError("axis " + std::to_string(axis) + " out of range");
  if (c.tdims(y) != xd) throw RuntimeError("y must have x's dims");
  const int64_t inner = std::accumulate(xd.begin() + axis, xd.end(), int64_t{1}, std::multiplies<int64_t>());
  const int64_t outer = elementCount(xd) / std::max<int64_t>(inner, 1);
  for (int t : {scale, bias}) {
    if (t >= 0 && (!c.isConstant(t) || elementCount(c.tdims(t)) != inner)) {
      throw RuntimeError("scale and bias must be constants of " + std::to_string(inner) + " values");
    }
  }
  Mem src = c.inputPlain(x);
  const md_t flat({outer, inner}, dt_t::f32, dnnl::memory::format_tag::ab);
  Mem src2 = c.view(src, flat);
  auto flags = dnnl::normalization_flags::none;
  if (scale >= 0) flags |= dnnl::normalization_flags::use_scale;
  if (bias >= 0) flags |= dnnl::normalization_flags::use_shift;
  const size_t nOut = s.outputs.size();
  const int meanOut = nOut > 1 ? c.out(1) : -1, invStdOut = nOut > 2 ? c.out(2) : -1;
  const bool stats = meanOut >= 0 || invStdOut >= 0;
  for (int t : {meanOut, invStdOut}) {
    if (t >= 0 && elementCount(c.tdims(t)) != outer) throw RuntimeError("statistics outputs must have " + std::to_string(outer) + " values");
  }
  dnnl::layer_normalization_forward::desc d(stats ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference, flat, eps, flags);
  dnnl::layer_normalization_forward::primitive_desc pd(d, c.attr(), c.engine());
  Mem dst = !stats && c.canOverwrite(0, src) ? c.outputAlias(y, src, c.tplain(y)) : c.output(y, c.tplain(y));
  Mem dst2 = c.view(dst, flat);
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, src2.m}, {DNNL_ARG_DST, dst2.m}};
  const md_t vec({inner}, dt_t::f32, dnnl::memory::format_tag::a);
  if (scale >= 0) args[DNNL_ARG_SCALE] = c.constantAs(scale, vec, vec).m;
  if (bias >= 0) args[DNNL_ARG_SHIFT] = c.constantAs(bias, vec, vec).m;
  Mem var;
  if (stats) {
    const md_t row({outer}, dt_t::f32, dnnl::memory::format_tag::a);
    Mem mean = meanOut >= 0 ? c.view(c.output(meanOut, c.tplain(meanOut)), row) : c.view(c.scratch(row.get_size()), row);
    var = c.view(c.scratch(row.get_size()), row);
    args[DNNL_ARG_MEAN] = mean.m;
    args[DNNL_ARG_VARIANCE] = var.m;
  }
  c.addPrimitive(dnnl::layer_normalization_forward(pd), pd, args);
  if (invStdOut >= 0) {
    Mem inv = c.output(invStdOut, c.tplain(invStdOut));
    dnnl::memory V = var.m, I = inv.m;
    c.addLoop([V, I, outer, eps] {
      const float* v = static_cast<const float*>(V.get_data_handle());
      float* o = static_cast<float*>(I.get_data_handle());
      for (int64_t i = 0; i < outer; i++) o[i] = 1.f / std::sqrt(v[i] + eps);
    });
  }
}

}  // namespace qwb
