/**
 * The members tfjs's LayersModel has as a Layer: inboundNodes and outboundNodes, getInputAt/getOutputAt,
 * computeOutputShape, call and computeMask. rnnlab's models are not Layers (src/models/nested.ts), so they are
 * answered from the model's own graph and from the layer that stands in for it in outer graphs.
 */
import type { Layer, Node, SymbolicShape, SymbolicTensor } from '../layers/layer.js';
import { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { checkOptionKeys } from '../near_name.js';
import { maskBytes } from '../layers/call_kwargs.js';

/**
 * tfjs's first inbound node of a model: its own inputs to its own outputs (inputTensors, outputTensors), no inbound
 * layers. It takes nothing from a graph (inputs is empty, so no graph walk follows it) and is registered on no layer's
 * outboundNodes; a model called inside another counts it as its node 0, so its calls there are nodes 1, 2, ...
 */
class OwnNode {
  readonly inputs: SymbolicTensor[] = [];
  readonly inputCount = 0;
  readonly args = {};
  readonly index = 0;
  readonly outputs: SymbolicTensor[];
  constructor(readonly layer: Layer, private readonly modelInputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[]) {
    this.outputs = [...outputs];
  }

  get outboundLayer(): Layer { return this.layer; }
  get inboundLayers(): Layer[] { return []; }
  get nodeIndices(): number[] { return []; }
  get tensorIndices(): number[] { return []; }
  get inputTensors(): SymbolicTensor[] { return [...this.modelInputs]; }
  get outputTensors(): SymbolicTensor[] { return [...this.outputs]; }
  get inputShapes(): SymbolicShape[] { return this.modelInputs.map((t) => [...t.shape]); }
  get outputShapes(): SymbolicShape[] { return this.outputs.map((t) => [...t.shape]); }
  get callArgs(): Record<string, never> { return {}; }
}

const ownNodes = new WeakMap<object, OwnNode>();

/** The model's own node, made once per graph (a Sequential's changes with add and pop). */
export function ownNode(model: object, inputs: SymbolicTensor[], outputs: SymbolicTensor[]): Node {
  const known = ownNodes.get(model);
  const same = (a: readonly SymbolicTensor[], b: readonly SymbolicTensor[]) => a.length === b.length && a.every((t, i) => t === b[i]);
  if (known && same(known.inputTensors, inputs) && same(known.outputs, outputs)) return known as unknown as Node;
  const node = new OwnNode(model as Layer, inputs, outputs);
  ownNodes.set(model, node);
  return node as unknown as Node;
}

/** tfjs's getInputAt / getOutputAt on a model: the tensor, or the list when the call has several. */
export function tensorsAt(nodes: readonly Node[], nodeIndex: unknown, side: 'inputs' | 'outputs', where: string): SymbolicTensor | SymbolicTensor[] {
  const node = typeof nodeIndex === 'number' && Number.isInteger(nodeIndex) ? nodes[nodeIndex] : undefined;
  if (!node) {
    throw new Error(`${where}: no call ${typeof nodeIndex === 'number' ? nodeIndex : describe(nodeIndex)}; the model has ${nodes.length} inbound node(s) (0: its own graph, then each call of it in another model)`);
  }
  const ts = side === 'inputs' ? node.inputTensors : node.outputTensors;
  return ts.length === 1 ? ts[0] : ts;
}

/** computeOutputShape's argument as one shape per input (tfjs takes a shape, or a list of shapes). */
export function inputShapeList(inputShape: unknown, inputs: readonly SymbolicTensor[], where: string): SymbolicShape[] {
  if (!Array.isArray(inputShape)) throw new Error(`${where}: inputShape must be a shape like [null, 10] or a list of shapes, got ${describe(inputShape)}`);
  const list = (inputShape.length > 0 && inputShape.every((s) => Array.isArray(s)) ? inputShape : [inputShape]) as unknown[][];
  if (list.length !== inputs.length) throw new Error(`${where}: the model has ${inputs.length} input(s), but ${list.length} shape(s) were given`);
  list.forEach((s, i) => {
    const want = inputs[i].shape;
    if (!s.every((d) => d === null || (Number.isInteger(d) && (d as number) >= 0))) throw new Error(`${where}: shape ${JSON.stringify(s)} must hold non-negative integers or null`);
    if (s.length !== want.length || want.some((d, k) => k > 0 && d !== null && s[k] !== null && s[k] !== d)) {
      throw new Error(`${where}: input ${i} expects shape [${want.map(String).join(', ')}], got [${s.map(String).join(', ')}]`);
    }
  });
  return list as SymbolicShape[];
}

/**
 * call's inputs and kwargs checked as tfjs's Container.call takes them: tensors (one per model input) and
 * {training, mask}; the mask as inputMasks reads it.
 */
export function callArgs(inputs: unknown, kwargs: unknown, count: number, where: string): { xs: Tensor[]; training?: boolean; masks: (Uint8Array | null)[] } {
  const xs = callInputs(inputs, count, where);
  const kw = checkOptionKeys(where, kwargs, ['training', 'mask'], { nullIsNone: true });
  if (kw.training !== undefined && kw.training !== null && typeof kw.training !== 'boolean') throw new Error(`${where}: training must be true or false, got ${describe(kw.training)}`);
  return { xs, ...(typeof kw.training === 'boolean' ? { training: kw.training } : {}), masks: inputMasks(kw.mask, xs, where) };
}

/** call's and computeMask's inputs: one tensor per model input. */
export function callInputs(inputs: unknown, count: number, where: string): Tensor[] {
  const xs = Array.isArray(inputs) ? inputs : [inputs];
  xs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new Error(`${where}: inputs${Array.isArray(inputs) ? `[${i}]` : ''} must be a Tensor, got ${describe(x)}; on symbolic tensors use apply()`);
  });
  if (xs.length !== count) throw new Error(`${where}: the model has ${count} input(s), but ${xs.length} tensor(s) were given`);
  return xs as Tensor[];
}

/**
 * The padding mask each input carries into the graph, as Keras 3's Functional.call(inputs, mask) sets it on its
 * inputs and tfjs's computeMask(inputs, mask) feeds it to runInternalGraph: a bool tensor [batch, steps] (any
 * nonzero is kept), or a list of one per input (null for none). The layers reading an input get its mask, and
 * pass it on by their own rules (an Embedding with maskZero or a Masking layer makes its own).
 */
export function inputMasks(mask: unknown, xs: readonly Tensor[], where: string): (Uint8Array | null)[] {
  if (mask === null || mask === undefined) return xs.map(() => null);
  const list = Array.isArray(mask) ? mask : [mask];
  if (list.length !== xs.length) {
    throw new Error(`${where}: mask ${Array.isArray(mask) ? `is a list of ${list.length}` : 'is one tensor'} for ${xs.length} input(s); give a list of one mask per input (null for none)`);
  }
  return list.map((m, i) => maskBytes(Array.isArray(mask) ? `${where} (mask[${i}])` : where, m as Tensor | null, xs[i]));
}

/** A padding mask's bytes as tfjs's bool tensor [batch, steps] (computeMask's answer). */
export function maskOf(m: Uint8Array | null, shape: readonly number[]): Tensor | null {
  return m && shape.length >= 2 ? new Tensor(Int32Array.from(m), [shape[0], shape[1]], 'bool') : null;
}
