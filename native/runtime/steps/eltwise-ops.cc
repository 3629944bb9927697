#include "eltwise-ops.h"

#include <cmath>

#include "../error.h"

namespace qwb {

std::vector<EltOp> eltwiseOps(const std::string& alg, float alpha, float beta) {
  using A = dnnl::algorithm;
  auto one = [](A a, float al = 0.f, float be = 0.f) { return std::vector<EltOp>{EltOp{false, a, al, be}}; };
  if (alg == "relu") return one(A::eltwise_relu, alpha);
  if (alg == "clip") return one(A::eltwise_clip, alpha, beta);
  if (alg == "sigmoid") return one(A::eltwise_logistic);
  if (alg == "tanh") return one(A::eltwise_tanh);
  if (alg == "hardsigmoid") {
    return {EltOp{false, A::eltwise_linear, alpha, beta}, EltOp{false, A::eltwise_clip, 0.f, 1.f}};
  }
  if (alg == "hardswish") return one(A::eltwise_hardswish);
  if (alg == "gelu_erf") return one(A::eltwise_gelu_erf);
  if (alg == "gelu_tanh") return one(A::eltwise_gelu_tanh);
  if (alg == "erf") return {EltOp{true, A::eltwise_linear, 0.f, 0.f}};
  if (alg == "elu") return one(A::eltwise_elu, alpha);
  if (alg == "linear") return one(A::eltwise_linear, alpha, beta);
  if (alg == "exp") return one(A::eltwise_exp);
  if (alg == "log") return one(A::eltwise_log);
  if (alg == "sqrt") return one(A::eltwise_sqrt);
  if (alg == "abs") return one(A::eltwise_abs);
  if (alg == "square") return one(A::eltwise_square);
  if (alg == "softplus") return one(A::eltwise_soft_relu);
  if (alg == "swish") return one(A::eltwise_swish, alpha);
  throw RuntimeError("unknown eltwise alg '" + alg + "'");
}

void addEltOp(CompileContext& c, const EltOp& op, const Mem& src, const Mem& dst) {
  if (op.custom) {
    // erf(0) = 0, so running over the whole buffer (padding of blocked layouts included) is safe.
    const int64_t n = static_cast<int64_t>(dst.desc().get_size() / sizeof(float));
    dnnl::memory s = src.m, d = dst.m;
    c.addLoop([s, d, n] {
      const float* x = static_cast<const float*>(s.get_data_handle());
      float* y = static_cast<float*>(d.get_data_handle());
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < n; i++) y[i] = std::erf(x[i]);
    });
    return;
  }
  dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, op.alg, src.desc(), op.alpha, op.beta);
  dnnl::eltwise_forward::primitive_desc pd(d, c.attr(), c.engine());
  c.addPrimitive(dnnl::eltwise_forward(pd), pd, {{DNNL_ARG_SRC, src.m}, {DNNL_ARG_DST, dst.m}});
}

}  // namespace qwb
