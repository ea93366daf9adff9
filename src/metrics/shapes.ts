/**
 * How rl.losses.* and rl.metrics.* pair yTrue with yPred when their shapes differ: Keras's
 * squeeze_or_expand_to_same_rank first, then broadcasting as tfjs and Keras do ([3, 1] against [1, 3] compares every
 * target with every prediction, [3, 3]). Shapes that do not broadcast ([2, 3] against [3, 2]) are an error naming
 * both, never paired by position; binary crossentropy does not broadcast at all (tfjs and Keras refuse). The
 * reshapes and broadcasts record on the tape, so a loss built from them trains.
 */
import { reshape } from '../autograd/public_ops.js';
import { broadcastTo } from '../autograd/differentiable_ops.js';
import { broadcastShape } from '../ops/broadcast.js';
import type { Shape, Tensor } from '../tensor.js';

const same = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
const show = (s: Shape): string => `[${s.join(', ')}]`;

/** The error for shapes that cannot be paired: `what` names the function ('metrics.mse'). */
export function shapeError(what: string, t: Shape, p: Shape, extra = ''): Error {
  return new Error(`${what}: yTrue has shape ${show(t)} but yPred has ${show(p)}${extra}`);
}

/**
 * Keras's squeeze_or_expand_to_same_rank: when one side has one more axis and that axis is 1 wide, a rank-1 other
 * side gains that axis ([n] targets for [n, 1] predictions), otherwise the wider side drops it. tfjs broadcasts
 * [n] against [n, 1] to [n, n] instead, comparing every target with every prediction.
 */
export function sameRank(t: Tensor, p: Tensor): [Tensor, Tensor] {
  const [lo, hi] = t.rank < p.rank ? [t, p] : [p, t];
  if (hi.rank !== lo.rank + 1 || hi.shape[hi.rank - 1] !== 1) return [t, p];
  const [a, b] = lo.rank === 1 ? [reshape(lo, [...lo.shape, 1]), hi] : [lo, reshape(hi, hi.shape.slice(0, -1))];
  return t.rank < p.rank ? [a, b] : [b, a];
}

/**
 * yTrue and yPred at one rank (sameRank) and the shape they broadcast to; an error naming both given shapes when
 * they do not broadcast. The tensors are not expanded: elementwise ops broadcast them. exact: the shapes must then
 * be equal, no broadcasting (binary crossentropy: tfjs's sigmoidCrossEntropy and Keras 3's both refuse to broadcast).
 */
export function alignShapes(what: string, t: Tensor, p: Tensor, exact = false): [Tensor, Tensor, Shape] {
  const [a, b] = sameRank(t, p);
  if (exact && !same(a.shape, b.shape)) throw shapeError(what, t.shape, p.shape, ' (binary crossentropy does not broadcast, as in tfjs and Keras)');
  let out: Shape;
  try { out = broadcastShape(a.shape, b.shape); } catch { throw shapeError(what, t.shape, p.shape); }
  return [a, b, out];
}

/** alignShapes, with both tensors expanded to the common shape (for code that reads values by position). */
export function broadcastPair(what: string, t: Tensor, p: Tensor, exact = false): [Tensor, Tensor] {
  const [a, b, out] = alignShapes(what, t, p, exact);
  return [same(a.shape, out) ? a : broadcastTo(a, out), same(b.shape, out) ? b : broadcastTo(b, out)];
}
