// reduce: oneDNN reduction on plain data (output described with kept dims of size 1, the same bytes
// as the keepdims=0 output). log_sum_exp, and shapes oneDNN declines, use a loop.
#include <algorithm>
#include <cmath>
#include <limits>

#include "../error.h"
#include "../compile-context.h"

namespace qwb {

namespace {

void addReduceLoop(CompileContext& c, const std::string& alg, const Mem& src, const Mem& dst, const dims_t& xd,
                   const std::vector<bool>& reduced) {
  // Split the input axes into kept (output index) and reduced (inner iteration) with their strides.
  dims_t keptDims, keptStrides, redDims, redStrides;
  int64_t st = 1;
  std::vector<int64_t> strides(xd.size());
  for (size_t i = xd.size(); i-- > 0;) { strides[i] = st; st *= xd[i]; }
  for (size_t i = 0; i < xd.size(); i++) {
    (reduced[i] ? redDims : keptDims).push_back(xd[i]);
    (reduced[i] ? redStrides : keptStrides).push_back(strides[i]);
  }
  int64_t nOut = 1, nRed = 1;
  for (auto d : keptDims) nOut *= d;
  for (auto d : redDims) nRed *= d;
  int op;
  const char* names[] = {"sum", "mean", "max", "min", "prod", "sum_square", "l1", "l2", "log_sum_exp"};
  for (op = 0; op < 9 && alg != names[op]; op++) {}
  if (op == 9) throw RuntimeError("unknown reduce alg '" + alg + "'");
  dnnl::memory S = src.m, D = dst.m;
  c.addLoop([=] {
    const float* x = static_cast<const float*>(S.get_data_handle());
    float* y = static_cast<float*>(D.get_data_handle());
    auto offset = [](int64_t i, const dims_t& dims, const dims_t& strides) {
      int64_t off = 0;
      for (size_t d = dims.size(); d-- > 0;) { int64_t q = i / dims[d]; off += (i - q * dims[d]) * strides[d]; i = q; }
      return off;
    };
#pragma omp parallel for schedule(static)
    for (int64_t o = 0; o < nOut; o++) {
      const float* base = x + offset(o, keptDims, keptStrides);
      double acc = op == 2 ? -std::numeric_limits<double>::infinity()
                 : op == 3 ? std::numeric_limits<double>::infinity() : op == 4 ? 1.0 : 0.0;
      double mx = -std::numeric_limits<double>::infinity();
      if (op == 8) for (int64_t r = 0; r < nRed; r++) mx = std::max(mx, double(base[offset(r, redDims, redStrides)]));
      for (int64_t r = 0; r < nRed; r++) {
        double v = base[offset(r, redDims, redStrides)];
        switch (op) {
          case 0: case 1: acc += v; break;
          case 2: acc = std::max(acc, v); break;
          case 3: acc = std::min(acc, v); break;
          case 4: acc *= v; break;
          case 5: case 7: acc += v * v; break;
          case 6: acc += std::fabs(v); break;
          case 8: acc += std::exp(v - mx); break;
        }
      }
      if (op == 1) acc /= double(nRed);
      if (op == 7) acc = std::sqrt(acc);
      if (op == 8) acc = std::log(acc) + mx;
      y[o] = static_cast<float>(acc);
    }
  });
}

}  // namespace

void compileReduce(CompileContext& c) {
  const PlanStep& s = c.step();
  const int x = c.in(0), y = c.out(0);
  const dims_t xd = c.tdims(x);
  const std::string alg = s.getString("alg");
  dims_t axes = s.getInts("axes", {});
  std::vector<bool> reduced(xd.size(), axes.empty());  // no axes: reduce all (ONNX default)
  for (auto a : axes) {
    if (a < 0 || a >= static_cast<int64_t>(xd.size())) throw RuntimeError("axis " + std::to_string(a) + " out of range");
    reduced[a] = true;
  }
  dims_t kd = xd;
  for (size_t i = 0; i < xd.size(); i++) if (reduced[i]) kd[i] = 1;
  if (elementCount(kd) != elementCount(c.tdims(y))) throw RuntimeError("output dims do not match the reduced input");
  Mem src = c.inputPlain(x);
  Mem dst = c.output(y, CompileContext::plainDesc(c.tdims(y)));
  Mem dstKeep = c.view(dst, CompileContext::plainDesc(kd));

  using A = dnnl::algorithm;
  A a = A::undef;
  float p = 0.f;
  if (alg == "sum") a = A::reduction_sum;
  else if (alg == "mean") a = A::reduction_mean;
  else if (alg == "max") a = A::reduction_max;
  else if (alg == "min") a = A::reduction_min;
  else if (alg == "prod") a = A::reduction_mul;
  else if (alg == "sum_square") { a = A::reduction_norm_lp_power_p_sum; p = 2.f; }
  else if (alg == "l1") { a = A::reduction_norm_lp_sum; p = 1.f; }
  else if (alg == "l2") { a = A::reduction_norm_lp_sum; p = 2.f; }
  if (a != A::undef && kd != xd) {
    try {
      dnnl::reduction::desc d(a, src.desc(), dstKeep.desc(), p, 0.f);
      dnnl::reduction::primitive_desc pd(d, c.attr(), c.engine());
      c.addPrimitive(dnnl::reduction(pd), pd, {{DNNL_ARG_SRC, src.m}, {DNNL_ARG_DST, dstKeep.m}});
      return;
    } catch (const dnnl::error&) {
      // fall through to the loop
    }
  }
  addReduceLoop(c, alg, src, dstKeep, xd, reduced);
}

}  // namespace qwb
