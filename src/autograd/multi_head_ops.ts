/**
 * The one op of Keras's MultiHeadAttention that is not a projection, a transpose or a batched matrix product: the
 * scaled, masked softmax over the key axis. Forward and backward side by side.
 */
import { allocFloat } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import { accumulate, record } from './tape.js';

/**
 * softmax(scale * scores) over the last axis, where keep (one byte per score, same layout, or null for none) says
 * which keys a query may attend to. As Keras 3's Softmax layer with a mask: a masked score gets -1e9 before the
 * softmax (so its weight is exactly 0 in float32) and its weight is set to 0 afterwards, so a row with no key to
 * attend to (a padded query step) gets all-zero weights. That is Keras's score path (_masked_softmax, taken when it
 * returns the scores or dropout > 0); its default fused path (ops.dot_product_attention, dropout 0 and no scores)
 * does not zero, so there such a row weighs every key step equally. rnnlab zeroes on every call.
 */
export function maskedScaledSoftmax(scores: Tensor, scale: number, keep: Uint8Array | null): Tensor {
  const S = scores.shape[scores.rank - 1];
  const rows = scores.size / S;
  const sd = scores.floatData();
  const y = allocFloat(scores.size, false);
  for (let r = 0; r < rows; r++) {
    const o = r * S;
    let max = -Infinity;
    for (let j = 0; j < S; j++) if (!keep || keep[o + j]) max = Math.max(max, scale * sd[o + j]);
    if (max === -Infinity) { y.fill(0, o, o + S); continue; }
    let sum = 0;
    for (let j = 0; j < S; j++) {
      const e = !keep || keep[o + j] ? Math.exp(scale * sd[o + j] - max) : 0;
      y[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < S; j++) y[o + j] /= sum;
  }
  const out = new Tensor(y, scores.shape, 'float32');
  return record(out, [scores], () => {
    const g = out.grad!;
    const dx = allocFloat(scores.size, false);
    for (let r = 0; r < rows; r++) {
      const o = r * S;
      let dot = 0;
      for (let j = 0; j < S; j++) dot += g[o + j] * y[o + j];
      // Masked weights are 0, so their scores get no gradient, as through Keras's -1e9 and the multiply by the mask.
      for (let j = 0; j < S; j++) dx[o + j] = scale * y[o + j] * (g[o + j] - dot);
    }
    accumulate(scores, dx, true);
  });
}
