// Layout steps on row-major data: reshape and copy are zero-copy views, transpose is a oneDNN
// reorder through a permuted memory desc (works from blocked layouts too), slice and pad are loops.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "../error.h"
#include "../compile-context.h"

namespace qwb {

namespace {
std::vector<int64_t> rowStrides(const dims_t& d) {
  std::vector<int64_t> s(d.size());
  int64_t st = 1;
  for (size_t i = d.size(); i-- > 0;) { s[i] = st; st *= d[i]; }
  return s;
}

// Layout steps move bytes: y must have x's dtype (and, for quantized tensors, its scale and zero
// point; the engine guarantees it, so a mismatch is a plan bug worth reporting).
void sameBytes(CompileContext& c, int x, int y) {
  if (c.dtype(x) != c.dtype(y)) throw RuntimeError("x and y dtypes differ");
  const QuantParams &qx = c.quant(x), &qy = c.quant(y);
  if (qx.scales != qy.scales || qx.zeroPoints != qy.zeroPoints) {
    throw RuntimeError("y must have x's scale and zero point");
  }
}

// Dispatch on element size for the byte-moving loops.
template <typename F>
void bySize(size_t size, F&& f) {
  if (size == 4) f(uint32_t{});
  else if (size == 1) f(uint8_t{});
  else throw RuntimeError("unsupported element size");
}
}  // namespace

void compileReshape(CompileContext& c) {
  const int x = c.in(0), y = c.out(0);
  if (elementCount(c.tdims(x)) != elementCount(c.tdims(y))) throw RuntimeError("element counts differ");
  sameBytes(c, x, y);
  Mem src = c.inputPlain(x);
  c.outputAlias(y, src, c.tplain(y));
}

void compileCopy(CompileContext& c) {
  const int x = c.in(0), y = c.out(0);
  if (c.tdims(x) != c.tdims(y)) throw RuntimeError("x and y dims differ");
  sameBytes(c, x, y);
  Mem src = c.inputCurrent(x);
  c.outputAlias(y, src, src.desc());
}

void compileTranspose(CompileContext& c) {
  const int x = c.in(0), y = c.out(0);
  const dims_t xd = c.tdims(x), yd = c.tdims(y);
  const dims_t perm = c.step().getInts("perm");
  if (perm.size() != xd.size()) throw RuntimeError("perm must have " + std::to_string(xd.size()) + " values");
  // y axis i is x axis perm[i]; permute_axes moves old axis j to new axis p[j], so p = perm^-1.
  std::vector<int> p(perm.size(), -1);
  for (size_t i = 0; i < perm.size(); i++) {
    if (perm[i] < 0 || perm[i] >= static_cast<int64_t>(perm.size()) || p[perm[i]] != -1) throw RuntimeError("perm is not a permutation");
    p[perm[i]] = static_cast<int>(i);
  }
  sameBytes(c, x, y);
  Mem src = c.inputCurrent(x);
  md_t permuted = src.desc().permute_axes(p);
  if (permuted.dims() != yd) throw RuntimeError("output dims do not match the permuted input");
  Mem srcView = c.view(src, permuted);
  Mem dst = c.output(y, c.tplain(y));
  c.addReorder(srcView, dst);
}

void compileSlice(CompileContext& c) {
  const PlanStep& s = c.step();
  const int x = c.in(0), y = c.out(0);
  const dims_t xd = c.tdims(x), yd = c.tdims(y);
  const size_t r = xd.size();
  dims_t starts = s.getInts("starts"), steps = s.getInts("steps", dims_t(r, 1));
  if (starts.size() != r || steps.size() != r || yd.size() != r) throw RuntimeError("starts/steps must have rank values");
  for (size_t i = 0; i < r; i++) {
    if (steps[i] == 0) throw RuntimeError("steps must be non-zero");
    if (yd[i] > 0 && (starts[i] < 0 || starts[i] >= xd[i] || starts[i] + (yd[i] - 1) * steps[i] < 0 ||
                      starts[i] + (yd[i] - 1) * steps[i] >= xd[i])) {
      throw RuntimeError("axis " + std::to_string(i) + " reads outside the input");
    }
  }
  const auto xs = rowStrides(xd);
  int64_t base = 0;
  std::vector<int64_t> st(r);
  for (size_t i = 0; i < r; i++) { base += starts[i] * xs[i]; st[i] = steps[i] * xs[i]; }
  const int64_t inner = yd[r - 1], innerStride = st[r - 1];
  const int64_t rows = elementCount(yd) / std::max<int64_t>(inner, 1);
  const dims_t outer(yd.begin(), yd.end() - 1);
  sameBytes(c, x, y);
  Mem src = c.inputPlain(x);
  Mem dst = c.output(y, c.tplain(y));
  dnnl::memory S = src.m, D = dst.m;
  bySize(dnnl::memory::data_type_size(c.dtype(x)),
         [&](auto zero) {
  using T = decltype(zero);
  c.addLoop([=] {
    const T* px = static_cast<const T*>(S.get_data_handle()) + base;
    T* py = static_cast<T*>(D.get_data_handle());
    if (inner == 0) return;
#pragma omp parallel for schedule(static)
    for (int64_t row = 0; row < rows; row++) {
      int64_t off = 0, i = row;
      for (size_t d = outer.size(); d-- > 0;) { int64_t q = i / outer[d]; off += (i - q * outer[d]) * st[d]; i = q; }
      const T* in = px + off;
      T* out = py + row * inner;
      if (innerStride == 1) std::memcpy(out, in, inner * sizeof(T));
      else for (int64_t j = 0; j < inner; j++) out[j] = in[j * innerStride];
    }
  });
  });
}

void compilePad(CompileContext& c) {
  const PlanStep& s = c.step();
  const int x = c.in(0), y = c.out(0);
  const dims_t xd = c.tdims(x), yd = c.tdims(y);
  const size_t r = xd.size();
  const dims_t pads = s.getInts("pads");
  if (pads.size() != 2 * r || yd.size() != r) throw RuntimeError("pads must have 2*rank values");
  for (size_t i = 0; i < r; i++) {
    if (xd[i] + pads[i] + pads[r + i] != yd[i]) throw RuntimeError("pads do not give the output dims on axis " + std::to_string(i));
  }
  const std::string modeName = s.getString("mode", "constant");
  const int mode = modeName == "constant" ? 0 : modeName == "reflect" ? 1 : modeName == "edge" ? 2 : -1;
  if (mode < 0) throw RuntimeError("unknown pad mode '" + modeName + "'");
  for (size_t i = 0; i < r; i++) {
    if (mode != 0 && xd[i] == 0 && yd[i] > 0) throw RuntimeError(modeName + " padding of an empty axis");
  }
  sameBytes(c, x, y);
  const double realValue = s.getFloat("value", 0.0);
  // The pad value as stored bytes: f32 as is; a quantized tensor stores round(value / scale) + zp,
  // saturated (zp itself for the usual value 0).
  uint32_t valueBits = 0;
  const dt_t dt = c.dtype(x);
  if (dt == dt_t::f32) {
    float f = static_cast<float>(realValue);
    std::memcpy(&valueBits, &f, 4);
  } else {
    const QuantParams& q = c.quant(x);
    if (q.scales.size() > 1) throw RuntimeError("pad of a per-channel quantized tensor");
    const double scale = q.empty() ? 1.0 : q.scales[0];
    const double zp = q.empty() ? 0.0 : q.zeroPoints[0];
    const double lo = dt == dt_t::u8 ? 0 : dt == dt_t::s8 ? -128 : -2147483648.0;
    const double hi = dt == dt_t::u8 ? 255 : dt == dt_t::s8 ? 127 : 2147483647.0;
    double v = std::min(hi, std::max(lo, std::nearbyint(realValue / scale) + zp));
    if (dt == dt_t::s32) {
      int32_t iv = static_cast<int32_t>(v);
      std::memcpy(&valueBits, &iv, 4);
    } else {
      valueBits = static_cast<uint8_t>(static_cast<int32_t>(v));
    }
  }
  const auto xs = rowStrides(xd);
  const int64_t inner = yd[r - 1];
  const int64_t rows = inner ? elementCount(yd) / inner : 0;
  Mem src = c.inputPlain(x);
  Mem dst = c.output(y, c.tplain(y));
  dnnl::memory S = src.m, D = dst.m;
  // Maps an output coordinate to an input coordinate on axis d, or -1 for the constant value.
  auto mapCoord = [xd, pads, mode](size_t d, int64_t o) -> int64_t {
    int64_t i = o - pads[d];
    const int64_t n = xd[d];
    if (i >= 0 && i < n) return i;
    if (mode == 0) return -1;
    if (mode == 2) return i < 0 ? 0 : n - 1;
    if (n == 1) return 0;
    const int64_t period = 2 * (n - 1);  // reflect without repeating the edge
    i = ((i % period) + period) % period;
    return i < n ? i : period - i;
  };
  bySize(dnnl::memory::data_type_size(dt), [&](auto zero) {
  using T = decltype(zero);
  const T value = static_cast<T>(valueBits);
  c.addLoop([=] {
    const T* px = static_cast<const T*>(S.get_data_handle());
    T* py = static_cast<T*>(D.get_data_handle());
#pragma omp parallel for schedule(static)
    for (int64_t row = 0; row < rows; row++) {
      T* out = py + row * inner;
      int64_t off = 0, i = row;
      bool outside = false;
      for (size_t d = r - 1; d-- > 0;) {
        int64_t q = i / yd[d];
        int64_t ic = mapCoord(d, i - q * yd[d]);
        if (ic < 0) outside = true;
        else off += ic * xs[d];
        i = q;
      }
      if (outside) {
        for (int64_t j = 0; j < inner; j++) out[j] = value;
        continue;
      }
      for (int64_t j = 0; j < inner; j++) {
        int64_t ic = mapCoord(r - 1, j);
        out[j] = ic < 0 ? value : px[off + ic];
      }
    }
  });
  });
}

}  // namespace qwb
