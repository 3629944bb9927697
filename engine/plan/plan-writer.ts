// Serialises a Plan to the byte format of native/PLAN.md (read by native/runtime/plan.cc).
// Validates what the native side would otherwise reject with a less helpful message: tensor ids in
// range, one producer per tensor, constant byte lengths matching dims and dtype.

import type { Plan, PlanAttr, PlanDType, PlanTensor } from './plan';

const MAGIC = 0x50425751; // 'QWBP'
const VERSION = 2; // 2 adds per-tensor quantization parameters (native/PLAN.md)
const DTYPE_CODE: Record<PlanDType, number> = { f32: 0, u8: 1, s8: 2, s32: 3 };
const DTYPE_SIZE: Record<PlanDType, number> = { f32: 4, u8: 1, s8: 1, s32: 4 };

/** Grows as needed; every write is little-endian. Start it at about the final size: a plan is
 *  mostly constant bytes (100 MB for ResNet-50), and growing by doubling held ~2.5x that at once. */
class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;
  private readonly encoder = new TextEncoder();

  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.view.setUint8(this.len, v);
    this.len += 1;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.len, v, true);
    this.len += 4;
  }
  i32(v: number): void {
    this.reserve(4);
    this.view.setInt32(this.len, v, true);
    this.len += 4;
  }
  i64(v: number): void {
    this.reserve(8);
    this.view.setBigInt64(this.len, BigInt(v), true);
    this.len += 8;
  }
  u64(v: number): void {
    this.reserve(8);
    this.view.setBigUint64(this.len, BigInt(v), true);
    this.len += 8;
  }
  f32(v: number): void {
    this.reserve(4);
    this.view.setFloat32(this.len, v, true);
    this.len += 4;
  }
  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.len, v, true);
    this.len += 8;
  }
  str(s: string): void {
    const b = this.encoder.encode(s);
    this.u32(b.length);
    this.bytes(b);
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  /** Zero padding up to a multiple of `n` from the start of the buffer. */
  align(n: number): void {
    const pad = (n - (this.len % n)) % n;
    this.reserve(pad);
    this.buf.fill(0, this.len, this.len + pad);
    this.len += pad;
  }
  /** The bytes written: a view when the buffer is nearly full (no second copy of a large plan). */
  finish(): Uint8Array {
    return this.len >= this.buf.length - (1 << 20) ? this.buf.subarray(0, this.len) : this.buf.slice(0, this.len);
  }
}

function tensorLabel(plan: Plan, id: number): string {
  const t = plan.tensors[id];
  return t ? `'${t.name}' (#${id})` : `#${id}`;
}

function checkTensor(t: PlanTensor, id: number): void {
  if (!(t.dtype in DTYPE_CODE)) throw new Error(`plan-writer: tensor '${t.name}' (#${id}) has unknown dtype '${t.dtype}'`);
  for (const d of t.dims) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`plan-writer: tensor '${t.name}' (#${id}) has invalid dims [${t.dims}]`);
  }
  if (t.data) {
    const expect = t.dims.reduce((a, b) => a * b, 1) * DTYPE_SIZE[t.dtype];
    if (t.data.byteLength !== expect) {
      throw new Error(
        `plan-writer: constant '${t.name}' (#${id}) has ${t.data.byteLength} bytes, dims [${t.dims}] of ${t.dtype} need ${expect}`,
      );
    }
    if (t.batched) throw new Error(`plan-writer: constant '${t.name}' (#${id}) cannot be batched`);
  }
  const q = t.quant;
  if (q && q.scales.length > 0) {
    const where = `plan-writer: tensor '${t.name}' (#${id})`;
    if (t.dtype === 'f32') throw new Error(`${where} is f32 but has quantization parameters`);
    if (q.zeroPoints.length !== q.scales.length) throw new Error(`${where} has ${q.scales.length} scales but ${q.zeroPoints.length} zero points`);
    if (q.scales.some((s) => !(s > 0) || !Number.isFinite(s))) throw new Error(`${where} has a scale that is not positive and finite`);
    if (q.zeroPoints.some((z) => !Number.isInteger(z))) throw new Error(`${where} has a non-integer zero point`);
    if (q.scales.length > 1 && t.dims[q.axis] !== q.scales.length) {
      throw new Error(`${where} has ${q.scales.length} scales but dims [${t.dims}] along axis ${q.axis}`);
    }
  }
}

function validate(plan: Plan): void {
  const n = plan.tensors.length;
  plan.tensors.forEach(checkTensor);
  const producer = new Array<string | undefined>(n);
  const inRange = (id: number) => Number.isInteger(id) && id >= 0 && id < n;
  for (const id of plan.inputs) {
    if (!inRange(id)) throw new Error(`plan-writer: graph input id ${id} is out of range (${n} tensors)`);
    if (plan.tensors[id].data) throw new Error(`plan-writer: graph input ${tensorLabel(plan, id)} is a constant`);
    producer[id] = 'graph input';
  }
  plan.tensors.forEach((t, id) => {
    if (t.data) producer[id] = 'constant';
  });
  plan.steps.forEach((s, index) => {
    const label = `step ${index} ${s.kind} '${s.name}'`;
    for (const id of s.inputs) {
      if (id === -1) continue;
      if (!inRange(id)) throw new Error(`plan-writer: ${label} input id ${id} is out of range (${n} tensors)`);
      if (producer[id] === undefined) throw new Error(`plan-writer: ${label} reads ${tensorLabel(plan, id)} before any step produces it`);
    }
    for (const id of s.outputs) {
      if (!inRange(id)) throw new Error(`plan-writer: ${label} output id ${id} is out of range (${n} tensors)`);
      if (producer[id] !== undefined) {
        throw new Error(`plan-writer: ${label} produces ${tensorLabel(plan, id)}, already produced by ${producer[id]}`);
      }
      producer[id] = label;
    }
  });
  for (const id of plan.outputs) {
    if (!inRange(id)) throw new Error(`plan-writer: graph output id ${id} is out of range (${n} tensors)`);
    if (producer[id] === undefined) throw new Error(`plan-writer: graph output ${tensorLabel(plan, id)} is never produced`);
  }
}

function writeAttr(w: ByteWriter, name: string, value: PlanAttr, where: string): void {
  w.str(name);
  const list: (number | string)[] = Array.isArray(value) ? value : [value];
  const isString = list.length > 0 && typeof list[0] === 'string';
  if (list.some((v) => (typeof v === 'string') !== isString)) {
    throw new Error(`plan-writer: ${where} attribute '${name}' mixes numbers and strings`);
  }
  // An empty list travels as numbers unless the value was declared as a string list; the runtime's
  // accessors treat an empty list of either type alike for list reads.
  w.u8(isString ? 1 : 0);
  w.u32(list.length);
  for (const v of list) {
    if (isString) w.str(v as string);
    else {
      if (typeof v !== 'number') throw new Error(`plan-writer: ${where} attribute '${name}' has a non-number`);
      w.f64(v as number);
    }
  }
}

/** The plan as bytes (native/PLAN.md). Throws an Error naming the step or tensor on invalid plans. */
export function serializePlan(plan: Plan): Uint8Array {
  validate(plan);
  // Constants (64-byte aligned) plus a generous allowance for names, dims and attributes.
  let estimate = 1 << 16;
  for (const t of plan.tensors) estimate += (t.data ? t.data.byteLength + 64 : 0) + 96 + 2 * t.name.length + 8 * t.dims.length + 12 * (t.quant?.scales.length ?? 0);
  for (const s of plan.steps) estimate += 256 + 2 * (s.name.length + s.kind.length) + s.nodes.reduce((a, n) => a + 2 * n.length + 4, 0) + 4 * (s.inputs.length + s.outputs.length);
  const w = new ByteWriter(estimate);
  w.u32(MAGIC);
  w.u32(VERSION);
  w.u32(plan.tensors.length);
  for (const t of plan.tensors) {
    w.str(t.name);
    w.u8(DTYPE_CODE[t.dtype]);
    w.u8(t.batched ? 1 : 0);
    w.u32(t.dims.length);
    for (const d of t.dims) w.i64(d);
    if (t.data) {
      w.u8(1);
      w.u64(t.data.byteLength);
      w.align(64);
      w.bytes(t.data);
    } else {
      w.u8(0);
    }
    // Version 2: u32 scale_count; f32 scales; i32 zero_points; i32 axis.
    const q = t.quant && t.quant.scales.length > 0 ? t.quant : undefined;
    w.u32(q ? q.scales.length : 0);
    if (q) {
      for (const s of q.scales) w.f32(s);
      for (const z of q.zeroPoints) w.i32(z);
    }
    w.i32(q ? q.axis : 0);
  }
  w.u32(plan.steps.length);
  plan.steps.forEach((s, index) => {
    const where = `step ${index} ${s.kind} '${s.name}'`;
    w.str(s.kind);
    w.str(s.name);
    w.u32(s.nodes.length);
    for (const node of s.nodes) w.str(node);
    w.u32(s.inputs.length);
    for (const id of s.inputs) w.i32(id);
    w.u32(s.outputs.length);
    for (const id of s.outputs) w.i32(id);
    const names = Object.keys(s.attrs);
    w.u32(names.length);
    for (const name of names) writeAttr(w, name, s.attrs[name], where);
  });
  w.u32(plan.inputs.length);
  for (const id of plan.inputs) w.i32(id);
  w.u32(plan.outputs.length);
  for (const id of plan.outputs) w.i32(id);
  return w.finish();
}
