// IR Model -> ONNX bytes. Used for QDQ models (issue 3) and by tests that build models via the IR.
// Tensors are written into raw_data (int64 from Float64Array), post-op fusions are not ONNX and are
// refused: save an unfused graph.

import { onnx } from 'onnx-proto';

import type { AttrValue, Dim, Model, ValueInfo } from '../ir/graph';
import { codeFromDtype } from './dtypes';
import { tensorToProto } from './tensor-proto';

const AT = onnx.AttributeProto.AttributeType;

function attrToProto(name: string, a: AttrValue): onnx.IAttributeProto {
  const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
  switch (a.type) {
    case 'int':
      return { name, type: AT.INT, i: a.value };
    case 'float':
      return { name, type: AT.FLOAT, f: a.value };
    case 'string':
      return { name, type: AT.STRING, s: enc(a.value) };
    case 'ints':
      return { name, type: AT.INTS, ints: a.value };
    case 'floats':
      return { name, type: AT.FLOATS, floats: a.value };
    case 'strings':
      return { name, type: AT.STRINGS, strings: a.value.map(enc) };
    case 'tensor':
      return { name, type: AT.TENSOR, t: tensorToProto('', a.value) };
    case 'tensors':
      return { name, type: AT.TENSORS, tensors: a.value.map((t) => tensorToProto('', t)) };
    case 'graph':
      return { name, type: AT.GRAPH, g: a.value as onnx.IGraphProto };
    case 'graphs':
      return { name, type: AT.GRAPHS, graphs: a.value as onnx.IGraphProto[] };
    case 'other':
      return a.value as onnx.IAttributeProto;
  }
}

function valueInfoToProto(v: ValueInfo): onnx.IValueInfoProto {
  const dim = (d: Dim): onnx.TensorShapeProto.IDimension => (typeof d === 'string' ? { dimParam: d } : d >= 0 ? { dimValue: d } : {});
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: codeFromDtype(v.dtype),
        shape: v.shape ? { dim: v.shape.map(dim) } : undefined,
      },
    },
  };
}

export function modelToProto(model: Model): onnx.ModelProto {
  const g = model.graph;
  for (const n of g.nodes) {
    if (n.postOps && n.postOps.length > 0) {
      throw new Error(`node '${n.name}' (${n.opType}): has fused post-ops, which ONNX cannot express; save the unfused graph`);
    }
  }
  const opsetImport: onnx.IOperatorSetIdProto[] = [{ domain: '', version: model.opset }];
  for (const [domain, version] of Object.entries(model.opsets)) opsetImport.push({ domain, version });
  const outputNames = new Set(g.outputs.map((o) => o.name));
  const inputNames = new Set(g.inputs.map((i) => i.name));
  const valueInfo: onnx.IValueInfoProto[] = [];
  for (const v of g.values.values()) {
    if (!outputNames.has(v.name) && !inputNames.has(v.name) && !g.initializers.has(v.name)) valueInfo.push(valueInfoToProto(v));
  }
  return onnx.ModelProto.create({
    irVersion: model.irVersion || 8,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    opsetImport,
    metadataProps: Object.entries(model.metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: g.name,
      node: g.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        domain: n.domain,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs).map(([k, a]) => attrToProto(k, a)),
      })),
      initializer: [...g.initializers].map(([name, t]) => tensorToProto(name, t)),
      input: g.inputs.map(valueInfoToProto),
      output: g.outputs.map((o) => valueInfoToProto(g.values.get(o.name) ?? o)),
      valueInfo,
    },
  });
}

/** Serialises a model to ONNX bytes. */
export function saveModel(model: Model): Uint8Array {
  return onnx.ModelProto.encode(modelToProto(model)).finish();
}
