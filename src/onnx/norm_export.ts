/**
 * BatchNormalization (inference: the moving statistics) and LayerNormalization as ONNX. Batch normalization is one
 * Sub, Mul and Add per channel, broadcast along the layer's axis, so any axis works without transposes;
 * layer normalization is opset 17's own LayerNormalization over the trailing axes (others moved there).
 */
import type { GraphBuilder } from './graph.js';
import { refuse, type Flow, type LayerView } from './layer_view.js';

/** gamma, beta (when scale and center ask for them), then what follows, in Keras's weight order. */
function affine(view: LayerView): { gamma: Float32Array | null; beta: Float32Array | null; rest: Float32Array[] } {
  const w = [...view.weights];
  const gamma = view.config.scale !== false ? w.shift()! : null;
  const beta = view.config.center !== false ? w.shift()! : null;
  return { gamma, beta, rest: w };
}

/** The single axis, resolved against the rank; the batch axis and axes past the rank are refused. */
function resolvedAxis(view: LayerView, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a <= 0 || a >= rank) refuse(view, `axis ${axis} is out of range for input of rank ${rank}`);
  return a;
}

/**
 * y = (x - moving_mean) * s + beta, s = gamma / sqrt(moving_variance + epsilon) (computed in doubles): Sub, Mul, Add,
 * the order rnnlab's predict computes in. Folding the mean into the shift (x * s + (beta - mean * s)) cancels two
 * large float32 values where the mean is large against the spread (mean 2000, variance 0.01: errors of 1e-3); ONNX's
 * own BatchNormalization op is not used, as ONNX Runtime computes it in that folded form.
 */
export function batchNormalization(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  const { gamma, beta, rest: [mean, variance] } = affine(view);
  const raw = view.config.axis;
  const axis = resolvedAxis(view, Array.isArray(raw) ? raw[0] as number : raw as number ?? -1, flow.rank);
  const C = mean.length, s = new Float32Array(C);
  for (let c = 0; c < C; c++) s[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + (view.config.epsilon as number));
  // [C, 1, ..., 1]: one per axis after the channel axis, so the constants broadcast along it.
  const dims = [C, ...Array<number>(flow.rank - 1 - axis).fill(1)];
  const centered = g.node('Sub', [flow.x, g.floats(`${view.name}/moving_mean`, mean, dims)], {}, `${view.name}/Sub`);
  const y = g.node('Mul', [centered, g.floats(`${view.name}/scale`, s, dims)], {}, `${view.name}/Mul`);
  return { ...flow, x: g.node('Add', [y, g.floats(`${view.name}/beta`, beta ?? new Float32Array(C), dims)], {}, `${view.name}/Add`) };
}

/**
 * ONNX LayerNormalization normalizes axis..rank-1. rnnlab (as Keras and tfjs) normalizes over any set of axes and reads
 * gamma's and beta's values in the axes' ascending order, whatever order the list gives (it only sets their
 * shape); other axes than the trailing ones are moved last around the node (Transpose, and back), as rnnlab does.
 */
export function layerNormalization(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  const raw = view.config.axis;
  const listed = (Array.isArray(raw) ? raw as number[] : [raw as number ?? -1]).map((a) => resolvedAxis(view, a, flow.rank));
  if (new Set(listed).size !== listed.length) refuse(view, `axis ${JSON.stringify(raw)} repeats an axis`);
  const normalized = [...listed].sort((a, b) => a - b);
  const axis = flow.rank - normalized.length;
  const p = view.name;
  const kept = Array.from({ length: flow.rank }, (_, i) => i).filter((a) => !normalized.includes(a));
  const perm = normalized.every((a, i) => a === axis + i) ? null : [...kept, ...normalized];
  const x = perm ? g.node('Transpose', [flow.x], { perm }, `${p}/axes_last`) : flow.x;
  const { gamma, beta } = affine(view);
  let shape = '';
  const normalizedShape = () => shape ||= g.node('Slice', [g.node('Shape', [x], {}, `${p}/shape`), g.ints([axis]), g.ints([flow.rank])], {}, `${p}/normalized_shape`);
  // gamma and beta are stored flat; ONNX wants them in the normalized axes' shape when there are several.
  const param = (w: Float32Array, key: string) => {
    const flat = g.floats(`${p}/${key}`, w, [w.length]);
    return normalized.length === 1 ? flat : g.node('Reshape', [flat, normalizedShape()], {}, `${p}/${key}_shaped`);
  };
  // Scale is a required input: ones of the normalized shape when the layer learns none.
  const inputs = [x, gamma ? param(gamma, 'gamma') : g.node('Expand', [g.scalar(1), normalizedShape()], {}, `${p}/ones`)];
  if (beta) inputs.push(param(beta, 'beta'));
  const y = g.node('LayerNormalization', inputs, { axis, epsilon: { float: view.config.epsilon as number } }, `${p}/LayerNormalization`);
  return { ...flow, x: perm ? g.node('Transpose', [y], { perm: perm.map((_, i) => perm.indexOf(i)) }, `${p}/axes_back`) : y };
}
