/**
 * The teacher-forced training model with Keras's target mask: the decoder is never trained to predict the
 * padding after <end>. Padded target steps (id PAD) weigh zero in the loss (a mean over the real steps) and in
 * the compiled accuracy, so the numbers say how well the model writes the outputs, not the padding.
 *
 * Each batch (training and validation) runs on its own rows' steps only: the source up to its longest text, the
 * decoder input and targets up to their longest, so one long pair in the data slows the batches it is in, not every
 * batch. What is cut is padding the model never reads: the source's is masked (and the attention skips it), and the
 * decoder's outputs at real steps do not depend on later steps. The loss and accuracy are those of the padded batch
 * (test/seq2seq/mask.test.ts); gradients agree to float rounding (sums over fewer zero rows).
 */
import { maskedLossOp } from '../autograd/loss_ops.js';
import { withTape } from '../autograd/tape.js';
import type { CallContext } from '../layers/layer.js';
import { Functional, type FunctionalCompileArgs } from '../models/functional.js';
import { takeRows } from '../models/batches.js';
import { realSpans } from '../models/buckets.js';
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
    const [source, decoderInput] = xs, y = ys[0];
    const sourceSteps = usedSteps([source]), targetSteps = usedSteps([decoderInput, y]);
    const n = y.shape[0];
    const cut = (t: Tensor, steps: number) => (steps < t.shape[1] ? takeRows(t, null, 0, n, { from: 0, to: steps }) : t);
    const yCut = cut(y, targetSteps);
    const { value, backward } = withTape(() => {
      const outs = this.runGraph([cut(source, sourceSteps), cut(decoderInput, targetSteps)], ctx, [this.foldsActivation]);
      return { outs, loss: maskedLossOp(this.loss!, outs[0], yCut, this.foldsActivation, targetKeep(yCut)) };
    });
    // The metrics read the outputs against the batch's whole targets: the cut steps (all padding) come back as zeros.
    const outs = value.outs.map((o) => padSteps(o, y.shape[1]));
    return { outs, loss: value.loss, backward };
  }
}

/** One past the last step holding a real id (PAD is 0) in any row of these [rows, steps] id tensors; at least 1. */
function usedSteps(ids: Tensor[]): number {
  let used = 1;
  for (const t of ids) for (const end of realSpans(t).end) used = Math.max(used, end);
  return used;
}

/** [rows, steps, ...] as [rows, T, ...] with zeros after each row's steps (the tensor itself when it has T). */
function padSteps(t: Tensor, T: number): Tensor {
  const steps = t.shape[1];
  if (steps === T) return t;
  const n = t.shape[0], inner = t.size / (n * steps);
  const out = new Float32Array(n * T * inner);
  for (let r = 0; r < n; r++) out.set(t.values.subarray(r * steps * inner, (r + 1) * steps * inner), r * T * inner);
  return new Tensor(out, [n, T, ...t.shape.slice(2)], 'float32');
}
