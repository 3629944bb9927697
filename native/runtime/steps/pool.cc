// pool: oneDNN pooling_v2 (dilation support) on the input's current (possibly blocked) layout; f32 max
// pooling of data oneDNN left in nChw8c (its AVX2 layout) runs our own loop instead where AVX2 is
// allowed (maxpool-blocked.cc, faster than oneDNN 2.6's jit:avx2); everything else is oneDNN's.
#include "../error.h"
#include "../compile-context.h"
#include "maxpool-blocked.h"

namespace qwb {

namespace {

std::string list(const dims_t& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); i++) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

// Checked here, before any kernel is chosen, so that a plan is accepted or refused the same way on
// every CPU (our own loops would otherwise run geometry that oneDNN refuses): each output size must
// be what the floor rule gives with the plan's pads (ONNX ceil_mode arrives folded into the end pads).
void checkPoolGeometry(const dims_t& xd, const dims_t& yd, const dims_t& kernel, const dims_t& strides,
                       const dims_t& pads, const dims_t& dilations) {
  const size_t k = xd.size() - 2;
  if (yd.size() != xd.size() || yd[0] != xd[0] || yd[1] != xd[1]) {
    throw RuntimeError("y dims " + list(yd) + " must keep x's batch and channels " + list(xd));
  }
  for (size_t i = 0; i < k; i++) {
    if (kernel[i] < 1 || strides[i] < 1 || dilations[i] < 1 || pads[i] < 0 || pads[i + k] < 0) {
      throw RuntimeError("kernel " + list(kernel) + ", strides " + list(strides) + " and dilations " + list(dilations) +
                         " must be >= 1 and pads " + list(pads) + " >= 0");
    }
    const int64_t reach = (kernel[i] - 1) * dilations[i] + 1;
    const int64_t span = xd[2 + i] + pads[i] + pads[i + k] - reach;
    const int64_t want = span < 0 ? 0 : span / strides[i] + 1;
    if (span < 0 || yd[2 + i] != want) {
      throw RuntimeError("spatial axis " + std::to_string(i) + ": input " + std::to_string(xd[2 + i]) + " with pads " +
                         std::to_string(pads[i]) + "+" + std::to_string(pads[i + k]) + ", kernel " + std::to_string(kernel[i]) +
                         " (dilation " + std::to_string(dilations[i]) + ") and stride " + std::to_string(strides[i]) +
                         " gives " + (span < 0 ? std::string("no window") : std::to_string(want) + " outputs") +
                         ", but y declares " + std::to_string(yd[2 + i]));
    }
  }
}

}  // namespace

void compilePool(CompileContext& c) {
  const PlanStep& s = c.step();
  const int x = c.in(0), y = c.out(0);
  const dims_t xd = c.tdims(x), yd = c.tdims(y);
  if (xd.size() < 3 || xd.size() > 5) throw RuntimeError("x must have 1 to 3 spatial dims");
  const size_t k = xd.size() - 2;
  const std::string alg = s.getString("alg");
  dnnl::algorithm a;
  if (alg == "max") a = dnnl::algorithm::pooling_max;
  else if (alg == "avg_include_pad") a = dnnl::algorithm::pooling_avg_include_padding;
  else if (alg == "avg_exclude_pad") a = dnnl::algorithm::pooling_avg_exclude_padding;
  else throw RuntimeError("unknown pool alg '" + alg + "'");
  const dims_t kernel = s.getInts("kernel");
  const dims_t strides = s.getInts("strides", dims_t(k, 1));
  const dims_t pads = s.getInts("pads", dims_t(2 * k, 0));
  dims_t dil = s.getInts("dilations", dims_t(k, 1));
  if (kernel.size() != k || strides.size() != k || pads.size() != 2 * k || dil.size() != k) {
    throw RuntimeError("kernel/strides/pads/dilations sizes do not match " + std::to_string(k) + " spatial dims");
  }
  checkPoolGeometry(xd, yd, kernel, strides, pads, dil);
  for (auto& d : dil) d -= 1;
  const dims_t padL(pads.begin(), pads.begin() + k), padR(pads.begin() + k, pads.end());
  // INT8: oneDNN pools u8/s8 directly (max is exact; avg rounds half to even). y must carry x's
  // scale and zero point. avg_include_pad counts padding as stored 0, which is real 0 only when the
  // zero point is 0.
  const dt_t xdt = c.dtype(x);
  if (c.dtype(y) != xdt) throw RuntimeError("x and y dtypes differ");
  if (xdt != dt_t::f32) {
    if (xdt == dt_t::s32) throw RuntimeError("s32 pooling is not supported");
    const QuantParams &qx = c.quant(x), &qy = c.quant(y);
    if (qx.scales != qy.scales || qx.zeroPoints != qy.zeroPoints) throw RuntimeError("y must have x's scale and zero point");
    bool padded = false;
    for (int64_t p : pads) padded = padded || p != 0;
    if (a == dnnl::algorithm::pooling_avg_include_padding && padded && !qx.zeroPoints.empty() && qx.zeroPoints[0] != 0) {
      throw RuntimeError("avg_include_pad with padding on an int8 tensor with a non-zero zero point is not supported");
    }
  }
  Mem src = c.inputCurrent(x);
  if (a == dnnl::algorithm::pooling_max && xdt == dt_t::f32 && tryAddBlockedMaxPool(c, src, y, kernel, strides, padL, dil)) return;
  md_t dstAny(yd, xdt, dnnl::memory::format_tag::any);
  dnnl::pooling_v2_forward::desc d(dnnl::prop_kind::forward_inference, a, src.desc(), dstAny, strides, kernel, dil,
                                   padL, padR);
  dnnl::pooling_v2_forward::primitive_desc pd(d, c.attr(), c.engine());
  Mem dst = c.output(y, pd.dst_desc());
  c.addPrimitive(dnnl::pooling_v2_forward(pd), pd, {{DNNL_ARG_SRC, src.m}, {DNNL_ARG_DST, dst.m}});
}

}  // namespace qwb
