// Numpy broadcasting helpers for custom loops on plain row-major data.
#pragma once
#include <cstdint>
#include <vector>

namespace qwb {

/** Strides (in elements) to read a row-major tensor of dims `src` broadcast to `dst` (same rank
 *  after left-padding with 1s): 0 along broadcast axes. */
inline std::vector<int64_t> broadcastStrides(std::vector<int64_t> src, const std::vector<int64_t>& dst) {
  src.insert(src.begin(), dst.size() - src.size(), 1);
  std::vector<int64_t> st(dst.size(), 0);
  int64_t s = 1;
  for (size_t i = dst.size(); i-- > 0;) {
    st[i] = src[i] == 1 ? 0 : s;
    s *= src[i];
  }
  return st;
}

/** Offset of flat row-major index `i` over `dims` under `strides`. */
inline int64_t offsetOf(int64_t i, const std::vector<int64_t>& dims, const std::vector<int64_t>& strides) {
  int64_t off = 0;
  for (size_t d = dims.size(); d-- > 0;) {
    int64_t q = i / dims[d];
    off += (i - q * dims[d]) * strides[d];
    i = q;
  }
  return off;
}

}  // namespace qwb
