// Mapping of the plan's eltwise alg names onto oneDNN algorithms (shared by the eltwise step and
// the eltwise post-ops of conv/deconv/matmul). oneDNN 2.6 has no hardsigmoid (-> linear + clip)
// and no erf (-> a custom loop, marked `custom`).
#pragma once
#include <string>
#include <vector>

#include "../compile-context.h"

namespace qwb {

struct EltOp {
  bool custom = false;  // erf: std::erf loop
  dnnl::algorithm alg = dnnl::algorithm::eltwise_linear;
  float alpha = 0.f, beta = 0.f;
};

/** The op sequence for one plan alg; throws naming the alg when unknown. */
std::vector<EltOp> eltwiseOps(const std::string& alg, float alpha, float beta);

/** Records `dst = op(src)` (src and dst have the same desc; they may be the same memory). */
void addEltOp(CompileContext& c, const EltOp& op, const Mem& src, const Mem& dst);

}  // namespace qwb
