/**
 * The layers that work along the time axis of (batch, steps, channels) as ONNX operators: windowed and global
 * pooling, UpSampling1D, ZeroPadding1D and Cropping1D. Windowed ops run channels-first in ONNX ([B, C, T]).
 */
import type { AttrValue, GraphBuilder } from './graph.js';
import { refuse, type Flow, type LayerView } from './layer_view.js';

/** Keras writes kernel_size, pool_size and strides as one-element lists. */
export const first = (v: unknown): number => (Array.isArray(v) ? (v[0] as number) : (v as number));

// Keras 'same' puts the odd padding step at the end: ONNX SAME_UPPER.
export const autoPad = (padding: unknown) => (padding === 'same' ? 'SAME_UPPER' : 'VALID');

function expectSteps(view: LayerView, flow: Flow): void {
  if (flow.rank !== 3) refuse(view, `expects input (batch, steps, channels), got rank ${flow.rank}`);
}

/** [B, T, C] -> [B, C, T], body, and back; the padding mask ends here (the steps it marked have moved). */
export function channelsFirst(g: GraphBuilder, view: LayerView, flow: Flow, body: (x: string) => string): Flow {
  expectSteps(view, flow);
  const x = g.node('Transpose', [flow.x], { perm: [0, 2, 1] }, `${view.name}/channels_first`);
  return { x: g.node('Transpose', [body(x)], { perm: [0, 2, 1] }, `${view.name}/channels_last`), rank: 3, mask: null };
}

/**
 * Keras's 'same' padding for a window of `size` steps moving by `stride` > size: max((ceil(T/s) - 1)·s + k - T, 0)
 * split with the odd step last depends on T, and ONNX Runtime does not clamp SAME_UPPER's formula at 0 there (it
 * pads negatively and shifts every window). So the pads are computed in the graph ([B, C, T] data, Pad's layout) and
 * the window then slides 'valid' over the padded steps. Returns the pads and T.
 */
export function wideSamePads(g: GraphBuilder, p: string, x: string, size: number, stride: number): { pads: string; T: string } {
  const T = g.node('Gather', [g.node('Shape', [x], {}, `${p}_shape`), g.ints([2])], { axis: 0 }, `${p}_steps`);
  const windows = g.node('Div', [g.node('Add', [T, g.ints([stride - 1])], {}, `${p}_steps_up`), g.ints([stride])], {}, `${p}_windows`);
  const need = g.node('Sub', [g.node('Add', [g.node('Mul', [windows, g.ints([stride])], {}, `${p}_span`), g.ints([size - stride])], {}, `${p}_covered`), T], {}, `${p}_need`);
  const pad = g.node('Max', [need, g.ints([0])], {}, `${p}_pad`);
  const left = g.node('Div', [pad, g.ints([2])], {}, `${p}_pad_left`);
  const right = g.node('Sub', [pad, left], {}, `${p}_pad_right`);
  return { pads: g.node('Concat', [g.ints([0, 0]), left, g.ints([0, 0]), right], { axis: 0 }, `${p}_pads`), T };
}

/** wideSamePads' pooling: a max over -inf padding, an average as (window sum of x) / (window count of real steps), both as AveragePool of the padded data so k cancels. */
function wideSamePool(g: GraphBuilder, view: LayerView, op: 'MaxPool' | 'AveragePool', x: string, size: number, stride: number): string {
  const p = `${view.name}/${op}`;
  const { pads, T } = wideSamePads(g, p, x, size, stride);
  const attrs = { kernel_shape: [size], strides: [stride], auto_pad: 'VALID' };
  if (op === 'MaxPool') return g.node('MaxPool', [g.node('Pad', [x, pads, g.scalar(-Infinity)], {}, `${p}_padded`)], attrs, p);
  const sum = g.node('AveragePool', [g.node('Pad', [x, pads], {}, `${p}_padded`)], attrs, `${p}_sum`);
  const ones = g.node('Expand', [g.scalar(1), g.node('Concat', [g.ints([1, 1]), T], { axis: 0 }, `${p}_ones_shape`)], {}, `${p}_ones`);
  const count = g.node('AveragePool', [g.node('Pad', [ones, pads], {}, `${p}_ones_padded`)], attrs, `${p}_count`);
  return g.node('Div', [sum, count], {}, p);
}

function pooling(op: 'MaxPool' | 'AveragePool') {
  return (g: GraphBuilder, view: LayerView, flow: Flow): Flow => {
    const size = first(view.config.poolSize);
    const stride = first(view.config.strides ?? size);
    if (view.config.padding === 'same' && stride > size) return channelsFirst(g, view, flow, (x) => wideSamePool(g, view, op, x, size, stride));
    // Keras averages a 'same' window over its real steps only: count_include_pad 0 (the default, said outright).
    const extra: Record<string, AttrValue> = op === 'AveragePool' ? { count_include_pad: 0 } : {};
    return channelsFirst(g, view, flow, (x) => g.node(op, [x],
      { kernel_shape: [size], strides: [stride], auto_pad: autoPad(view.config.padding), ...extra }, `${view.name}/${op}`));
  };
}

export const maxPooling1d = pooling('MaxPool');
export const averagePooling1d = pooling('AveragePool');

/** Over all steps; keepdims keeps the time axis as 1. Like Keras, the max ignores a padding mask. */
export function globalMaxPooling1d(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  expectSteps(view, flow);
  const keep = view.config.keepdims === true;
  return { x: g.node('ReduceMax', [flow.x], { axes: [1], keepdims: keep ? 1 : 0 }, `${view.name}/ReduceMax`), rank: keep ? 3 : 2, mask: null };
}

/** The mean over the steps; under a padding mask, over the real steps only (zero for a row with none), as rnnlab and Keras. */
export function globalAveragePooling1d(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  expectSteps(view, flow);
  const keep = view.config.keepdims === true ? 1 : 0;
  const p = view.name;
  if (!flow.mask) return { x: g.node('ReduceMean', [flow.x], { axes: [1], keepdims: keep }, `${p}/ReduceMean`), rank: keep ? 3 : 2, mask: null };
  const m = g.node('Unsqueeze', [flow.mask.m, g.ints([2])], {}, `${p}/mask_steps`);
  const sum = g.node('ReduceSum', [g.node('Mul', [flow.x, m], {}, `${p}/masked`), g.ints([1])], { keepdims: keep }, `${p}/sum`);
  const count = g.node('ReduceSum', [m, g.ints([1])], { keepdims: keep }, `${p}/count`);
  const x = g.node('Div', [sum, g.node('Max', [count, g.scalar(1)], {}, `${p}/count_at_least_1`)], {}, `${p}/mean`);
  return { x, rank: keep ? 3 : 2, mask: null };
}

/** Each step repeated size times: nearest-neighbour Resize along time (step t of the output reads floor(t / size)). */
export function upSampling1d(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  expectSteps(view, flow);
  const scales = g.floats(`${view.name}/scales`, [1, view.config.size as number, 1], [3]);
  const x = g.node('Resize', [flow.x, '', scales],
    { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }, `${view.name}/Resize`);
  return { x, rank: 3, mask: null };
}

const edges = (view: LayerView, key: string): [number, number] => {
  const v = view.config[key];
  return Array.isArray(v) ? [v[0] as number, v[1] as number] : [v as number, v as number];
};

export function zeroPadding1d(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  expectSteps(view, flow);
  const [left, right] = edges(view, 'padding');
  return { x: g.node('Pad', [flow.x, g.ints([0, left, 0, 0, right, 0])], {}, `${view.name}/Pad`), rank: 3, mask: null };
}

// Slice clamps an end past the axis to its size; 2^62 is exact in a double and in int64.
const TO_END = 2 ** 62;

export function cropping1d(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  expectSteps(view, flow);
  const [left, right] = edges(view, 'cropping');
  const x = g.node('Slice', [flow.x, g.ints([left]), g.ints([right === 0 ? TO_END : -right]), g.ints([1])], {}, `${view.name}/Slice`);
  return { x, rank: 3, mask: null };
}

