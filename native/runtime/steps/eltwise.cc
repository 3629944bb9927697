// eltwise: one plan alg as one or two oneDNN eltwise primitives (or the erf loop), on the input's
// current layout, in place when nothing reads the input later.
#include "../error.h"
#include "eltwise-ops.h"

namespace qwb {

void compileEltwise(CompileContext& c) {
  const PlanStep& s = c.step();
  const int x = c.in(0), y = c.out(0);
  if (c.tdims(x) != c.tdims(y)) throw RuntimeError("x and y dims differ");
  std::vector<EltOp> ops = eltwiseOps(s.getString("alg"), static_cast<float>(s.getFloat("alpha", 0.0)),
                                      static_cast<float>(s.getFloat("beta", 0.0)));
  Mem src = c.inputCurrent(x);
  Mem dst = c.canOverwrite(0, src) ? c.outputAlias(y, src, src.desc()) : c.output(y, src.desc());
  addEltOp(c, ops[0], src, dst);
  for (size_t i = 1; i < ops.size(); i++) addEltOp(c, ops[i], dst, dst);
}

}  // namespace qwb
