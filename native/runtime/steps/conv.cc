// conv and deconv (ONNX Conv / ConvTranspose) as oneDNN (de)convolution with format_tag::any:
// weights are reordered once at compile to the layout oneDNN picks, activations stay blocked.
#include <algorithm>

#include "../error.h"
#include "post-ops.h"
#include "quant.h"

namespace qwb {

namespace {

md_t anyDesc(const dims_t& d, dt_t dt = dt_t::f32) { return md_t(d, dt, dnnl::memory::format_tag::any); }

/** zp * (sum of the integer weights of each output channel), in accumulator units. */
std::vector<double> zeroPointTimesWeightSums(const CompileContext& c, int w, int64_t OC, int32_t zp) {
  if (c.dtype(w) != dt_t::s8) throw RuntimeError("int8 weights must be s8");
  const auto* q = reinterpret_cast<const int8_t*>(c.constBytes(w));
  const int64_t per = elementCount(c.tdims(w)) / OC;  // ONNX Conv weights: OC-major
  std::vector<double> out(OC);
  for (int64_t o = 0; o < OC; o++) {
    int64_t sum = 0;
    for (int64_t i = 0; i < per; i++) sum += q[o * per + i];
    out[o] = double(zp) * double(sum);
  }
  return out;
}

/** A channels-last copy of int8 x with `fill` in a border of padL/padR cells, held in its own
 *  buffer (filled once here; each run rewrites only the interior). */
Mem explicitlyPadded(CompileContext& c, int x, const dims_t& padL, const dims_t& padR, uint8_t fill) {
  const dims_t xd = c.tdims(x);
  dims_t pd = xd, offsets(xd.size(), 0);
  for (size_t i = 2; i < xd.size(); i++) {
    pd[i] += padL[i - 2] + padR[i - 2];
    offsets[i] = padL[i - 2];
  }
  const md_t padded = channelsLastDesc(pd, c.dtype(x));
  const std::vector<uint8_t> border(padded.get_size(), fill);
  Mem buf = c.persistentCopy(padded, border.data());
  c.addReorder(c.inputCurrent(x), c.view(buf, padded.submemory_desc(xd, offsets)));
  return buf;
}

void compileConvLike(CompileContext& c, bool deconv) {
  const PlanStep& s = c.step();
  const int x = c.in(0), w = c.in(1), b = c.in(2), y = c.out(0);
  if (x < 0 || w < 0) throw RuntimeError("needs inputs x and w");
  const dims_t xd = c.tdims(x), wd = c.tdims(w), yd = c.tdims(y);
  const size_t k = xd.size() - 2;
  if (xd.size() < 3 || xd.size() > 5) throw RuntimeError("x must have 1 to 3 spatial dims");
  if (wd.size() != xd.size() || yd.size() != xd.size()) throw RuntimeError("x, w and y ranks differ");
  const dims_t strides = s.getInts("strides", dims_t(k, 1));
  const dims_t pads = s.getInts("pads", dims_t(2 * k, 0));
  dims_t dil = s.getInts("dilations", dims_t(k, 1));
  const int64_t g = s.getInt("group", 1);
  if (strides.size() != k || pads.size() != 2 * k || dil.size() != k) {
    throw RuntimeError("strides/pads/dilations must have " + std::to_string(k) + "/" + std::to_string(2 * k) +
                       "/" + std::to_string(k) + " values");
  }
  for (auto& d : dil) d -= 1;  // ONNX 1 = dense; oneDNN 0 = dense
  const dims_t padL(pads.begin(), pads.begin() + k), padR(pads.begin() + k, pads.end());
  int64_t K = 1;
  for (size_t i = 2; i < wd.size(); i++) K *= wd[i];

  // Logical oneDNN weight dims ((g,) OC(/g), IC(/g), k...) and the strides of the ONNX bytes.
  dims_t wdims, wstrides;
  const dims_t spatial(wd.begin() + 2, wd.end());
  dims_t spatialStrides(k);
  {
    int64_t st = 1;
    for (size_t i = k; i-- > 0;) { spatialStrides[i] = st; st *= spatial[i]; }
  }
  int64_t OC, IC;
  if (!deconv) {
    OC = wd[0];
    IC = wd[1] * g;
    if (OC % g) throw RuntimeError("output channels not divisible by group");
    if (g > 1) { wdims = {g, OC / g, IC / g}; wstrides = {(OC / g) * (IC / g) * K, (IC / g) * K, K}; }
    else { wdims = {OC, IC}; wstrides = {IC * K, K}; }
  } else {
    IC = wd[0];
    OC = wd[1] * g;
    if (IC % g) throw RuntimeError("input channels not divisible by group");
    const int64_t ocg = OC / g, icg = IC / g;
    // ONNX (C, M/g, k...): element (g, oc, ic, k) sits at ((g*icg + ic) * ocg + oc) * K + k.
    if (g > 1) { wdims = {g, ocg, icg}; wstrides = {icg * ocg * K, K, ocg * K}; }
    else { wdims = {OC, IC}; wstrides = {K, OC * K}; }
  }
  if (IC != xd[1]) throw RuntimeError("x has " + std::to_string(xd[1]) + " channels, weights expect " + std::to_string(IC));
  if (OC != yd[1]) throw RuntimeError("y has " + std::to_string(yd[1]) + " channels, weights give " + std::to_string(OC));
  wdims.insert(wdims.end(), spatial.begin(), spatial.end());
  wstrides.insert(wstrides.end(), spatialStrides.begin(), spatialStrides.end());
  const md_t wUser(wdims, c.dtype(w), wstrides);
  if (b >= 0 && c.tdims(b) != dims_t{OC}) throw RuntimeError("bias must have dims (" + std::to_string(OC) + ")");

  // INT8 (x is u8/s8): s8 weights with per-channel scales, output scales s_x * s_w[c] / domain, bias
  // converted once to f32 in accumulator units (oneDNN 2.6 adds the bias before the output scales),
  // source and destination zero points as runtime arguments (the avx2 int8 kernel applies the source
  // zero point exactly, padded borders included).
  const bool int8 = c.dtype(x) != dt_t::f32;
  const dt_t xdt = c.dtype(x), ydt = c.dtype(y);
  QuantOut qo;
  QScale sx;
  std::vector<float> sw;
  if (int8) {
    if (xdt != dt_t::u8 && xdt != dt_t::s8) throw RuntimeError("int8 x must be u8 or s8");
    if (ydt == dt_t::s32) throw RuntimeError("y cannot be s32");
    sx = perTensor(c, x);
    sw = weightScales(c, w, deconv ? 1 : 0, OC);
    if (deconv && g > 1 && sw.size() > 1) throw RuntimeError("per-channel scales on grouped int8 deconv weights");
    qo.y = perTensor(c, y);
    qo.intDst = ydt != dt_t::f32;
    qo.ydt = ydt;
  } else if (c.dtype(w) != dt_t::f32 || ydt != dt_t::f32) {
    throw RuntimeError("f32 x needs f32 weights and an f32 output (quantize x first)");
  }
  // A padded int8 conv with a source zero point Z reads an explicitly padded copy of x instead:
  // the border holds Z (real 0), so the conv needs neither padding nor a zero point, and
  // sum_k w*(x - Z) = sum_k w*x - Z*sum_k w moves into the bias. oneDNN 2.6's avx2 kernel applies
  // a zero point at padded borders per output pixel: ResNet's 7x7 stem conv took 1.50 ms with it,
  // 1.12 ms as a plain u8 conv; the copy of its 224x224x3 u8 input costs ~0.02 ms.
  const bool explicitPad = int8 && !deconv && sx.zp != 0 &&
                           std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; });
  const bool hasBias = b >= 0 || explicitPad;
  const md_t biasDesc = hasBias ? md_t({OC}, dt_t::f32, dnnl::memory::format_tag::a) : md_t();
  PostOps post = int8 ? buildPostOps(c, 3, &qo) : buildPostOps(c, 3);
  dnnl::primitive_attr attr = c.attr();
  attr.set_post_ops(post.ops);
  std::unordered_map<int, dnnl::memory> extraArgs;
  Mem biasMem;
  if (int8) {
    std::vector<float> os(sw.size());
    for (size_t i = 0; i < sw.size(); i++) os[i] = static_cast<float>(double(sx.scale) * sw[i] / post.domain);
    attr.set_output_scales(sw.size() > 1 ? 1 << 1 : 0, os);
    if (sx.zp != 0 && !explicitPad) {
      attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
      extraArgs[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = zeroPointMem(c, sx.zp);
    }
    if (qo.intDst && qo.y.zp != 0) {
      attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
      extraArgs[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST] = zeroPointMem(c, qo.y.zp);
    }
    if (hasBias) {
      std::vector<double> real = b >= 0 ? biasReal(c, b, OC) : std::vector<double>(OC, 0.0);
      std::vector<double> zpTerm = explicitPad ? zeroPointTimesWeightSums(c, w, OC, sx.zp) : std::vector<double>(OC, 0.0);
      std::vector<float> acc(OC);
      for (int64_t i = 0; i < OC; i++) {
        acc[i] = static_cast<float>(real[i] / (double(sx.scale) * sw[sw.size() > 1 ? i : 0]) - zpTerm[i]);
      }
      biasMem = c.persistentCopy(biasDesc, acc.data());
    }
  }
  const dt_t wdt = int8 ? dt_t::s8 : dt_t::f32;
  const auto prop = dnnl::prop_kind::forward_inference;

  dnnl::primitive prim;
  md_t srcMd, wMd, dstMd;
  std::unique_ptr<dnnl::primitive_desc_base> pdHolder;
  Mem src;
  if (!deconv) {
    dims_t convPadL = padL, convPadR = padR;
    md_t srcDesc = anyDesc(xd, xdt);
    if (explicitPad) {
      src = explicitlyPadded(c, x, padL, padR, static_cast<uint8_t>(sx.zp));
      srcDesc = src.desc();
      convPadL = convPadR = dims_t(k, 0);
    }
    dnnl::convolution_forward::desc d(prop, dnnl::algorithm::convolution_direct, srcDesc, anyDesc(wdims, wdt),
                                      biasDesc, anyDesc(yd, ydt), strides, dil, convPadL, convPadR);
    auto pd = std::make_unique<dnnl::convolution_forward::primitive_desc>(d, attr, c.engine());
    srcMd = pd->src_desc(); wMd = pd->weights_desc(); dstMd = pd->dst_desc();
    prim = dnnl::convolution_forward(*pd);
    pdHolder = std::move(pd);
  } else {
    dnnl::deconvolution_forward::desc d(prop, dnnl::algorithm::deconvolution_direct, anyDesc(xd, xdt),
                                        anyDesc(wdims, wdt), biasDesc, anyDesc(yd, ydt), strides, dil, padL, padR);
    auto pd = std::make_unique<dnnl::deconvolution_forward::primitive_desc>(d, attr, c.engine());
    srcMd = pd->src_desc(); wMd = pd->weights_desc(); dstMd = pd->dst_desc();
    prim = dnnl::deconvolution_forward(*pd);
    pdHolder = std::move(pd);
  }
  if (!explicitPad) src = c.input(x, srcMd);
  Mem wm = c.constantAs(w, wUser, wMd);
  std::unordered_map<int, dnnl::memory> args = extraArgs;
  args[DNNL_ARG_SRC] = src.m;
  args[DNNL_ARG_WEIGHTS] = wm.m;
  if (hasBias) args[DNNL_ARG_BIAS] = int8 ? biasMem.m : c.input(b, biasDesc).m;
  Mem dst = outputWithSum(c, post, y, dstMd);
  args[DNNL_ARG_DST] = dst.m;
  c.addPrimitive(prim, *pdHolder, args);
  applyTail(c, post, dst);
}

}  // namespace

void compileConv(CompileContext& c) { compileConvLike(c, false); }
void compileDeconv(CompileContext& c) { compileConvLike(c, true); }

}  // namespace qwb
