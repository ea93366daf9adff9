/**
 * Three cases a review of this round's changes found: a model's own weights handed back in another order to
 * setWeights (each is read before any is written, as tfjs swaps them); the up-front Embedding id check reading only
 * this model's calls of a shared Embedding; and a user's {training: null, mask: null} inheriting the enclosing mode.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

describe('review fixes (r44)', () => {
  it('setWeights with the model\'s own weights swapped swaps them', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [2], useBias: false }), rl.layers.dense({ units: 2, useBias: false })] });
    const [w0, w1] = m.weights as Any[];
    const a0 = Array.from(w0.dataSync() as Float32Array), a1 = Array.from(w1.dataSync() as Float32Array);
    expect(a0).not.toEqual(a1);
    m.setWeights([w1, w0]);
    expect(Array.from((m.weights as Any)[0].dataSync() as Float32Array)).toEqual(a1);
    expect(Array.from((m.weights as Any)[1].dataSync() as Float32Array)).toEqual(a0);
  });

  it('another model applying the same Embedding to the same input does not make this model\'s fit check its ids', async () => {
    const a = rl.input({ shape: [2] });
    const emb = rl.layers.embedding({ inputDim: 10, outputDim: 2 });
    const half = rl.layers.rescaling({ scale: 0.5 }).apply(a) as Any;
    const out = rl.layers.dense({ units: 1 }).apply(rl.layers.flatten().apply(emb.apply(half) as Any) as Any) as Any;
    const m = rl.model({ inputs: a, outputs: out });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = rl.tensor2d([[0, 18], [4, 6]]), y = rl.zeros([2, 1]);
    rl.model({ inputs: a, outputs: emb.apply(a) as Any });
    // 18 reaches the Embedding as 9: valid for this model, which never feeds x to it directly.
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    expect(() => m.evaluate(x, y)).not.toThrow();
  });

  it('a custom layer\'s inner call given {training: null, mask: null} inherits training', () => {
    rl.setSeed(3);
    const drop = rl.layers.dropout({ rate: 0.5 });
    const seen: number[][] = [];
    const holder = new (class extends rl.layers.Layer {
      static className = 'NullKwargsHolder';
      call(x: Any) {
        const y = drop.apply(Array.isArray(x) ? x[0] : x, { training: null, mask: null } as Any) as rl.Tensor;
        seen.push(Array.from(y.dataSync()));
        return y;
      }
    })({});
    const input = rl.input({ shape: [8] });
    const m = rl.model({ inputs: input, outputs: rl.layers.dense({ units: 1 }).apply(holder.apply(input) as Any) as Any });
    m.compile({ optimizer: rl.train.sgd(0), loss: 'meanSquaredError' });
    const x = rl.ones([4, 8]);
    m.trainOnBatch(x, rl.zeros([4, 1]));
    expect(seen.at(-1)!.some((v) => v === 0)).toBe(true);
    expect(seen.at(-1)!.every((v) => v === 0 || Math.abs(v - 2) < 1e-6)).toBe(true);
    m.predict(x);
    expect(seen.at(-1)!.every((v) => v === 1)).toBe(true);
  });
});
