// binary: oneDNN binary (add/sub/mul/div/max/min) with numpy broadcasting on either side. oneDNN
// broadcasts only src1: commutative ops swap operands; otherwise src0 is expanded to the output
// dims by a loop. pow has no oneDNN algorithm in 2.6 and is a loop.
#include <algorithm>
#include <cmath>

#include "../error.h"
#include "../compile-context.h"
#include "broadcast.h"
#include "quant.h"

namespace qwb {

namespace {
dims_t padTo(const dims_t& d, size_t rank) {
  dims_t r(rank - d.size(), 1);
  r.insert(r.end(), d.begin(), d.end());
  return r;
}

// f32 a <op> b over plain data, by rows of the output's last dim: one broadcast offset per row,
// then a contiguous or broadcast (stride 0) inner loop. Used where oneDNN 2.6 has only its
// reference binary (broadcasts other than per-channel or scalar: LayerNorm patterns' [N,H,W,1]
// statistics, attention masks broadcast over heads), which took ~100x longer.
void compileBinaryLoop(CompileContext& c, int a, int b, int y, int op) {
  const dims_t yd = c.tdims(y);
  const std::vector<int64_t> sa = broadcastStrides(c.tdims(a), yd), sb = broadcastStrides(c.tdims(b), yd);
  Mem am = c.inputPlain(a), bm = c.inputPlain(b);
  Mem dst = c.output(y, CompileContext::plainDesc(yd));
  const int64_t n = elementCount(yd);
  const int64_t inner = yd.empty() ? 1 : yd.back();
  const int64_t rows = inner == 0 ? 0 : n / inner;
  const int64_t ia = sa.empty() ? 0 : sa.back(), ib = sb.empty() ? 0 : sb.back();
  dims_t outer(yd.begin(), yd.empty() ? yd.end() : yd.end() - 1);
  std::vector<int64_t> oa(sa.begin(), sa.empty() ? sa.end() : sa.end() - 1), ob(sb.begin(), sb.empty() ? sb.end() : sb.end() - 1);
  dnnl::memory A = am.m, B = bm.m, Y = dst.m;
  c.addLoop([=] {
    const float* pa = static_cast<const float*>(A.get_data_handle());
    const float* pb = static_cast<const float*>(B.get_data_handle());
    float* py = static_cast<float*>(Y.get_data_handle());
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      const float* ra = pa + offsetOf(r, outer, oa);
      const float* rb = pb + offsetOf(r, outer, ob);
      float* ry = py + r * inner;
      switch (op) {
        case 0: for (int64_t j = 0; j < inner; j++) ry[j] = ra[j * ia] + rb[j * ib]; break;
        case 1: for (int64_t j = 0; j < inner; j++) ry[j] = ra[j * ia] - rb[j * ib]; break;
        case 2: for (int64_t j = 0; j < inner; j++) ry[j] = ra[j * ia] * rb[j * ib]; break;
        case 3: for (int64_t j = 0; j < inner; j++) ry[j] = ra[j * ia] / rb[j * ib]; break;
        case 4: for (int64_t j = 0; j < inner; j++) ry[j] = std::max(ra[j * ia], rb[j * ib]); break;
        default: for (int64_t j = 0; j < inner; j++) ry[j] = std::min(ra[j * ia], rb[j * ib]); break;
      }
    }
  }, "qwb:binary_rows");
}

void compilePow(CompileContext& c, int a, int b, int y) {
  const dims_t yd = c.tdims(y);
  const std::vector<int64_t> sa = broadcastStrides(c.tdims(a), yd), sb = broadcastStrides(c.tdims(b), yd);
  Mem am = c.inputPlain(a), bm = c.inputPlain(b);
  Mem dst = c.output(y, CompileContext::plainDesc(yd));
  const int64_t n = elementCount(yd);
  dnnl::memory A = am.m, B = bm.m, Y = dst.m;
  c.addLoop([A, B, Y, n, yd, sa, sb] {
    const float* pa = static_cast<const float*>(A.get_data_handle());
    const float* pb = static_cast<const float*>(B.get_data_handle());
    float* py = static_cast<float*>(Y.get_data_handle());
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) py[i] = std::pow(pa[offsetOf(i, yd, sa)], pb[offsetOf(i, yd, sb)]);
  });
}
}  // namespace

void compileBinary(CompileContext& c) {
  const std::string alg = c.step().getString("alg");
  int a = c.in(0), b = c.in(1);
  const int y = c.out(0);
  if (a < 0 || b < 0) throw RuntimeError("needs inputs a and b");
  if (alg == "pow") return compilePow(c, a, b, y);
  dnnl::algorithm A;
  bool commutative = true;
  if (alg == "add") A = dnnl::algorithm::binary_add;
  else if (alg == "mul") A = dnnl::algorithm::binary_mul;
  else if (alg == "max") A = dnnl::algorithm::binary_max;
  else if (alg == "min") A = dnnl::algorithm::binary_min;
  else if (alg == "sub") { A = dnnl::algorithm::binary_sub; commutative = false; }
  else if (alg == "div") { A = dnnl::algorithm::binary_div; commutative = false; }
  else throw RuntimeError("unknown binary alg '" + alg + "'");

  // INT8 (any operand or y is u8/s8): add and mul only, as oneDNN binary with per-source scales and a
  // linear post-op for the zero points and y's scale, in real-valued semantics:
  //   add: q_y = (s_a/s_y) a + (s_b/s_y) b + (zp_y - s_a zp_a/s_y - s_b zp_b/s_y)
  //   mul: q_y = ((s_a a) (s_b b)) / s_y + zp_y   (input zero points must be 0)
  const bool int8 = c.dtype(a) != dt_t::f32 || c.dtype(b) != dt_t::f32 || c.dtype(y) != dt_t::f32;
  if (int8 && alg != "add" && alg != "mul") throw RuntimeError("int8 binary supports add and mul only");

  const dims_t yd = c.tdims(y);
  const size_t R = yd.size();
  if (c.tdims(a).size() > R || c.tdims(b).size() > R) throw RuntimeError("operand rank exceeds the output's");
  // f32 with a broadcast oneDNN only has a reference kernel for (anything but one full operand
  // against a scalar or a per-channel vector): our row loop.
  if (!int8) {
    const dims_t da = padTo(c.tdims(a), R), db = padTo(c.tdims(b), R);
    auto simple = [&](const dims_t& full, const dims_t& other) {
      if (full != yd) return false;
      if (elementCount(other) == 1 || other == yd) return true;
      for (size_t i = 0; i < R; i++) if (other[i] != 1 && !(i == 1 && other[i] == yd[i])) return false;
      return true;  // per-channel (axis 1)
    };
    if (!simple(da, db) && !(commutative && simple(db, da))) {
      const int op = alg == "add" ? 0 : alg == "sub" ? 1 : alg == "mul" ? 2 : alg == "div" ? 3 : alg == "max" ? 4 : 5;
      return compileBinaryLoop(c, a, b, y, op);
    }
  }
  size_t slot0 = 0, slot1 = 1;
  if (padTo(c.tdims(a), R) != yd && padTo(c.tdims(b), R) == yd && commutative) {
    std::swap(a, b);
    std::swap(slot0, slot1);
  }
  Mem src0;
  const dims_t d1 = padTo(c.tdims(b), R);
  bool expanded = false;
  if (padTo(c.tdims(a), R) == yd) {
    src0 = c.tdims(a) == yd ? c.inputCurrent(a) : c.view(c.inputPlain(a), plainDescOf(yd, c.dtype(a)));
  } else {
    if (int8) throw RuntimeError("int8 binary needs one operand with the output's dims");
    // src0 itself broadcasts: expand it into a plain buffer of the output dims.
    Mem am = c.inputPlain(a);
    src0 = c.scratch(CompileContext::plainDesc(yd).get_size());
    src0 = c.view(src0, CompileContext::plainDesc(yd));
    const std::vector<int64_t> sa = broadcastStrides(c.tdims(a), yd);
    const int64_t n = elementCount(yd);
    dnnl::memory S = am.m, D = src0.m;
    c.addLoop([S, D, n, yd, sa] {
      const float* ps = static_cast<const float*>(S.get_data_handle());
      float* pd = static_cast<float*>(D.get_data_handle());
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < n; i++) pd[i] = ps[offsetOf(i, yd, sa)];
    });
    expanded = true;
  }
  // src1: same layout as src0 when it has the output dims, else a plain (rank-padded) view.
  Mem src1;
  if (d1 == yd && c.tdims(b) == yd) src1 = c.input(b, withDtype(src0.desc(), c.dtype(b)));
  else src1 = c.view(c.inputPlain(b), plainDescOf(d1, c.dtype(b)));
  const md_t dstMd = withDtype(src0.desc(), c.dtype(y));
  dnnl::primitive_attr attr = c.attr();
  if (int8) {
    const QScale qa = perTensor(c, a), qb = perTensor(c, b), qy = perTensor(c, y);
    dnnl::post_ops po;
    if (alg == "add") {
      const double ka = double(qa.scale) / qy.scale, kb = double(qb.scale) / qy.scale;
      attr.set_scales(DNNL_ARG_SRC_0, 0, {static_cast<float>(ka)});
      attr.set_scales(DNNL_ARG_SRC_1, 0, {static_cast<float>(kb)});
      const double shift = qy.zp - ka * qa.zp - kb * qb.zp;
      if (shift != 0) po.append_eltwise(1.f, dnnl::algorithm::eltwise_linear, 1.f, static_cast<float>(shift));
    } else {
      if (qa.zp != 0 || qb.zp != 0) throw RuntimeError("int8 mul with non-zero input zero points is not supported");
      attr.set_scales(DNNL_ARG_SRC_0, 0, {qa.scale});
      attr.set_scales(DNNL_ARG_SRC_1, 0, {qb.scale});
      if (qy.scale != 1.f || qy.zp != 0) {
        po.append_eltwise(1.f, dnnl::algorithm::eltwise_linear, 1.f / qy.scale, static_cast<float>(qy.zp));
      }
    }
    attr.set_post_ops(po);
  }
  dnnl::binary::desc d(A, src0.desc(), src1.desc(), dstMd);
  dnnl::binary::primitive_desc pd(d, attr, c.engine());
  Mem dst;
  if (expanded) dst = c.outputAlias(y, src0, dstMd);
  else if (c.tdims(a) == yd && c.dtype(a) == c.dtype(y) && c.canOverwrite(slot0, src0)) dst = c.outputAlias(y, src0, dstMd);
  else dst = c.output(y, dstMd);
  c.addPrimitive(dnnl::binary(pd), pd, {{DNNL_ARG_SRC_0, src0.m}, {DNNL_ARG_SRC_1, src1.m}, {DNNL_ARG_DST, dst.m}});
}

}  // namespace qwb
