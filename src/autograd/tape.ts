/**
 * Reverse-mode autodiff over a tape. Ops run their forward kernels eagerly and, while a tape is recording
 * and some input needs a gradient, attach a backward closure to their output and append it to the tape.
 * backward() replays the tape in reverse; each closure reads its output's grad and accumulates into inputs.
 */
import { allocFloat, allocPersistent, getPrecision, kernels, type FArray } from '../backend/index.js';
import { closeSaveList, openSaveList, releaseSaved } from '../ops/memory.js';
import { Tensor } from '../tensor.js';

let tape: Tensor[] | null = null;


/** Registers out as produced from inputs; backward runs only if out.grad is set when replayed. */
export function record(out: Tensor, inputs: readonly (Tensor | null | undefined)[], backward: () => void): Tensor {
  if (tape && inputs.some((t) => t?.requiresGrad)) {
    out.requiresGrad = true;
    out.backwardFn = backward;
    tape.push(out);
  }
  return out;
}

/**
 * Puts the outputs of an op that has no gradient (tfjs registers none) on the tape when an input needs one: without
 * a link the path from x to y would end there unseen, and a gradient that also reaches x another way would come out
 * wrong with no error. Replaying one that received a gradient throws tfjs's error, naming the op; one that receives
 * none (its result does not reach y) costs nothing. An output that is an input (an op returning x itself) keeps x's link.
 */
export function recordNoGradient(outs: readonly Tensor[], inputs: readonly unknown[], kernel: string, fn: string): void {
  if (!tape || !inputs.some((t) => t instanceof Tensor && t.requiresGrad)) return;
  for (const out of outs) {
    if (out.requiresGrad || inputs.includes(out)) continue;
    out.requiresGrad = true;
    out.backwardFn = () => { throw new Error(`Cannot compute gradient: gradient function not found for ${kernel} (rl.${fn})`); };
    tape.push(out);
  }
}

/**
 * Records out with tfjs's zero gradient for its tensor inputs (ArgMax, GreaterEqual, IsNan, OneHot, ...): x gets a
 * gradient of zeros rather than none, so rl.grad returns zeros as tfjs does. Nothing is saved: only sizes are read.
 */
export function recordZeroGradient(out: Tensor, inputs: readonly unknown[]): Tensor {
  const ts = inputs.filter((t): t is Tensor => t instanceof Tensor);
  return record(out, ts, () => {
    for (const t of ts) if (t.requiresGrad && hasNoGradient(t)) accumulate(t, allocFloat(t.size), true);
  });
}

/**
 * The tensors given a gradient by the backward in progress: one that throws (an op without a gradient) clears them,
 * so no weight keeps a half-summed gradient for the next step to add in.
 */
let touched: Set<Tensor> | null = null;

/**
 * While an isolated backward runs (withTape's gradients): each tensor's gradient from before it was first given one
 * here, put back afterwards, so a public gradient computation leaves no .grad for a later training step to add in.
 */
let priorGrads: Map<Tensor, FArray | null> | null = null;

/** Marks t as given a gradient by this backward, first moving a gradient it held before aside when isolating. */
function touch(t: Tensor): void {
  touched?.add(t);
  if (priorGrads && !priorGrads.has(t)) {
    priorGrads.set(t, t.grad);
    // A kernel may already have read t.grad to decide to add into it (gemm's beta = t.grad ? 1 : 0): zeros keep that right.
    t.grad = t.grad ? allocFloat(t.grad.length) : null;
  }
  settleDeferred(t);
}

/** Adds g into t.grad. `owned` lets t keep g itself when it has no gradient yet (g must not be reused). */
export function accumulate(t: Tensor | null | undefined, g: FArray, owned = false): void {
  if (!t || !t.requiresGrad) return;
  touch(t);
  if (!t.grad) {
    if (owned) { t.grad = g; return; }
    t.grad = allocFloat(g.length);
    t.grad.set(g);
    return;
  }
  kernels().axpy(1, g, t.grad);
}

/**
 * t.grad, allocated as zeros if absent: for kernels that accumulate in place (gemm with beta 1, scatter-add).
 * zero false: for a kernel that overwrites a fresh buffer (gemm with beta = t had a gradient ? 1 : 0).
 */
export function gradBuffer(t: Tensor, zero = true): FArray {
  touch(t);
  if (!t.grad) t.grad = allocFloat(t.size, zero);
  return t.grad;
}

/**
 * Gradients a consumer hands its input's producer in the producer's own form instead of t.grad (a max pooling's
 * gradient and argmax, for the bf16 Conv1D before it: src/autograd/ops.ts), with the way to make it a plain
 * gradient. t's backward takes it with takeDeferredGrad when nothing else gave t a gradient; a later accumulation
 * into t first makes it t.grad (densify), so the sum's terms come in the order they would have without it.
 */
interface Deferred { value: unknown; densify: () => FArray }
const deferredGrads = new WeakMap<Tensor, Deferred>();
export function deferGrad(t: Tensor, value: unknown, densify: () => FArray): void {
  if (t.grad || deferredGrads.has(t)) throw new Error('deferGrad: the tensor already has a gradient');
  deferredGrads.set(t, { value, densify });
}
/** Whether t.grad is absent and no gradient was deferred to t: a consumer may then defer its own. */
export function hasNoGradient(t: Tensor): boolean {
  return !t.grad && !deferredGrads.has(t);
}
export function takeDeferredGrad<G>(t: Tensor): G | undefined {
  const d = deferredGrads.get(t);
  deferredGrads.delete(t);
  return d?.value as G | undefined;
}
function settleDeferred(t: Tensor): void {
  const d = deferredGrads.get(t);
  if (!d) return;
  deferredGrads.delete(t);
  t.grad = d.densify();
}

let zeros: FArray | null = null;
/**
 * n zeros that stay zero: a gradient that must exist for its op's backward to run but holds nothing. The caller
 * guarantees nothing accumulates into it (it is set only after every consumer of its tensor has been replayed).
 */
export function readOnlyZeros(n: number): FArray {
  const wide = getPrecision() === 64;
  if (!zeros || zeros.length < n || (zeros instanceof Float64Array) !== wide) zeros = allocPersistent(n);
  return zeros.subarray(0, n);
}

/** Whether a tape is recording now (inside rl.grad, rl.variableGrads, optimizer.minimize or a training step). */
export function isRecording(): boolean {
  return tape !== null;
}

/** Runs fn with recording off: ops inside attach no backward (customGrad's forward, whose gradient is the user's). */
export function withoutTape<T>(fn: () => T): T {
  const outer = tape;
  tape = null;
  try { return fn(); } finally { tape = outer; }
}

/** Which tensors an isolated backward gave a gradient: t.grad is then this computation's own. */
export type GaveGradient = (t: Tensor) => boolean;

/**
 * Records the results of a gradient computation that ran inside another (rl.grad inside a function that rl.grad,
 * variableGrads or a training step differentiates) on the outer tape, when what they were computed from is tracked
 * there. The inner backward is not itself recorded, so the outer gradient would take them for constants and come out
 * wrong with no error; replaying one that received a gradient throws instead. One that receives none (its result does
 * not reach the outer one) costs nothing, as recordNoGradient's.
 */
export function recordNestedGradient(outs: readonly Tensor[], dependsOn: readonly Tensor[], fn: string): void {
  if (!tape || !dependsOn.some((t) => t.requiresGrad)) return;
  for (const out of outs) {
    out.requiresGrad = true;
    out.backwardFn = () => {
      throw new Error(`${fn} inside a function being differentiated: higher-order gradients are not supported (the inner `
        + 'gradient is not recorded, so the outer gradient through it would be wrong); compute the inner gradient outside, or write its formula with differentiable ops');
    };
    tape.push(out);
  }
}

interface Taped<T> {
  value: T;
  /** Fills .grad of every tensor that needs one, adding to gradients already there (a training step's). */
  backward: (loss: Tensor) => void;
  /**
   * tfjs's gradients stand alone: runs the backward of loss, returns read(gave) while its gradients are in place,
   * then puts every tensor's .grad back as it was before (also when the backward or read throws), so no leaf it did
   * not return (a model's weights under rl.grad, the weights a varList left out) keeps one. outside: the tensors given
   * a gradient that this tape did not record (leaves, an outer tape's tensors), which the result's value depends on.
   */
  gradients: <R>(loss: Tensor, read: (gave: GaveGradient, outside: Tensor[]) => R) => R;
}

/** Runs fn with a fresh tape: backward or gradients then replay it once. */
export function withTape<T>(fn: () => T): Taped<T> {
  const outer = tape;
  const mine: Tensor[] = [];
  tape = mine;
  // The tensors this tape's backward reads stay readable through dispose() until backward has run.
  const saved = openSaveList();
  let value: T;
  try {
    value = fn();
  } finally {
    tape = outer;
    closeSaveList(saved);
  }
  const backward = (loss: Tensor, prior: Map<Tensor, FArray | null> | null): void => {
    const outerTouched = touched, outerPrior = priorGrads;
    touched = new Set();
    priorGrads = prior;
    try {
      if (loss.size !== 1) throw new Error(`backward: the loss must be a scalar, got shape [${loss.shape.join(', ')}]`);
      if (!loss.requiresGrad) return;
      // Through touch: f may return a leaf itself (variableGrads(() => v)), whose seed must not outlive the call either.
      touch(loss);
      loss.grad = allocFloat(1);
      loss.grad[0] = 1;
      for (let i = mine.length - 1; i >= 0; i--) {
        const t = mine[i];
        if ((t.grad || deferredGrads.has(t)) && t.backwardFn) t.backwardFn();
        deferredGrads.delete(t);
        // Intermediate gradients are garbage once pushed to the inputs; drop them early for memory.
        t.backwardFn = null;
        t.grad = null;
      }
    } catch (e) {
      // A backward that threw (an op without a gradient) leaves the entries not yet replayed, and the weights it
      // reached before, holding gradients.
      for (const t of mine) { t.backwardFn = null; t.grad = null; deferredGrads.delete(t); }
      for (const t of touched) { t.grad = null; deferredGrads.delete(t); }
      throw e;
    } finally {
      touched = outerTouched;
      priorGrads = outerPrior;
      releaseSaved(saved);
    }
  };
  return {
    value,
    backward: (loss) => backward(loss, null),
    gradients(loss, read) {
      const prior = new Map<Tensor, FArray | null>();
      try {
        backward(loss, prior);
        const own = new Set(mine);
        return read((t) => prior.has(t) && t.grad !== null, [...prior.keys()].filter((t) => !own.has(t)));
      } finally {
        for (const [t, g] of prior) t.grad = g;
      }
    },
  };
}
