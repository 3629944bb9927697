// Why our own loop: oneDNN 2.6's jit:avx2 max pooling takes ~0.39 ms for ResNet's 3x3/2 pool over
// 64x112x112 f32 on 2 cores, where a plain loop over 8-channel vectors takes ~0.14 ms (the pool is
// memory-bound: 3.2 MB in, 0.8 MB out). Padding is skipped (ONNX MaxPool ignores padded cells),
// so windows are clipped to the image, which also covers ceil_mode's partial windows.
#include "maxpool-blocked.h"

#include "../cpu-features.h"

#include <immintrin.h>

#include <algorithm>
#include <limits>

namespace qwb {

namespace {

struct Geometry {
  int64_t planes, H, W, OH, OW, KH, KW, SH, SW, PT, PL;  // planes = N * C / 8
};

__attribute__((target("avx2"))) void maxPool8c(const float* x, float* y, const Geometry& g) {
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t p = 0; p < g.planes; p++) {
    for (int64_t oy = 0; oy < g.OH; oy++) {
      const float* xp = x + p * g.H * g.W * 8;
      float* yr = y + (p * g.OH + oy) * g.OW * 8;
      const int64_t y0 = std::max<int64_t>(0, oy * g.SH - g.PT), y1 = std::min(g.H, oy * g.SH - g.PT + g.KH);
      for (int64_t ox = 0; ox < g.OW; ox++) {
        const int64_t x0 = std::max<int64_t>(0, ox * g.SW - g.PL), x1 = std::min(g.W, ox * g.SW - g.PL + g.KW);
        __m256 m = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
        for (int64_t iy = y0; iy < y1; iy++) {
          for (int64_t ix = x0; ix < x1; ix++) m = _mm256_max_ps(m, _mm256_loadu_ps(xp + (iy * g.W + ix) * 8));
        }
        _mm256_storeu_ps(yr + ox * 8, m);
      }
    }
  }
}

}  // namespace

bool tryAddBlockedMaxPool(CompileContext& c, const Mem& src, int y, const dims_t& kernel, const dims_t& strides,
                          const dims_t& padL, const dims_t& dilations) {
  using T = dnnl::memory::format_tag;
  const dims_t xd = src.desc().dims(), yd = c.tdims(y);
  if (xd.size() != 4 || kernel.size() != 2 || c.dtype(y) != dt_t::f32 || xd[1] % 8 != 0) return false;
  if (src.desc() != md_t(xd, dt_t::f32, T::nChw8c)) return false;
  for (size_t i = 0; i < 2; i++) {
    if (dilations[i] != 0 || padL[i] >= kernel[i] || strides[i] < 1) return false;
  }
  // The CPU's own AVX2 bit, and no oneDNN cap below AVX2: ONEDNN_MAX_CPU_ISA=SSE41 runs oneDNN only.
  if (!ownAvx2KernelsAllowed()) return false;
  const Geometry g{xd[0] * xd[1] / 8, xd[2], xd[3], yd[2], yd[3], kernel[0], kernel[1], strides[0], strides[1], padL[0], padL[1]};
  const dnnl::memory s = src.m;
  const dnnl::memory d = c.output(y, md_t(yd, dt_t::f32, T::nChw8c)).m;
  c.addLoop([s, d, g] { maxPool8c(static_cast<const float*>(s.get_data_handle()), static_cast<float*>(d.get_data_handle()), g); },
            "qwb:maxpool_8c:avx2");
  return true;
}

}  // namespace qwb
