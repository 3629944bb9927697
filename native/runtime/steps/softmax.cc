// softmax / log-softmax along one axis: oneDNN softmax_v2 on plain data.
#include "../error.h"
#include "../compile-context.h"

namespace qwb {

void compileSoftmax(CompileContext& c) {
  const PlanStep& s = c.step();
  const int x = c.in(0), y = c.out(0);
  const dims_t xd = c.tdims(x);
  const int64_t axis = s.getInt("axis");
  if (axis < 0 || axis >= static_cast<int64_t>(xd.size())) throw RuntimeError("axis " + std::to_string(axis) + " out of range");
  const auto alg = s.getInt("log", 0) ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
  Mem src = c.inputPlain(x);
  dnnl::softmax_v2_forward::desc d(dnnl::prop_kind::forward_inference, alg, src.desc(), src.desc(),
                                   static_cast<int>(axis));
  dnnl::softmax_v2_forward::primitive_desc pd(d, c.attr(), c.engine());
  Mem dst = c.canOverwrite(0, src) ? c.outputAlias(y, src, src.desc()) : c.output(y, src.desc());
  c.addPrimitive(dnnl::softmax_v2_forward(pd), pd, {{DNNL_ARG_SRC, src.m}, {DNNL_ARG_DST, dst.m}});
}

}  // namespace qwb
