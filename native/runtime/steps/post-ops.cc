#include "post-ops.h"

#include "../error.h"

namespace qwb {

namespace {

PostOps buildInt8(CompileContext& c, size_t fixedInputs, const QuantOut& q, const std::vector<std::string>& names,
                  const std::vector<double>& alpha, const std::vector<double>& beta) {
  PostOps p;
  bool invariant = true;
  for (const std::string& n : names) invariant = invariant && (n == "sum" || n == "relu" || n == "clip");
  const float D = q.intDst && invariant ? q.y.scale : 1.f;
  p.domain = D;
  size_t nextSum = fixedInputs;
  for (size_t i = 0; i < names.size(); i++) {
    float a = i < alpha.size() ? static_cast<float>(alpha[i]) : 0.f;
    float b = i < beta.size() ? static_cast<float>(beta[i]) : 0.f;
    if (names[i] == "sum") {
      if (p.sumSlot >= 0) throw RuntimeError("only one sum post-op is supported");
      const int sumTid = c.in(nextSum);
      if (sumTid < 0) throw RuntimeError("sum post-op " + std::to_string(i) + " has no sum_src input");
      p.sumSlot = static_cast<int>(nextSum++);
      const float factor = i < alpha.size() ? a : 1.f;
      const QScale ss = perTensor(c, sumTid);
      const dt_t sdt = c.dtype(sumTid);
      if (q.intDst && (sdt == dt_t::u8 || sdt == dt_t::s8)) {
        // oneDNN reads sum_src as stored, in its own dtype (s8 into a u8 dst included, so negative
        // residuals survive): adds factor * s_sum / D * (q_sum - zp_sum).
        p.ops.append_sum(factor * ss.scale / D, ss.zp, sdt);
        p.sumDtype = sdt;
      } else if (!q.intDst && sdt == dt_t::f32) {
        p.ops.append_sum(factor);
      } else {
        p.sumConvert = true;
        p.sumFrom = ss;
        p.sumTo = q.y;
        if (q.intDst) p.ops.append_sum(factor * q.y.scale / D, q.y.zp, q.ydt);
        else p.ops.append_sum(factor);
      }
      continue;
    }
    for (EltOp op : eltwiseOps(names[i], a, b)) {
      if (op.custom || !p.tail.empty()) {
        if (q.intDst) throw RuntimeError("post-op '" + names[i] + "' cannot run on an int8 output");
        p.tail.push_back(op);
        continue;
      }
      if (op.alg == dnnl::algorithm::eltwise_clip && D != 1.f) {
        op.alpha /= D;
        op.beta /= D;
      }
      p.ops.append_eltwise(1.f, op.alg, op.alpha, op.beta);
    }
  }
  if (q.intDst && D == 1.f && q.y.scale != 1.f) {
    p.ops.append_eltwise(1.f, dnnl::algorithm::eltwise_linear, 1.f / q.y.scale, 0.f);
  }
  return p;
}

}  // namespace

PostOps buildPostOps(CompileContext& c, size_t fixedInputs, const QuantOut* q) {
  const PlanStep& s = c.step();
  std::vector<std::string> names = s.getStrings("post_ops", {});
  std::vector<double> alpha = s.getFloats("post_alpha", {});
  std::vector<double> beta = s.getFloats("post_beta", {});
  if (q) return buildInt8(c, fixedInputs, *q, names, alpha, beta);
  PostOps p;
  size_t nextSum = fixedInputs;
  for (size_t i = 0; i < names.size(); i++) {
    float a = i < alpha.size() ? static_cast<float>(alpha[i]) : 0.f;
    float b = i < beta.size() ? static_cast<float>(beta[i]) : 0.f;
    if (names[i] == "sum") {
      if (p.sumSlot >= 0) throw RuntimeError("only one sum post-op is supported");
      if (!p.tail.empty()) throw RuntimeError("a sum post-op cannot follow an erf post-op");
      if (c.in(nextSum) < 0) throw RuntimeError("sum post-op " + std::to_string(i) + " has no sum_src input");
      p.sumSlot = static_cast<int>(nextSum++);
      p.ops.append_sum(i < alpha.size() ? a : 1.f);
      continue;
    }
    std::vector<EltOp> ops = eltwiseOps(names[i], a, b);
    for (const EltOp& op : ops) {
      if (op.custom || !p.tail.empty()) p.tail.push_back(op);
      else p.ops.append_eltwise(1.f, op.alg, op.alpha, op.beta);
    }
  }
  return p;
}

Mem outputWithSum(CompileContext& c, const PostOps& p, int outTid, const md_t& md) {
  if (p.sumSlot < 0) return c.output(outTid, md);
  int sumTid = c.in(p.sumSlot);
  if (c.tdims(sumTid) != c.tdims(outTid)) throw RuntimeError("sum_src dims differ from the output's");
  Mem cur = c.inputCurrent(sumTid);
  if (p.sumConvert) {
    Mem dst = c.output(outTid, md);
    addConvert(c, cur, p.sumFrom, dst, p.sumTo);
    return dst;
  }
  // sum_src's bytes as the post-op reads them (its own dtype, y's layout).
  const md_t sumMd = p.sumDtype == dt_t::undef ? md : withDtype(md, p.sumDtype);
  if (cur.desc() == sumMd && c.canOverwrite(p.sumSlot, cur)) return c.outputAlias(outTid, cur, md);
  Mem dst = c.output(outTid, md);
  c.addReorder(cur, sumMd == md ? dst : c.view(dst, sumMd));
  return dst;
}

void applyTail(CompileContext& c, const PostOps& p, const Mem& dst) {
  for (const EltOp& op : p.tail) addEltOp(c, op, dst, dst);
}

}  // namespace qwb
