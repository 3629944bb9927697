// matmul: ONNX MatMul with numpy batch broadcasting, optional bias and post-ops. Both operands are
// padded to the output rank with leading 1s (oneDNN broadcasts size-1 batch dims). A constant `b`
// is reordered once to the layout oneDNN picks.
#include <algorithm>

#include "../error.h"
#include "post-ops.h"
#include "quant.h"

namespace qwb {

namespace {
md_t anyDesc(const dims_t& d, dt_t dt) { return md_t(d, dt, dnnl::memory::format_tag::any); }
dims_t padTo(const dims_t& d, size_t rank) {
  dims_t r(rank - d.size(), 1);
  r.insert(r.end(), d.begin(), d.end());
  return r;
}

/** An int8 matmul with constant 2-D weights (a CNN's classifier; a transformer's projections,
 *  whose [batch, tokens, K] rows are M = batch * tokens rows of K) as a 1x1 convolution over a 1x1
 *  image: oneDNN 2.6's int8 matmul on avx2 is gemm-based and packs the weights on every call
 *  (0.07 ms for 1x1280 x 1280x1000), its int8 1x1 convolution reads them pre-blocked (0.02 ms).
 *  (M, K) row-major is the nhwc layout of (M, K, 1, 1), so a and y are used in place; the (K, N)
 *  constant becomes OIhw weights with strides (1, N). Per-column scales move to the convolution's
 *  channel axis. Returns false when oneDNN offers no such convolution, and the caller builds the
 *  matmul. */
bool compileInt8AsConv1x1(CompileContext& c, dnnl::primitive_attr attr,
                          const std::unordered_map<int, dnnl::memory>& extraArgs, const PostOps& post,
                          const Mem& biasMem, const dims_t& md, int64_t K, const std::vector<float>& scales) {
  const int a = c.in(0), b = c.in(1), bias = c.in(2), y = c.out(0);
  const int64_t N = md.back(), M = elementCount(md) / std::max<int64_t>(N, 1);
  attr.set_output_scales(scales.size() > 1 ? 1 << 1 : 0, scales);
  if (bias >= 0 && elementCount(c.tdims(bias)) != N) return false;
  using T = dnnl::memory::format_tag;
  const md_t src4(dims_t{M, K, 1, 1}, c.dtype(a), T::nhwc), dst4(dims_t{M, N, 1, 1}, c.dtype(y), T::nhwc);
  const md_t bias1 = bias >= 0 ? md_t({N}, dt_t::f32, T::a) : md_t();
  dnnl::convolution_forward::primitive_desc pd;
  try {
    dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src4,
                                      md_t(dims_t{N, K, 1, 1}, dt_t::s8, T::any), bias1, dst4, {1, 1}, {0, 0}, {0, 0});
    pd = dnnl::convolution_forward::primitive_desc(d, attr, c.engine());
  } catch (const dnnl::error&) {
    return false;
  }
  if (pd.src_desc() != src4 || pd.dst_desc() != dst4) return false;
  const md_t wUser(dims_t{N, K, 1, 1}, dt_t::s8, dims_t{1, N, 1, 1});
  std::unordered_map<int, dnnl::memory> args = extraArgs;
  args[DNNL_ARG_SRC] = c.view(c.inputPlain(a), src4).m;
  args[DNNL_ARG_WEIGHTS] = c.constantAs(b, wUser, pd.weights_desc()).m;
  if (bias >= 0) args[DNNL_ARG_BIAS] = c.view(biasMem, bias1).m;
  Mem dst = outputWithSum(c, post, y, c.tplain(y));
  args[DNNL_ARG_DST] = c.view(dst, dst4).m;
  c.addPrimitive(dnnl::convolution_forward(pd), pd, args);
  applyTail(c, post, dst);
  return true;
}
}  // namespace

void compileMatmul(CompileContext& c) {
  const int a = c.in(0), b = c.in(1), bias = c.in(2), y = c.out(0);
  if (a < 0 || b < 0) throw RuntimeError("needs inputs a and b");
  dims_t ad = c.tdims(a), bd = c.tdims(b);
  const dims_t yd = c.tdims(y);
  if (c.plan().tensors[a].dims.size() == 1) ad = {1, ad[0]};
  if (c.plan().tensors[b].dims.size() == 1) bd = {bd[0], 1};
  const size_t R = std::max(ad.size(), bd.size());
  ad = padTo(ad, R);
  bd = padTo(bd, R);
  if (ad[R - 1] != bd[R - 2]) throw RuntimeError("inner dims differ: " + std::to_string(ad[R - 1]) + " vs " + std::to_string(bd[R - 2]));
  dims_t md(R);
  for (size_t i = 0; i + 2 < R; i++) {
    if (ad[i] != bd[i] && ad[i] != 1 && bd[i] != 1) throw RuntimeError("batch dims do not broadcast");
    md[i] = std::max(ad[i], bd[i]);
  }
  md[R - 2] = ad[R - 2];
  md[R - 1] = bd[R - 1];
  if (elementCount(md) != elementCount(yd)) throw RuntimeError("output dims do not match a x b");

  const bool aSame = ad == c.tdims(a), bSame = bd == c.tdims(b), ySame = md == yd;
  const bool bConst = c.isConstant(b);
  md_t biasDesc;
  if (bias >= 0) {
    dims_t bdims = c.tdims(bias);
    if (bdims.size() > R) throw RuntimeError("bias rank exceeds the output rank");
    biasDesc = CompileContext::plainDesc(padTo(bdims, R));
  }

  // INT8 (a is u8/s8): b must be s8 (oneDNN has u8/s8 x s8 only), per-column scales when constant
  // (axis 1 of (K, N), i.e. the last axis), per-tensor otherwise; output scales s_a * s_b[n] / domain
  // on the last output axis; bias converted to f32 accumulator units (added before the scales).
  const dt_t adt = c.dtype(a), bdt = c.dtype(b), ydt = c.dtype(y);
  const bool int8 = adt != dt_t::f32;
  QuantOut qo;
  PostOps post;
  dnnl::primitive_attr attr = c.attr();
  std::unordered_map<int, dnnl::memory> extraArgs;
  Mem biasMem;
  std::vector<float> os;
  if (int8) {
    if (adt != dt_t::u8 && adt != dt_t::s8) throw RuntimeError("int8 a must be u8 or s8");
    if (bdt != dt_t::s8) throw RuntimeError("int8 matmul needs an s8 b");
    if (ydt == dt_t::s32) throw RuntimeError("y cannot be s32");
    const int64_t N = md[R - 1];
    const QScale sa = perTensor(c, a);
    std::vector<float> sb;
    if (bConst) {
      const int axis = static_cast<int>(c.plan().tensors[b].dims.size()) - 1;
      sb = weightScales(c, b, axis, N);
    } else {
      QScale q = perTensor(c, b);
      if (q.zp != 0) throw RuntimeError("b has a non-zero zero point (unsupported)");
      sb = {q.scale};
    }
    qo.y = perTensor(c, y);
    qo.intDst = ydt != dt_t::f32;
    qo.ydt = ydt;
    post = buildPostOps(c, 3, &qo);
    os.resize(sb.size());
    for (size_t i = 0; i < sb.size(); i++) os[i] = static_cast<float>(double(sa.scale) * sb[i] / post.domain);
    attr.set_output_scales(sb.size() > 1 ? 1 << (R - 1) : 0, os);
    if (sa.zp != 0) {
      attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
      extraArgs[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = zeroPointMem(c, sa.zp);
    }
    if (qo.intDst && qo.y.zp != 0) {
      attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
      extraArgs[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST] = zeroPointMem(c, qo.y.zp);
    }
    if (bias >= 0) {
      const dims_t bdims = padTo(c.tdims(bias), R);
      const int64_t n = elementCount(bdims);
      if (sb.size() > 1 && bdims[R - 1] != N) throw RuntimeError("bias must run along the output's last axis");
      std::vector<double> real = biasReal(c, bias, n);
      std::vector<float> acc(n);
      for (int64_t i = 0; i < n; i++) {
        acc[i] = static_cast<float>(real[i] / (double(sa.scale) * sb[sb.size() > 1 ? i % N : 0]));
      }
      biasMem = c.persistentCopy(biasDesc, acc.data());
    }
  } else {
    if (bdt != dt_t::f32 || ydt != dt_t::f32) throw RuntimeError("f32 a needs an f32 b and output (quantize a first)");
    post = buildPostOps(c, 3);
  }
  attr.set_post_ops(post.ops);
  // 2-D constant b (rank-padded with leading 1s) against a's rows: M = all of a's leading dims.
  bool bIs2d = bConst && c.plan().tensors[b].dims.size() == 2;
  for (size_t i = 0; i + 2 < R; i++) bIs2d = bIs2d && bd[i] == 1;
  if (int8 && bIs2d && aSame && ySame && compileInt8AsConv1x1(c, attr, extraArgs, post, biasMem, md, ad[R - 1], os)) {
    return;
  }
  // Let oneDNN pick layouts where the operand is the tensor itself; rank-padded operands are views of
  // plain data. If oneDNN offers no implementation with `any` for this shape, fall back to plain everywhere.
  auto makePd = [&](bool useAny) {
    md_t am = useAny && aSame ? anyDesc(ad, adt) : plainDescOf(ad, adt);
    md_t bm = useAny && (bSame || bConst) ? anyDesc(bd, bdt) : plainDescOf(bd, bdt);
    md_t ym = useAny && ySame ? anyDesc(md, ydt) : plainDescOf(md, ydt);
    dnnl::matmul::desc d(am, bm, biasDesc, ym);
    return dnnl::matmul::primitive_desc(d, attr, c.engine());
  };
  dnnl::matmul::primitive_desc pd;
  try {
    pd = makePd(true);
  } catch (const dnnl::error&) {
    pd = makePd(false);
  }
  Mem am = aSame ? c.input(a, pd.src_desc()) : c.view(c.inputPlain(a), pd.src_desc());
  Mem bm = bConst ? c.constantAs(b, plainDescOf(bd, bdt), pd.weights_desc())
                  : (bSame ? c.input(b, pd.weights_desc()) : c.view(c.inputPlain(b), pd.weights_desc()));
  std::unordered_map<int, dnnl::memory> args = extraArgs;
  args[DNNL_ARG_SRC] = am.m;
  args[DNNL_ARG_WEIGHTS] = bm.m;
  if (bias >= 0) args[DNNL_ARG_BIAS] = int8 ? biasMem.m : c.view(c.inputPlain(bias), biasDesc).m;
  Mem dst = outputWithSum(c, post, y, ySame ? pd.dst_desc() : c.tplain(y));
  Mem dstView = ySame ? dst : c.view(dst, pd.dst_desc());
  args[DNNL_ARG_DST] = dstView.m;
  c.addPrimitive(dnnl::matmul(pd), pd, args);
  applyTail(c, post, dst);
}

}  // namespace qwb
