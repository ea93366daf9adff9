/**
 * Masking: steps whose every feature equals maskValue are padding for the recurrent layers that follow, exactly as
 * after embedding({maskZero: true}): an LSTM over padded sequences gives what it gives on the unpadded ones, and
 * tfjs computes the same from the saved file. Float64 gradients, no weights, round trip, bad options.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { engineApply } from '../../src/layers/layer.js';
import { deserializeLayer, layerClass, serializeLayer } from '../../src/layers/registry.js';
import { gradCheck, removeDir, tempDir } from '../compat/functional_helpers.js';
import { checkLayerGradients, fromTfjs, inputs, maxDiff, roundTrip } from './helpers.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

const L = rl.layers;
const root = tempDir('rnnlab-masking-');
afterAll(() => removeDir(root));
beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const F = 3, T = 6;
const lengths = [6, 4, 1, 3];

/** Sequences of the given lengths, padded with pad to T steps at the end (post) or the start (pre). */
function padded(seqs: Float32Array[], pad: number, where: 'pre' | 'post'): rl.Tensor {
  const out = new Float32Array(seqs.length * T * F).fill(pad);
  seqs.forEach((s, b) => out.set(s, b * T * F + (where === 'pre' ? (T * F - s.length) : 0)));
  return rl.tensor(out, [seqs.length, T, F]);
}

const seqs = lengths.map((n, i) => inputs([1, n, F], 10 + i).values as Float32Array);

describe('masking feeds the recurrent layers the padding mask', () => {
  for (const where of ['post', 'pre'] as const) {
    it(`an LSTM after masking gives on ${where}-padded sequences what it gives on the unpadded ones`, () => {
      rl.setSeed(1);
      const lstm = L.lstm({ units: 5, returnSequences: false });
      const m = rl.sequential({ layers: [L.masking({ maskValue: -9, inputShape: [null, F] as never }), lstm] });
      const got = m.predict(padded(seqs, -9, where)) as rl.Tensor;
      seqs.forEach((s, b) => {
        const alone = engineApply(lstm, rl.tensor(s, [1, s.length / F, F]), { training: false, mask: null });
        expect(maxDiff(got.values.subarray(b * 5, (b + 1) * 5), alone.values), `sample ${b}`).toBeLessThan(1e-6);
      });
    });
  }

  it('is what embedding({maskZero: true}) does: the same LSTM outputs, step by step', () => {
    rl.setSeed(2);
    const table = inputs([7, F], 3).values as Float32Array;
    table.fill(0, 0, F);  // id 0's vector is all zeros, which Masking's default maskValue marks
    const ids = rl.tensor(Int32Array.from([3, 1, 4, 0, 0, 0, 6, 2, 5, 5, 1, 0, 0, 0, 0, 0, 0, 0]), [3, T], 'int32');
    const build = (masked: boolean) => {
      rl.setSeed(3);
      const m = rl.sequential({ layers: [
        L.embedding({ inputDim: 7, outputDim: F, inputLength: T, maskZero: !masked }),
        ...(masked ? [L.masking()] : []),
        L.lstm({ units: 4, returnSequences: true }), L.globalAveragePooling1d(),
      ] });
      m.layers[0].setWeights([table]);
      return m;
    };
    const a = build(false).predict(ids) as rl.Tensor, b = build(true).predict(ids) as rl.Tensor;
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
  });

  it('carries its mask through a functional model and a bidirectional layer as a Sequential does', () => {
    const x = padded(seqs, 0, 'post');
    rl.setSeed(6);
    const seq = rl.sequential({ layers: [L.masking({ inputShape: [T, F] }), L.bidirectional({ layer: L.gru({ units: 3 }) })] });
    const input = rl.input({ shape: [T, F] });
    const output = seq.layers[1].apply(L.masking().apply(input) as rl.SymbolicTensor) as rl.SymbolicTensor;
    const fn = rl.model({ inputs: input, outputs: output });
    expect(Array.from((fn.predict(x) as rl.Tensor).values)).toEqual(Array.from((seq.predict(x) as rl.Tensor).values));
    const unmasked = rl.sequential({ layers: [seq.layers[1]] });
    expect(Array.from((unmasked.predict(x) as rl.Tensor).values)).not.toEqual(Array.from((seq.predict(x) as rl.Tensor).values));
  });

  it('zeroes masked steps (as Keras) and passes the others unchanged', () => {
    const x = padded([Float32Array.from([1, 2, 3, 7, 7, 7, 4, 7, 5])], 7, 'post');
    const ctx = { training: false, mask: null as Uint8Array | null };
    const y = engineApply(L.masking({ maskValue: 7 }), x, ctx);
    expect(Array.from(y.values.subarray(0, 9))).toEqual([1, 2, 3, 0, 0, 0, 4, 7, 5]);
    expect(Array.from(ctx.mask!)).toEqual([1, 0, 1, 0, 0, 0]);
  });
});

describe('against tfjs (same weights)', () => {
  it('masking + lstm + dense, rnnlab -> tfjs, on padded input', async () => {
    rl.setSeed(4);
    const m = rl.sequential({ layers: [L.masking({ maskValue: -1, inputShape: [T, F] }), L.lstm({ units: 4 }), L.dense({ units: 2 })] });
    const layers = await roundTrip(m, padded(seqs, -1, 'post'), root, 'masking-lstm');
    expect(layers[0]).toMatchObject({ class_name: 'Masking', config: { mask_value: -1 } });
  });

  it('tfjs masking + gru -> rnnlab', async () => {
    const tm = tf.sequential({ layers: [tf.layers.masking({ maskValue: 0, inputShape: [T, F] }), tf.layers.gru({ units: 3, returnSequences: true })] });
    await fromTfjs(tm, padded(seqs, 0, 'pre'), root, 'tfjs-masking');
  });
});

describe('gradients (float64)', () => {
  beforeAll(() => rl.setPrecision(64));
  afterAll(() => rl.setPrecision(32));
  it('masking alone (no step at maskValue)', () => { checkLayerGradients(L.masking({ maskValue: 0.5 }), [2, 4, 3]); });

  it('an LSTM\'s weights through masked steps; padded steps get no input gradient', () => {
    rl.setSeed(5);
    const masking = L.masking({ maskValue: 0 }), lstm = L.lstm({ units: 3, returnSequences: true });
    const x = padded(seqs.slice(0, 3), 0, 'post');
    const x64 = rl.tensor(Float64Array.from(x.values), x.shape);
    const call = (v: rl.Tensor) => { const ctx = { training: false, mask: null }; return engineApply(lstm, engineApply(masking, v, ctx), ctx); };
    call(x64);
    gradCheck(() => call(x64), [], lstm.weights);
    const dx = rl.grad((v) => call(v))(x64).values;
    lengths.slice(0, 3).forEach((n, b) => {
      expect(dx.subarray((b * T + n) * F, (b + 1) * T * F).every((g) => g === 0), `sample ${b}'s padding`).toBe(true);
      expect(dx.subarray(b * T * F, (b * T + n) * F).some((g) => g !== 0), `sample ${b}'s steps`).toBe(true);
    });
  });
});

describe('parameters, registry and bad options', () => {
  it('has no weights, round-trips its config, and names a bad maskValue', () => {
    const m = L.masking({ maskValue: 2.5, name: 'pad_mask' });
    expect(layerClass('Masking')?.className).toBe(rl.layerClasses.Masking.className);
    expect(deserializeLayer(serializeLayer(m)).getConfig()).toEqual(m.getConfig());
    m.ensureBuilt([null, 4, 2]);
    expect(m.countParams()).toBe(0);
    expect(() => L.masking({ maskValue: '0' as never })).toThrow(/\(Masking\): maskValue must be a number, got the string "0"/);
    expect(() => L.masking({ maskValue: NaN })).toThrow(/\(Masking\): maskValue must be a number/);
    expect(() => L.masking().computeOutputShape([null, 4])).toThrow(/\(Masking\): expected input \(batch, steps, features\), got \(None, 4\)/);
  });
});
