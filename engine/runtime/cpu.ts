// The runtime's facts about this CPU, as the native addon reads them (cpuid, and oneDNN's effective
// ISA after any ONEDNN_MAX_CPU_ISA cap). Every CPU-dependent choice in the engine asks here; none
// parses an ISA or model name.

import { loadNativeAddon } from './native';
import type { Int8Accumulation, NativeInfo } from './native-types';

/** The addon's info, or undefined when the addon is not built (then nothing runs natively anyway). */
export function nativeInfo(): NativeInfo | undefined {
  try {
    return loadNativeAddon().info();
  } catch {
    return undefined;
  }
}

/** How u8 x s8 products accumulate in oneDNN's int8 kernels here; without the addon, the
 *  conservative answer (saturating pairs). */
export function int8Accumulation(): Int8Accumulation {
  return nativeInfo()?.int8Accumulation ?? '16bit-pairs';
}
