/**
 * tfjs's layer.addLoss(fn): a function giving a scalar that training adds to the loss, as a weight regularizer's
 * penalty is. It joins the layer's penalty terms (Layer.weightPenalties), which fit, evaluate and trainOnBatch
 * already add to the loss on the tape, so its gradient reaches the weights it reads.
 */
import { describe } from '../describe.js';
import { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { L1L2 } from './regularizers.js';

/** A penalty whose value is the user's function's, not l1/l2 of a weight (apply overridden, so it runs on the tape). */
export class AddedLoss extends L1L2 {
  static override readonly className: string = 'AddedLoss';
  constructor(readonly fn: () => Tensor, private readonly where: string) { super({}); }

  override apply(): Tensor {
    const p = this.fn() as unknown;
    if (!(p instanceof Tensor) || p.size !== 1) {
      throw new Error(`${this.where}: addLoss: the function must return a scalar rl.Tensor, got ${p instanceof Tensor ? `shape [${p.shape.join(', ')}]` : describe(p)}`);
    }
    return p;
  }
}

/**
 * The term a model adds for fn. The models count each term once per key (a layer shared by two calls adds its
 * penalties once, as Keras), so every added loss gets a key of its own: a scalar no op ever reads.
 */
export function addedLossTerm(where: string, fn: () => Tensor): { variable: Variable; regularizer: L1L2 } {
  const key = new Tensor(Float32Array.of(0), [], 'float32') as Variable;
  return { variable: key, regularizer: new AddedLoss(fn, where) };
}

/** addLoss's argument as a list of functions: null or [] adds nothing (tfjs's); anything else is named. */
export function lossFunctions(where: string, losses: unknown): (() => Tensor)[] {
  if (losses === undefined || losses === null) return [];
  const list = Array.isArray(losses) ? losses : [losses];
  list.forEach((f, i) => {
    if (typeof f === 'function') return;
    const at = Array.isArray(losses) ? `addLoss: losses[${i}]` : 'addLoss';
    const hint = f instanceof Tensor
      ? ' (a tensor, Keras\'s add_loss form, would be one batch\'s value; for a loss on the layer\'s output use the activityRegularizer option)'
      : '';
    throw new Error(`${where}: ${at} takes a function returning a scalar tensor, got ${describe(f)}${hint}`);
  });
  return list as (() => Tensor)[];
}
