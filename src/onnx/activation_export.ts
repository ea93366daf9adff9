/**
 * ONNX nodes of the advanced-activation layers (ReLU, LeakyReLU, ELU, PReLU, ThresholdedReLU, Softmax, Rescaling,
 * ActivityRegularization), which work on any rank, so they sit in export.ts's POINTWISE table; and CategoryEncoding.
 */
import type { LayerExporter as Exporter } from './functional_export.js';
import type { GraphBuilder } from './graph.js';
import type { Flow, LayerView } from './layer_view.js';

const num = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback);

/**
 * The activations rnnlab computes without a native kernel (autograd/extra_activations.ts), as ONNX nodes on x; null
 * for a name not among them. gelu is the exact x·Φ(x) (opset 17 has Erf, not Gelu), gelu_new the tanh form.
 */
export function extraActivation(g: GraphBuilder, name: string, x: string, p: string): string | null {
  const mul = (a: string, b: string, k: string) => g.node('Mul', [a, b], {}, `${p}/${k}`);
  const c = (v: number) => g.scalar(v);
  switch (name) {
    case 'elu': return g.node('Elu', [x], { alpha: { float: 1 } }, `${p}/Elu`);
    // ONNX's Selu defaults are Keras's constants rounded to float32; said outright.
    case 'selu': return g.node('Selu', [x], { alpha: { float: 1.6732632423543772 }, gamma: { float: 1.0507009873554805 } }, `${p}/Selu`);
    case 'softplus': return g.node('Softplus', [x], {}, `${p}/Softplus`);
    case 'softsign': return g.node('Softsign', [x], {}, `${p}/Softsign`);
    case 'relu6': return g.node('Clip', [x, c(0), c(6)], {}, `${p}/Clip`);
    case 'swish': case 'silu': return mul(x, g.node('Sigmoid', [x], {}, `${p}/Sigmoid`), 'swish');
    case 'exponential': return g.node('Exp', [x], {}, `${p}/Exp`);
    case 'hard_silu': case 'hard_swish': return g.node('HardSwish', [x], {}, `${p}/HardSwish`);
    case 'leaky_relu': return g.node('LeakyRelu', [x], { alpha: { float: 0.2 } }, `${p}/LeakyRelu`);
    case 'log_sigmoid': return g.node('Neg', [g.node('Softplus', [g.node('Neg', [x], {}, `${p}/Neg`)], {}, `${p}/Softplus`)], {}, `${p}/log_sigmoid`);
    case 'celu': return g.node('Elu', [x], { alpha: { float: 1 } }, `${p}/Elu`);
    case 'mish': return mul(x, g.node('Tanh', [g.node('Softplus', [x], {}, `${p}/Softplus`)], {}, `${p}/Tanh`), 'mish');
    case 'gelu': {
      const erf = g.node('Erf', [mul(x, c(Math.SQRT1_2), 'scaled')], {}, `${p}/Erf`);
      return mul(mul(x, c(0.5), 'half'), g.node('Add', [erf, c(1)], {}, `${p}/one_plus`), 'gelu');
    }
    case 'gelu_new': {
      const cube = mul(mul(x, x, 'square'), x, 'cube');
      const inner = mul(g.node('Add', [x, mul(cube, c(0.044715), 'cubic')], {}, `${p}/inner_sum`), c(Math.sqrt(2 / Math.PI)), 'inner');
      const t = g.node('Add', [g.node('Tanh', [inner], {}, `${p}/Tanh`), c(1)], {}, `${p}/one_plus`);
      return mul(mul(x, c(0.5), 'half'), t, 'gelu_new');
    }
    default: return null;
  }
}

/** Keras's ReLU: x above threshold (clipped to maxValue), negativeSlope * (x - threshold) at or below it. */
function relu(g: GraphBuilder, v: LayerView, x: string): string {
  const max = typeof v.config.maxValue === 'number' ? v.config.maxValue : null;
  const slope = num(v.config.negativeSlope, 0), t = num(v.config.threshold, 0);
  if (slope === 0 && t === 0) {
    const y = g.node('Relu', [x], {}, `${v.name}/Relu`);
    return max === null ? y : g.node('Clip', [y, g.scalar(0), g.scalar(max)], {}, `${v.name}/Clip`);
  }
  if (max === null && t === 0) return g.node('LeakyRelu', [x], { alpha: { float: slope } }, `${v.name}/LeakyRelu`);
  const above = max === null ? x : g.node('Min', [x, g.scalar(max)], {}, `${v.name}/Min`);
  const below = g.node('Mul', [g.node('Sub', [x, g.scalar(t)], {}, `${v.name}/Sub`), g.scalar(slope)], {}, `${v.name}/Mul`);
  return g.node('Where', [g.node('Greater', [x, g.scalar(t)], {}, `${v.name}/Greater`), above, below], {}, `${v.name}/Where`);
}

/** Softmax over one axis as ONNX's Softmax; over several, exp(x - logSumExp(x, axes)). */
function softmax(g: GraphBuilder, v: LayerView, x: string, rank: number): string {
  const axes = (Array.isArray(v.config.axis) ? v.config.axis : [v.config.axis ?? -1]) as number[];
  if (axes.length === 1) return g.node('Softmax', [x], { axis: axes[0] }, `${v.name}/Softmax`);
  const lse = g.node('ReduceLogSumExp', [x], { axes: axes.map((a) => (a < 0 ? a + rank : a)), keepdims: 1 }, `${v.name}/ReduceLogSumExp`);
  return g.node('Exp', [g.node('Sub', [x, lse], {}, `${v.name}/Sub`)], {}, `${v.name}/Exp`);
}

/**
 * PReLU's alpha shaped [d1, ..., dn] with 1 on the shared axes, which PRelu broadcasts against x [batch, d1, ..., dn].
 * The view carries alpha flat, so its shape is x's own, read at run time, with the shared axes set to 1.
 */
function preluSlope(g: GraphBuilder, v: LayerView, f: Flow): string {
  const [alpha] = v.weights;
  const shared = new Set((v.config.sharedAxes ?? []) as number[]);
  const axes = Array.from({ length: f.rank - 1 }, (_, i) => i + 1);
  const dims = g.node('Slice', [g.node('Shape', [f.x], {}, `${v.name}/Shape`), g.ints([1]), g.ints([f.rank])], {}, `${v.name}/Slice`);
  const kept = g.node('Mul', [dims, g.ints(axes.map((a) => (shared.has(a) ? 0 : 1)))], {}, `${v.name}/keep`);
  const shape = g.node('Add', [kept, g.ints(axes.map((a) => (shared.has(a) ? 1 : 0)))], {}, `${v.name}/alpha_shape`);
  return g.node('Reshape', [g.floats(`${v.name}/alpha`, alpha, [alpha.length]), shape], {}, `${v.name}/alpha_shaped`);
}

export const ACTIVATION_LAYERS: Record<string, Exporter> = {
  ReLU: (g, v, f) => ({ ...f, x: relu(g, v, f.x) }),
  LeakyReLU: (g, v, f) => ({ ...f, x: g.node('LeakyRelu', [f.x], { alpha: { float: num(v.config.alpha, 0.3) } }, `${v.name}/LeakyRelu`) }),
  ELU: (g, v, f) => ({ ...f, x: g.node('Elu', [f.x], { alpha: { float: num(v.config.alpha, 1) } }, `${v.name}/Elu`) }),
  ThresholdedReLU: (g, v, f) => ({ ...f, x: g.node('ThresholdedRelu', [f.x], { alpha: { float: num(v.config.theta, 1) } }, `${v.name}/ThresholdedRelu`) }),
  PReLU: (g, v, f) => ({ ...f, x: g.node('PRelu', [f.x, preluSlope(g, v, f)], {}, `${v.name}/PRelu`) }),
  Softmax: (g, v, f) => ({ ...f, x: softmax(g, v, f.x, f.rank) }),
  Rescaling: (g, v, f) => {
    const y = g.node('Mul', [f.x, g.scalar(num(v.config.scale, 1))], {}, `${v.name}/Mul`);
    return { ...f, x: g.node('Add', [y, g.scalar(num(v.config.offset, 0))], {}, `${v.name}/Add`) };
  },
  ActivityRegularization: (_g, _v, f) => f, // its penalty is a training term: inference is the identity
  CategoryEncoding: (g, v, f) => {
    // One-hot rows as Equal(ids[..., None], [0, ..., N-1]) on float ids (int32 in a functional model's int input):
    // ONNX Runtime has no OneHot for float ids.
    const N = v.config.numTokens as number;
    const asFloat = g.node('Cast', [f.x], { to: 1 }, `${v.name}/ids`);
    const ids = g.node('Unsqueeze', [asFloat, g.ints([-1])], {}, `${v.name}/Unsqueeze`);
    const hit = g.node('Equal', [ids, g.floats(`${v.name}/tokens`, Array.from({ length: N }, (_, i) => i), [N])], {}, `${v.name}/Equal`);
    const x = g.node('Cast', [hit], { to: 1 }, `${v.name}/Cast`);
    if (f.rank === 1) return { x, rank: 2, mask: null };
    // The ids are the last axis ((batch, ids); (batch, steps, ids) inside TimeDistributed): each row's hits add up there.
    const idsAxis = f.rank - 1;
    const y = v.config.outputMode === 'count'
      ? g.node('ReduceSum', [x, g.ints([idsAxis])], { keepdims: 0 }, `${v.name}/ReduceSum`)
      : g.node('ReduceMax', [x], { axes: [idsAxis], keepdims: 0 }, `${v.name}/ReduceMax`);
    return { x: y, rank: f.rank, mask: null };
  },
};
