// Folds an inference BatchNormalization into the Conv/ConvTranspose that feeds it (its only
// reader): W'[m] = W[m] * s[m], b' = (b - mean) * s + beta with s = scale / sqrt(var + eps).

import { attrFloat, attrInt, type Graph, type Node } from '../ir/graph';
import { consumers, freshName, hasSingleUse } from '../ir/graph-utils';
import { numel, type Tensor } from '../ir/tensor';

function f32(t: Tensor | undefined): Float32Array | undefined {
  if (!t || t.dtype !== 'float32') return undefined;
  return t.data as Float32Array;
}

/** Output channel of each weight element, for Conv (M, C/g, k...) or ConvTranspose (C, M/g, k...). */
function channelOf(conv: Node, w: Tensor): (i: number) => number {
  const inner = numel(w.dims.slice(2));
  if (conv.opType === 'Conv') {
    const per = numel(w.dims.slice(1));
    return (i) => Math.floor(i / per);
  }
  const group = attrInt(conv, 'group', 1);
  const cPerGroup = w.dims[0] / group;
  const mPerGroup = w.dims[1];
  return (i) => {
    const j = Math.floor(i / inner) % mPerGroup;
    const c = Math.floor(i / (inner * mPerGroup));
    return Math.floor(c / cPerGroup) * mPerGroup + j;
  };
}

/** Returns the number of BatchNormalization nodes folded. */
export function foldBatchNorms(graph: Graph): number {
  let folded = 0;
  const uses = consumers(graph);
  for (let k = 0; k < graph.nodes.length; k++) {
    const bn = graph.nodes[k];
    if (bn.opType !== 'BatchNormalization' || (bn.domain !== '' && bn.domain !== 'ai.onnx')) continue;
    if (bn.outputs.slice(1).some((o) => o !== '') || attrInt(bn, 'training_mode', 0) !== 0) continue;
    const y = bn.inputs[0];
    const conv = graph.nodes.find((n) => n.outputs[0] === y);
    if (!conv || (conv.opType !== 'Conv' && conv.opType !== 'ConvTranspose') || (conv.postOps && conv.postOps.length)) continue;
    if (!hasSingleUse(graph, uses, y)) continue;
    const w = graph.initializers.get(conv.inputs[1]);
    const wData = f32(w);
    const bName = conv.inputs[2] ?? '';
    const b = bName ? f32(graph.initializers.get(bName)) : undefined;
    if (!w || !wData || (bName && !b)) continue;
    const [scale, beta, mean, variance] = [1, 2, 3, 4].map((i) => f32(graph.initializers.get(bn.inputs[i] ?? '')));
    if (!scale || !beta || !mean || !variance) continue;
    const eps = attrFloat(bn, 'epsilon', 1e-5);
    const m = scale.length;
    const s = new Float64Array(m);
    for (let c = 0; c < m; c++) s[c] = scale[c] / Math.sqrt(variance[c] + eps);
    const chan = channelOf(conv, w);
    const outChannels = conv.opType === 'Conv' ? w.dims[0] : w.dims[1] * attrInt(conv, 'group', 1);
    if (outChannels !== m) continue;
    const newW = new Float32Array(wData.length);
    for (let i = 0; i < wData.length; i++) newW[i] = wData[i] * s[chan(i)];
    const newB = new Float32Array(m);
    for (let c = 0; c < m; c++) newB[c] = ((b ? b[c] : 0) - mean[c]) * s[c] + beta[c];
    const wName = freshName(graph, `${conv.inputs[1]}_bnfolded`);
    graph.initializers.set(wName, { dtype: 'float32', dims: [...w.dims], data: newW });
    graph.values.set(wName, { name: wName, dtype: 'float32', shape: [...w.dims] });
    const nbName = freshName(graph, `${conv.name}_bias_bnfolded`);
    graph.initializers.set(nbName, { dtype: 'float32', dims: [m], data: newB });
    graph.values.set(nbName, { name: nbName, dtype: 'float32', shape: [m] });
    conv.inputs = [conv.inputs[0], wName, nbName, ...conv.inputs.slice(3)];
    conv.outputs = [bn.outputs[0]];
    conv.sources = [...(conv.sources ?? [conv.name]), ...(bn.sources ?? [bn.name])];
    graph.nodes.splice(k, 1);
    k--;
    folded++;
  }
  return folded;
}
