/**
 * The attributes each operator the importer reads has in ONNX at the opsets it reads (9 to 18). A node carrying
 * another one (a misspelling, or one its operator gains only at a later opset) would have it silently dropped by the
 * reader, while ONNX Runtime refuses such a model: it is refused here, naming it. Operators not listed are not read
 * by their attributes (or are refused elsewhere).
 */
import { OnnxImportError } from './import_error.js';
import type { OnnxNamespace } from './proto.js';

type Node = OnnxNamespace.INodeProto;

/** Per attribute: [first opset, last opset] where it exists (bounds omitted: the whole range read). */
type Span = [number?, number?];
const ANY: Span = [];

const RECURRENT_COMMON = { activation_alpha: ANY, activation_beta: ANY, activations: ANY, clip: ANY, direction: ANY, hidden_size: ANY, layout: [14] as Span };
const POOL_COMMON = { auto_pad: ANY, kernel_shape: ANY, pads: ANY, strides: ANY, ceil_mode: [10] as Span };
const REDUCE_18 = { axes: [undefined, 17] as Span, keepdims: ANY, noop_with_empty_axes: [18] as Span };
const NONE = {};

const ATTRIBUTES: Record<string, Record<string, Span>> = {
  LSTM: { ...RECURRENT_COMMON, input_forget: ANY },
  GRU: { ...RECURRENT_COMMON, linear_before_reset: ANY },
  RNN: RECURRENT_COMMON,
  Gemm: { alpha: ANY, beta: ANY, transA: ANY, transB: ANY },
  Conv: { auto_pad: ANY, dilations: ANY, group: ANY, kernel_shape: ANY, pads: ANY, strides: ANY },
  MaxPool: { ...POOL_COMMON, dilations: [10], storage_order: ANY },
  AveragePool: { ...POOL_COMMON, count_include_pad: ANY },
  ReduceMean: REDUCE_18,
  ReduceMax: REDUCE_18,
  ReduceSum: { axes: [undefined, 12], keepdims: ANY, noop_with_empty_axes: [13] },
  BatchNormalization: { epsilon: ANY, momentum: ANY, training_mode: [14] },
  LayerNormalization: { axis: ANY, epsilon: ANY, stash_type: ANY },
  LeakyRelu: { alpha: ANY },
  Elu: { alpha: ANY },
  Selu: { alpha: ANY, gamma: ANY },
  HardSigmoid: { alpha: ANY, beta: ANY },
  Softmax: { axis: ANY },
  LogSoftmax: { axis: ANY },
  Flatten: { axis: ANY },
  Gather: { axis: ANY },
  GatherElements: { axis: ANY },
  Transpose: { perm: ANY },
  Concat: { axis: ANY },
  Cast: { to: ANY },
  Dropout: { ratio: [undefined, 11], seed: [12] },
  Squeeze: { axes: [undefined, 12] },
  Unsqueeze: { axes: [undefined, 12] },
  Reshape: { allowzero: [14] },
  Clip: { min: [undefined, 10], max: [undefined, 10] },
  Mod: { fmod: ANY },
  Shape: { start: [15], end: [15] },
  CumSum: { exclusive: ANY, reverse: ANY },
  TopK: { axis: ANY, k: [undefined, 9], largest: [11], sorted: [11] },
  ConstantOfShape: { value: ANY },
  Slice: { starts: [undefined, 9], ends: [undefined, 9], axes: [undefined, 9] },
  Pad: { mode: ANY, pads: [undefined, 10], value: [undefined, 10] },
  MatMul: NONE, Add: NONE, Sub: NONE, Mul: NONE, Div: NONE, Relu: NONE, Sigmoid: NONE, Tanh: NONE, Softplus: NONE, Softsign: NONE,
  Identity: NONE, Tile: NONE, Expand: NONE, Not: NONE, Equal: NONE, Less: NONE, Floor: NONE, Where: NONE, Max: NONE, Min: NONE,
  HardSwish: NONE, Erf: NONE, Pow: NONE,
};

export function checkAttributes(node: Node, opset: number, source: string): void {
  const known = ATTRIBUTES[node.opType ?? ''];
  if (!known) return;
  for (const a of node.attribute ?? []) {
    const name = a.name ?? '';
    const span = Object.hasOwn(known, name) ? known[name] : null;
    if (span && opset >= (span[0] ?? 0) && opset <= (span[1] ?? Infinity)) continue;
    const why = span ? `exists only ${span[0] !== undefined ? `from opset ${span[0]}` : `up to opset ${span[1]}`}, and the model declares opset ${opset}` : `is not an attribute of ${node.opType}`;
    throw new OnnxImportError(`${source}: node '${node.name ?? ''}' (${node.opType}): attribute '${name}' ${why} (ONNX Runtime refuses such a node; nothing read from a file is dropped)`);
  }
}
