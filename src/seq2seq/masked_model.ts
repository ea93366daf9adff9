/**
 * The teacher-forced training model with Keras's target mask: the decoder is never trained to predict the
 * padding after <end>. Padded target steps (id PAD) weigh zero in the loss (a mean over the real steps) and in
 * the compiled accuracy, so the numbers say how well the model writes the outputs, not the padding.
 */
import { maskedLossOp } from '../autograd/loss_ops.js';
import { withTape } from '../autograd/tape.js';
import type { CallContext } from '../layers/layer.js';
import { Functional, type FunctionalCompileArgs } from '../models/functional.js';
import { Tensor } from '../tensor.js';
import { PAD } from './vocab.js';

/** 1 where the target id is a real token (not PAD), one flag per target step. */
export function targetKeep(y: Tensor): Uint8Array {
  const keep = new Uint8Array(y.size);
  for (let i = 0; i < keep.length; i++) keep[i] = y.values[i] === PAD ? 0 : 1;
  return keep;
}

/** Next-token accuracy over the real target steps only: one 0/1 per real step (the meter averages them all). */
export function maskedAccuracy(y: Tensor, probs: Tensor): Tensor {
  const V = probs.shape[probs.rank - 1];
  const p = probs.values, hits: number[] = [];
  for (let r = 0; r < y.size; r++) {
    if (y.values[r] === PAD) continue;
    let best = 0;
    for (let c = 1; c < V; c++) if (p[r * V + c] > p[r * V + best]) best = c;
    hits.push(best === y.values[r] ? 1 : 0);
  }
  return new Tensor(Float32Array.from(hits), [hits.length], 'float32');
}

export class MaskedSeq2SeqModel extends Functional {
  /** The compiled 'accuracy' counts the real target steps only; its name (and the history's keys) stay Keras's. */
  override compile(args: FunctionalCompileArgs): void {
    super.compile(args);
    if (this.metrics.includes('accuracy')) this.metricFunctions = { ...this.metricFunctions, accuracy: maskedAccuracy };
  }

  override batchLoss(xs: Tensor[], ys: Tensor[], ctx: CallContext): { outs: Tensor[]; loss: Tensor; backward: (l: Tensor) => void } {
    if (!this.loss) throw new Error(`${this.name}: call compile() before training or evaluating`);
    if (ctx.sampleWeight) throw new Error(`${this.name}: sample weights are not supported; padded target steps already weigh zero`);
    const { value, backward } = withTape(() => {
      const outs = this.execute(xs, ctx, [this.foldsActivation]);
      return { outs, loss: maskedLossOp(this.loss!, outs[0], ys[0], this.foldsActivation, targetKeep(ys[0])) };
    });
    return { ...value, backward };
  }
}
