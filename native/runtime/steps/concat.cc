// concat: oneDNN concat over the inputs' current layouts; oneDNN picks the output layout.
// INT8: oneDNN concat moves bytes, so every input whose dtype, scale or zero point differs from y's is
// first requantized into a step-local buffer (same layout, y's dtype).
#include "../error.h"
#include "../compile-context.h"
#include "quant.h"

namespace qwb {

void compileConcat(CompileContext& c) {
  const int y = c.out(0);
  const int64_t axis = c.step().getInt("axis");
  const dims_t yd = c.tdims(y);
  if (axis < 0 || axis >= static_cast<int64_t>(yd.size())) throw RuntimeError("axis " + std::to_string(axis) + " out of range");
  std::vector<Mem> srcs;
  std::vector<md_t> mds;
  int64_t total = 0;
  for (size_t i = 0; i < c.numInputs(); i++) {
    int t = c.in(i);
    if (t < 0) continue;
    dims_t d = c.tdims(t);
    if (d.size() != yd.size()) throw RuntimeError("input " + std::to_string(i) + " rank differs from the output's");
    total += d[axis];
    if (d[axis] == 0) continue;  // oneDNN rejects empty inputs; they add nothing
    Mem m = c.inputCurrent(t);
    const bool sameQ = c.dtype(t) == c.dtype(y) && c.quant(t).scales == c.quant(y).scales &&
                       c.quant(t).zeroPoints == c.quant(y).zeroPoints;
    if (!sameQ) {
      const md_t md = withDtype(m.desc(), c.dtype(y));
      Mem conv = c.view(c.scratch(md.get_size()), md);
      addConvert(c, m, perTensor(c, t), conv, perTensor(c, y));
      m = conv;
    }
    srcs.push_back(m);
    mds.push_back(srcs.back().desc());
  }
  if (total != yd[axis]) throw RuntimeError("input sizes along the axis do not sum to the output's");
  if (srcs.empty()) {
    c.output(y, c.tplain(y));  // every input is empty: so is the output
    return;
  }
  if (srcs.size() == 1) {
    Mem dst = c.output(y, mds[0]);
    c.addReorder(srcs[0], dst);
    return;
  }
  dnnl::concat::primitive_desc pd(static_cast<int>(axis), mds, c.engine(), c.attr());
  Mem dst = c.output(y, pd.dst_desc());
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_DST, dst.m}};
  for (size_t i = 0; i < srcs.size(); i++) args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = srcs[i].m;
  c.addPrimitive(dnnl::concat(pd), pd, args);
}

}  // namespace qwb
