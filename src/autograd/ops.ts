/**
 * Differentiable ops. Each forward runs kernels and records, right beside it, the backward that the tape
 * replays. Ops validate nothing semantic: layers check shapes and ids and name themselves in errors.
 */
import { Act, allocFloat, allocIndex, float32Kernels, kernels, type ActCode, type FArray, type Kernels, type PooledConvKernels } from '../backend/index.js';
import { globalRandom } from '../random.js';
import { Tensor, sizeOf, type Shape } from '../tensor.js';
import { accumulate, deferGrad, gradBuffer, hasNoGradient, record, takeDeferredGrad } from './tape.js';
import { EXTRA_ACTIVATIONS, isExtraActivation, type ExtraActivation } from './extra_activations.js';

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'hard_sigmoid' | ExtraActivation;

/**
 * Whether a kernel's epilogue (GEMM, conv1d) can apply the activation itself. Not hard_sigmoid: its derivative at the
 * kinks x = ±2.5 is tfjs's 0.2 (clipByValue's gradient passes at the bounds), which the output (0 or 1 there, as in
 * the flat parts) cannot tell; activation() computes it from x.
 */
function fusable(a: Activation): boolean {
  return a !== 'softmax' && a !== 'hard_sigmoid' && !isExtraActivation(a);
}

/** hard_sigmoid's backward from its input: 0.2 dy on [-2.5, 2.5], the bounds included (tfjs's side); dy blocked elsewhere. */
function hardSigmoidBackward(x: FArray, dy: FArray, dx: FArray): void {
  for (let i = 0; i < x.length; i++) dx[i] = x[i] >= -2.5 && x[i] <= 2.5 ? 0.2 * dy[i] : 0;
}

export function actCode(a: Activation): ActCode {
  switch (a) {
    case 'linear': return Act.linear;
    case 'relu': return Act.relu;
    case 'sigmoid': return Act.sigmoid;
    case 'tanh': return Act.tanh;
    case 'hard_sigmoid': return Act.hardSigmoid;
    default: throw new Error(`activation '${a}' has no elementwise kernel`);
  }
}

function floatTensor(data: FArray, shape: Shape): Tensor {
  return new Tensor(data, shape, 'float32');
}

/** Elementwise or row-wise (softmax over the last axis) activation. */
export function activation(x: Tensor, act: Activation): Tensor {
  if (act === 'linear') return x;
  if (isExtraActivation(act)) return pointwiseActivation(x, act);
  const K = kernels();
  const xd = x.floatData();
  const y = allocFloat(x.size);
  const cols = x.shape[x.rank - 1];
  if (act === 'softmax') K.softmax(x.size / cols, cols, xd, y);
  else K.activation(actCode(act), xd, y);
  const out = floatTensor(y, x.shape);
  return record(out, [x], () => {
    const dx = allocFloat(x.size);
    if (act === 'softmax') K.softmaxBackward(x.size / cols, cols, y, out.grad!, dx);
    else if (act === 'hard_sigmoid') hardSigmoidBackward(xd, out.grad!, dx);
    else K.activationBackward(actCode(act), y, out.grad!, dx);
    accumulate(x, dx, true);
  });
}

/**
 * Dense over the last axis: y = act(x W + b), x [..., in], W [in, out]. Bias and elementwise activations run
 * in the GEMM's epilogue; softmax follows as its own op.
 */
export function dense(x: Tensor, w: Tensor, b: Tensor | null, act: Activation): Tensor {
  const K = kernels();
  const inDim = w.shape[0], outDim = w.shape[1];
  const n = x.size / inDim;
  const xd = x.floatData();
  const y = allocFloat(n * outDim, false);
  const fused = fusable(act) ? actCode(act) : Act.linear;
  K.gemm(false, false, n, outDim, inDim, 1, xd, w.values as FArray, 0, y, (b?.values as FArray) ?? null, fused);
  const outShape = [...x.shape.slice(0, -1), outDim];
  const z = floatTensor(y, outShape);
  record(z, [x, w, b], () => {
    const dz = z.grad!;
    if (fused !== Act.linear) K.activationBackward(fused, y, dz, dz);
    if (w.requiresGrad) K.gemm(true, false, inDim, outDim, n, 1, xd, dz, w.grad ? 1 : 0, gradBuffer(w, false), null, Act.linear);
    if (b?.requiresGrad) K.colSum(n, outDim, dz, gradBuffer(b), true);
    if (x.requiresGrad) {
      const dx = allocFloat(n * inDim, false);
      K.gemm(false, true, n, inDim, outDim, 1, dz, w.values as FArray, 0, dx, null, Act.linear);
      accumulate(x, dx, true);
    }
  });
  return fusable(act) ? z : activation(z, act);
}

/** Shares data; the gradient flows through unchanged. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  if (sizeOf(shape) !== x.size) throw new Error(`reshape: cannot reshape [${x.shape.join(', ')}] to [${shape.join(', ')}]`);
  const out = new Tensor(x.values, shape, x.dtype);
  return record(out, [x], () => accumulate(x, out.grad!, true));
}

/**
 * Outputs of embedding, with their ids and table: predict's recurrent path projects the table once instead of every
 * step when the batch has more steps than the table rows (src/autograd/recurrent_infer.ts).
 */
export const embeddedFrom = new WeakMap<Tensor, { ids: Int32Array; table: Tensor }>();

/** Rows of table picked by integer ids: ids [...], table [vocab, dim] -> [..., dim]. */
export function embedding(ids: Tensor, table: Tensor): Tensor {
  const K = kernels();
  const dim = table.shape[1];
  const idData = ids.values instanceof Int32Array ? ids.values : Int32Array.from(ids.values, Math.trunc);
  const n = idData.length;
  const y = allocFloat(n * dim, false);
  K.embeddingForward(n, dim, idData, table.values as FArray, y);
  const out = floatTensor(y, [...ids.shape, dim]);
  embeddedFrom.set(out, { ids: idData, table });
  return record(out, [table], () => K.embeddingBackward(n, dim, idData, out.grad!, gradBuffer(table)));
}

/** dilation: conv1d only, default 1. */
export interface Conv1dGeometry { stride: number; padLeft: number; outSteps: number; dilation?: number }

/** A max pooling's gradient as maxPool1d hands it to the Conv1D before it (takesPooledGradient). */
interface PooledGradient { dy: FArray; argmax: Int32Array; y: FArray; pool: number; g: Conv1dGeometry }

/**
 * Conv1D outputs (linear or relu) whose backward can start from a following max pooling's gradient and argmax
 * (kernels.ts's PooledConvKernels, the bf16 sets): the pooling then skips scattering its gradient to the
 * convolution's full size, and the convolution reads neither that nor relu's full output.
 */
const takesPooledGradient = new WeakSet<Tensor>();

/** Channels-last conv: x [B, T, Cin], w [K, Cin, Cout], b [Cout]. */
export function conv1d(x: Tensor, w: Tensor, b: Tensor | null, g: Conv1dGeometry, act: Activation): Tensor {
  const d = g.dilation ?? 1;
  // The bf16 twins (mixed_bfloat16) take no dilation: a dilated convolution computes in fp32.
  const Kr = d === 1 ? kernels() : float32Kernels();
  const [B, T, Cin] = x.shape;
  const [Kw, , Cout] = w.shape;
  const xd = x.floatData();
  const y = allocFloat(B * g.outSteps * Cout, false);
  const fused = fusable(act) ? actCode(act) : Act.linear;
  Kr.conv1d(B, T, Cin, Cout, Kw, g.stride, g.padLeft, g.outSteps, xd, w.values as FArray, (b?.values as FArray) ?? null, y, fused, d);
  const z = floatTensor(y, [B, g.outSteps, Cout]);
  const pooledBackward = (Kr as Kernels & Partial<PooledConvKernels>).conv1dPooledBackward;
  record(z, [x, w, b], () => {
    // conv1dBackward overwrites all three: no zeroing pass (dx is the embedding's width, 12.8 MB per lab batch).
    const dx = x.requiresGrad ? allocFloat(x.size, false) : null;
    const dw = allocFloat(w.size, false);
    const db = b ? allocFloat(b.size, false) : null;
    // Set only while nothing else gave z a gradient (tape.ts: an accumulation makes it z.grad first).
    const pooled = takeDeferredGrad<PooledGradient>(z);
    if (pooled) {
      const p = pooled.g;
      pooledBackward!(B, T, Cin, Cout, Kw, g.stride, g.padLeft, g.outSteps, xd, w.values as FArray, pooled.dy, pooled.argmax,
        pooled.pool, p.stride, p.padLeft, p.outSteps, dx, dw, db, fused === Act.relu ? pooled.y : null);
    } else {
      const dz = z.grad!;
      // relu's derivative is applied by conv1dBackward as it reads dz (reluY), not by a pass of its own over dz.
      const reluY = fused === Act.relu ? y : null;
      if (fused !== Act.linear && !reluY) Kr.activationBackward(fused, y, dz, dz);
      Kr.conv1dBackward(B, T, Cin, Cout, Kw, g.stride, g.padLeft, g.outSteps, xd, w.values as FArray, dz, dx, dw, db, d,
        reluY);
    }
    accumulate(w, dw, true);
    if (db) accumulate(b, db, true);
    if (dx) accumulate(x, dx, true);
  });
  if (pooledBackward && (act === 'relu' || act === 'linear')) takesPooledGradient.add(z);
  return fusable(act) ? z : activation(z, act);
}

/** Max over windows of time: x [B, T, C] -> [B, To, C]. */
export function maxPool1d(x: Tensor, pool: number, g: Conv1dGeometry): Tensor {
  const K = kernels();
  const [B, T, C] = x.shape;
  // The kernels write every output and all of dx themselves. argmax lives as long as y (the step's scratch): a
  // fresh array here was the cnn step's ~6,000 page faults (25.6 MB zero-filled per lab batch).
  const y = allocFloat(B * g.outSteps * C, false);
  const argmax = allocIndex(B * g.outSteps * C);
  K.maxPool1d(B, T, C, pool, g.stride, g.padLeft, g.outSteps, x.floatData(), y, argmax);
  const out = floatTensor(y, [B, g.outSteps, C]);
  const scatter = (dy: FArray): FArray => {
    const dx = allocFloat(x.size, false);
    K.maxPool1dBackward(B, T, C, pool, g.stride, g.padLeft, g.outSteps, dy, argmax, dx);
    return dx;
  };
  return record(out, [x], () => {
    const dy = out.grad!;
    // The Conv1D before takes dy and argmax as they are, unless x has (or gets) a gradient from elsewhere too.
    if (takesPooledGradient.has(x) && hasNoGradient(x)) deferGrad(x, { dy, argmax, y, pool, g } satisfies PooledGradient, () => scatter(dy));
    else accumulate(x, scatter(dy), true);
  });
}

/**
 * Mean over time: x [B, T, C] -> [B, C]; with a mask [B, T] (1 = real step), over each row's real steps only
 * (Keras's GlobalAveragePooling1D). Plain loops, no kernel: it is one pass over x, memory-bound either way.
 */
export function meanTime(x: Tensor, mask: Uint8Array | null): Tensor {
  const [B, T, C] = x.shape;
  const xd = x.floatData();
  const weight = new Float64Array(B * T);
  for (let b = 0; b < B; b++) {
    let n = 0;
    for (let t = 0; t < T; t++) n += mask ? mask[b * T + t] : 1;
    for (let t = 0; t < T; t++) weight[b * T + t] = n === 0 || (mask && !mask[b * T + t]) ? 0 : 1 / n;
  }
  const y = allocFloat(B * C);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) {
    const w = weight[b * T + t], o = (b * T + t) * C;
    if (w !== 0) for (let c = 0; c < C; c++) y[b * C + c] += w * xd[o + c];
  }
  const out = floatTensor(y, [B, C]);
  return record(out, [x], () => {
    const g = out.grad!;
    const dx = allocFloat(x.size);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) {
      const w = weight[b * T + t], o = (b * T + t) * C;
      for (let c = 0; c < C; c++) dx[o + c] = w * g[b * C + c];
    }
    accumulate(x, dx, true);
  });
}

/**
 * loss + sum over terms of scale * (l1 * sum|w| + l2 * sum w^2) (Keras's weight regularizers, scale 1, and activity
 * regularizers on a layer output, scale 1 / batch size); backward adds g * scale * (l1 * sign(w) + 2 * l2 * w).
 */
export function addWeightPenalty(loss: Tensor, terms: readonly { variable: Tensor; regularizer: { l1: number; l2: number }; scale?: number }[]): Tensor {
  if (terms.length === 0) return loss;
  let penalty = 0;
  for (const { variable, regularizer: { l1, l2 }, scale = 1 } of terms) {
    const w = variable.floatData();
    let a = 0, q = 0;
    for (let i = 0; i < w.length; i++) { a += Math.abs(w[i]); q += w[i] * w[i]; }
    penalty += scale * (l1 * a + l2 * q);
  }
  const y = allocFloat(1);
  y[0] = loss.floatData()[0] + penalty;
  const out = floatTensor(y, loss.shape);
  return record(out, [loss, ...terms.map((t) => t.variable)], () => {
    const g = out.grad![0];
    const dl = allocFloat(1);
    dl[0] = g;
    accumulate(loss, dl, true);
    for (const { variable, regularizer: { l1, l2 }, scale = 1 } of terms) {
      const w = variable.floatData();
      const dw = allocFloat(w.length);
      const gs = g * scale;
      for (let i = 0; i < w.length; i++) dw[i] = gs * (l1 * Math.sign(w[i]) + 2 * l2 * w[i]);
      accumulate(variable, dw, true);
    }
  });
}

/** Inverted dropout: kept values are scaled by 1/(1-rate) so inference needs no rescaling. */
export function dropout(x: Tensor, rate: number, givenMask?: Uint8Array): Tensor {
  if (rate <= 0) return x;
  const K = kernels();
  let mask = givenMask;
  if (!mask) {
    mask = new Uint8Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = globalRandom.next() >= rate ? 1 : 0;
  }
  const scale = 1 / (1 - rate);
  const y = allocFloat(x.size);
  K.dropoutApply(x.floatData(), mask, scale, y);
  const out = floatTensor(y, x.shape);
  return record(out, [x], () => {
    const dx = allocFloat(x.size);
    K.dropoutApply(out.grad!, mask!, scale, dx);
    accumulate(x, dx, true);
  });
}

/**
 * Outputs of repeatVector, with what they repeat: a recurrent layer reading one projects the source once instead
 * of every identical step (the addition decoder's input projection shrinks by its step count).
 */
export const repeatedFrom = new WeakMap<Tensor, { source: Tensor; n: number }>();

/** x [B, D] -> [B, n, D]. */
export function repeatVector(x: Tensor, n: number): Tensor {
  const [B, D] = x.shape;
  const xd = x.floatData();
  const y = allocFloat(B * n * D, false);
  for (let b = 0; b < B; b++) for (let t = 0; t < n; t++) y.set(xd.subarray(b * D, (b + 1) * D), (b * n + t) * D);
  const out = floatTensor(y, [B, n, D]);
  repeatedFrom.set(out, { source: x, n });
  return record(out, [x], () => {
    const g = out.grad!;
    const dx = allocFloat(x.size);
    for (let b = 0; b < B; b++) for (let t = 0; t < n; t++) {
      const o = (b * n + t) * D;
      for (let d = 0; d < D; d++) dx[b * D + d] += g[o + d];
    }
    accumulate(x, dx, true);
  });
}

/** Reverses axis 1 of [B, T, ...] (Bidirectional re-aligns its backward layer's sequence output with it). */
export function reverseTime(x: Tensor): Tensor {
  const [B, T] = x.shape;
  const inner = x.size / (B * T);
  const flip = (src: FArray): FArray => {
    const dst = allocFloat(src.length);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) {
      dst.set(src.subarray((b * T + t) * inner, (b * T + t + 1) * inner), (b * T + (T - 1 - t)) * inner);
    }
    return dst;
  };
  const out = floatTensor(flip(x.floatData()), x.shape);
  return record(out, [x], () => accumulate(x, flip(out.grad!), true));
}

/** Concatenates along the last axis. */
export function concatLast(a: Tensor, b: Tensor): Tensor {
  const da = a.shape[a.rank - 1], db = b.shape[b.rank - 1];
  const rows = a.size / da;
  const ad = a.floatData(), bd = b.floatData();
  const y = allocFloat(rows * (da + db));
  for (let r = 0; r < rows; r++) {
    y.set(ad.subarray(r * da, (r + 1) * da), r * (da + db));
    y.set(bd.subarray(r * db, (r + 1) * db), r * (da + db) + da);
  }
  const out = floatTensor(y, [...a.shape.slice(0, -1), da + db]);
  return record(out, [a, b], () => {
    const g = out.grad!;
    const ga = allocFloat(a.size), gb = allocFloat(b.size);
    for (let r = 0; r < rows; r++) {
      ga.set(g.subarray(r * (da + db), r * (da + db) + da), r * da);
      gb.set(g.subarray(r * (da + db) + da, (r + 1) * (da + db)), r * db);
    }
    accumulate(a, ga, true);
    accumulate(b, gb, true);
  });
}

/** a + b, a * b or (a + b) / 2, elementwise on equal shapes. */
export function merge(a: Tensor, b: Tensor, mode: 'sum' | 'mul' | 'ave'): Tensor {
  const K = kernels();
  const ad = a.floatData(), bd = b.floatData();
  const y = allocFloat(a.size);
  if (mode === 'mul') K.mul(ad, bd, y);
  else K.add(ad, bd, y);
  if (mode === 'ave') for (let i = 0; i < y.length; i++) y[i] *= 0.5;
  const out = floatTensor(y, a.shape);
  return record(out, [a, b], () => {
    const g = out.grad!;
    if (mode === 'mul') {
      const ga = allocFloat(a.size), gb = allocFloat(b.size);
      K.mul(g, bd, ga);
      K.mul(g, ad, gb);
      accumulate(a, ga, true);
      accumulate(b, gb, true);
    } else {
      const s = mode === 'ave' ? 0.5 : 1;
      const ga = allocFloat(a.size);
      K.axpy(s, g, ga);
      accumulate(a, ga, true);
      accumulate(b, ga);
    }
  });
}

/** An activation with no native kernel, elementwise in TypeScript; its backward uses the saved input. */
function pointwiseActivation(x: Tensor, act: ExtraActivation): Tensor {
  const { f, df } = EXTRA_ACTIVATIONS[act];
  const xd = x.floatData();
  const y = allocFloat(x.size);
  for (let i = 0; i < y.length; i++) y[i] = f(xd[i]);
  const out = floatTensor(y, x.shape);
  return record(out, [x], () => {
    const dy = out.grad!;
    const dx = allocFloat(x.size);
    for (let i = 0; i < dx.length; i++) dx[i] = dy[i] * df(xd[i]);
    accumulate(x, dx, true);
  });
}
