/**
 * The activations without a native kernel (Keras's and tfjs-layers' catalogue beyond relu/sigmoid/tanh/softmax/
 * hard_sigmoid): each is a forward f(x) and its derivative f'(x), both elementwise in float64 arithmetic,
 * run by ops.activation as a separate op after the GEMM (so dense/conv1d cannot fuse them in the epilogue).
 */

export type ExtraActivation = 'elu' | 'selu' | 'softplus' | 'softsign' | 'relu6' | 'swish' | 'silu' | 'gelu' | 'gelu_new' | 'mish' | 'exponential'
  | 'hard_silu' | 'hard_swish' | 'leaky_relu' | 'log_sigmoid' | 'celu';

interface Pointwise { f(x: number): number; df(x: number): number }

// SELU's constants as Keras and tfjs define them (Klambauer et al. 2017).
const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * The logistic function in float64 without the kernels' zero rule (a subnormal down to about -103.3 once stored as
 * float32): the derivative of softplus and log_sigmoid, which tfjs takes as a value, not the sigmoid op's output.
 */
export const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
// log(1 + e^x) without overflow for large x or loss for very negative x.
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** erf to ~1e-15: its Maclaurin series near 0, erfc's continued fraction in the tails (JS has no Math.erf). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2) {
    let term = x, sum = x;
    for (let n = 1; n < 60; n++) {
      term *= -x * x / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  let k = ax;
  for (let n = 80; n >= 1; n--) k = ax + n / 2 / k;
  const erfc = Math.exp(-ax * ax) / (Math.sqrt(Math.PI) * k);
  return Math.sign(x) * (1 - erfc);
}

const geluNewInner = (x: number): number => SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
const swish: Pointwise = { f: (x) => x * sigmoid(x), df: (x) => { const s = sigmoid(x); return s + x * s * (1 - s); } };
// Keras 3's hard_silu x * relu6(x + 3) / 6 (its hard_sigmoid, not tfjs's); at the kinks -3 and 3, Keras's TensorFlow
// gradient (relu6's passes strictly inside (0, 6)): 0 and 1.
const hardSilu: Pointwise = {
  f: (x) => x * Math.min(Math.max(x + 3, 0), 6) / 6,
  df: (x) => (x <= -3 ? 0 : x >= 3 ? 1 : (2 * x + 3) / 6),
};

export const EXTRA_ACTIVATIONS: Record<ExtraActivation, Pointwise> = {
  elu: { f: (x) => (x > 0 ? x : Math.expm1(x)), df: (x) => (x > 0 ? 1 : Math.exp(x)) },
  selu: { f: (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)), df: (x) => SELU_SCALE * (x > 0 ? 1 : SELU_ALPHA * Math.exp(x)) },
  softplus: { f: softplus, df: sigmoid },
  softsign: { f: (x) => x / (1 + Math.abs(x)), df: (x) => 1 / (1 + Math.abs(x)) ** 2 },
  // tfjs's relu6 gradient, (x <= 6) * step(x): 1 at 6, and NaN at NaN (step(NaN) is NaN), as the op's.
  relu6: { f: (x) => Math.min(Math.max(x, 0), 6), df: (x) => (Number.isNaN(x) ? NaN : x > 0 && x <= 6 ? 1 : 0) },
  swish,
  silu: swish,
  // Exact GELU x·Φ(x): Keras's default (approximate=False) and tfjs-layers' 'gelu'.
  gelu: { f: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), df: (x) => 0.5 * (1 + erf(x / Math.SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x) },
  // The tanh approximation: tfjs-layers' 'gelu_new', Keras's gelu(approximate=True).
  gelu_new: {
    f: (x) => 0.5 * x * (1 + Math.tanh(geluNewInner(x))),
    df: (x) => {
      const t = Math.tanh(geluNewInner(x));
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
    },
  },
  mish: {
    f: (x) => x * Math.tanh(softplus(x)),
    df: (x) => { const t = Math.tanh(softplus(x)); return t + x * (1 - t * t) * sigmoid(x); },
  },
  exponential: { f: Math.exp, df: Math.exp },
  // Keras 3's string activations (keras.activations): hard_silu (alias hard_swish); leaky_relu with Keras 3's default
  // negative_slope 0.2 (the LeakyReLU layer's default is 0.3), slope 0.2 at 0 as TensorFlow's and tfjs's; log_sigmoid
  // -softplus(-x); celu with alpha 1 (x above 0, expm1(x) below: elu's values).
  hard_silu: hardSilu,
  hard_swish: hardSilu,
  leaky_relu: { f: (x) => (x > 0 ? x : 0.2 * x), df: (x) => (x > 0 ? 1 : 0.2) },
  log_sigmoid: { f: (x) => -softplus(-x), df: (x) => sigmoid(-x) },
  celu: { f: (x) => (x > 0 ? x : Math.expm1(x)), df: (x) => (x > 0 ? 1 : Math.exp(x)) },
};

export function isExtraActivation(a: string): a is ExtraActivation {
  return Object.prototype.hasOwnProperty.call(EXTRA_ACTIVATIONS, a);
}
