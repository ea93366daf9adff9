/**
 * rnnlab functional model (rl.model) -> ONNX: the graph is walked in the model's own node order; every model input
 * becomes a graph input (int32 for rl.input({dtype: 'int32'}), float32 otherwise) named after its input layer, every
 * model output a graph output named after the layer producing it. Single-input layers go through the Sequential
 * exporters; the merge layers map to ONNX's own operators. Anything else (attention, Dot, recurrent initial states
 * or returnState, merging masked sequences) is refused with the layer's name.
 */
import { GraphBuilder, type ElemType, type ValueInfo } from './graph.js';
import { refuse, viewOf, OnnxExportError, type Flow, type LayerLike, type LayerView } from './layer_view.js';

interface GraphTensor { dtype: string; shape: (number | null)[]; sourceLayer: { name: string } }

export interface ExportableGraph {
  name: string;
  inputs: GraphTensor[];
  outputs: GraphTensor[];
  nodes: { layer: LayerLike; inputs: GraphTensor[]; outputs: GraphTensor[]; inputCount: number }[];
}

export type LayerExporter = (g: GraphBuilder, view: LayerView, flow: Flow) => Flow;

/** Keras's elementwise merges: ONNX's variadic Sum/Mean/Max/Min, Sub, and a chain of Mul. */
const ELEMENTWISE: Record<string, string> = { Add: 'Sum', Average: 'Mean', Maximum: 'Max', Minimum: 'Min', Subtract: 'Sub', Multiply: 'Mul' };

/** Layers whose meaning needs more than the ops here; named in the refusal so the user knows why. */
const REFUSED: Record<string, string> = {
  Attention: 'is not exported yet (dot-product attention over a query and a value sequence)',
  AdditiveAttention: 'is not exported yet (Bahdanau attention over a query and a value sequence)',
  Dot: 'is not exported yet',
};

export function isExportableGraph(m: unknown): m is ExportableGraph {
  const o = m as Partial<ExportableGraph>;
  // nodes first: an unbuilt Sequential's `inputs` getter throws, and only graphs have nodes.
  return Array.isArray(o?.nodes) && Array.isArray(o?.inputs) && Array.isArray(o?.outputs);
}

function merge(g: GraphBuilder, view: LayerView, flows: Flow[]): Flow {
  if (flows.some((f) => f.mask)) refuse(view, 'merges masked sequences, which is not exported (merge after the recurrent layer that consumes the mask)');
  const xs = flows.map((f) => f.x);
  if (view.className === 'Concatenate') {
    const axis = (view.config.axis as number | undefined) ?? -1;
    return { x: g.node('Concat', xs, { axis: axis < 0 ? flows[0].rank + axis : axis }, `${view.name}/Concat`), rank: flows[0].rank, mask: null };
  }
  const op = ELEMENTWISE[view.className];
  let x: string;
  if (op === 'Mul') x = xs.slice(1).reduce((acc, y, i) => g.node('Mul', [acc, y], {}, `${view.name}/Mul${i}`), xs[0]);
  else x = g.node(op, xs, {}, `${view.name}/${op}`);
  return { x, rank: flows[0].rank, mask: null };
}

const dims = (shape: (number | null)[], prefix: string): (number | string)[] => shape.map((d, i) => d ?? (i === 0 ? 'batch' : `${prefix}_dim_${i}`));

/** The ONNX model's bytes for a functional model; exportLayer runs one single-input layer. */
export function functionalToOnnx(model: ExportableGraph, exportLayer: LayerExporter): Uint8Array {
  const g = new GraphBuilder();
  const flows = new Map<GraphTensor, Flow>();
  const inputs: ValueInfo[] = model.inputs.map((t) => {
    const elemType: ElemType = t.dtype === 'int32' ? 'int32' : 'float32';
    const name = g.name(t.sourceLayer.name);
    flows.set(t, { x: name, rank: t.shape.length, mask: null });
    return { name, elemType, shape: dims(t.shape, name) };
  });
  for (const node of model.nodes) {
    const view = viewOf(node.layer);
    const why = REFUSED[view.className];
    if (why) refuse(view, why);
    if (node.outputs.length !== 1) refuse(view, 'returns its states too (returnState), which is not exported');
    const ins = node.inputs.map((t) => flows.get(t) ?? refuse(view, 'reads a tensor the export has not produced'));
    let out: Flow;
    if (view.className === 'Concatenate' || ELEMENTWISE[view.className]) out = merge(g, view, ins);
    else if (ins.length !== 1) refuse(view, `takes ${ins.length} tensors (initial states are not exported)`);
    else out = exportLayer(g, view, ins[0]);
    flows.set(node.outputs[0], out!);
  }
  const outputs: ValueInfo[] = model.outputs.map((t) => {
    const name = g.node('Identity', [flows.get(t)!.x], {}, t.sourceLayer.name);
    return { name, elemType: 'float32', shape: dims(t.shape, name) };
  });
  if (outputs.length === 0) throw new OnnxExportError(`ONNX export: model '${model.name}' has no outputs`);
  return g.toBytes(inputs, outputs, model.name,
    `rnnlab functional model '${model.name}': ${model.nodes.map((n) => n.layer.className).join(', ')}`);
}
