/**
 * rnnlab functional model (rl.model) -> ONNX: the graph is walked in the model's own node order; every model input
 * becomes a graph input (int32 for rl.input({dtype: 'int32'}), float32 otherwise) named after its input layer, every
 * model output a graph output named after the layer producing it. Single-input layers go through the Sequential
 * exporters; the merge layers map to ONNX's own operators, Attention, AdditiveAttention and Dot to attention_export.ts,
 * recurrent layers called with initialState or returnState take and give their states, and a Bidirectional with
 * mergeMode null gives its forward and backward outputs as two tensors, and a nested functional model is inlined. Masks flow as in rnnlab's
 * functional models: a layer's outputs carry its first input's mask unless the layer ends or makes one; the merges
 * follow Keras 3 (mergedMask).
 */
import { GraphBuilder, type ElemType, type ValueInfo } from './graph.js';
import { cellAsLayer, cellWords, refuse, viewOf, OnnxExportError, type ExportableGraph, type Flow, type GraphTensor, type LayerLike, type LayerView } from './layer_view.js';
import { exportAttention, exportDot } from './attention_export.js';
import { exportBidirectional, exportRecurrent } from './recurrent_export.js';

export type LayerExporter = (g: GraphBuilder, view: LayerView, flow: Flow) => Flow;

/** Keras's elementwise merges: ONNX's variadic Sum/Mean/Max/Min, Sub, and a chain of Mul (under masks: maskedMerge). */
const ELEMENTWISE: Record<string, string> = { Add: 'Sum', Average: 'Mean', Maximum: 'Max', Minimum: 'Min', Subtract: 'Sub', Multiply: 'Mul' };

/** Layers of several inputs (or several outputs) that have exporters of their own. */
const MULTI: Record<string, (g: GraphBuilder, view: LayerView, flows: Flow[]) => Flow[]> = {
  Attention: exportAttention,
  AdditiveAttention: exportAttention,
  Dot: (g, view, flows) => [exportDot(g, view, flows)],
};

const RECURRENT = new Set(['SimpleRNN', 'LSTM', 'GRU']);

/** Layers whose input is token ids, kept integer; every other layer reads an int32 input cast to float, as rnnlab. */
export const TAKES_IDS = new Set(['Embedding', 'CategoryEncoding']);

export function isExportableGraph(m: unknown): m is ExportableGraph {
  const o = m as Partial<ExportableGraph>;
  // nodes first: an unbuilt Sequential's `inputs` getter throws, and only graphs have nodes.
  return Array.isArray(o?.nodes) && Array.isArray(o?.inputs) && Array.isArray(o?.outputs);
}

/**
 * The padding mask of an elementwise merge or a Concatenate along the features, as rnnlab's merges give it (Keras 3's
 * rule): none unless every input has one (an unmasked input makes every step real, which masks nothing), else a step
 * is real where any input's is; a rank-2 result has no steps to mask.
 */
function mergedMask(g: GraphBuilder, view: LayerView, flows: Flow[], rank: number): Flow['mask'] {
  const masks = flows.map((f) => f.mask);
  if (rank < 3 || masks.some((m) => m === null)) return null;
  if (masks.every((m) => m === masks[0])) return masks[0];
  return { m: g.node('Max', masks.map((m) => m!.m), {}, `${view.name}/mask_any`) };
}

function merge(g: GraphBuilder, view: LayerView, flows: Flow[]): Flow {
  const xs = flows.map((f) => f.x), { rank } = flows[0];
  if (view.className === 'Concatenate') {
    const given = (view.config.axis as number | undefined) ?? -1;
    const axis = given < 0 ? rank + given : given;
    if (axis === 1 && flows.some((f) => f.mask)) refuse(view, 'joins masked sequences along time, which is not exported');
    return { x: g.node('Concat', xs, { axis }, `${view.name}/Concat`), rank, mask: mergedMask(g, view, flows, rank) };
  }
  // Keras's merges give a lower-rank input axes of size 1 after the batch axis; ONNX's broadcast does the rest.
  const top = Math.max(...flows.map((f) => f.rank));
  const ys = flows.map((f, i) => (f.rank === top ? f.x
    : g.node('Unsqueeze', [f.x, g.ints(Array.from({ length: top - f.rank }, (_, k) => k + 1))], {}, `${view.name}/input${i}_axes`)));
  const mask = mergedMask(g, view, flows, top);
  const op = ELEMENTWISE[view.className];
  // As in rnnlab, an input of lower rank merges as if unmasked; Add, Subtract and Average merge padded values too.
  const masked = op === 'Max' || op === 'Min' || op === 'Mul' ? flows.map((f) => (f.rank === top ? f.mask : null)) : [];
  if (masked.some((m) => m)) {
    if (top < 3) refuse(view, `merges padding-masked tensors of rank ${top}, whose values under the mask are not exported (rank 3 or more is)`);
    return { x: maskedMerge(g, view, op as MaskedOp, ys, realSteps(g, view, masked, top)), rank: top, mask };
  }
  let x: string;
  if (op === 'Mul') x = ys.slice(1).reduce((acc, y, i) => g.node('Mul', [acc, y], {}, `${view.name}/Mul${i}`), ys[0]);
  else x = g.node(op, ys, {}, `${view.name}/${op}`);
  return { x, rank: top, mask };
}

type MaskedOp = 'Max' | 'Min' | 'Mul';

/** Each input's padding mask as bool [B, T, 1, ...] (rank `rank`, broadcasting over the features), or null for none. */
function realSteps(g: GraphBuilder, view: LayerView, masks: (Flow['mask'])[], rank: number): (string | null)[] {
  const made = new Map<string, string>();
  const axes = g.ints(Array.from({ length: rank - 2 }, (_, k) => k + 2));
  return masks.map((mask, i) => {
    if (!mask) return null;
    const found = made.get(mask.m);
    if (found) return found;
    const real = g.node('Unsqueeze', [g.node('Cast', [mask.m], { to: 9 }, `${view.name}/input${i}_real_steps`), axes], {}, `${view.name}/input${i}_real`);
    made.set(mask.m, real);
    return real;
  });
}

/**
 * Keras >= 3.4's masked Maximum, Minimum and Multiply, as rnnlab's predict computes them. Maximum/Minimum fold the
 * inputs left to right: a masked input's padded values are replaced by the running result's, and while every input
 * so far has a mask the running result takes the input's values where none of those masks marks the step real (so a
 * step padded in every input keeps the first input's value). Multiply replaces a padded value by 1 and, when every
 * input has a mask, gives 0 where none is real.
 */
function maskedMerge(g: GraphBuilder, view: LayerView, op: MaskedOp, ys: string[], reals: (string | null)[]): string {
  const p = view.name;
  if (op === 'Mul') {
    const kept = ys.map((y, k) => (reals[k] ? g.node('Where', [reals[k]!, y, g.scalar(1)], {}, `${p}/input${k}_or_1`) : y));
    const product = kept.slice(1).reduce((acc, y, i) => g.node('Mul', [acc, y], {}, `${p}/Mul${i}`), kept[0]);
    if (reals.some((r) => r === null)) return product;
    const anyReal = reals.slice(1).reduce((acc, r, i) => g.node('Or', [acc!, r!], {}, `${p}/any_real${i}`), reals[0])!;
    return g.node('Where', [anyReal, product, g.scalar(0)], {}, `${p}/none_real_0`);
  }
  let out = ys[0], anySoFar = reals[0];
  for (let k = 1; k < ys.length; k++) {
    const real = reals[k];
    const x = real ? g.node('Where', [real, ys[k], out], {}, `${p}/input${k}_or_running`) : ys[k];
    if (anySoFar) {
      out = g.node('Where', [anySoFar, out, x], {}, `${p}/none_real_before${k}`);
      anySoFar = real && k + 1 < ys.length ? g.node('Or', [anySoFar, real], {}, `${p}/any_real${k}`) : null;
    }
    out = g.node(op, [out, x], {}, `${p}/${op}${k - 1}`);
  }
  return out;
}

/** A recurrent layer called with initial states or returning its states: [output, ...states]. */
function recurrentCall(g: GraphBuilder, view: LayerView, data: Flow, states: Flow[]): Flow[] {
  const out = exportRecurrent(g, view, [view], data, 'concat', { initial: states.map((s) => s.x), returnState: view.config.returnState === true });
  return [{ x: out.x, rank: out.rank, mask: out.mask }, ...out.states.map((x) => ({ x, rank: 2, mask: null }))];
}

/** A functional model called as a layer (rnnlab's NestedModel, class 'Model'): the model it stands for. */
function nestedModelOf(layer: LayerLike): ExportableGraph | null {
  const model = (layer as { model?: unknown }).model;
  return layer.className === 'Model' && isExportableGraph(model) ? model : null;
}

/**
 * The int32 tensors a walk has met (a graph input, or a nested model's input fed one) -> their float cast, made once
 * on first use by a layer that reads numbers.
 */
type IntTensors = Map<GraphTensor, string>;

/**
 * A nested model's graph, inlined: its inputs take the outer flows (padding masks included), its outputs give the
 * node's, each with the mask the inner graph gives it, as rnnlab runs it.
 */
function exportNested(g: GraphBuilder, view: LayerView, inner: ExportableGraph, ins: Flow[], intIns: boolean[], exportLayer: LayerExporter): Flow[] {
  if (ins.length !== inner.inputs.length) refuse(view, `is a nested model of ${inner.inputs.length} input(s), called with ${ins.length}`);
  const flows = new Map<GraphTensor, Flow>(), ints: IntTensors = new Map();
  inner.inputs.forEach((t, i) => {
    flows.set(t, ins[i]);
    if (intIns[i]) ints.set(t, '');
  });
  walk(g, inner, flows, ints, exportLayer);
  return inner.outputs.map((t) => flows.get(t)!);
}

/** Exports model's nodes in order; flows holds its inputs' flows and receives every tensor's. */
function walk(g: GraphBuilder, model: ExportableGraph, flows: Map<GraphTensor, Flow>, ints: IntTensors, exportLayer: LayerExporter): void {
  const asRead = (t: GraphTensor, f: Flow, view: LayerView): Flow => {
    if (!ints.has(t) || TAKES_IDS.has(view.className)) return f;
    const cast = ints.get(t) || g.node('Cast', [f.x], { to: 1 }, `${f.x}_float`);
    ints.set(t, cast);
    return { ...f, x: cast };
  };
  for (const node of model.nodes) {
    const view = viewOf(node.layer);
    // An exported graph is the inference pass: a call fixed in training mode (dropout active in predict) is not it.
    if (node.args?.training === true) refuse(view, 'is called with training = true (its mode fixed for that call), which an inference graph cannot reproduce');
    const inner = nestedModelOf(node.layer);
    const raw = node.inputs.map((t) => flows.get(t) ?? refuse(view, 'reads a tensor the export has not produced'));
    // A nested model gets its int32 inputs as they are: its own layers decide whether they read ids or numbers.
    const ins = inner ? raw : raw.map((f, i) => asRead(node.inputs[i], f, view));
    const outs = inner ? exportNested(g, view, inner, ins, node.inputs.map((t) => ints.has(t)), exportLayer) : exportNode(g, view, ins, node.inputCount, exportLayer);
    if (outs.length !== node.outputs.length) refuse(view, `gives ${node.outputs.length} outputs, of which the export makes ${outs.length}`);
    node.outputs.forEach((t, i) => flows.set(t, outs[i]));
  }
}

/** The flows of one node's outputs. */
function exportNode(g: GraphBuilder, view: LayerView, ins: Flow[], inputCount: number, exportLayer: LayerExporter): Flow[] {
  const data = ins.slice(0, inputCount), states = ins.slice(inputCount);
  if (view.className === 'Concatenate' || ELEMENTWISE[view.className]) return [merge(g, view, data)];
  const multi = MULTI[view.className];
  if (multi) return multi(g, view, data);
  if (view.className === 'MultiHeadAttention') refuse(view, 'has no ONNX export (Attention, AdditiveAttention and Dot have)');
  if (data.length !== 1) refuse(view, `takes ${data.length} tensors`);
  if ((RECURRENT.has(view.className) || view.className === 'RNN') && (states.length || view.config.returnState === true)) {
    // An RNN over one cell is the layer it equals, states included; over a stack, each cell has states of its own.
    const layer = view.className === 'RNN'
      ? cellAsLayer(view) ?? refuse(view, `runs over ${cellWords(view)}: its ${states.length ? 'initial states are' : 'returnState is'} not exported (an RNN over a single SimpleRNN, LSTM or GRU cell, or those layers, export theirs)`)
      : view;
    return recurrentCall(g, layer, data[0], states);
  }
  if (states.length) refuse(view, 'is called with initial states, which only SimpleRNN, LSTM and GRU take in an export');
  // Its own exporter: with mergeMode null it gives two outputs (forward, backward).
  if (view.className === 'Bidirectional') return exportBidirectional(g, view, data[0]);
  return [exportLayer(g, view, data[0])];
}

/**
 * The graph outputs' names, claimed before anything else so no tensor made on the way takes one. A layer's first call
 * names its outputs (the layer's name; its later outputs, states or attention weights, with the suffix of their
 * index), a shared layer's later call c adds `_call<c>` (a siamese model's two encodings: encoder, encoder_call1), a
 * model input passed through is `<input>_output`. Where two outputs ask for one name (Keras's default names make it
 * easy: layer 'gru''s state 'gru_1' beside layer 'gru_1'), the output named after its layer alone keeps it, as does
 * the first in the model's order otherwise, and the other takes `<layer>[_call<c>]_output<index>` (made unique, and
 * no layer's name): the
 * names are deterministic, and a model without a clash names its outputs as before. A tensor listed twice is refused.
 */
function outputNames(g: GraphBuilder, model: ExportableGraph): string[] {
  const where = new Map<GraphTensor, { index: number; call: number }>();
  const calls = new Map<unknown, number>();
  for (const n of model.nodes) {
    const call = calls.get(n.layer) ?? 0;
    calls.set(n.layer, call + 1);
    n.outputs.forEach((t, index) => where.set(t, { index, call }));
  }
  const asked = model.outputs.map((t, k) => {
    const again = model.outputs.indexOf(t);
    if (again < k) throw new OnnxExportError(`ONNX export: model '${model.name}': output ${k} is output ${again} again; list each output once`);
    const { index, call } = where.get(t) ?? { index: 0, call: 0 };
    // A model input listed as an output (Keras allows it) is passed through an Identity: ONNX names are unique, so
    // it cannot keep the input's name.
    const passed = model.inputs.includes(t);
    const ofCall = call > 0 ? `_call${call}` : '';
    return {
      name: `${t.sourceLayer.name}${passed ? '_output' : ''}${ofCall}${index > 0 ? `_${index}` : ''}`,
      own: !passed && call === 0 && index === 0,
      fallback: `${t.sourceLayer.name}${ofCall}_output${index}`,
    };
  });
  const names: (string | null)[] = asked.map(() => null);
  // Layer names are unique, so the outputs named after their layer alone never clash with each other.
  for (const own of [true, false]) asked.forEach((a, k) => { if (a.own === own && g.reserve(a.name)) names[k] = a.name; });
  // A fallback is no layer's name either (a hidden Dense 'gru_output1'), or a reader would take it for that layer's.
  const layerNames = new Set([...model.nodes.map((n) => n.layer.name), ...model.inputs.map((t) => t.sourceLayer.name)]);
  const fresh = (prefix: string): string => {
    let name = prefix, i = 1;
    while (layerNames.has(name) || !g.reserve(name)) name = `${prefix}_${i++}`;
    return name;
  };
  return names.map((n, k) => n ?? fresh(asked[k].fallback));
}

const dims = (shape: (number | null)[], prefix: string): (number | string)[] => shape.map((d, i) => d ?? (i === 0 ? 'batch' : `${prefix}_dim_${i}`));

/** The ONNX model's bytes for a functional model; exportLayer runs one single-input layer. */
export function functionalToOnnx(model: ExportableGraph, exportLayer: LayerExporter): Uint8Array {
  const g = new GraphBuilder();
  const flows = new Map<GraphTensor, Flow>();
  const intInputs: IntTensors = new Map();
  const inputs: ValueInfo[] = model.inputs.map((t) => {
    const elemType: ElemType = t.dtype === 'int32' ? 'int32' : 'float32';
    const name = g.name(t.sourceLayer.name);
    flows.set(t, { x: name, rank: t.shape.length, mask: null });
    if (elemType === 'int32') {
      intInputs.set(t, '');
      g.markInt32(name);
    }
    return { name, elemType, shape: dims(t.shape, name) };
  });
  const wanted = outputNames(g, model);
  walk(g, model, flows, intInputs, exportLayer);
  const outputs: ValueInfo[] = model.outputs.map((t, k) => {
    const name = wanted[k];
    g.nodeTo('Identity', [flows.get(t)!.x], name);
    // Only an int32 input passed through as it is comes out as int32; every layer gives float32.
    return { name, elemType: g.isInt32(flows.get(t)!.x) ? 'int32' : 'float32', shape: dims(t.shape, name) };
  });
  if (outputs.length === 0) throw new OnnxExportError(`ONNX export: model '${model.name}' has no outputs`);
  return g.toBytes(inputs, outputs, model.name,
    `rnnlab functional model '${model.name}': ${model.nodes.map((n) => n.layer.className).join(', ')}`);
}
