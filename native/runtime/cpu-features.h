// What this CPU can do, read from the CPU itself (cpuid, and xgetbv for what the OS enabled), and
// what that means for our kernels and for int8 accuracy. Shared by the Node addon and every
// exported .so. Decisions never look at a model or vendor name string: Zen 4/5, Ice Lake, Cooper
// Lake and Sapphire Rapids all report their VNNI/AMX bits here, whatever oneDNN calls its ISA.
#pragma once
#include <string>

namespace qwb {

struct CpuFeatures {
  std::string vendor;  // cpuid leaf 0 ("GenuineIntel", "AuthenticAMD", ...), for display only
  std::string brand;   // cpuid leaves 0x80000002..4, for display only
  // Each flag is set only when the CPU reports it AND the OS saves the registers it needs (XCR0).
  bool sse41 = false, avx2 = false, fma = false;
  bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false;
  bool avx512_vnni = false, avx512_bf16 = false;
  bool avx_vnni = false;  // the VEX-encoded VNNI of Alder Lake / Zen 5 (no AVX-512 needed)
  bool amx_tile = false, amx_int8 = false, amx_bf16 = false;
};

/** Read once per process. */
const CpuFeatures& cpuFeatures();

/** The names of the set flags, in a fixed order ("avx2 fma avx512f ..."). */
std::string cpuFeatureList(const CpuFeatures& f);

/** oneDNN's effective ISA (after ONEDNN_MAX_CPU_ISA / dnnl::set_max_cpu_isa), as oneDNN names it. */
std::string onednnIsa();

/** How oneDNN's u8 x s8 kernels accumulate on this machine, as capped: "vnni" (vpdpbusd, 32-bit,
 *  exact), "amx" (tile dot products, 32-bit, exact) or "16bit-pairs" (vpmaddubsw: pairs of
 *  products summed in saturating 16 bits, where 8-bit weights can overflow). */
std::string int8Accumulation();

/** Whether our own AVX2 loops may run: the CPU and OS have AVX2, oneDNN is not capped below it
 *  (so `ONEDNN_MAX_CPU_ISA=SSE41` turns our kernels off with oneDNN's), and QWB_OWN_KERNELS is not 0. */
bool ownAvx2KernelsAllowed();

}  // namespace qwb
