/**
 * One model output's loss on a batch, as compile resolved it: a built-in loss (one kernel) or a user function
 * (yTrue, yPred) => loss built from rl ops, which record on the tape so the model trains through it; either
 * weighted per sample (fit's sampleWeight/classWeight, evaluate's sampleWeight) with Keras's reduction.
 */
import { lossOp, weightedLossOp, type LossKind } from '../autograd/loss_ops.js';
import { mean, mul, reshape } from '../autograd/public_ops.js';
import { lossKind } from '../losses.js';
import { Tensor } from '../tensor.js';

/** tfjs's LossOrMetricFn: per-sample losses [batch, ...] (reduced by the mean, as Keras) or one scalar. */
export type LossFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

export interface CompiledLoss { kind: LossKind; fn: LossFunction | null; name: string }

/** compile's loss for one output: a name (tfjs or Keras spelling) or a function. */
export function compiledLoss(spec: unknown, where: string): CompiledLoss {
  if (typeof spec === 'function') return { kind: 'custom', fn: spec as LossFunction, name: spec.name || 'custom_loss' };
  if (typeof spec !== 'string') throw new Error(`${where}: loss must be a loss name or a function (yTrue, yPred) => loss, got ${spec === null ? 'null' : typeof spec}`);
  try {
    return { kind: lossKind(spec), fn: null, name: spec };
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

export function lossTerm(loss: CompiledLoss, pred: Tensor, target: Tensor, fromLogits: boolean, weights: Tensor | null): Tensor {
  if (!loss.fn) return weights ? weightedLossOp(loss.kind, pred, target, fromLogits, weights.values) : lossOp(loss.kind, pred, target, fromLogits);
  const where = `loss function '${loss.name}'`;
  const out = loss.fn(target, pred);
  if (!(out instanceof Tensor)) throw new Error(`${where} must return a Tensor, got ${out === null ? 'null' : typeof out}`);
  if (!out.requiresGrad) {
    throw new Error(`${where}: its result does not depend on yPred through differentiable ops; build it from rl.add, rl.sub, rl.mul, rl.mean, ... or the tensor methods of those ops`);
  }
  if (weights) {
    const n = pred.shape[0];
    if (out.rank === 0 || out.shape[0] !== n) {
      throw new Error(`${where}: sample weights need one loss per sample (shape [${n}, ...]), but it returned shape [${out.shape.join(', ')}]`);
    }
    if (weights.rank > out.rank || weights.shape.some((d, i) => d !== out.shape[i])) {
      throw new Error(`${where}: sample weights of shape [${weights.shape.join(', ')}] do not fit its losses of shape [${out.shape.join(', ')}]`);
    }
    // Keras: the weights broadcast over any further axes of the per-sample (or per-step) losses, then the mean of everything.
    return mean(mul(out, reshape(weights, [...weights.shape, ...out.shape.slice(weights.rank).map(() => 1)])));
  }
  return out.rank === 0 ? out : mean(out);
}
