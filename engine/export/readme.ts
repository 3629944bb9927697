// README.md of an export: build and run lines for C and Python, and what the target machine needs.

import type { ExportManifest } from './manifest';

export function exportReadme(m: ExportManifest): string {
  const lib = m.library;
  const inp = m.inputs[0];
  const out = m.outputs[0];
  return `# ${lib}

Exported by Quant Workbench (\`qwb export --format so\`) from \`${m.source_model}\`:
${m.quantization.int8 ? `INT8 (${m.quantization.int8_steps} int8 steps, ${m.quantization.fp32_steps} fp32 steps)` : `FP32 (${m.quantization.fp32_steps} steps)`},
batch 1..${m.max_batch}. The library embeds the compiled plan and the weights; it links oneDNN
${m.build.onednn} (\`libdnnl.so.2\`) and GNU OpenMP dynamically.

- input \`${inp.name}\`: float32 [${inp.dims.join(', ')}] (-1 = batch), row-major
- output \`${out.name}\`: float32 [${out.dims.join(', ')}]
- preprocessing: ${m.preprocessing ? `\`${JSON.stringify(m.preprocessing)}\`` : 'not recorded (see the model)'}

## Needs

Debian/Ubuntu: \`apt-get install libdnnl2 libgomp1\` (and \`gcc\` to build the example).

## Build and run the example (C)

\`\`\`sh
gcc -O2 example.c -o example -L. -l:${lib} -Wl,-rpath,'$ORIGIN'
./example --batch 1 --threads 0            # generated input, prints median latency
./example --batch 4 --input in.bin --output out.bin --iters 0   # raw float32 in/out
\`\`\`

The API is in \`qwb_model.h\`: \`qwb_create\`, \`qwb_input_dims\`, \`qwb_output_dims\`, \`qwb_run\`,
\`qwb_error\`, \`qwb_destroy\` (0 = success; on failure \`qwb_error\` says why), and
\`qwb_runtime_info\` (the machine as one JSON line: oneDNN's ISA, the CPU's features, how int8
accumulates). One handle per thread; handles are independent. A new batch size recompiles once,
then runs at full speed.

## Python (ctypes)

\`\`\`python
import ctypes, numpy as np
lib = ctypes.CDLL('./${lib}')
lib.qwb_error.restype = ctypes.c_char_p
h = ctypes.c_void_p()
assert lib.qwb_create(ctypes.byref(h), 0) == 0, lib.qwb_error(None)
x = np.zeros((2, ${inp.dims.slice(1).join(', ')}), np.float32)
y = np.empty((2, ${out.dims.slice(1).join(', ')}), np.float32)
rc = lib.qwb_run(h, x.ctypes.data_as(ctypes.c_void_p), ctypes.c_int64(2), y.ctypes.data_as(ctypes.c_void_p))
assert rc == 0, lib.qwb_error(h)
lib.qwb_destroy(h)
\`\`\`

Bit-identical results to the workbench need the same thread count (\`--threads\` in \`qwb run\`)
and the same CPU ISA (oneDNN picks kernels per CPU); \`manifest.json\` records the build.
`;
}
