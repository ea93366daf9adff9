/**
 * The graph side of ONNX import: constants and producers by tensor name, the single input and output, the data path
 * from input to output, and the questions the layer reader asks about the rest of the graph.
 */
import type { OnnxNamespace } from './proto.js';
import { attrInt, attrInts, attrString, attrsOf, num, tensorValues, type ConstTensor } from './read.js';
import { OnnxImportError } from './import_error.js';
import { checkAttributes } from './import_attributes.js';

export type Node = OnnxNamespace.INodeProto;

/** One rnnlab layer to make from the graph: its class, constructor arguments and Keras-layout weights. */
export interface Spec {
  className: string; args: Record<string, unknown>; weights: Float32Array[]; wrapTime?: boolean;
  /** A Flatten read from a Reshape to [..., width]: the width each row must have for the Reshape to be that Flatten. */
  width?: number;
  /**
   * A Rescaling read from rnnlab's own file, a Mul and Add by [1]-shaped constants named as exportOnnx names a
   * BatchNormalization's: that layer of one feature when the data has one feature (its x * s + t folded per feature),
   * which the layers' sizes tell once built.
   */
  oneFeatureNorm?: boolean;
  /** A oneFeatureNorm read from (x - mean) * scale + shift: its mean and shift, kept apart when it becomes that layer. */
  centered?: { mean: number; shift: number };
}

export interface Graph {
  source: string;
  /** The file's producer_name ('rnnlab' for exportOnnx's files; '' when absent). */
  producerName: string;
  producer: Map<string, Node>;
  consts: Map<string, ConstTensor>;
  /** elemType: ONNX's data type code (1 float, 6 int32, 7 int64, ...). */
  input: { name: string; dims: (number | null)[]; elemType: number };
  output: string;
  nodes: Node[];
  /** The default domain's opset: some operators (Softmax, Squeeze, Unsqueeze) changed meaning or form at 13. */
  opset: number;
}

export function readGraph(model: OnnxNamespace.ModelProto, source: string): Graph {
  const graph = model.graph;
  if (!graph) throw new OnnxImportError(`${source}: the model has no graph`);
  const consts = new Map<string, ConstTensor>();
  for (const t of graph.initializer ?? []) consts.set(t.name ?? '', tensorValues(t, source));
  const producer = new Map<string, Node>();
  for (const n of graph.node ?? []) {
    if (n.domain) throw new OnnxImportError(`${source}: node '${n.name ?? ''}' uses operator domain '${n.domain}'; only the default ONNX domain is imported`);
    if (n.opType === 'Constant') {
      const t = attrsOf(n).get('value')?.t;
      if (!t) throw new OnnxImportError(`${source}: Constant node '${n.name ?? ''}' has no tensor 'value' (only tensor constants are imported)`);
      consts.set(n.output?.[0] ?? '', tensorValues(t, source));
      continue;
    }
    // PyTorch writes a parameter equal to another (zero biases, fresh norm weights and statistics) as an Identity of it.
    const same = n.opType === 'Identity' ? consts.get(n.input?.[0] ?? '') : undefined;
    if (same) {
      consts.set(n.output?.[0] ?? '', same);
      continue;
    }
    for (const o of n.output ?? []) producer.set(o, n);
  }
  const inputs = (graph.input ?? []).filter((i) => !consts.has(i.name ?? ''));
  if (inputs.length !== 1 || (graph.output ?? []).length !== 1) {
    const names = (list: { name?: string | null }[]) => list.map((v) => `'${v.name ?? ''}'`).join(', ');
    throw new OnnxImportError(`${source}: a Sequential needs exactly one input and one output; the graph has ${inputs.length} input(s) (${names(inputs)}) and ${(graph.output ?? []).length} output(s) (${names(graph.output ?? [])})`);
  }
  pickStackedStates(graph.node ?? [], producer, consts);
  const dims = (inputs[0].type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null && num(d.dimValue) > 0 ? num(d.dimValue) : null));
  const opsetEntry = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!opsetEntry) throw new OnnxImportError(`${source}: the model declares no opset of the default ONNX domain, so its operators' versions are unknown`);
  const opset = num(opsetEntry.version);
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new OnnxImportError(`${source}: opset ${opset} is not imported (opsets ${MIN_OPSET} to ${MAX_OPSET} are: the operators read here mean the same across them)`);
  }
  for (const n of graph.node ?? []) {
    const since = OP_SINCE[n.opType ?? ''];
    if (since !== undefined && opset < since) throw new OnnxImportError(`${source}: node '${n.name ?? ''}' (${n.opType}): ${n.opType} exists from opset ${since}, but the model declares opset ${opset}`);
    checkAttributes(n, opset, source);
  }
  // A name no node, initializer or input provides: most often an initializer left out of the file.
  for (const n of graph.node ?? []) {
    for (const i of n.input ?? []) {
      if (i !== '' && !consts.has(i) && !producer.has(i) && i !== inputs[0].name) {
        throw new OnnxImportError(`${source}: node '${n.name ?? ''}' (${n.opType}) reads '${i}', which is neither an initializer, a node's output nor the graph input (a missing initializer?)`);
      }
    }
  }
  return { source, producerName: model.producerName ?? '', producer, consts, input: { name: inputs[0].name ?? '', dims, elemType: inputs[0].type?.tensorType?.elemType ?? 0 }, output: graph.output![0].name ?? '', nodes: graph.node ?? [], opset };
}

/**
 * The default-domain opsets read: from 9 (before it BatchNormalization's `spatial` could normalize per element, which
 * is not read) to 18 (Reduce* axes as an input from 18 are read; later opsets are not checked against the reader).
 */
export const MIN_OPSET = 9;
export const MAX_OPSET = 18;
/** Operators read here (or in the exporter's plumbing) that are younger than MIN_OPSET: the opset they exist from. */
const OP_SINCE: Record<string, number> = { Mod: 10, GatherElements: 11, CumSum: 11, Range: 11, LayerNormalization: 17, HardSwish: 14 };

const RECURRENT = new Set(['LSTM', 'GRU', 'RNN']);
const directionsOf = (rnn: Node) => (attrString(attrsOf(rnn), 'direction', 'forward') === 'bidirectional' ? 2 : 1);

/**
 * PyTorch's h_n of a stacked (num_layers > 1) RNN is a Concat (axis 0) of every layer node's Y_h, and a user's
 * h_n[-1] a Gather of one row of it. Such a Gather is pointed at the one layer's Y_h it reads, with the row
 * counted within that layer (so h_n[-1] follows the data path through every layer, and a direction index means
 * the same as on a one-layer node).
 */
function pickStackedStates(nodes: Node[], producer: Map<string, Node>, consts: Map<string, ConstTensor>): void {
  for (const n of nodes) {
    const concat = producer.get(n.input?.[0] ?? '');
    const index = consts.get(n.input?.[1] ?? '');
    if (n.opType !== 'Gather' || attrInt(attrsOf(n), 'axis', 0) !== 0 || concat?.opType !== 'Concat' || attrInt(attrsOf(concat), 'axis', 0) !== 0
      || !index || index.dims.length !== 0) continue;
    const parts = (concat.input ?? []).map((t) => ({ t, rnn: producer.get(t) }));
    if (parts.some(({ t, rnn }) => !rnn || !RECURRENT.has(rnn.opType ?? '') || ![1, 2].includes((rnn.output ?? []).indexOf(t)))) continue;
    const rows = parts.map(({ rnn }) => directionsOf(rnn!));
    const total = rows.reduce((a, b) => a + b, 0);
    let row = index.values[0] < 0 ? index.values[0] + total : index.values[0];
    if (row < 0 || row >= total) continue;
    let j = 0;
    while (row >= rows[j]) row -= rows[j++];
    const local = `${n.output?.[0] ?? ''}::row_in_layer`;
    consts.set(local, { dims: [], values: [row] });
    n.input = [parts[j].t, local];
  }
}

/** The nodes from the input to the output along the data path, each with the output it passes on. */
export function dataPath(g: Graph): { node: Node; out: string }[] {
  const chain: { node: Node; out: string }[] = [];
  for (let cur = g.output; cur !== g.input.name;) {
    const node = g.producer.get(cur);
    if (!node) throw new OnnxImportError(`${g.source}: tensor '${cur}' on the way to the output comes from neither a node nor the input`);
    if (chain.length > g.nodes.length) throw new OnnxImportError(`${g.source}: the graph has a cycle`);
    chain.push({ node, out: cur });
    const ins = (node.input ?? []).filter((n) => n !== '' && !g.consts.has(n));
    cur = node.opType === 'Gather' && g.consts.has(node.input?.[0] ?? '') ? node.input![1] : ins[0];
    if (cur === undefined) throw new OnnxImportError(`${g.source}: node '${node.name ?? ''}' (${node.opType}) on the way to the output does not depend on the input`);
  }
  return chain.reverse();
}

export function dependsOn(g: Graph, tensor: string, target: Node, seen = new Set<string>()): boolean {
  if (seen.has(tensor)) return false;
  seen.add(tensor);
  const node = g.producer.get(tensor);
  if (!node) return false;
  return node === target || (node.input ?? []).some((i) => i !== '' && dependsOn(g, i, target, seen));
}

/** Is the tensor computed from the graph input (not a constant)? */
export function dependsOnInput(g: Graph, tensor: string, seen = new Set<string>()): boolean {
  if (tensor === g.input.name) return true;
  if (seen.has(tensor)) return false;
  seen.add(tensor);
  const node = g.producer.get(tensor);
  return Boolean(node) && (node!.input ?? []).some((i) => i !== '' && dependsOnInput(g, i, seen));
}

/**
 * Which direction (0 forward, 1 backward) of recurrent node rnn a tensor carries: the scalar index of the first
 * Gather above it, which must pick a row of rnn's own Y_h (axis 0) or a direction of its own Y made batch-major
 * (Transpose 2,0,1,3, axis 2). A Gather of anything else, even a tensor computed from rnn (a stacked h_n[-1] reads
 * the next layer's Y_h), is null: taking it for a direction of rnn would import another layer's state as rnn's.
 */
export function directionOf(g: Graph, tensor: string, rnn: Node): number | null {
  for (let t = tensor, hops = 0; hops < 64; hops++) {
    const n = g.producer.get(t);
    if (!n || n === rnn) return null;
    const idx = g.consts.get(n.input?.[1] ?? '');
    if (n.opType === 'Gather' && idx && idx.dims.length === 0) {
      if (!readsOwnDirections(g, n, rnn)) return null;
      // A negative index counts from the last direction (PyTorch's h_n[-2], h_n[-1]).
      const d = idx.values[0] < 0 ? idx.values[0] + directionsOf(rnn) : idx.values[0];
      return d >= 0 && d < directionsOf(rnn) ? d : null;
    }
    t = n.input?.[0] ?? '';
  }
  return null;
}

/** Does this Gather read rnn's own Y_h along the directions (axis 0), or its own Y transposed batch-major along them (axis 2)? */
function readsOwnDirections(g: Graph, gather: Node, rnn: Node): boolean {
  const data = gather.input?.[0] ?? '', axis = attrInt(attrsOf(gather), 'axis', 0);
  if (axis === 0) return (rnn.output ?? []).indexOf(data) === 1;
  const transpose = g.producer.get(data);
  return axis === 2 && transpose?.opType === 'Transpose' && attrInts(attrsOf(transpose), 'perm')?.join() === '2,0,1,3'
    && (rnn.output ?? []).indexOf(transpose.input?.[0] ?? '') === 0;
}

/** Does the graph compute a padding mask "token id != 0" from its input, as exportOnnx writes for maskZero? */
export function hasPaddingMask(g: Graph): boolean {
  const fromInput = (t: string): boolean => t === g.input.name || (g.producer.get(t)?.opType === 'Cast' && fromInput(g.producer.get(t)!.input![0]));
  return g.nodes.some((n) => n.opType === 'Equal' && (n.input ?? []).some(fromInput)
    && (n.input ?? []).some((i) => g.consts.has(i) && Array.from(g.consts.get(i)!.values).every((v) => v === 0)));
}
