/**
 * BatchNormalization (inference: the moving statistics) and LayerNormalization as ONNX. Batch normalization folds
 * into one Mul and one Add per channel, broadcast along the layer's axis, so any axis works without transposes;
 * layer normalization is opset 17's own LayerNormalization over the trailing axes.
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

/** y = x * s + t, s = gamma / sqrt(moving_variance + epsilon), t = beta - moving_mean * s (computed in doubles). */
export function batchNormalization(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  const { gamma, beta, rest: [mean, variance] } = affine(view);
  const raw = view.config.axis;
  const axis = resolvedAxis(view, Array.isArray(raw) ? raw[0] as number : raw as number ?? -1, flow.rank);
  const C = mean.length, s = new Float32Array(C), t = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const sc = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + (view.config.epsilon as number));
    s[c] = sc;
    t[c] = (beta ? beta[c] : 0) - mean[c] * sc;
  }
  // [C, 1, ..., 1]: one per axis after the channel axis, so the constants broadcast along it.
  const dims = [C, ...Array<number>(flow.rank - 1 - axis).fill(1)];
  const y = g.node('Mul', [flow.x, g.floats(`${view.name}/scale`, s, dims)], {}, `${view.name}/Mul`);
  return { ...flow, x: g.node('Add', [y, g.floats(`${view.name}/shift`, t, dims)], {}, `${view.name}/Add`) };
}

/** ONNX LayerNormalization normalizes axis..rank-1: only a layer whose axes are the trailing ones exports (others are refused). */
export function layerNormalization(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  const raw = view.config.axis;
  const axes = (Array.isArray(raw) ? raw as number[] : [raw as number ?? -1]).map((a) => resolvedAxis(view, a, flow.rank));
  const axis = Math.min(...axes);
  if (new Set(axes).size !== flow.rank - axis) refuse(view, `axis ${JSON.stringify(raw)} is not a set of trailing axes`);
  // gamma and beta are laid out in the order the axes are listed: only ascending lists match ONNX's layout.
  if (axes.some((a, i) => i > 0 && a < axes[i - 1])) refuse(view, `axis ${JSON.stringify(raw)} is not in ascending order`);
  const { gamma, beta } = affine(view);
  const p = view.name;
  let shape = '';
  const normalizedShape = () => shape ||= g.node('Slice', [g.node('Shape', [flow.x], {}, `${p}/shape`), g.ints([axis]), g.ints([flow.rank])], {}, `${p}/normalized_shape`);
  // gamma and beta are stored flat; ONNX wants them in the normalized axes' shape when there are several.
  const param = (w: Float32Array, key: string) => {
    const flat = g.floats(`${p}/${key}`, w, [w.length]);
    return flow.rank - axis === 1 ? flat : g.node('Reshape', [flat, normalizedShape()], {}, `${p}/${key}_shaped`);
  };
  // Scale is a required input: ones of the normalized shape when the layer learns none.
  const inputs = [flow.x, gamma ? param(gamma, 'gamma') : g.node('Expand', [g.scalar(1), normalizedShape()], {}, `${p}/ones`)];
  if (beta) inputs.push(param(beta, 'beta'));
  const x = g.node('LayerNormalization', inputs, { axis, epsilon: { float: view.config.epsilon as number } }, `${p}/LayerNormalization`);
  return { ...flow, x };
}
