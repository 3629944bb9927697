// quantize / dequantize / requantize steps, and the INT8 helpers of quant.h. All three steps are one
// oneDNN reorder with output scales and runtime zero points: it rounds half to even (the CPU's default
// rounding mode) and saturates, and changes layout in the same pass. Note that oneDNN adds the
// destination zero point before rounding, so a result exactly half-way may round to the other
// neighbour when the zero point is odd (still within one quantization step).
#include "quant.h"

#include <cmath>

#include "../error.h"

namespace qwb {

QScale perTensor(const CompileContext& c, int tid) {
  if (c.dtype(tid) == dt_t::f32) return {};
  const QuantParams& q = c.quant(tid);
  if (q.empty()) throw RuntimeError("integer tensor '" + c.tname(tid) + "' has no scale");
  if (q.scales.size() != 1) throw RuntimeError("tensor '" + c.tname(tid) + "' must be quantized per tensor");
  return {q.scales[0], q.zeroPoints[0]};
}

std::vector<float> weightScales(const CompileContext& c, int w, int axis, int64_t channels) {
  if (c.dtype(w) != dt_t::s8) throw RuntimeError("int8 weights '" + c.tname(w) + "' must be s8");
  const QuantParams& q = c.quant(w);
  if (q.empty()) throw RuntimeError("weights '" + c.tname(w) + "' have no scales");
  for (int32_t z : q.zeroPoints) {
    if (z != 0) throw RuntimeError("weights '" + c.tname(w) + "' have a non-zero zero point (unsupported)");
  }
  if (q.scales.size() == 1) return q.scales;
  if (q.axis != axis || static_cast<int64_t>(q.scales.size()) != channels) {
    throw RuntimeError("weights '" + c.tname(w) + "' must have 1 or " + std::to_string(channels) +
                       " scales along axis " + std::to_string(axis));
  }
  return q.scales;
}

std::vector<double> biasReal(const CompileContext& c, int b, int64_t channels) {
  std::vector<double> out(channels);
  if (elementCount(c.tdims(b)) != channels) {
    throw RuntimeError("bias '" + c.tname(b) + "' must have " + std::to_string(channels) + " values");
  }
  const uint8_t* p = c.constBytes(b);
  const dt_t dt = c.dtype(b);
  if (dt == dt_t::f32) {
    const float* f = reinterpret_cast<const float*>(p);
    for (int64_t i = 0; i < channels; i++) out[i] = f[i];
    return out;
  }
  const QuantParams& q = c.quant(b);
  if (q.empty()) throw RuntimeError("integer bias '" + c.tname(b) + "' has no scales");
  for (int64_t i = 0; i < channels; i++) {
    const size_t k = q.scales.size() == 1 ? 0 : static_cast<size_t>(i);
    double v = dt == dt_t::s32 ? reinterpret_cast<const int32_t*>(p)[i]
             : dt == dt_t::s8  ? reinterpret_cast<const int8_t*>(p)[i]
                               : p[i];
    out[i] = q.scales[k] * (v - q.zeroPoints[k]);
  }
  return out;
}

dnnl::memory zeroPointMem(CompileContext& c, int32_t zp) {
  md_t md(dims_t{1}, dt_t::s32, dnnl::memory::format_tag::x);
  return c.persistentCopy(md, &zp).m;
}

void addConvert(CompileContext& c, const Mem& src, QScale s, const Mem& dst, QScale d) {
  // oneDNN 2.6.3's jit:uni reorder gets zero points wrong when it also changes the layout: a source
  // zero point from u8 nhwc to f32 nchw with 64+ channels and an odd spatial size of 25+ (7x7:
  // DenseNet's last block, where the BatchNorm after each Concat reads dequantized values), a
  // destination zero point from f32 ncw to u8 nwc with 50 channels (ViT's [1,50,768] tokens), and
  // more; every element comes out wrong (test/native/int8.test.ts). Same-layout conversions are
  // exact, so a conversion with a zero point that changes layout is done as two reorders: a plain
  // copy into the other layout on the int8 side (the smaller dtype), and the conversion proper in
  // one layout. Costs one int8-sized pass, only where a layout changes.
  const dt_t sdt = src.desc().data_type(), ddt = dst.desc().data_type();
  if ((s.zp != 0 || d.zp != 0) && withDtype(src.desc(), ddt) != dst.desc()) {
    if (dnnl_data_type_size(static_cast<dnnl_data_type_t>(sdt)) <= dnnl_data_type_size(static_cast<dnnl_data_type_t>(ddt))) {
      const md_t mid = withDtype(dst.desc(), sdt);  // src's values in dst's layout
      Mem moved = c.view(c.scratch(mid.get_size()), mid);
      c.addReorder(src, moved);
      addConvert(c, moved, s, dst, d);
    } else {
      const md_t mid = withDtype(src.desc(), ddt);  // converted values in src's layout
      Mem converted = c.view(c.scratch(mid.get_size()), mid);
      addConvert(c, src, s, converted, d);
      c.addReorder(converted, dst);
    }
    return;
  }
  dnnl::primitive_attr attr = c.attr();
  const double ratio = static_cast<double>(s.scale) / d.scale;
  if (ratio != 1.0) attr.set_output_scales(0, {static_cast<float>(ratio)});
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_FROM, src.m}, {DNNL_ARG_TO, dst.m}};
  if (s.zp != 0) {
    attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
    args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = zeroPointMem(c, s.zp);
  }
  if (d.zp != 0) {
    attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
    args[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST] = zeroPointMem(c, d.zp);
  }
  dnnl::reorder::primitive_desc pd(c.engine(), src.desc(), c.engine(), dst.desc(), attr);
  c.addPrimitive(dnnl::reorder(pd), pd, args);
}

namespace {
void checkDims(CompileContext& c, int x, int y) {
  if (x < 0) throw RuntimeError("needs input x");
  if (c.tdims(x) != c.tdims(y)) throw RuntimeError("x and y dims differ");
}
bool isInt8(dt_t t) { return t == dt_t::u8 || t == dt_t::s8; }
}  // namespace

// f32 -> u8/s8. When a conv, deconv or pool reads y (rank 3..5, NC+spatial), y is channels-last: the
// layout oneDNN's int8 kernels pick on x86, so the usual Quantize -> Conv pair needs no second
// reorder. Otherwise y stays row-major: a transformer's [batch, tokens, features] or Swin's
// [N, H, W, C] is read by int8 matmuls as is, where "channels-last" would move dim 1 innermost and
// cost a reorder before every matmul (and the slow path of oneDNN's int8 matmul: 17 ms for one of
// Swin's feed-forward matmuls).
void compileQuantize(CompileContext& c) {
  const int x = c.in(0), y = c.out(0);
  checkDims(c, x, y);
  if (c.dtype(x) != dt_t::f32) throw RuntimeError("x must be f32");
  if (!isInt8(c.dtype(y))) throw RuntimeError("y must be u8 or s8");
  bool spatialReader = false;
  for (const PlanStep& s : c.plan().steps) {
    if (s.kind != "conv" && s.kind != "deconv" && s.kind != "pool") continue;
    for (int32_t id : s.inputs) spatialReader = spatialReader || id == y;
  }
  Mem src = c.inputCurrent(x);
  Mem dst = c.output(y, spatialReader ? channelsLastDesc(c.tdims(y), c.dtype(y)) : c.tplain(y));
  addConvert(c, src, {}, dst, perTensor(c, y));
}

// u8/s8/s32 -> f32, written row-major (what f32 consumers and graph outputs read without another
// reorder in the common case).
void compileDequantize(CompileContext& c) {
  const int x = c.in(0), y = c.out(0);
  checkDims(c, x, y);
  if (c.dtype(x) == dt_t::f32) throw RuntimeError("x must be an integer tensor");
  if (c.dtype(y) != dt_t::f32) throw RuntimeError("y must be f32");
  Mem src = c.inputCurrent(x);
  Mem dst = c.output(y, c.tplain(y));
  addConvert(c, src, perTensor(c, x), dst, {});
}

// u8/s8 -> u8/s8 with another scale/zero point, in x's current layout.
void compileRequantize(CompileContext& c) {
  const int x = c.in(0), y = c.out(0);
  checkDims(c, x, y);
  if (!isInt8(c.dtype(x)) || !isInt8(c.dtype(y))) throw RuntimeError("x and y must be u8 or s8");
  Mem src = c.inputCurrent(x);
  Mem dst = c.output(y, withDtype(src.desc(), c.dtype(y)));
  addConvert(c, src, perTensor(c, x), dst, perTensor(c, y));
}

}  // namespace qwb
