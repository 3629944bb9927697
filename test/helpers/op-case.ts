// Table-driven end-to-end op cases: a small graph built in code, random inputs, checked against
// onnxruntime through checkModel (our ModelSession fused and unfused).

import { test } from 'node:test';
import { ModelBuilder, numelOf, randomData } from './onnx-builder';
import { checkModel } from './check-model';

export interface OpCase {
  label: string;
  opset?: number;
  /** Graph inputs (float32) by name, with their dims. */
  inputs: Record<string, number[]>;
  /** Adds nodes and initializers. */
  build(b: ModelBuilder): void;
  outputs: string[];
  /** Input value range (default [-1, 1)); e.g. positive for Log/Sqrt. */
  range?: [number, number];
  relTol?: number;
}

export function buildCase(c: OpCase): Uint8Array {
  const b = new ModelBuilder(c.opset ?? 13);
  for (const [name, dims] of Object.entries(c.inputs)) b.input(name, dims);
  c.build(b);
  for (const o of c.outputs) b.output(o);
  return b.toBytes();
}

/** Registers one node:test test per case. */
export function opCases(cases: OpCase[]): void {
  for (const c of cases) {
    test(c.label, async () => {
      const feeds: Record<string, { dims: number[]; data: Float32Array }> = {};
      let seed = 7;
      for (const [name, dims] of Object.entries(c.inputs)) {
        feeds[name] = { dims, data: randomData(numelOf(dims), seed++, ...(c.range ?? [-1, 1])) };
      }
      await checkModel(buildCase(c), feeds, c.label, { relTol: c.relTol });
    });
  }
}

/** Random float32 weights for initializers. */
export function weights(dims: number[], seed: number, scale = 0.5): Float32Array {
  return randomData(numelOf(dims), seed, -scale, scale);
}
