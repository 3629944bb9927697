// resize: ONNX Resize (opset 11+) as a loop over precomputed per-axis taps. Each output axis index
// maps to up to 4 (input index, weight) taps (nearest 1, linear 2, cubic 4); an output element is
// the sum over the tap combinations of all axes. Tables are built at compile; run() only reads them.
#include <cmath>

#include "../error.h"
#include "../compile-context.h"

namespace qwb {

namespace {

struct AxisTaps {
  int taps = 1;
  std::vector<int64_t> offset;  // [out * taps + t]: input index * input stride
  std::vector<float> weight;    // [out * taps + t]
  std::vector<uint8_t> outside; // tf_crop_and_resize: coordinate outside the input
};

double originalCoord(const std::string& coord, double j, double scale, int64_t inLen, int64_t outLen, double roiStart,
                     double roiEnd) {
  if (coord == "half_pixel") return (j + 0.5) / scale - 0.5;
  if (coord == "pytorch_half_pixel") return outLen > 1 ? (j + 0.5) / scale - 0.5 : 0.0;
  // ONNX measures the resized length as inLen * scale (not the rounded output length) when scales
  // are given; with sizes, scale = outLen / inLen and the two agree.
  if (coord == "align_corners") return outLen == 1 ? 0.0 : j * double(inLen - 1) / (double(inLen) * scale - 1.0);
  if (coord == "asymmetric") return j / scale;
  if (coord == "tf_half_pixel_for_nn") return (j + 0.5) / scale;
  if (coord == "half_pixel_symmetric") {
    const double adj = double(outLen) / (scale * double(inLen));
    const double center = double(inLen) / 2.0;
    return center * (1.0 - adj) + (j + 0.5) / scale - 0.5;
  }
  if (coord == "tf_crop_and_resize") {
    return outLen > 1 ? roiStart * (inLen - 1) + j * (roiEnd - roiStart) * (inLen - 1) / double(outLen - 1)
                      : 0.5 * (roiStart + roiEnd) * (inLen - 1);
  }
  throw RuntimeError("unknown coordinate transformation '" + coord + "'");
}

int64_t nearestIndex(const std::string& mode, double x, bool downsampling) {
  if (mode == "floor") return static_cast<int64_t>(std::floor(x));
  if (mode == "ceil") return static_cast<int64_t>(std::ceil(x));
  const double f = std::floor(x);
  if (x - f == 0.5) {
    if (mode == "round_prefer_floor") return static_cast<int64_t>(f);
    if (mode == "round_prefer_ceil") return static_cast<int64_t>(f) + 1;
  } else if (mode == "round_prefer_floor" || mode == "round_prefer_ceil") {
    return static_cast<int64_t>(std::round(x));
  }
  (void)downsampling;
  throw RuntimeError("unknown nearest_mode '" + mode + "'");
}

void cubicCoeffs(double t, double A, double c[4]) {
  auto far = [A](double d) { return ((A * d - 5 * A) * d + 8 * A) * d - 4 * A; };   // 1 < |d| < 2
  auto near = [A](double d) { return ((A + 2) * d - (A + 3)) * d * d + 1; };        // |d| <= 1
  c[0] = far(t + 1);
  c[1] = near(t);
  c[2] = near(1 - t);
  c[3] = far(2 - t);
}

}  // namespace

void compileResize(CompileContext& c) {
  const PlanStep& s = c.step();
  const int x = c.in(0), y = c.out(0);
  const dims_t xd = c.tdims(x), yd = c.tdims(y);
  const size_t r = xd.size();
  if (yd.size() != r) throw RuntimeError("x and y ranks differ");
  const std::string mode = s.getString("mode", "nearest");
  const std::string coord = s.getString("coord", "half_pixel");
  const std::string nearestMode = s.getString("nearest_mode", "round_prefer_floor");
  std::vector<double> scales = s.getFloats("scales", {});
  if (scales.empty()) for (size_t i = 0; i < r; i++) scales.push_back(double(yd[i]) / double(xd[i]));
  if (scales.size() != r) throw RuntimeError("scales must have rank values");
  std::vector<double> roi = s.getFloats("roi", {});
  if (coord == "tf_crop_and_resize" && roi.size() != 2 * r) throw RuntimeError("roi must have 2*rank values");
  const double A = s.getFloat("cubic_coeff_a", -0.75);
  const bool excludeOutside = s.getInt("exclude_outside", 0) != 0;
  const float extrapolation = static_cast<float>(s.getFloat("extrapolation_value", 0.0));
  if (mode != "nearest" && mode != "linear" && mode != "cubic") throw RuntimeError("unknown mode '" + mode + "'");

  std::vector<int64_t> xs(r);
  {
    int64_t st = 1;
    for (size_t i = r; i-- > 0;) { xs[i] = st; st *= xd[i]; }
  }
  std::vector<AxisTaps> axes(r);
  for (size_t a = 0; a < r; a++) {
    AxisTaps& t = axes[a];
    const int64_t inLen = xd[a], outLen = yd[a];
    // Axes the resize leaves alone read straight through (the common N and C axes).
    const bool identity = inLen == outLen && scales[a] == 1.0 && coord != "tf_crop_and_resize";
    t.taps = identity || mode == "nearest" ? 1 : mode == "linear" ? 2 : 4;
    t.offset.assign(outLen * t.taps, 0);
    t.weight.assign(outLen * t.taps, 0.f);
    t.outside.assign(outLen, 0);
    if (inLen == 0) continue;
    for (int64_t j = 0; j < outLen; j++) {
      if (identity) { t.offset[j] = j * xs[a]; t.weight[j] = 1.f; continue; }
      const double xo = originalCoord(coord, double(j), scales[a], inLen, outLen,
                                      roi.empty() ? 0.0 : roi[a], roi.empty() ? 1.0 : roi[r + a]);
      if (coord == "tf_crop_and_resize" && (xo < 0 || xo > double(inLen - 1))) {
        t.outside[j] = 1;
        continue;
      }
      auto clampIdx = [inLen](int64_t i) { return i < 0 ? 0 : (i >= inLen ? inLen - 1 : i); };
      if (mode == "nearest") {
        t.offset[j] = clampIdx(nearestIndex(nearestMode, xo, scales[a] < 1.0)) * xs[a];
        t.weight[j] = 1.f;
      } else if (mode == "linear") {
        const double xc = std::min(std::max(xo, 0.0), double(inLen - 1));
        const int64_t i0 = static_cast<int64_t>(std::floor(xc));
        const double w1 = xc - double(i0);
        t.offset[2 * j] = clampIdx(i0) * xs[a];
        t.offset[2 * j + 1] = clampIdx(i0 + 1) * xs[a];
        t.weight[2 * j] = static_cast<float>(1.0 - w1);
        t.weight[2 * j + 1] = static_cast<float>(w1);
      } else {
        const int64_t i0 = static_cast<int64_t>(std::floor(xo));
        double cf[4];
        cubicCoeffs(xo - double(i0), A, cf);
        double sum = 0;
        for (int k = 0; k < 4; k++) {
          const int64_t idx = i0 - 1 + k;
          if (excludeOutside && (idx < 0 || idx >= inLen)) cf[k] = 0;
          sum += cf[k];
        }
        for (int k = 0; k < 4; k++) {
          t.offset[4 * j + k] = clampIdx(i0 - 1 + k) * xs[a];
          t.weight[4 * j + k] = static_cast<float>(excludeOutside && sum != 0 ? cf[k] / sum : cf[k]);
        }
      }
    }
  }

  Mem src = c.inputPlain(x);
  Mem dst = c.output(y, CompileContext::plainDesc(yd));
  const int64_t n = elementCount(yd);
  dnnl::memory S = src.m, D = dst.m;
  c.addLoop([S, D, n, yd, axes, extrapolation, r] {
    const float* px = static_cast<const float*>(S.get_data_handle());
    float* py = static_cast<float*>(D.get_data_handle());
#pragma omp parallel for schedule(static)
    for (int64_t o = 0; o < n; o++) {
      int64_t idx[12];
      int64_t i = o;
      bool outside = false;
      for (size_t d = r; d-- > 0;) {
        int64_t q = i / yd[d];
        idx[d] = i - q * yd[d];
        outside |= axes[d].outside[idx[d]] != 0;
        i = q;
      }
      if (outside) { py[o] = extrapolation; continue; }
      // Odometer over the tap combinations of all axes.
      int tap[12] = {0};
      double acc = 0;
      while (true) {
        int64_t off = 0;
        double w = 1;
        for (size_t d = 0; d < r; d++) {
          const size_t k = idx[d] * axes[d].taps + tap[d];
          off += axes[d].offset[k];
          w *= axes[d].weight[k];
        }
        acc += w * px[off];
        size_t d = r;
        while (d-- > 0) {
          if (++tap[d] < axes[d].taps) break;
          tap[d] = 0;
        }
        if (d == static_cast<size_t>(-1)) break;
      }
      py[o] = static_cast<float>(acc);
    }
  });
}

}  // namespace qwb
