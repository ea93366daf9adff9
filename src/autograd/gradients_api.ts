/**
 * tfjs's gradient functions over the public ops: rl.grad(f)(x), rl.grads(f)(xs), rl.valueAndGrad,
 * rl.valueAndGrads. f runs on a tape; the ops it uses must be differentiable ones (rl.add, rl.mul, ...,
 * or their tensor methods), as in a custom loss. A non-scalar result is reduced as tfjs does: sum(y * dy),
 * with dy all ones by default.
 */
import { allocPersistent, type FArray } from '../backend/index.js';
import { Tensor, toTensor, type TensorLike } from '../tensor.js';
import { tidy, track } from '../ops/memory.js';
import { grads as recordWith, mul, sum } from './public_ops.js';
import { recordNestedGradient, withTape, withoutTape } from './tape.js';

/**
 * Inside tidy(), as tfjs's gradients are: what f and the backward pass make is disposed, and the value and the
 * gradients are counted by memory() (before, the intermediates stayed counted and the results were not).
 */
function gradientsOf(f: (...xs: Tensor[]) => Tensor, args: TensorLike[], dy: TensorLike | undefined, what: string): { value: Tensor; grads: Tensor[] } {
  return tidy(() => gradientsInScope(f, args, dy, what));
}

/** tfjs checks f when grad(f) is called, so a misplaced argument fails there and not at a later, unrelated call. */
function checkF(f: unknown, what: string): void {
  if (typeof f !== 'function') throw new Error(`The f passed in ${what}(f) must be a function, got ${f === null ? 'null' : typeof f}`);
}

/** grads(f)(xs) takes one tensor per parameter of f, in an array; a lone tensor would otherwise fail inside map. */
function checkArgs(xs: unknown, what: string): void {
  if (!Array.isArray(xs)) {
    const got = xs instanceof Tensor ? 'a Tensor' : xs === null ? 'null' : typeof xs;
    throw new Error(`The args passed in ${what}(f)(args) must be an array of Tensors or TensorLikes (one per argument of f), got ${got}`);
  }
}

function gradientsInScope(f: (...xs: Tensor[]) => Tensor, args: TensorLike[], dy: TensorLike | undefined, what: string): { value: Tensor; grads: Tensor[] } {
  // With respect to the caller's tensors themselves, as tfjs: one passed twice, or one f reads from its closure instead
  // of its parameter, gets its whole gradient. An int32 or bool x keeps its dtype, so f computes as it would outside
  // grad (int32 division floors), and its gradient is float32, as tfjs's: the backward passes accumulate into floats.
  const xs = args.map((a, i) => toTensor(a, `${what}: x${args.length > 1 ? `[${i}]` : ''}`));
  // Put back afterwards, as the gradients are (withTape's isolation): x keeps its autograd fields.
  const tracked = new Map(xs.map((x) => [x, x.requiresGrad]));
  let taped: { y: Tensor; grads: Tensor[]; outside: Tensor[] };
  try {
    for (const x of xs) x.requiresGrad = true;
    taped = differentiate(f, xs, dy, what);
  } finally {
    for (const [x, was] of tracked) x.requiresGrad = was;
  }
  const { y, grads, outside } = taped;
  const values = y.dtype === 'float32' ? floatCopy(y.values) : Int32Array.from(y.values);
  const value = track(new Tensor(values, [...y.shape], y.dtype));
  recordNestedGradient([value, ...new Set(grads)], [...xs, ...outside], `rl.${what}`);
  return { value, grads };
}

function differentiate(f: (...xs: Tensor[]) => Tensor, xs: Tensor[], dy: TensorLike | undefined, what: string): { y: Tensor; grads: Tensor[]; outside: Tensor[] } {
  const { value, gradients } = withTape(() => {
    const y = f(...xs);
    if (!(y instanceof Tensor)) throw new Error(`${what}: f must return a Tensor`);
    const seed = dy === undefined ? null : toTensor(dy, `${what}: dy`);
    if (seed && seed.shape.join() !== y.shape.join()) throw new Error(`${what}: dy has shape [${seed.shape.join(', ')}] but f(x) has [${y.shape.join(', ')}]`);
    return { y, loss: y.size === 1 && !seed ? y : sum(seed ? mul(y, seed) : y) };
  });
  // Isolated: the weights of a model f runs through get gradients too, which must not reach the next fit step.
  // One tensor given twice gets the one gradient tensor twice, as tfjs's (memory() counts it once).
  const made = new Map<Tensor, Tensor>();
  return gradients(value.loss, (gave, outside) => ({
    y: value.y,
    outside,
    grads: xs.map((x, i) => {
      if (!gave(x)) {
        throw new Error(`${what}: cannot compute the gradient of y = f(x) with respect to x${xs.length > 1 ? `[${i}]` : ''}: y does not depend on it through differentiable ops`);
      }
      const g = made.get(x) ?? track(new Tensor(floatCopy(x.grad!), [...x.shape], 'float32'));
      made.set(x, g);
      return g;
    }),
  }));
}

/** A copy in the precision in force (Float64Array under rl.setPrecision(64), as every op's result), outside any scratch pool. */
export function floatCopy(values: ArrayLike<number>): FArray {
  const out = allocPersistent(values.length);
  out.set(values);
  return out;
}

export function grad(f: (x: Tensor) => Tensor): (x: TensorLike, dy?: TensorLike) => Tensor {
  checkF(f, 'grad');
  return (x, dy) => tidy(() => gradientsOf(f, [x], dy, 'grad').grads[0]);
}

export function grads(f: (...xs: Tensor[]) => Tensor): (xs: TensorLike[], dy?: TensorLike) => Tensor[] {
  checkF(f, 'grads');
  return (xs, dy) => { checkArgs(xs, 'grads'); return tidy(() => gradientsOf(f, xs, dy, 'grads').grads); };
}

export function valueAndGrad(f: (x: Tensor) => Tensor): (x: TensorLike, dy?: TensorLike) => { value: Tensor; grad: Tensor } {
  checkF(f, 'valueAndGrad');
  return (x, dy) => { const r = gradientsOf(f, [x], dy, 'valueAndGrad'); return { value: r.value, grad: r.grads[0] }; };
}

export function valueAndGrads(f: (...xs: Tensor[]) => Tensor): (xs: TensorLike[], dy?: TensorLike) => { value: Tensor; grads: Tensor[] } {
  checkF(f, 'valueAndGrads');
  return (xs, dy) => { checkArgs(xs, 'valueAndGrads'); return gradientsOf(f, xs, dy, 'valueAndGrads'); };
}

type GradFunc = (dy: Tensor, saved: Tensor[]) => Tensor | Tensor[];

/**
 * tfjs's customGrad(f): f(...inputs, save) returns {value, gradFunc}; the result differentiates through
 * gradFunc(dy, saved) alone (one gradient per input, each of its input's shape), not through the ops f used.
 */
export function customGrad(f: (...args: never[]) => { value: Tensor; gradFunc: GradFunc }): (...inputs: Tensor[]) => Tensor {
  if (typeof f !== 'function') throw new Error('The f passed in customGrad(f) must be a function.');
  return (...inputs: Tensor[]): Tensor => {
    inputs.forEach((x, i) => { if (!(x instanceof Tensor)) throw new Error(`customGrad: input ${i} must be a Tensor`); });
    let saved: Tensor[] = [];
    const save = (ts: Tensor[]): void => {
      if (!Array.isArray(ts) || !ts.every((t) => t instanceof Tensor)) throw new Error('customGrad: save() takes an array of Tensors');
      saved = ts;
    };
    // In its own scope, as tfjs's: what f makes is disposed and only the result stays counted. The recording happens
    // inside, so the tensors f saved, and its value (tfjs keeps it, so a gradFunc may read it), stay readable for the
    // backward after the scope disposes them.
    return tidy(() => {
      const made = withoutTape(() => (f as (...a: unknown[]) => { value: Tensor; gradFunc: GradFunc })(...inputs, save));
      if (!made || !(made.value instanceof Tensor)) throw new Error('The function f passed in customGrad(f) must return an object where `obj.value` is a tensor');
      if (typeof made.gradFunc !== 'function') throw new Error('The function f passed in customGrad(f) must return an object where `obj.gradFunc` is a function.');
      // A fresh tensor on the shared values, so recording it never rewires an input f may have returned as is; the
      // buffer stays counted through it when the scope disposes made.value.
      const out = track(new Tensor(made.value.values, [...made.value.shape], made.value.dtype));
      return recordWith(out, inputs, (dy) => {
        const g = made.gradFunc(dy, saved);
        const list = Array.isArray(g) ? g : [g];
        if (list.length !== inputs.length) throw new Error(`customGrad: gradFunc must return one gradient per input (${inputs.length}), got ${list.length}`);
        list.forEach((gi, i) => {
          if (!(gi instanceof Tensor) || gi.shape.join() !== inputs[i].shape.join()) {
            throw new Error(`customGrad: gradFunc's gradient ${i} must be a Tensor of shape [${inputs[i].shape.join(', ')}], got ${gi instanceof Tensor ? `[${gi.shape.join(', ')}]` : typeof gi}`);
          }
        });
        return list;
      }, [...saved, made.value]);
    });
  };
}
