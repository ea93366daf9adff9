/**
 * The teacher-forced training model with Keras's target mask: the decoder is never trained to predict the
 * padding after <end>. Padded target steps (id PAD) weigh zero in the loss (a mean over the real steps) and in
 * the compiled accuracy, so the numbers say how well the model writes the outputs, not the padding.
 *
 * Each batch (training and validation) runs on its own rows' steps only: the source up to its longest text, the
 * decoder input and targets up to their longest, so one long pair in the data slows the batches it is in, not every
 * batch. What is cut is padding the model never reads: the source's is masked (and the attention skips it), and the
 * decoder's outputs at real steps do not depend on later steps. The metrics get the cut outputs too (the steps cut
 * hold no real target), and the accuracy reads their argmax as they are, logits, with no softmax over the vocabulary
 * at every step. The loss and accuracy are those of the padded batch (test/seq2seq/mask.test.ts); gradients agree to
 * float rounding (sums over fewer zero rows).
 */
import { maskedLossOp } from '../autograd/loss_ops.js';
import { withTape } from '../autograd/tape.js';
import type { CallContext } from '../layers/layer.js';
import { Functional, type FunctionalCompileArgs } from '../models/functional.js';
import { takeRows } from '../models/batches.js';
import { realSpans } from '../models/buckets.js';
import { readsArgmaxOnly } from '../metrics/meters.js';
import { Tensor } from '../tensor.js';
import { PAD } from './vocab.js';

/** 1 where the target id is a real token (not PAD), one flag per target step. */
export function targetKeep(y: Tensor): Uint8Array {
  const keep = new Uint8Array(y.size);
  for (let i = 0; i < keep.length; i++) keep[i] = y.values[i] === PAD ? 0 : 1;
  return keep;
}

/**
 * Next-token accuracy over the real target steps only: one 0/1 per real step (the meter averages them all). out is
 * [rows, steps, vocabulary], logits or probabilities (the argmax is the same), and may hold fewer steps than y
 * [rows, T]: batchLoss cuts the steps that are padding in every row, so a real target beyond them has no output and
 * counts as a miss.
 */
export const maskedAccuracy = readsArgmaxOnly((y: Tensor, out: Tensor): Tensor => {
  const V = out.shape[out.rank - 1], [n, T] = y.shape, steps = out.shape[1];
  const p = out.values, hits: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) {
      const want = y.values[i * T + t];
      if (want === PAD) continue;
      if (t >= steps) { hits.push(0); continue; }
      const at = (i * steps + t) * V;
      let best = 0;
      for (let c = 1; c < V; c++) if (p[at + c] > p[at + best]) best = c;
      hits.push(best === want ? 1 : 0);
    }
  }
  return new Tensor(Float32Array.from(hits), [hits.length], 'float32');
});

export class MaskedSeq2SeqModel extends Functional {
  /** The compiled 'accuracy' counts the real target steps only; its name (and the history's keys) stay Keras's. */
  override compile(args: FunctionalCompileArgs): void {
    super.compile(args);
    if (this.metrics.includes('accuracy')) this.metricFunctions = { ...this.metricFunctions, accuracy: maskedAccuracy };
  }

  override batchLoss(xs: Tensor[], ys: Tensor[], ctx: CallContext): { outs: Tensor[]; loss: Tensor; backward: (l: Tensor) => void } {
    if (!this.loss) throw new Error(`${this.name}: call compile() before training or evaluating`);
    if (ctx.sampleWeight) throw new Error(`${this.name}: sample weights are not supported; padded target steps already weigh zero`);
    const [source, decoderInput] = xs, y = ys[0];
    const sourceSteps = usedSteps([source]), targetSteps = usedSteps([decoderInput, y]);
    const n = y.shape[0];
    const cut = (t: Tensor, steps: number) => (steps < t.shape[1] ? takeRows(t, null, 0, n, { from: 0, to: steps }) : t);
    const yCut = cut(y, targetSteps);
    const { value, backward } = withTape(() => {
      const outs = this.runGraph([cut(source, sourceSteps), cut(decoderInput, targetSteps)], ctx, [this.foldsActivation]);
      return { outs, loss: maskedLossOp(this.loss!, outs[0], yCut, this.foldsActivation, targetKeep(yCut)) };
    });
    // The outputs as run, [rows, targetSteps, vocabulary]: widened back to the targets' width they would cost the
    // metrics as much as the widest pair in the data, in every batch. maskedAccuracy reads them against the whole targets.
    return { outs: value.outs, loss: value.loss, backward };
  }
}

/** One past the last step holding a real id (PAD is 0) in any row of these [rows, steps] id tensors; at least 1. */
function usedSteps(ids: Tensor[]): number {
  let used = 1;
  for (const t of ids) for (const end of realSpans(t).end) used = Math.max(used, end);
  return used;
}

