// Steps on integer and bool values, and on data addressed by computed indices: cast (between f32,
// s32, u8, s8 with ONNX Cast semantics), gather (embedding lookups: token ids into a table),
// argmax/argmin (s32 indices out), scatter_nd, compare (bool out) and where. All are loops over
// plain row-major data; integer graph edges (token ids, masks) make them runtime work.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>

#include "../compile-context.h"
#include "../error.h"
#include "broadcast.h"

namespace qwb {

namespace {

std::vector<int64_t> rowStrides(const dims_t& d) {
  std::vector<int64_t> s(d.size());
  int64_t st = 1;
  for (size_t i = d.size(); i-- > 0;) {
    s[i] = st;
    st *= d[i];
  }
  return s;
}

// Quantized tensors carry scales these steps would ignore: refuse them.
void plainValues(CompileContext& c, int t) {
  if (!c.quant(t).empty()) throw RuntimeError("tensor '" + c.tname(t) + "' is quantized; this step reads plain values");
}

// Calls f with a value of the C++ type of dtype dt.
template <typename F>
void byType(dt_t dt, F&& f) {
  switch (dt) {
    case dt_t::f32: f(float{}); break;
    case dt_t::s32: f(int32_t{}); break;
    case dt_t::u8: f(uint8_t{}); break;
    case dt_t::s8: f(int8_t{}); break;
    default: throw RuntimeError("unsupported dtype");
  }
}

template <typename T>
T castTo(double v, bool toBool) {
  if (toBool) return static_cast<T>(v != 0);
  if (std::is_floating_point<T>::value) return static_cast<T>(v);
  // ONNX Cast truncates toward zero; out-of-range values are undefined there: saturate here.
  if (std::isnan(v)) return 0;
  const double lo = static_cast<double>(std::numeric_limits<T>::lowest()), hi = static_cast<double>(std::numeric_limits<T>::max());
  return static_cast<T>(std::trunc(std::min(hi, std::max(lo, v))));
}

// Normalised indices of a gather-like step: negatives wrap, out-of-range ones are an error that
// names the step (checked serially before the parallel copy).
void checkIndex(int64_t& i, int64_t d, const std::string& name) {
  if (i < 0) i += d;
  if (i < 0 || i >= d) throw RuntimeError("step " + name + ": index out of range for an axis of size " + std::to_string(d));
}

}  // namespace

// y = Cast(x): f32 -> int truncates toward zero (saturating), anything -> bool (u8) is x != 0, bool
// -> anything is 0/1. Attribute `to_bool` (0/1): y is a bool (u8 holding 0/1) rather than uint8.
void compileCast(CompileContext& c) {
  const int x = c.in(0), y = c.out(0);
  if (c.tdims(x) != c.tdims(y)) throw RuntimeError("x and y dims differ");
  plainValues(c, x);
  plainValues(c, y);
  const bool toBool = c.step().getInt("to_bool", 0) != 0;
  Mem src = c.inputPlain(x);
  Mem dst = c.output(y, c.tplain(y));
  const int64_t n = elementCount(c.tdims(x));
  dnnl::memory S = src.m, D = dst.m;
  byType(c.dtype(x), [&](auto sx) {
    using X = decltype(sx);
    byType(c.dtype(y), [&](auto sy) {
      using Y = decltype(sy);
      c.addLoop([=] {
        const X* px = static_cast<const X*>(S.get_data_handle());
        Y* py = static_cast<Y*>(D.get_data_handle());
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; i++) py[i] = castTo<Y>(static_cast<double>(px[i]), toBool);
      });
    });
  });
}

// y = Gather(x, indices, axis): x any dtype, indices s32 (negatives wrap).
void compileGather(CompileContext& c) {
  const int x = c.in(0), idx = c.in(1), y = c.out(0);
  if (idx < 0) throw RuntimeError("needs indices");
  if (c.dtype(idx) != dt_t::s32) throw RuntimeError("indices must be s32");
  const dims_t xd = c.tdims(x), id = c.tdims(idx), yd = c.tdims(y);
  const int64_t axis = c.step().getInt("axis", 0);
  if (axis < 0 || axis >= static_cast<int64_t>(xd.size())) throw RuntimeError("axis out of range");
  if (c.dtype(x) != c.dtype(y)) throw RuntimeError("x and y dtypes differ");
  plainValues(c, idx);
  const int64_t outer = std::accumulate(xd.begin(), xd.begin() + axis, int64_t{1}, std::multiplies<int64_t>());
  const int64_t inner = std::accumulate(xd.begin() + axis + 1, xd.end(), int64_t{1}, std::multiplies<int64_t>());
  const int64_t axisLen = xd[axis], count = elementCount(id);
  if (elementCount(yd) != outer * count * inner) throw RuntimeError("output dims do not match x[:axis] + indices + x[axis+1:]");
  Mem src = c.inputPlain(x);
  Mem ix = c.inputPlain(idx);
  Mem dst = c.output(y, c.tplain(y));
  const size_t elem = dnnl::memory::data_type_size(c.dtype(x));
  const std::string name = c.step().label();
  dnnl::memory S = src.m, I = ix.m, D = dst.m;
  c.addLoop([=] {
    const uint8_t* px = static_cast<const uint8_t*>(S.get_data_handle());
    const int32_t* pi = static_cast<const int32_t*>(I.get_data_handle());
    uint8_t* py = static_cast<uint8_t*>(D.get_data_handle());
    std::vector<int64_t> at(count);
    for (int64_t k = 0; k < count; k++) {
      at[k] = pi[k];
      checkIndex(at[k], axisLen, name);
    }
    const size_t row = inner * elem;
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t o = 0; o < outer; o++) {
      for (int64_t k = 0; k < count; k++) {
        std::memcpy(py + (o * count + k) * row, px + (o * axisLen + at[k]) * row, row);
      }
    }
  });
}

// y (s32) = ArgMax / ArgMin of x (f32 or s32) along `axis`; `select_last_index` picks the last of
// equal extremes. y's dims are x's with the axis removed or kept as 1 (the engine decides).
void compileArgReduce(CompileContext& c) {
  const int x = c.in(0), y = c.out(0);
  const dims_t xd = c.tdims(x);
  const int64_t axis = c.step().getInt("axis");
  const bool isMin = c.step().getString("alg", "max") == "min";
  const bool last = c.step().getInt("select_last_index", 0) != 0;
  if (axis < 0 || axis >= static_cast<int64_t>(xd.size())) throw RuntimeError("axis out of range");
  if (c.dtype(y) != dt_t::s32) throw RuntimeError("y must be s32");
  plainValues(c, x);
  const int64_t outer = std::accumulate(xd.begin(), xd.begin() + axis, int64_t{1}, std::multiplies<int64_t>());
  const int64_t inner = std::accumulate(xd.begin() + axis + 1, xd.end(), int64_t{1}, std::multiplies<int64_t>());
  const int64_t len = xd[axis];
  if (elementCount(c.tdims(y)) != outer * inner) throw RuntimeError("output dims do not match x without the axis");
  if (len == 0) throw RuntimeError("cannot reduce an empty axis");
  Mem src = c.inputPlain(x);
  Mem dst = c.output(y, c.tplain(y));
  dnnl::memory S = src.m, D = dst.m;
  byType(c.dtype(x), [&](auto sx) {
    using X = decltype(sx);
    c.addLoop([=] {
      const X* px = static_cast<const X*>(S.get_data_handle());
      int32_t* py = static_cast<int32_t*>(D.get_data_handle());
#pragma omp parallel for collapse(2) schedule(static)
      for (int64_t o = 0; o < outer; o++) {
        for (int64_t i = 0; i < inner; i++) {
          const X* p = px + o * len * inner + i;
          int64_t best = 0;
          for (int64_t k = 1; k < len; k++) {
            const X v = p[k * inner], b = p[best * inner];
            const bool better = isMin ? (last ? v <= b : v < b) : (last ? v >= b : v > b);
            if (better) best = k;
          }
          py[o * inner + i] = static_cast<int32_t>(best);
        }
      }
    });
  });
}

// y = ScatterND(data, indices, updates): a copy of data with slices at indices[..., :k] replaced
// (or added to / multiplied by, `reduction` = none / add / mul). indices s32, [..., k].
void compileScatterNd(CompileContext& c) {
  const int x = c.in(0), idx = c.in(1), upd = c.in(2), y = c.out(0);
  if (idx < 0 || upd < 0) throw RuntimeError("needs indices and updates");
  if (c.dtype(idx) != dt_t::s32) throw RuntimeError("indices must be s32");
  if (c.dtype(x) != c.dtype(y) || c.dtype(upd) != c.dtype(x)) throw RuntimeError("data, updates and y dtypes differ");
  plainValues(c, x);
  plainValues(c, upd);
  const dims_t xd = c.tdims(x), id = c.tdims(idx);
  if (c.tdims(y) != xd) throw RuntimeError("y must have data's dims");
  if (id.empty()) throw RuntimeError("indices must have rank >= 1");
  const int64_t k = id.back();
  if (k < 1 || k > static_cast<int64_t>(xd.size())) throw RuntimeError("indices' last dim must be in 1..rank(data)");
  const int64_t n = elementCount(id) / k;
  const int64_t slice = std::accumulate(xd.begin() + k, xd.end(), int64_t{1}, std::multiplies<int64_t>());
  if (elementCount(c.tdims(upd)) != n * slice) throw RuntimeError("updates must have indices.shape[:-1] + data.shape[k:] values");
  const std::string red = c.step().getString("reduction", "none");
  const int mode = red == "none" ? 0 : red == "add" ? 1 : red == "mul" ? 2 : -1;
  if (mode < 0) throw RuntimeError("unknown reduction '" + red + "'");
  const auto xs = rowStrides(xd);
  Mem src = c.inputPlain(x);
  Mem ix = c.inputPlain(idx);
  Mem up = c.inputPlain(upd);
  Mem dst = c.output(y, c.tplain(y));
  const std::string name = c.step().label();
  const size_t bytes = elementCount(xd) * dnnl::memory::data_type_size(c.dtype(x));
  dnnl::memory S = src.m, I = ix.m, U = up.m, D = dst.m;
  byType(c.dtype(x), [&](auto sx) {
    using T = decltype(sx);
    c.addLoop([=] {
      const int32_t* pi = static_cast<const int32_t*>(I.get_data_handle());
      const T* pu = static_cast<const T*>(U.get_data_handle());
      T* py = static_cast<T*>(D.get_data_handle());
      if (D.get_data_handle() != S.get_data_handle()) std::memcpy(py, S.get_data_handle(), bytes);
      // Serial: ONNX leaves duplicate indices undefined for 'none'; reductions apply in order.
      for (int64_t j = 0; j < n; j++) {
        int64_t off = 0;
        for (int64_t a = 0; a < k; a++) {
          int64_t v = pi[j * k + a];
          checkIndex(v, xd[a], name);
          off += v * xs[a];
        }
        T* out = py + off;
        const T* in = pu + j * slice;
        for (int64_t e = 0; e < slice; e++) out[e] = mode == 0 ? in[e] : mode == 1 ? static_cast<T>(out[e] + in[e]) : static_cast<T>(out[e] * in[e]);
      }
    });
  });
}

// y (u8 bool) = a <op> b with numpy broadcasting, `alg` = eq / lt / le / gt / ge, or a logical op
// on bools (and / or / xor); a and b share a dtype.
void compileCompare(CompileContext& c) {
  const int a = c.in(0), b = c.in(1), y = c.out(0);
  if (c.dtype(a) != c.dtype(b)) throw RuntimeError("a and b dtypes differ");
  if (c.dtype(y) != dt_t::u8) throw RuntimeError("y must be u8 (bool)");
  plainValues(c, a);
  plainValues(c, b);
  const std::string alg = c.step().getString("alg");
  const int op = alg == "eq" ? 0 : alg == "lt" ? 1 : alg == "le" ? 2 : alg == "gt" ? 3 : alg == "ge" ? 4 : alg == "and" ? 5 : alg == "or" ? 6 : alg == "xor" ? 7 : -1;
  if (op < 0) throw RuntimeError("unknown compare alg '" + alg + "'");
  const dims_t yd = c.tdims(y);
  const auto sa = broadcastStrides(c.tdims(a), yd), sb = broadcastStrides(c.tdims(b), yd);
  const int64_t n = elementCount(yd);
  Mem ma = c.inputPlain(a), mb = c.inputPlain(b);
  Mem dst = c.output(y, c.tplain(y));
  dnnl::memory A = ma.m, B = mb.m, D = dst.m;
  byType(c.dtype(a), [&](auto s0) {
    using T = decltype(s0);
    c.addLoop([=] {
      const T* pa = static_cast<const T*>(A.get_data_handle());
      const T* pb = static_cast<const T*>(B.get_data_handle());
      uint8_t* py = static_cast<uint8_t*>(D.get_data_handle());
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < n; i++) {
        const T u = pa[offsetOf(i, yd, sa)], v = pb[offsetOf(i, yd, sb)];
        bool r;
        switch (op) {
          case 0: r = u == v; break;
          case 1: r = u < v; break;
          case 2: r = u <= v; break;
          case 3: r = u > v; break;
          case 4: r = u >= v; break;
          case 5: r = (u != 0) && (v != 0); break;
          case 6: r = (u != 0) || (v != 0); break;
          default: r = (u != 0) != (v != 0); break;
        }
        py[i] = r ? 1 : 0;
      }
    });
  });
}

// y = cond ? a : b (numpy broadcasting over all three), cond u8 (bool), a and b of y's dtype.
void compileWhere(CompileContext& c) {
  const int cond = c.in(0), a = c.in(1), b = c.in(2), y = c.out(0);
  if (c.dtype(cond) != dt_t::u8) throw RuntimeError("condition must be u8 (bool)");
  if (c.dtype(a) != c.dtype(y) || c.dtype(b) != c.dtype(y)) throw RuntimeError("a, b and y dtypes differ");
  plainValues(c, a);
  plainValues(c, b);
  plainValues(c, y);
  const dims_t yd = c.tdims(y);
  const auto sc = broadcastStrides(c.tdims(cond), yd), sa = broadcastStrides(c.tdims(a), yd), sb = broadcastStrides(c.tdims(b), yd);
  const int64_t n = elementCount(yd);
  Mem mc = c.inputPlain(cond), ma = c.inputPlain(a), mb = c.inputPlain(b);
  Mem dst = c.output(y, c.tplain(y));
  dnnl::memory C = mc.m, A = ma.m, B = mb.m, D = dst.m;
  byType(c.dtype(y), [&](auto s0) {
    using T = decltype(s0);
    c.addLoop([=] {
      const uint8_t* pc = static_cast<const uint8_t*>(C.get_data_handle());
      const T* pa = static_cast<const T*>(A.get_data_handle());
      const T* pb = static_cast<const T*>(B.get_data_handle());
      T* py = static_cast<T*>(D.get_data_handle());
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < n; i++) py[i] = pc[offsetOf(i, yd, sc)] ? pa[offsetOf(i, yd, sa)] : pb[offsetOf(i, yd, sb)];
    });
  });
}

}  // namespace qwb
