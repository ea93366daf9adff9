/**
 * Ops of the functional API's merge and attention layers: n-ary elementwise merges, concatenation on any axis,
 * batched matrix products (one GEMM per batch entry) and L2 normalization. Forward and backward side by side.
 */
import { Act, allocFloat, kernels } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import { broadcastIndex } from '../ops/broadcast.js';
import { accumulate, gradBuffer, record } from './tape.js';

export type MergeMode = 'add' | 'subtract' | 'multiply' | 'average' | 'maximum' | 'minimum';

/** Each input's padding mask over its own first two axes [B, T] (1 = real step), or null for none. */
export type InputMasks = readonly (Uint8Array | null)[];

/**
 * Elementwise, broadcasting as Keras's merge layers do: an input of lower rank gains axes of size 1 after the batch
 * axis, then an axis of size 1 stretches to the others' size. subtract takes exactly two inputs. With masks,
 * maximum, minimum and multiply leave padded values out as Keras >= 3.4 does (maskedMerge); the others, as in
 * Keras, merge every value.
 */
export function mergeElementwise(inputs: Tensor[], mode: MergeMode, masks?: InputMasks): Tensor {
  if (masks?.some((m) => m) && (mode === 'maximum' || mode === 'minimum' || mode === 'multiply')) return maskedMerge(inputs, mode, masks);
  const shapes = inputs.map((t) => t.shape);
  const shape = mergedShape(shapes, () => new Error(`inputs of shapes ${shapes.map((s) => `[${s.join(', ')}]`).join(' and ')} cannot be merged (sizes must match or be 1)`));
  // For each output element, the element each input gives it (null: the input has the output's shape).
  const at = shapes.map((s) => broadcastIndex(withRank(s, shape.length), shape));
  const ds = inputs.map((t) => t.floatData());
  const n = shape.reduce((a, d) => a * d, 1);
  const y = allocFloat(n, false);
  const v = (k: number, i: number) => ds[k][at[k] ? at[k]![i] : i];
  for (let i = 0; i < n; i++) y[i] = v(0, i);
  // For maximum/minimum: which input won each element (the gradient goes there only).
  const arg = mode === 'maximum' || mode === 'minimum' ? new Int32Array(n) : null;
  for (let k = 1; k < ds.length; k++) {
    for (let i = 0; i < n; i++) {
      const d = v(k, i);
      switch (mode) {
        case 'add': case 'average': y[i] += d; break;
        case 'subtract': y[i] -= d; break;
        case 'multiply': y[i] *= d; break;
        case 'maximum': if (d > y[i]) { y[i] = d; arg![i] = k; } break;
        case 'minimum': if (d < y[i]) { y[i] = d; arg![i] = k; } break;
      }
    }
  }
  if (mode === 'average') for (let i = 0; i < n; i++) y[i] /= ds.length;
  const out = new Tensor(y, shape, 'float32');
  return record(out, inputs, () => {
    const g = out.grad!;
    inputs.forEach((t, k) => {
      if (!t.requiresGrad) return;
      // A stretched input sums the gradients of every element it gave.
      const gk = allocFloat(t.size);
      for (let i = 0; i < n; i++) {
        let p: number;
        switch (mode) {
          case 'add': p = g[i]; break;
          case 'average': p = g[i] / ds.length; break;
          case 'subtract': p = k === 0 ? g[i] : -g[i]; break;
          case 'multiply': {
            p = g[i];
            for (let j = 0; j < ds.length; j++) if (j !== k) p *= v(j, i);
            break;
          }
          default: p = arg![i] === k ? g[i] : 0;
        }
        gk[at[k] ? at[k]![i] : i] += p;
      }
      accumulate(t, gk, true);
    });
  });
}

/**
 * Keras >= 3.4's masked Maximum, Minimum and Multiply: at each element the merge takes the inputs that have no mask
 * or whose step there is real. Where none does (every input masked), maximum and minimum give the first input's
 * value and multiply gives 0. A masked-out value gets no gradient. An input of lower rank merges as if unmasked,
 * since Keras's expand_dims drops its mask before the merge.
 */
function maskedMerge(inputs: Tensor[], mode: 'maximum' | 'minimum' | 'multiply', masks: InputMasks): Tensor {
  const shapes = inputs.map((t) => t.shape);
  const shape = mergedShape(shapes, () => new Error(`inputs of shapes ${shapes.map((s) => `[${s.join(', ')}]`).join(' and ')} cannot be merged (sizes must match or be 1)`));
  const at = shapes.map((s) => broadcastIndex(withRank(s, shape.length), shape));
  const ds = inputs.map((t) => t.floatData());
  const stepMasks = inputs.map((t, k) => {
    const m = t.rank === shape.length ? masks[k] ?? null : null;
    if (m && m.length !== t.shape[0] * t.shape[1]) throw new Error(`the padding mask of input ${k} has ${m.length} entries, not one per step of its shape [${t.shape.join(', ')}]`);
    return m;
  });
  // Elements per step of each input: its flat index over this gives the step its mask covers.
  const perStep = shapes.map((s) => s.slice(2).reduce((a, d) => a * d, 1));
  const n = shape.reduce((a, d) => a * d, 1);
  const src = (k: number, i: number) => (at[k] ? at[k]![i] : i);
  const taken = (k: number, i: number) => { const m = stepMasks[k]; return !m || m[Math.floor(src(k, i) / perStep[k])] !== 0; };
  const y = allocFloat(n, false);
  // maximum/minimum: the input whose value each element took (the gradient goes there only).
  const arg = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (mode === 'multiply') {
      let p = 1, any = false;
      for (let k = 0; k < ds.length; k++) if (taken(k, i)) { p *= ds[k][src(k, i)]; any = true; }
      y[i] = any ? p : 0;
      continue;
    }
    let w = -1, best = 0;
    for (let k = 0; k < ds.length; k++) {
      if (!taken(k, i)) continue;
      const d = ds[k][src(k, i)];
      if (w < 0 || (mode === 'maximum' ? d > best : d < best)) { w = k; best = d; }
    }
    if (w < 0) { w = 0; best = ds[0][src(0, i)]; }
    y[i] = best;
    arg[i] = w;
  }
  const out = new Tensor(y, shape, 'float32');
  return record(out, inputs, () => {
    const g = out.grad!;
    inputs.forEach((t, k) => {
      if (!t.requiresGrad) return;
      const gk = allocFloat(t.size);
      for (let i = 0; i < n; i++) {
        let p = 0;
        if (mode !== 'multiply') p = arg[i] === k ? g[i] : 0;
        else if (taken(k, i)) {
          p = g[i];
          for (let j = 0; j < ds.length; j++) if (j !== k && taken(j, i)) p *= ds[j][src(j, i)];
        }
        gk[src(k, i)] += p;
      }
      accumulate(t, gk, true);
    });
  });
}

/** shape with axes of size 1 inserted after the batch axis up to rank (Keras's merge of inputs of unequal rank). */
function withRank<T extends number | null>(shape: readonly T[], rank: number): T[] {
  return shape.length >= rank ? [...shape] : [shape[0], ...Array<T>(rank - shape.length).fill(1 as T), ...shape.slice(1)];
}

/**
 * The shape Keras's elementwise merges give: inputs of lower rank gain axes of size 1 after the batch axis; on each
 * axis the sizes must agree, except that 1 stretches to the other's (an unknown size stays unknown); `problem` makes
 * the error for sizes that cannot be merged.
 */
export function mergedShape<T extends number | null>(shapes: readonly (readonly T[])[], problem: () => Error): T[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const aligned = shapes.map((s) => withRank(s, rank));
  const combine = (a: T, b: T): T => {
    if (a === null || b === null) return null as T;
    if (a !== b && a !== 1 && b !== 1) throw problem();
    return a === 1 ? b : a;
  };
  return aligned[0].map((_, i) => aligned.map((s) => s[i]).reduce(combine));
}

/** Splits a shape around axis: rows before it, the axis, the contiguous size after it. */
function around(shape: readonly number[], axis: number): { outer: number; inner: number } {
  let outer = 1, inner = 1;
  shape.forEach((d, i) => { if (i < axis) outer *= d; else if (i > axis) inner *= d; });
  return { outer, inner };
}

/** Concatenates along axis (non-negative, < rank); the other axes must agree. */
export function concat(inputs: Tensor[], axis: number): Tensor {
  const { outer, inner } = around(inputs[0].shape, axis);
  const widths = inputs.map((t) => t.shape[axis] * inner);
  const total = widths.reduce((a, b) => a + b, 0);
  const y = allocFloat(outer * total, false);
  let off = 0;
  inputs.forEach((t, k) => {
    const d = t.floatData(), w = widths[k];
    for (let r = 0; r < outer; r++) y.set(d.subarray(r * w, (r + 1) * w), r * total + off);
    off += w;
  });
  const shape = [...inputs[0].shape];
  shape[axis] = inputs.reduce((s, t) => s + t.shape[axis], 0);
  const out = new Tensor(y, shape, 'float32');
  return record(out, inputs, () => {
    const g = out.grad!;
    let o = 0;
    inputs.forEach((t, k) => {
      const w = widths[k];
      if (t.requiresGrad) {
        const gk = allocFloat(t.size, false);
        for (let r = 0; r < outer; r++) gk.set(g.subarray(r * total + o, r * total + o + w), r * w);
        accumulate(t, gk, true);
      }
      o += w;
    });
  });
}

/**
 * Batched matrix product: a [B, M, K] (or [B, K, M] with transA) times b [B, K, N] (or [B, N, K] with transB)
 * -> [B, M, N]; one GEMM per batch entry on the backend's kernel.
 */
export function batchMatMul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  const K = kernels();
  const [B, a1, a2] = a.shape;
  const [, b1, b2] = b.shape;
  const M = transA ? a2 : a1, Kd = transA ? a1 : a2, N = transB ? b1 : b2;
  const ad = a.floatData(), bd = b.floatData();
  const sa = a1 * a2, sb = b1 * b2, sy = M * N;
  const y = allocFloat(B * sy, false);
  for (let i = 0; i < B; i++) {
    K.gemm(transA, transB, M, N, Kd, 1, ad.subarray(i * sa, (i + 1) * sa), bd.subarray(i * sb, (i + 1) * sb), 0, y.subarray(i * sy, (i + 1) * sy), null, Act.linear);
  }
  const out = new Tensor(y, [B, M, N], 'float32');
  return record(out, [a, b], () => {
    const g = out.grad!;
    const ga = a.requiresGrad ? gradBuffer(a) : null;
    const gb = b.requiresGrad ? gradBuffer(b) : null;
    for (let i = 0; i < B; i++) {
      const gi = g.subarray(i * sy, (i + 1) * sy);
      const ai = ad.subarray(i * sa, (i + 1) * sa), bi = bd.subarray(i * sb, (i + 1) * sb);
      // y = op(a) op(b): d op(a) = g op(b)^T, d op(b) = op(a)^T g; transposed operands take the transposed product.
      if (ga) {
        const dst = ga.subarray(i * sa, (i + 1) * sa);
        if (!transA) K.gemm(false, !transB, M, Kd, N, 1, gi, bi, 1, dst, null, Act.linear);
        else K.gemm(transB, true, Kd, M, N, 1, bi, gi, 1, dst, null, Act.linear);
      }
      if (gb) {
        const dst = gb.subarray(i * sb, (i + 1) * sb);
        if (!transB) K.gemm(!transA, false, Kd, N, M, 1, ai, gi, 1, dst, null, Act.linear);
        else K.gemm(true, transA, N, Kd, M, 1, gi, ai, 1, dst, null, Act.linear);
      }
    }
  });
}

/** x / max(||x||, 1e-12 ... as Keras: x * rsqrt(max(sum x^2, 1e-12))) along axis. */
export function l2Normalize(x: Tensor, axis: number): Tensor {
  const { outer, inner } = around(x.shape, axis);
  const n = x.shape[axis];
  const xd = x.floatData();
  const y = allocFloat(x.size, false);
  const inv = allocFloat(outer * inner, false);
  const clipped = new Uint8Array(outer * inner);
  for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) { const v = xd[(o * n + k) * inner + j]; s += v * v; }
    if (s < 1e-12) { s = 1e-12; clipped[o * inner + j] = 1; }
    const r = 1 / Math.sqrt(s);
    inv[o * inner + j] = r;
    for (let k = 0; k < n; k++) y[(o * n + k) * inner + j] = xd[(o * n + k) * inner + j] * r;
  }
  const out = new Tensor(y, x.shape, 'float32');
  return record(out, [x], () => {
    const g = out.grad!;
    const dx = allocFloat(x.size, false);
    for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) {
      const r = inv[o * inner + j];
      let dot = 0;
      for (let k = 0; k < n; k++) { const i = (o * n + k) * inner + j; dot += g[i] * y[i]; }
      for (let k = 0; k < n; k++) {
        const i = (o * n + k) * inner + j;
        dx[i] = clipped[o * inner + j] ? g[i] * r : r * (g[i] - y[i] * dot);
      }
    }
    accumulate(x, dx, true);
  });
}
