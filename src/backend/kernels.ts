/**
 * The contract between layers and kernels. Every kernel exists twice with exactly this signature:
 * natively (native/*.cc, registered under the same name) and in plain TypeScript (src/backend/reference/).
 * The reference kernels accept Float64Array too, which is how gradient checks run in float64.
 *
 * Conventions: all arrays are flat and row-major; outputs are preallocated by the caller and fully
 * overwritten unless the doc says "accumulates". Kernels never allocate what they return and never
 * validate semantics (ids in range, labels in {0,1}): layers do that and raise errors users can read.
 */

export type FArray = Float32Array | Float64Array;

/** Activation codes, shared with native/common.h. */
export const Act = { linear: 0, relu: 1, sigmoid: 2, tanh: 3, hardSigmoid: 4 } as const;
export type ActCode = (typeof Act)[keyof typeof Act];

export interface GemmKernels {
  /**
   * C[m,n] = act(alpha * op(A) op(B) + beta * C + bias). op(A) is [m,k]: A is stored [m,k], or [k,m] when transA.
   * op(B) is [k,n]: B is stored [k,n], or [n,k] when transB. bias has length n or is null. With beta = 0, C's
   * old contents are ignored (NaN in C does not leak).
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: FArray, b: FArray, beta: number, c: FArray, bias: FArray | null, act: ActCode): void;
}

export interface PointwiseKernels {
  /** y = act(x), elementwise over n = x.length values (linear copies). */
  activation(act: ActCode, x: FArray, y: FArray): void;
  /** dx = dy * act'(.) computed from the activation's output y (every code in Act has that form). */
  activationBackward(act: ActCode, y: FArray, dy: FArray, dx: FArray): void;
  /** Row-wise softmax of x [rows, cols]. */
  softmax(rows: number, cols: number, x: FArray, y: FArray): void;
  /** dx = y * (dy - sum(dy * y)) row-wise. */
  softmaxBackward(rows: number, cols: number, y: FArray, dy: FArray, dx: FArray): void;
  /**
   * out[j] = (accumulate ? out[j] : 0) + sum_i x[i, j] for x [rows, cols]. With blocks > 1, x holds that many
   * [rows, cols] matrices and out that many rows of sums, each as its own call would give.
   */
  colSum(rows: number, cols: number, x: FArray, out: FArray, accumulate: boolean, blocks?: number): void;
  /** y = a + b elementwise (n = y.length). */
  add(a: FArray, b: FArray, y: FArray): void;
  /** y = a * b elementwise. */
  mul(a: FArray, b: FArray, y: FArray): void;
  /** y += alpha * x (n = y.length). */
  axpy(alpha: number, x: FArray, y: FArray): void;
  /** y = x * mask * scale, for dropout; mask holds 0/1 (n = y.length). */
  dropoutApply(x: FArray, mask: Uint8Array, scale: number, y: FArray): void;
  /** Sum of squares of x (for gradient norms and clipping). */
  sumSquares(x: FArray): number;
}

export interface LossKernels {
  /** Mean over n of binary cross-entropy on logits, stable form; grad = dLoss/dlogit (already / n). */
  sigmoidCrossEntropyWithLogits(n: number, logits: FArray, target: FArray, grad: FArray): number;
  /** Mean binary cross-entropy on probabilities clipped to [eps, 1-eps] as Keras does (eps = 1e-7). */
  binaryCrossentropy(n: number, prob: FArray, target: FArray, grad: FArray): number;
  /** Mean over rows of softmax cross-entropy on logits [rows, cols] against target distributions. */
  softmaxCrossEntropyWithLogits(rows: number, cols: number, logits: FArray, target: FArray, grad: FArray): number;
  /** The same against integer class labels (length rows). */
  sparseSoftmaxCrossEntropyWithLogits(rows: number, cols: number, logits: FArray, labels: Int32Array, grad: FArray): number;
  /** Mean over rows of -sum(target * log(clip(prob))) with Keras's renormalisation of prob per row. */
  categoricalCrossentropy(rows: number, cols: number, prob: FArray, target: FArray, grad: FArray): number;
  /** Mean over all n of (pred - target)^2. */
  meanSquaredError(n: number, pred: FArray, target: FArray, grad: FArray): number;
}

export interface ConvKernels {
  /**
   * Channels-last 1-D convolution (Keras layout). x [B, T, Cin], w [K, Cin, Cout], bias [Cout] or null,
   * y [B, To, Cout]; output step o reads input steps o*stride - padLeft + j*dilation for j < K (zero outside
   * [0, T)). act is fused. dilation is optional (default 1); the bf16 twins do not take it (ops.conv1d runs a
   * dilated convolution on the fp32 kernels).
   */
  conv1d(B: number, T: number, Cin: number, Cout: number, K: number, stride: number, padLeft: number, To: number,
    x: FArray, w: FArray, bias: FArray | null, y: FArray, act: ActCode, dilation?: number): void;
  /**
   * Gradients given dy (w.r.t. the pre-activation output), all overwritten. dx may be null (input needs none).
   * reluY: dy is instead the gradient w.r.t. relu's output reluY (conv1d with act relu), and relu's derivative
   * (activationBackward's: dy where reluY > 0, else 0) is applied as dy is read; dy itself is left as it was.
   */
  conv1dBackward(B: number, T: number, Cin: number, Cout: number, K: number, stride: number, padLeft: number, To: number,
    x: FArray, w: FArray, dy: FArray, dx: FArray | null, dw: FArray, db: FArray | null, dilation?: number,
    reluY?: FArray | null): void;
}

export interface PoolKernels {
  /** Max pooling over time, channels-last: x [B, T, C] -> y [B, To, C]; argmax records the winning t (padding never wins). */
  maxPool1d(B: number, T: number, C: number, pool: number, stride: number, padLeft: number, To: number,
    x: FArray, y: FArray, argmax: Int32Array): void;
  /**
   * dx (all of it written) receives dy at the recorded argmax positions, summed where windows overlap; an argmax
   * must be -1 or inside its window (the geometry is maxPool1d's).
   */
  maxPool1dBackward(B: number, T: number, C: number, pool: number, stride: number, padLeft: number, To: number,
    dy: FArray, argmax: Int32Array, dx: FArray): void;
}

/** Average pooling over time, channels-last (native/avg_pool.cc, reference/avg_pool.ts). */
export interface AvgPoolKernels {
  /**
   * x [B, T, C] -> y [B, To, C]. Output step o averages input steps [o*stride - padLeft, o*stride - padLeft + pool)
   * clipped to [0, T): padding is not counted (Keras's 'same'); a window with no input step gives 0.
   */
  avgPool1d(B: number, T: number, C: number, pool: number, stride: number, padLeft: number, To: number, x: FArray, y: FArray): void;
  /** dx (overwritten) receives each dy spread evenly over its window's input steps. */
  avgPool1dBackward(B: number, T: number, C: number, pool: number, stride: number, padLeft: number, To: number, dy: FArray, dx: FArray): void;
}

/**
 * Normalization (native/norm.cc, reference/norm.ts). Batch normalization views x as [outer, C, inner]: channel c
 * holds x[o, c, i] for every o and i (channels-last is inner = 1). Sums run in double; variances are biased
 * (mean of squared deviations), as tf.moments and Keras compute them.
 */
export interface NormKernels {
  /** Per-channel mean [C] and variance [C] over outer and inner. */
  batchNormStats(outer: number, C: number, inner: number, x: FArray, mean: FArray, variance: FArray): void;
  /** y = (x - mean[c]) / sqrt(variance[c] + eps) * gamma[c] + beta[c]; gamma null means 1, beta null means 0. */
  batchNormForward(outer: number, C: number, inner: number, x: FArray, mean: FArray, variance: FArray,
    gamma: FArray | null, beta: FArray | null, eps: number, y: FArray): void;
  /**
   * Gradients given dy. batchStats: mean and variance are x's own (training), so dx includes their paths; otherwise
   * they are constants (inference). dx, dgamma [C], dbeta [C] may each be null; the others are overwritten.
   */
  batchNormBackward(outer: number, C: number, inner: number, x: FArray, mean: FArray, variance: FArray,
    gamma: FArray | null, eps: number, batchStats: boolean, dy: FArray, dx: FArray | null, dgamma: FArray | null, dbeta: FArray | null): void;
  /**
   * Each row of x [rows, cols] normalized over its cols: y = (x - mean) * rstd * gamma + beta with
   * rstd = 1 / sqrt(variance + eps); mean [rows] and rstd [rows] are written for backward. gamma/beta [cols] or null.
   */
  layerNormForward(rows: number, cols: number, x: FArray, gamma: FArray | null, beta: FArray | null, eps: number,
    y: FArray, mean: FArray, rstd: FArray): void;
  /** Gradients from forward's mean and rstd; dx, dgamma [cols], dbeta [cols] may each be null, the others are overwritten. */
  layerNormBackward(rows: number, cols: number, x: FArray, gamma: FArray | null, mean: FArray, rstd: FArray, dy: FArray,
    dx: FArray | null, dgamma: FArray | null, dbeta: FArray | null): void;
}

export interface EmbeddingKernels {
  /** out[i, :] = table[ids[i], :] for n ids of width dim. Ids are already validated. */
  embeddingForward(n: number, dim: number, ids: Int32Array, table: FArray, out: FArray): void;
  /** dTable[ids[i], :] += dOut[i, :] (accumulates; touches only the rows used). */
  embeddingBackward(n: number, dim: number, ids: Int32Array, dOut: FArray, dTable: FArray): void;
}

export interface OptimKernels {
  /**
   * Keras Adam, one fused pass: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
   * p -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)   (t = step, from 1; tf.keras and tfjs form).
   */
  adam(p: FArray, g: FArray, m: FArray, v: FArray, lr: number, beta1: number, beta2: number, eps: number, step: number): void;
  /** Keras RMSprop (no momentum, not centred): a = rho a + (1-rho) g^2; p -= lr g / sqrt(a + eps). */
  rmsprop(p: FArray, g: FArray, acc: FArray, lr: number, rho: number, eps: number): void;
  /** Keras SGD: v = momentum v - lr g; p += v (nesterov: p += momentum v - lr g). momentum 0 means plain SGD. */
  sgd(p: FArray, g: FArray, vel: FArray, lr: number, momentum: number, nesterov: boolean): void;
}

/**
 * Recurrent cells over a whole sequence, one call forward and one call backward.
 * Shared conventions:
 * - xp [B, T, G*U] is the input projection x W + b for every step (one GEMM done by the layer), batch-major,
 *   gates in Keras order (LSTM i,f,c,o: G=4; GRU z,r,h: G=3; SimpleRNN: G=1).
 * - r [U, G*U] is Keras's recurrent_kernel.
 * - mask [B, T] (1 = real step) or null. At a masked step the state is carried unchanged and the output
 *   repeats the previous output, as in Keras; a masked step gets no gradient.
 * - goBackwards processes t = T-1 ... 0; outputs are stored in processing order (as Keras returns them).
 * - hs [B, T, U] receives the output after each processed step (the full sequence is always kept: backward needs it).
 * - Backward takes dhs [B, T, U] (gradient w.r.t. every output, zeros where unused) plus optional dhT/dcT
 *   for the final states, and writes dxp [B, T, G*U], dr [U, G*U] (overwritten), dh0/dc0 [B, U] (or null).
 *   dhAll [B, T, U], when given, receives the total gradient w.r.t. each h_t (for vanishing-gradient plots).
 * - h0/c0 null means zeros.
 */
export interface RecurrentKernels {
  /** gates [B, T, 4U] keeps post-activation i, f, c~, o; cs [B, T, U] the cell state after each step. */
  lstmForward(B: number, T: number, U: number, xp: FArray, r: FArray, h0: FArray | null, c0: FArray | null,
    mask: Uint8Array | null, goBackwards: boolean, act: ActCode, recAct: ActCode,
    hs: FArray, cs: FArray, gates: FArray): void;
  lstmBackward(B: number, T: number, U: number, r: FArray, h0: FArray | null, c0: FArray | null,
    mask: Uint8Array | null, goBackwards: boolean, act: ActCode, recAct: ActCode,
    hs: FArray, cs: FArray, gates: FArray, dhs: FArray, dhT: FArray | null, dcT: FArray | null,
    dxp: FArray, dr: FArray, dh0: FArray | null, dc0: FArray | null, dhAll: FArray | null): void;
  /**
   * GRU. resetAfter (Keras 2 default): hh = h r + rb; n = act(xp_h + rr * hh_h).
   * Not resetAfter: n = act(xp_h + (rr * h) r_h) and rb must be null. rb [3U] is the recurrent bias or null.
   * gates [B, T, 3U] keeps post-activation z, r, n; hh [B, T, U] keeps the recurrent candidate term
   * (hh_h with resetAfter, (rr*h) r_h without) that backward needs.
   */
  gruForward(B: number, T: number, U: number, xp: FArray, r: FArray, rb: FArray | null, h0: FArray | null,
    mask: Uint8Array | null, goBackwards: boolean, resetAfter: boolean, act: ActCode, recAct: ActCode,
    hs: FArray, gates: FArray, hh: FArray): void;
  /** drb [3U] is written when rb was given. */
  gruBackward(B: number, T: number, U: number, r: FArray, rb: FArray | null, h0: FArray | null,
    mask: Uint8Array | null, goBackwards: boolean, resetAfter: boolean, act: ActCode, recAct: ActCode,
    hs: FArray, gates: FArray, hh: FArray, dhs: FArray, dhT: FArray | null,
    dxp: FArray, dr: FArray, drb: FArray | null, dh0: FArray | null, dhAll: FArray | null): void;
  /** SimpleRNN: h = act(xp + h_prev r). */
  simpleRnnForward(B: number, T: number, U: number, xp: FArray, r: FArray, h0: FArray | null,
    mask: Uint8Array | null, goBackwards: boolean, act: ActCode, hs: FArray): void;
  simpleRnnBackward(B: number, T: number, U: number, r: FArray, h0: FArray | null,
    mask: Uint8Array | null, goBackwards: boolean, act: ActCode, hs: FArray, dhs: FArray, dhT: FArray | null,
    dxp: FArray, dr: FArray, dh0: FArray | null, dhAll: FArray | null): void;
}

/**
 * Only in the mixed_bfloat16 kernel sets (src/backend/bf16.ts): lstmForward on xp = x w + bias as the set's gemm
 * computes it, bit for bit, with the projection made inside the kernel step by step, so xp is never stored.
 * x [B, T, D] (input time), w [D, 4U], bias [4U] or null; the other arguments as lstmForward's.
 */
export interface FusedInputKernels {
  lstmForwardInput(B: number, T: number, U: number, D: number, x: FArray, w: FArray, bias: FArray | null, r: FArray,
    h0: FArray | null, c0: FArray | null, mask: Uint8Array | null, goBackwards: boolean, act: ActCode, recAct: ActCode,
    hs: FArray, cs: FArray, gates: FArray): void;
}

/**
 * Only in the mixed_bfloat16 kernel sets: conv1dBackward of a Conv1D (linear, or relu with pooledY: the pooling's
 * output) followed by maxPool1d(B, To, Cout, pool, poolStride, poolPadLeft, pooledTo), from the pooling's gradient
 * pooledDy and argmax: the same results as maxPool1dBackward's dx given to conv1dBackward as dy (with the Conv1D's
 * output as reluY), without the scattered gradient or relu's full output ever being read.
 */
export interface PooledConvKernels {
  conv1dPooledBackward(B: number, T: number, Cin: number, Cout: number, K: number, stride: number, padLeft: number,
    To: number, x: FArray, w: FArray, pooledDy: FArray, argmax: Int32Array, pool: number, poolStride: number,
    poolPadLeft: number, pooledTo: number, dx: FArray | null, dw: FArray, db: FArray | null, pooledY: FArray | null): void;
}

/**
 * Forward-only recurrent sequences for predict (native/rnn_infer.cc, reference/rnn_infer.ts): the training forward's
 * arithmetic without its storage. Step (b, t) reads xp row rows[b*T + t] (rows null: row b*T + t), so a projected
 * embedding table or one projected vector per sample serves every step. hs [B, T, U] (processing order) is written
 * only when given; hT [B, U] receives the last output (zeros for a row with no real step), cT [B, U] the final cell.
 */
export interface InferKernels {
  lstmInfer(B: number, T: number, U: number, xp: FArray, rows: Int32Array | null, r: FArray, h0: FArray | null,
    c0: FArray | null, mask: Uint8Array | null, goBackwards: boolean, act: ActCode, recAct: ActCode,
    hs: FArray | null, hT: FArray, cT: FArray | null): void;
  /** GRU with resetAfter (Keras 2's default); rb [3U] or null. */
  gruInfer(B: number, T: number, U: number, xp: FArray, rows: Int32Array | null, r: FArray, rb: FArray | null,
    h0: FArray | null, mask: Uint8Array | null, goBackwards: boolean, act: ActCode, recAct: ActCode,
    hs: FArray | null, hT: FArray): void;
}

export interface Kernels extends GemmKernels, PointwiseKernels, LossKernels, ConvKernels, PoolKernels,
  EmbeddingKernels, OptimKernels, RecurrentKernels, InferKernels, AvgPoolKernels, NormKernels {}

export const KERNEL_NAMES: readonly (keyof Kernels)[] = [
  'gemm',
  'activation', 'activationBackward', 'softmax', 'softmaxBackward', 'colSum', 'add', 'mul', 'axpy', 'dropoutApply', 'sumSquares',
  'sigmoidCrossEntropyWithLogits', 'binaryCrossentropy', 'softmaxCrossEntropyWithLogits',
  'sparseSoftmaxCrossEntropyWithLogits', 'categoricalCrossentropy', 'meanSquaredError',
  'conv1d', 'conv1dBackward', 'maxPool1d', 'maxPool1dBackward', 'embeddingForward', 'embeddingBackward',
  'adam', 'rmsprop', 'sgd',
  'lstmForward', 'lstmBackward', 'gruForward', 'gruBackward', 'simpleRnnForward', 'simpleRnnBackward',
  'lstmInfer', 'gruInfer',
  'avgPool1d', 'avgPool1dBackward',
  'batchNormStats', 'batchNormForward', 'batchNormBackward', 'layerNormForward', 'layerNormBackward',
];
