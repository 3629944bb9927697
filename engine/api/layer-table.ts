// modelLayers: the model screen's layer table. Every node of the file with its output shape (shape
// inference without folding, at the summary's input dims) and whether the quantizer would run it
// in INT8 with its default options, or why not: so a user sees what will happen before calibrating.

import type { Model } from '../ir/graph';
import { cloneModel } from '../ir/graph-utils';
import { defaultInputDims, inferShapes } from '../passes/infer';
import { getOp } from '../ops/registry';
import { resolveQuantConfig } from '../quant/config';
import { planQuantization, prepareForQuantization, QUANTIZABLE_OPS } from '../quant/quantize-plan';
import type { LayerRow, ModelLayers } from './contract';

/** Names unnamed nodes as prepareForQuantization would name them in an untouched graph, so that
 *  rows and the plan agree on names. */
function named(model: Model): Model {
  const m = cloneModel(model);
  const used = new Set(m.graph.nodes.map((n) => n.name).filter(Boolean));
  m.graph.nodes.forEach((n, i) => {
    if (n.name) return;
    let name = `${n.opType}_${i}`;
    for (let k = 1; used.has(name); k++) name = `${n.opType}_${i}_${k}`;
    used.add(name);
    n.name = name;
  });
  return m;
}

export function layerTable(model: Model, inputDims?: Record<string, number[]>): ModelLayers {
  const m = named(model);
  const rows: LayerRow[] = m.graph.nodes.map((n) => ({ name: n.name, op: n.domain && n.domain !== 'ai.onnx' ? `${n.domain}:${n.opType}` : n.opType, quantizable: false }));
  const unsupported = m.graph.nodes.filter((n) => !getOp(n.opType, n.domain));
  for (const r of rows) {
    if (unsupported.some((n) => n.name === r.name)) {
      r.unsupported = true;
      r.note = `unsupported op ${r.op}: the model cannot run until it is implemented`;
    }
  }
  if (unsupported.length > 0) return { layers: rows };

  try {
    const shaped = cloneModel(m);
    inferShapes(shaped, { ...defaultInputDims(m, 1), ...(inputDims ?? {}) }, { fold: false });
    m.graph.nodes.forEach((n, i) => {
      const dims = shaped.graph.values.get(n.outputs[0])?.shape;
      if (dims && dims.every((d) => typeof d === 'number')) rows[i].outputShape = dims as number[];
    });
  } catch {
    // The summary reports shape problems; the table just goes without shapes.
  }

  const prepared = prepareForQuantization(m);
  const plan = planQuantization(prepared, resolveQuantConfig({}));
  const kept = new Set(prepared.graph.nodes.map((n) => n.name));
  const inLayer = new Map<string, string>();
  for (const l of plan.layers) for (const n of l.nodes) inLayer.set(n, l.node);
  const excluded = new Map(plan.excluded.map((e) => [e.node, e.reason]));
  for (const r of rows) {
    const layer = inLayer.get(r.name);
    if (layer !== undefined) {
      r.quantizable = true;
      if (layer !== r.name) r.note = `fused into ${layer} (INT8)`;
    } else if (excluded.has(r.name)) {
      r.note = `stays FP32: ${excluded.get(r.name)}`;
    } else if (!kept.has(r.name)) {
      r.note = r.op === 'BatchNormalization' ? 'folded into the convolution before it' : 'removed before quantization (no effect on values)';
    } else if (!(QUANTIZABLE_OPS as readonly string[]).includes(r.op)) {
      r.note = 'FP32 (not an op the quantizer converts)';
    }
  }
  return { layers: rows };
}
