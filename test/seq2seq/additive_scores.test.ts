/** The kernel-based Bahdanau score against the formula's direct loop (the old implementation), values and gradients, in float32. */
import { describe, expect, it } from 'vitest';
import { additiveScores } from '../../src/autograd/attention_ops.js';
import { mul, sum } from '../../src/autograd/public_ops.js';
import { withTape } from '../../src/autograd/tape.js';
import { Random } from '../../src/random.js';
import { Tensor } from '../../src/tensor.js';

function random(shape: number[], rng: Random): Tensor {
  const t = new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1.5, 1.5)), shape, 'float32');
  t.requiresGrad = true;
  return t;
}

/** out = sum(w * scores) and its gradients by the formula, in float64. */
function direct(q: Tensor, k: Tensor, s: Float32Array | null, w: Float32Array) {
  const [B, Tq, D] = q.shape, Tv = k.shape[1];
  const y: number[] = [], dq = new Float64Array(q.size), dk = new Float64Array(k.size), ds = new Float64Array(D);
  for (let b = 0; b < B; b++) for (let i = 0; i < Tq; i++) for (let j = 0; j < Tv; j++) {
    const n = (b * Tq + i) * Tv + j;
    let sum = 0;
    for (let d = 0; d < D; d++) {
      const t = Math.tanh(q.values[(b * Tq + i) * D + d] + k.values[(b * Tv + j) * D + d]), sd = s ? s[d] : 1;
      sum += sd * t;
      ds[d] += w[n] * t;
      dq[(b * Tq + i) * D + d] += w[n] * sd * (1 - t * t);
      dk[(b * Tv + j) * D + d] += w[n] * sd * (1 - t * t);
    }
    y.push(sum);
  }
  return { y, dq, dk, ds };
}

const close = (got: ArrayLike<number>, want: ArrayLike<number>) => {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  expect(worst).toBeLessThan(2e-6);
};

describe('additiveScores', () => {
  for (const withScale of [true, false]) {
    it(`equals the direct loop, values and the gradients of q, k${withScale ? ' and scale' : ''}`, () => {
      const rng = new Random(5);
      const q = random([3, 5, 16], rng), k = random([3, 7, 16], rng), scale = withScale ? random([16], rng) : null;
      const w = Float32Array.from({ length: 3 * 5 * 7 }, () => rng.uniform(-1, 1));
      const { value: { out, loss }, backward } = withTape(() => {
        const scores = additiveScores(q, k, scale);
        return { out: scores, loss: sum(mul(scores, new Tensor(w, [3, 5, 7], 'float32'))) };
      });
      expect(out.shape).toEqual([3, 5, 7]);
      backward(loss);
      const want = direct(q, k, scale ? (scale.values as Float32Array) : null, w);
      close(out.values as Float32Array, want.y);
      close(q.grad!, want.dq);
      close(k.grad!, want.dk);
      if (scale) close(scale.grad!, want.ds);
    });
  }
});
