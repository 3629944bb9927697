// Shared helpers for the native tests: a tiny plan builder, deterministic data, JS reference
// index math, and the tolerance check (1e-4 relative to the largest reference magnitude).

import assert from 'node:assert/strict';

import { closeness } from '../helpers/tolerance';

import { createNativeSession } from '../../engine/runtime/native';
import type { Plan, PlanAttr } from '../../engine/plan/plan';
import type { EdgeArray } from '../../engine/runtime/native-types';

export class PlanBuilder {
  readonly plan: Plan = { tensors: [], steps: [], inputs: [], outputs: [] };

  input(name: string, dims: number[], batched = false): number {
    const id = this.tensor(name, dims, batched);
    this.plan.inputs.push(id);
    return id;
  }
  tensor(name: string, dims: number[], batched = false): number {
    this.plan.tensors.push({ name, dtype: 'f32', dims, batched });
    return this.plan.tensors.length - 1;
  }
  constant(name: string, dims: number[], data: Float32Array): number {
    this.plan.tensors.push({ name, dtype: 'f32', dims, batched: false, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return this.plan.tensors.length - 1;
  }
  step(kind: string, inputs: number[], outDims: number[], attrs: Record<string, PlanAttr> = {}, batched = false): number {
    const name = `${kind}_${this.plan.steps.length}`;
    const out = this.tensor(`${name}_out`, outDims, batched);
    this.plan.steps.push({ kind, name, nodes: [name], inputs, outputs: [out], attrs });
    return out;
  }
  output(id: number): void {
    this.plan.outputs.push(id);
  }
}

/** Deterministic pseudo-random floats in [-1, 1). */
export function rand(n: number, seed = 1): Float32Array {
  const a = new Float32Array(n);
  let s = seed * 2654435761 >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = (s / 4294967296) * 2 - 1;
  }
  return a;
}

export const prod = (d: number[]) => d.reduce((a, b) => a * b, 1);

export function strides(d: number[]): number[] {
  const s = new Array<number>(d.length);
  let st = 1;
  for (let i = d.length - 1; i >= 0; i--) {
    s[i] = st;
    st *= d[i];
  }
  return s;
}

/** Multi-index of flat row-major index i. */
export function unravel(i: number, d: number[]): number[] {
  const idx = new Array<number>(d.length);
  for (let k = d.length - 1; k >= 0; k--) {
    idx[k] = i % d[k];
    i = Math.floor(i / d[k]);
  }
  return idx;
}

export function assertClose(actual: Float32Array, expected: ArrayLike<number>, what: string, tol = 1e-4): void {
  const c = closeness(actual, expected, tol, 1e-6);
  if (c.failure) assert.fail(`${what}: ${c.failure}`);
}

/** A float32 plan output (these tests' plans have f32 outputs); fails naming `what` otherwise. */
export function f32(a: EdgeArray, what = 'output'): Float32Array {
  assert.ok(a instanceof Float32Array, `${what}: expected a Float32Array, got ${a.constructor.name}`);
  return a;
}

/** Builds a session for the plan, runs it once and disposes it. */
export async function runPlan(plan: Plan, inputs: Float32Array[], batch = 1, threads = 0): Promise<Float32Array[]> {
  const session = await createNativeSession(plan, { threads });
  try {
    return (await session.run(inputs, batch)).outputs.map((o, i) => f32(o, `output ${i}`));
  } finally {
    session.dispose();
  }
}
