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

function pooling(op: 'MaxPool' | 'AveragePool') {
  return (g: GraphBuilder, view: LayerView, flow: Flow): Flow => {
    const size = first(view.config.poolSize);
    // Keras averages a 'same' window over its real steps only: count_include_pad 0 (the default, said outright).
    const extra: Record<string, AttrValue> = op === 'AveragePool' ? { count_include_pad: 0 } : {};
    return channelsFirst(g, view, flow, (x) => g.node(op, [x],
      { kernel_shape: [size], strides: [first(view.config.strides ?? size)], auto_pad: autoPad(view.config.padding), ...extra }, `${view.name}/${op}`));
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

