/**
 * The public tensor ops a custom layer's call() uses, recording on the tape while one is active (fit, or
 * withTape), so user layers train like built-in ones. Outside a tape each is exactly the plain op from src/ops.
 * Each backward is written with the plain ops, which never record (the tape is closed while it replays).
 */
import { allocFloat, type FArray } from '../backend/index.js';
import * as T from '../ops/index.js';
import { parseAxes } from '../ops/reduction.js';
import { Tensor, type Shape, type TensorLike } from '../tensor.js';
import { accumulate, record } from './tape.js';

function floats(t: Tensor): FArray {
  const a = allocFloat(t.size, false);
  for (let i = 0; i < a.length; i++) a[i] = t.values[i];
  return a;
}

/** g summed over the axes broadcasting stretched, back to shape. */
function unbroadcast(g: Tensor, shape: Shape): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const extra = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < extra || (shape[i - extra] === 1 && g.shape[i] !== 1)) axes.push(i);
  return T.reshape(T.sum(g, axes), shape);
}

/** Records out as computed from inputs; backward maps the output gradient to one gradient per input (or null). */
function grads(out: Tensor, inputs: unknown[], backward: (g: Tensor) => (Tensor | null)[]): Tensor {
  const ts = inputs.map((t) => (t instanceof Tensor ? t : null));
  return record(out, ts, () => {
    const gs = backward(new Tensor(out.grad!, out.shape, 'float32'));
    gs.forEach((gi, i) => {
      const t = ts[i];
      if (gi && t?.requiresGrad) accumulate(t, floats(unbroadcast(gi, t.shape)), true);
    });
  });
}

export function add(a: TensorLike, b: TensorLike): Tensor { return grads(T.add(a, b), [a, b], (g) => [g, g]); }
export function sub(a: TensorLike, b: TensorLike): Tensor { return grads(T.sub(a, b), [a, b], (g) => [g, T.neg(g)]); }
export function mul(a: TensorLike, b: TensorLike): Tensor { return grads(T.mul(a, b), [a, b], (g) => [T.mul(g, b), T.mul(g, a)]); }
export function div(a: TensorLike, b: TensorLike): Tensor {
  return grads(T.div(a, b), [a, b], (g) => [T.div(g, b), T.neg(T.div(T.mul(g, a), T.mul(b, b)))]);
}
export function neg(x: TensorLike): Tensor { return grads(T.neg(x), [x], (g) => [T.neg(g)]); }
export function square(x: TensorLike): Tensor { return grads(T.square(x), [x], (g) => [T.mul(g, T.mul(x, 2))]); }

/** y = op(a) op(b): d op(a) = g op(b)ᵀ and d op(b) = op(a)ᵀ g, written back in each operand's stored layout. */
export function matMul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false): Tensor {
  return grads(T.matMul(a, b, transposeA, transposeB), [a, b], (g) => [
    transposeA ? T.matMul(b, g, transposeB, true) : T.matMul(g, b, false, !transposeB),
    transposeB ? T.matMul(g, a, true, transposeA) : T.matMul(a, g, !transposeA, false),
  ]);
}

export function sigmoid(x: TensorLike): Tensor {
  const y = T.sigmoid(x);
  return grads(y, [x], (g) => [T.mul(g, T.mul(y, T.sub(1, y)))]);
}
export function tanh(x: TensorLike): Tensor {
  const y = T.tanh(x);
  return grads(y, [x], (g) => [T.mul(g, T.sub(1, T.mul(y, y)))]);
}
export function relu(x: TensorLike): Tensor { return grads(T.relu(x), [x], (g) => [T.mul(g, T.cast(T.greater(x, 0), 'float32'))]); }
export function exp(x: TensorLike): Tensor {
  const y = T.exp(x);
  return grads(y, [x], (g) => [T.mul(g, y)]);
}
export function log(x: TensorLike): Tensor { return grads(T.log(x), [x], (g) => [T.div(g, x)]); }

/** The shape of x reduced over axis with keepDims, so a reduced gradient broadcasts back over x. */
function keptShape(x: Tensor, axis: number | number[] | null | undefined): number[] {
  const axes = parseAxes(axis, x.rank);
  return x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

export function sum(x: Tensor, axis: number | number[] | null = null, keepDims = false): Tensor {
  return grads(T.sum(x, axis, keepDims), [x], (g) => [T.mul(T.reshape(g, keptShape(x, axis)), T.onesLike(x))]);
}
export function mean(x: Tensor, axis: number | number[] | null = null, keepDims = false): Tensor {
  const count = x.size / keptShape(x, axis).reduce((a, b) => a * b, 1);
  return grads(T.mean(x, axis, keepDims), [x], (g) => [T.mul(T.reshape(T.div(g, count), keptShape(x, axis)), T.onesLike(x))]);
}

export function reshape(x: Tensor, shape: Shape): Tensor { return grads(T.reshape(x, shape), [x], (g) => [T.reshape(g, x.shape)]); }

export function transpose(x: Tensor, perm?: number[]): Tensor {
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  const inverse = p.map((_, i) => p.indexOf(i));
  return grads(T.transpose(x, perm), [x], (g) => [T.transpose(g, inverse)]);
}

/** Softmax over the last axis (tfjs's default dim): dx = y * (g - sum(g * y)). */
export function softmax(logits: Tensor, dim = -1): Tensor {
  const y = T.softmax(logits, dim);
  return grads(y, [logits], (g) => [T.mul(y, T.sub(g, T.sum(T.mul(g, y), -1, true)))]);
}

export function concat(tensors: Tensor[], axis = 0): Tensor {
  const out = T.concat(tensors, axis);
  const ax = axis < 0 ? axis + out.rank : axis;
  return grads(out, tensors, (g) => {
    let at = 0;
    return tensors.map((t) => {
      const begin = g.shape.map((_, i) => (i === ax ? at : 0));
      at += t.shape[ax];
      return T.slice(g, begin, t.shape);
    });
  });
}

export function slice(x: Tensor, begin: number | number[], size?: number | number[]): Tensor {
  const out = T.slice(x, begin, size);
  const starts = x.shape.map((_, i) => (Array.isArray(begin) ? begin[i] ?? 0 : i === 0 ? begin : 0));
  return grads(out, [x], (g) => [T.pad(g, x.shape.map((d, i) => [starts[i], d - starts[i] - out.shape[i]] as [number, number]))]);
}

// The chained forms record too (x.square().sum(), w.reshape([2, 1])), as tfjs's methods differentiate like its
// functions. Internal code reshapes through the ops modules, so a recording x.reshape costs it nothing.
const recordingMethods: Record<string, (x: Tensor, ...rest: never[]) => Tensor> = {
  add, sub, mul, div, neg, square, matMul, sigmoid, tanh, relu, exp, log, sum, mean, transpose, softmax, slice, reshape,
};
for (const [name, fn] of Object.entries(recordingMethods)) {
  Object.defineProperty(Tensor.prototype, name, { configurable: true, writable: true, value(this: Tensor, ...rest: never[]) { return fn(this, ...rest); } });
}
Object.defineProperty(Tensor.prototype, 'concat', {
  configurable: true, writable: true,
  value(this: Tensor, x: Tensor | Tensor[], axis?: number) { return concat([this, ...(Array.isArray(x) ? x : [x])], axis); },
});
