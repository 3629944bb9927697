// Writes small QDQ ONNX graphs the way ONNX Runtime's quantize_static does: QuantizeLinear /
// DequantizeLinear pairs on activations (u8 with a zero point), DequantizeLinear on s8 per-channel
// weights (7-bit range, as the quantizer uses on CPUs without VNNI, so no 16-bit saturation) and
// on s32 biases with scale s_x * s_w.

import { ModelBuilder, randomData } from '../helpers/onnx-builder';

export interface QP {
  scale: number;
  zp: number;
}

export class QdqBuilder {
  readonly b: ModelBuilder;
  private n = 0;
  /** Scale of each activation value written by q(). */
  readonly scales = new Map<string, number>();

  constructor(opset = 13) {
    this.b = new ModelBuilder(opset);
  }

  private fresh(base: string): string {
    return `${base}_${this.n++}`;
  }

  /** Q -> DQ of a float value; returns the dequantized value's name. */
  qdq(x: string, p: QP): string {
    const s = this.fresh('s');
    const z = this.fresh('zp');
    this.b.initializer(s, [], [p.scale]).initializer(z, [], [p.zp], 'uint8');
    const q = this.fresh(`${x}_q`);
    const d = this.fresh(`${x}_dq`);
    this.b.node('QuantizeLinear', [x, s, z], [q]);
    this.b.node('DequantizeLinear', [q, s, z], [d]);
    this.scales.set(d, p.scale);
    return d;
  }

  /** A DQ'd s8 weight (per-channel on `axis`) and, when `withBias`, a DQ'd s32 bias for input scale sx. */
  weight(dims: number[], axis: number, sx: number, seed: number, withBias = true): { w: string; bias?: string } {
    const real = randomData(dims.reduce((a, b) => a * b, 1), seed, -0.5, 0.5);
    const channels = dims[axis];
    let inner = 1;
    for (let k = axis + 1; k < dims.length; k++) inner *= dims[k];
    const ch = (i: number) => Math.floor(i / inner) % channels;
    const sw = new Array<number>(channels).fill(0);
    real.forEach((v, i) => (sw[ch(i)] = Math.max(sw[ch(i)], Math.abs(v))));
    for (let c = 0; c < channels; c++) sw[c] = Math.fround((sw[c] || 1) / 63);
    const q = Array.from(real, (v, i) => Math.round(v / sw[ch(i)]));
    const wq = this.fresh('wq');
    const ws = this.fresh('ws');
    const wz = this.fresh('wz');
    this.b.initializer(wq, dims, q, 'int8').initializer(ws, [channels], sw).initializer(wz, [channels], sw.map(() => 0), 'int8');
    const w = this.fresh('w');
    this.b.node('DequantizeLinear', [wq, ws, wz], [w], { axis });
    if (!withBias) return { w };
    const bReal = randomData(channels, seed + 7, -0.3, 0.3);
    const bs = sw.map((s) => Math.fround(s * sx));
    const bq = this.fresh('bq');
    const bsn = this.fresh('bs');
    this.b.initializer(bq, [channels], Array.from(bReal, (v, c) => Math.round(v / bs[c])), 'int32').initializer(bsn, [channels], bs);
    const bias = this.fresh('b');
    this.b.node('DequantizeLinear', [bq, bsn], [bias], { axis: 0 });
    return { w, bias };
  }

  /** DQ'd-input Conv 3x3 pad 1 with m output channels; returns the float conv output. */
  conv(x: string, c: number, m: number, seed: number): string {
    const { w, bias } = this.weight([m, c, 3, 3], 0, this.scales.get(x)!, seed);
    const y = this.fresh('conv');
    this.b.node('Conv', [x, w, bias!], [y], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    return y;
  }

  /** Q -> DQ of `x` into the graph output 'y'. */
  outputY(x: string, p: QP): void {
    this.b.initializer('ys', [], [p.scale]).initializer('yz', [], [p.zp], 'uint8');
    this.b.node('QuantizeLinear', [x, 'ys', 'yz'], ['yq']);
    this.b.node('DequantizeLinear', ['yq', 'ys', 'yz'], ['y']);
  }

  node(op: string, inputs: string[], attrs: Record<string, number | number[]> = {}): string {
    const y = this.fresh(op.toLowerCase());
    this.b.node(op, inputs, [y], attrs);
    return y;
  }
}
