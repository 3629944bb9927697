// cpuid/xgetbv reads (Intel SDM vol. 2A "CPUID", AMD APM vol. 3 appendix E). Bit positions:
//   leaf 1 ECX: 12 FMA, 19 SSE4.1, 27 OSXSAVE, 28 AVX
//   leaf 7.0 EBX: 5 AVX2, 16 AVX512F, 17 AVX512DQ, 30 AVX512BW, 31 AVX512VL; ECX: 11 AVX512_VNNI;
//            EDX: 22 AMX-BF16, 24 AMX-TILE, 25 AMX-INT8
//   leaf 7.1 EAX: 4 AVX-VNNI, 5 AVX512_BF16
//   XCR0: bits 1-2 SSE/AVX state, 5-7 opmask/ZMM state, 17-18 AMX tile config/data
#include "cpu-features.h"

#include <cpuid.h>
#include <dnnl.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace qwb {

namespace {

struct Regs {
  uint32_t a = 0, b = 0, c = 0, d = 0;
};

Regs cpuid(uint32_t leaf, uint32_t sub) {
  Regs r;
  if (!__get_cpuid_count(leaf, sub, &r.a, &r.b, &r.c, &r.d)) r = Regs{};
  return r;
}

uint64_t xcr0() {
  uint32_t lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

bool bit(uint32_t v, int i) { return (v >> i) & 1u; }

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') i++;
  return s.substr(i);
}

CpuFeatures readCpu() {
  CpuFeatures f;
  const uint32_t maxLeaf = __get_cpuid_max(0, nullptr);
  Regs v = cpuid(0, 0);
  char vendor[13] = {};
  std::memcpy(vendor, &v.b, 4);
  std::memcpy(vendor + 4, &v.d, 4);
  std::memcpy(vendor + 8, &v.c, 4);
  f.vendor = vendor;
  if (__get_cpuid_max(0x80000000u, nullptr) >= 0x80000004u) {
    char brand[49] = {};
    for (uint32_t i = 0; i < 3; i++) {
      Regs b = cpuid(0x80000002u + i, 0);
      std::memcpy(brand + 16 * i, &b, 16);
    }
    f.brand = trim(brand);
  }
  if (maxLeaf < 1) return f;
  const Regs l1 = cpuid(1, 0);
  f.sse41 = bit(l1.c, 19);
  const bool osxsave = bit(l1.c, 27);
  const uint64_t xcr = osxsave ? xcr0() : 0;
  const bool osAvx = bit(l1.c, 28) && (xcr & 0x6) == 0x6;
  const bool osAvx512 = osAvx && (xcr & 0xe0) == 0xe0;
  const bool osAmx = (xcr & 0x60000) == 0x60000;
  if (maxLeaf < 7) return f;
  const Regs l7 = cpuid(7, 0);
  const Regs l71 = l7.a >= 1 ? cpuid(7, 1) : Regs{};
  f.fma = osAvx && bit(l1.c, 12);
  f.avx2 = osAvx && bit(l7.b, 5);
  f.avx512f = osAvx512 && bit(l7.b, 16);
  f.avx512dq = f.avx512f && bit(l7.b, 17);
  f.avx512bw = f.avx512f && bit(l7.b, 30);
  f.avx512vl = f.avx512f && bit(l7.b, 31);
  f.avx512_vnni = f.avx512f && bit(l7.c, 11);
  f.avx512_bf16 = f.avx512f && bit(l71.a, 5);
  f.avx_vnni = f.avx2 && bit(l71.a, 4);
  f.amx_tile = osAmx && bit(l7.d, 24);
  f.amx_int8 = f.amx_tile && bit(l7.d, 25);
  f.amx_bf16 = f.amx_tile && bit(l7.d, 22);
  return f;
}

// dnnl_cpu_isa_t values are bit sets: an ISA includes another when it holds all of its bits.
bool effectiveIncludes(dnnl::cpu_isa isa) {
  const unsigned eff = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const unsigned want = static_cast<unsigned>(isa);
  return (eff & want) == want;
}

}  // namespace

const CpuFeatures& cpuFeatures() {
  static const CpuFeatures f = readCpu();
  return f;
}

std::string cpuFeatureList(const CpuFeatures& f) {
  const std::pair<const char*, bool> flags[] = {
      {"sse4_1", f.sse41},        {"avx2", f.avx2},       {"fma", f.fma},         {"avx512f", f.avx512f},         {"avx512dq", f.avx512dq},
      {"avx512bw", f.avx512bw},   {"avx512vl", f.avx512vl}, {"avx512_vnni", f.avx512_vnni}, {"avx512_bf16", f.avx512_bf16},
      {"avx_vnni", f.avx_vnni},   {"amx_tile", f.amx_tile}, {"amx_int8", f.amx_int8},     {"amx_bf16", f.amx_bf16},
  };
  std::string out;
  for (const auto& [name, on] : flags) {
    if (!on) continue;
    if (!out.empty()) out += ' ';
    out += name;
  }
  return out;
}

std::string onednnIsa() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_mic: return "avx512_mic";
    case dnnl::cpu_isa::avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    case dnnl::cpu_isa::all: return "all";
  }
  return "unknown";
}

// oneDNN dispatches int8 by its effective ISA: AMX kernels when it includes avx512_core_amx, VNNI
// (EVEX or VEX vpdpbusd) when it includes avx512_core_vnni or avx2_vnni, and vpmaddubsw otherwise.
// The CPU bits are checked too, so a cap can only lower the answer.
std::string int8Accumulation() {
  const CpuFeatures& f = cpuFeatures();
  if (f.amx_int8 && effectiveIncludes(dnnl::cpu_isa::avx512_core_amx)) return "amx";
  if (f.avx512_vnni && effectiveIncludes(dnnl::cpu_isa::avx512_core_vnni)) return "vnni";
  if (f.avx_vnni && effectiveIncludes(dnnl::cpu_isa::avx2_vnni)) return "vnni";
  return "16bit-pairs";
}

bool ownAvx2KernelsAllowed() {
  // QWB_OWN_KERNELS=0 leaves every step to oneDNN: for diagnosis and for measuring our loops
  // against oneDNN's on the same layout (tools/bench/maxpool-paths.ts).
  static const bool disabled = [] {
    const char* v = std::getenv("QWB_OWN_KERNELS");
    return v != nullptr && std::string(v) == "0";
  }();
  return !disabled && cpuFeatures().avx2 && effectiveIncludes(dnnl::cpu_isa::avx2);
}

}  // namespace qwb
