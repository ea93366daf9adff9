/**
 * The public tensor ops a custom layer's call() uses, recording on the tape while one is active (fit, or
 * withTape), so user layers train like built-in ones. Outside a tape each is exactly the plain op from src/ops.
 * Each backward is written with the plain ops, which never record (the tape is closed while it replays).
 * More differentiable ops (abs, pow, gather, stack, ...) are in ./differentiable_ops.ts, built on grads().
 */
import { allocFloat, type FArray } from '../backend/index.js';
import * as T from '../ops/index.js';
import { asTensor } from '../ops/convert.js';
import { saveForBackward } from '../ops/memory.js';
import { mirrorPadSources } from '../ops/indexing.js';
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

/**
 * Records out as computed from inputs; backward maps the output gradient to one gradient per input (or null).
 * Inputs that are not Tensors (plain numbers and arrays) take no gradient.
 */
export function grads(out: Tensor, inputs: unknown[], backward: (g: Tensor) => (Tensor | null)[], alsoRead: unknown[] = []): Tensor {
  const ts = inputs.map((t) => (t instanceof Tensor ? t : null));
  record(out, ts, () => {
    const gs = backward(new Tensor(out.grad!, out.shape, 'float32'));
    gs.forEach((gi, i) => {
      const t = ts[i];
      if (gi && t?.requiresGrad) accumulate(t, floats(unbroadcast(gi, t.shape)), true);
    });
  });
  // backward reads the inputs, the output and alsoRead: a tidy() around the forward must not poison them.
  if (out.backwardFn) saveForBackward([out, ...ts, ...alsoRead]);
  return out;
}

/** Attaches fn as the chained method `name` (x.name(...rest) is fn(x, ...rest)), replacing the plain one. */
export function recordingMethod(name: string, fn: (x: Tensor, ...rest: never[]) => unknown): void {
  Object.defineProperty(Tensor.prototype, name, { configurable: true, writable: true, value(this: Tensor, ...rest: never[]) { return fn(this, ...rest); } });
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
// step, not greater(x, 0): tfjs's Relu gradient is dy * step(x), which is NaN where x is NaN, so rl.grad shows the
// NaN instead of hiding it behind a 0. (Built-in layers' relu activation runs the native kernel, which still gives 0.)
export function relu(x: TensorLike): Tensor { return grads(T.relu(x), [x], (g) => [T.mul(g, T.step(x))]); }
export function exp(x: TensorLike): Tensor {
  const y = T.exp(x);
  return grads(y, [x], (g) => [T.mul(g, y)]);
}
export function log(x: TensorLike): Tensor { return grads(T.log(x), [x], (g) => [T.div(g, x)]); }

/** The shape of x reduced over axis with keepDims, so a reduced gradient broadcasts back over x. */
export function keptShape(x: Tensor, axis: number | number[] | null | undefined): number[] {
  const axes = parseAxes(axis, x.rank);
  return x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

export function sum(x: TensorLike, axis: number | number[] | null = null, keepDims = false): Tensor {
  const t = asTensor(x, 'x', 'sum');
  return grads(T.sum(t, axis, keepDims), [x], (g) => [T.mul(T.reshape(g, keptShape(t, axis)), T.onesLike(t))]);
}
export function mean(x: TensorLike, axis: number | number[] | null = null, keepDims = false): Tensor {
  const t = asTensor(x, 'x', 'mean');
  const y = T.mean(t, axis, keepDims);
  const count = t.size / Math.max(y.size, 1);
  return grads(y, [x], (g) => [T.mul(T.reshape(T.div(g, count), keptShape(t, axis)), T.onesLike(t))]);
}

export function reshape(x: TensorLike, shape: Shape): Tensor {
  const t = asTensor(x, 'x', 'reshape');
  return grads(T.reshape(t, shape), [x], (g) => [T.reshape(g, t.shape)]);
}

export function transpose(x: TensorLike, perm?: number[]): Tensor {
  const y = T.transpose(x, perm);
  const p = perm ?? y.shape.map((_, i) => y.rank - 1 - i);
  const inverse = p.map((_, i) => p.indexOf(i));
  return grads(y, [x], (g) => [T.transpose(g, inverse)]);
}

/** Softmax over the last axis (tfjs's default dim): dx = y * (g - sum(g * y)). */
export function softmax(logits: TensorLike, dim = -1): Tensor {
  const y = T.softmax(logits, dim);
  return grads(y, [logits], (g) => [T.mul(y, T.sub(g, T.sum(T.mul(g, y), -1, true)))]);
}

export function concat(tensors: TensorLike[], axis: number | null = 0): Tensor {
  const out = T.concat(tensors, axis as number);
  const ax = axis === null ? 0 : axis < 0 ? axis + out.rank : axis; // null is tfjs's default axis 0, as T.concat reads it
  return grads(out, tensors, (g) => {
    let at = 0;
    return tensors.map((x) => {
      const shape = asTensor(x, 'x', 'concat').shape;
      const begin = g.shape.map((_, i) => (i === ax ? at : 0));
      at += shape[ax];
      return T.slice(g, begin, shape);
    });
  });
}

export function slice(x: TensorLike, begin: number | number[], size?: number | number[]): Tensor {
  const t = asTensor(x, 'x', 'slice');
  const out = T.slice(t, begin, size);
  const starts = t.shape.map((_, i) => (Array.isArray(begin) ? begin[i] ?? 0 : i === 0 ? begin : 0));
  return grads(out, [x], (g) => [T.pad(g, t.shape.map((d, i) => [starts[i], d - starts[i] - out.shape[i]] as [number, number]))]);
}

/** zerosLike and onesLike pass a zero gradient back, as tfjs registers one, so a loss built on them still differentiates. */
export function zerosLike(x: TensorLike): Tensor { return grads(T.zerosLike(x), [x], (g) => [T.zerosLike(g)]); }
export function onesLike(x: TensorLike): Tensor { return grads(T.onesLike(x), [x], (g) => [T.zerosLike(g)]); }

/** mirrorPad's gradient: each output value's gradient adds back into the value of x it copied (edges collect several). */
export function mirrorPad(x: TensorLike, paddings: Array<[number, number]>, mode: 'reflect' | 'symmetric'): Tensor {
  const t = asTensor(x, 'x', 'mirrorPad');
  const out = T.mirrorPad(t, paddings, mode);
  return grads(out, [x], (g) => {
    const from = mirrorPadSources(t.shape, paddings, mode);
    const acc = new Float64Array(t.size);
    for (let i = 0; i < from.length; i++) acc[from[i]] += g.values[i];
    return [T.tensor(acc, [...t.shape], 'float32')];
  });
}

// The chained forms record too (x.square().sum(), w.reshape([2, 1])), as tfjs's methods differentiate like its
// functions. Internal code reshapes through the ops modules, so a recording x.reshape costs it nothing.
const recordingMethods: Record<string, (x: Tensor, ...rest: never[]) => Tensor> = {
  add, sub, mul, div, neg, square, matMul, sigmoid, tanh, relu, exp, log, sum, mean, transpose, softmax, slice, reshape, mirrorPad, zerosLike, onesLike,
};
for (const [name, fn] of Object.entries(recordingMethods)) recordingMethod(name, fn);
recordingMethod('concat', (x: Tensor, more: Tensor | Tensor[], axis?: number) => concat([x, ...(Array.isArray(more) ? more : [more])], axis));
