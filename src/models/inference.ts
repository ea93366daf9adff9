/**
 * predict's forward-only path, shared by Sequential and Functional: each batch runs with the inference ops
 * (recurrent layers keep no per-step gates or states, src/autograd/recurrent_infer.ts) inside a scratch scope, so
 * its activations reuse warm pooled memory from one batch (and one call) to the next instead of faulting in fresh
 * pages, and at batch 1 small buffers cost no fresh ArrayBuffers; the outputs are copied out into tensors of their
 * own before the scope ends.
 */
import { allocPersistent, type FArray } from '../backend/index.js';
import { withInference } from '../autograd/recurrent_infer.js';
import { concat, slice } from '../autograd/public_ops.js';
import { Tensor, type DType } from '../tensor.js';
import { stepScope } from './batches.js';

/** Outputs for n samples in batches of bs: runBatch(s, e) returns the model's outputs for samples [s, e). */
export function predictInBatches(n: number, bs: number, runBatch: (start: number, end: number) => Tensor[]): Tensor[] {
  const outs: { data: FArray | Int32Array; shape: number[]; dtype: DType }[] = [];
  withInference(() => {
    for (let s = 0; s < n; s += bs) {
      const e = Math.min(n, s + bs);
      // A custom layer's registered tensors are disposed with the batch (tfjs's per-batch tidy): copied out first.
      stepScope(() => runBatch(s, e).forEach((y, i) => {
        if (!outs[i]) {
          const shape = [n, ...y.shape.slice(1)];
          const size = shape.reduce((a, b) => a * b, 1);
          // An int32 or bool output (a custom layer's argMax) keeps its dtype, as tfjs's predict: class ids feed
          // oneHot and gather, and int32 values above 2^24 would not survive float32.
          outs[i] = { data: y.dtype === 'float32' ? allocPersistent(size) : new Int32Array(size), shape, dtype: y.dtype };
        }
        outs[i].data.set(y.values, s * (y.size / (e - s)));
      }));
    }
  });
  return outs.map((o) => new Tensor(o.data, o.shape, o.dtype));
}

/**
 * predict under a recording tape (tf.grad / variableGrads around it, tfjs's cart-pole): batches of bs through recorded
 * slices, their outputs joined by a recorded concat, so the gradient flows as through one pass, as tfjs's predict.
 */
export function predictRecorded(xs: Tensor[], bs: number, run: (batch: Tensor[]) => Tensor[]): Tensor[] {
  const n = xs[0].shape[0];
  if (n <= bs) return run(xs);
  const pieces: Tensor[][] = [];
  for (let s = 0; s < n; s += bs) {
    const e = Math.min(n, s + bs);
    pieces.push(run(xs.map((t) => slice(t, [s, ...t.shape.slice(1).map(() => 0)], [e - s, ...t.shape.slice(1)]))));
  }
  return pieces[0].map((_, i) => concat(pieces.map((p) => p[i]), 0));
}
