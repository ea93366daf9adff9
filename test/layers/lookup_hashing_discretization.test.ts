/**
 * Keras 3's IntegerLookup, Hashing and Discretization on numbers: Keras's own documented examples and test values
 * (keras/src/layers/preprocessing), FarmHash Fingerprint64 and SipHash-2-4 against reference values, every option's
 * effect, saving and loading through model.json, and bad options and inputs as errors naming them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as rl from '../../src/index.js';
import { fingerprint64, sipHash24 } from '../../src/layers/keras_hashes.js';
import { deserializeLayer, serializeLayer } from '../../src/layers/registry.js';
import { removeDir, tempDir } from '../compat/functional_helpers.js';

const root = tempDir('rnnlab-prep-');
afterAll(() => removeDir(root));
const L = rl.layers;
const values = (t: rl.Tensor | rl.Tensor[]) => Array.from((t as rl.Tensor).dataSync());
const ints = (rows: number[][]) => rl.tensor(rows, [rows.length, rows[0].length], 'int32');
const run = (layer: rl.layerClasses.Layer, x: rl.Tensor) => {
  const y = layer.apply(x) as rl.Tensor;
  return { shape: y.shape, v: values(y) };
};

describe('FarmHash Fingerprint64 and SipHash-2-4 (what TensorFlow hashes with for Keras)', () => {
  const ref = JSON.parse(readFileSync(join(__dirname, '../fixtures/keras_numeric_layers/fingerprint64.json'), 'utf8')) as
    { patterns: { len: number; hash: string }[]; strings: Record<string, string> };
  const enc = new TextEncoder();

  it('matches the reference on byte patterns of every length 0..127 (each code path) and on strings', () => {
    for (const { len, hash } of ref.patterns) {
      const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len * 11 + 5) & 255);
      expect(fingerprint64(bytes).toString(), `length ${len}`).toBe(hash);
    }
    for (const [s, hash] of Object.entries(ref.strings)) expect(fingerprint64(enc.encode(s)).toString(), s).toBe(hash);
    // TensorFlow's frozen values (fingerprint_test.cc): Fingerprint64("Hello") and ("World").
    expect(fingerprint64(enc.encode('Hello'))).toBe(15404698994557526151n);
    expect(fingerprint64(enc.encode('World'))).toBe(18308117990299812472n);
  });

  it('SipHash-2-4 gives the paper\'s test vectors (key 00..0f; messages empty and 00..0e)', () => {
    const k0 = 0x0706050403020100n, k1 = 0x0f0e0d0c0b0a0908n;
    expect(sipHash24(k0, k1, new Uint8Array(0))).toBe(0x726fdb47dd0e0e31n);
    expect(sipHash24(k0, k1, Uint8Array.from({ length: 15 }, (_, i) => i))).toBe(0xa129ca6149be45e5n);
    expect(sipHash24(k0, k1, Uint8Array.from({ length: 8 }, (_, i) => i))).toBe(0x93f5f5799a932462n);
  });
});

describe('Hashing', () => {
  it('gives Keras\'s bins for integers (hashing_test: 0..4 into 3 bins; with salt [133, 137])', () => {
    expect(run(L.hashing({ numBins: 3 }), ints([[0], [1], [2], [3], [4]])).v).toEqual([1, 0, 1, 0, 2]);
    expect(run(L.hashing({ numBins: 3, salt: [133, 137] }), ints([[0], [1], [2], [3], [4]])).v).toEqual([1, 1, 2, 0, 1]);
  });

  it('one salt integer is both key halves; a different salt gives different bins', () => {
    const x = rl.tensor(Array.from({ length: 40 }, (_, i) => i), [40, 1]);
    const one = run(L.hashing({ numBins: 7, salt: 133 }), x).v;
    expect(one).toEqual(run(L.hashing({ numBins: 7, salt: [133, 133] }), x).v);
    expect(one).not.toEqual(run(L.hashing({ numBins: 7, salt: [134, 133] }), x).v);
    expect(L.hashing({ numBins: 7, salt: 133 }).getConfig().salt).toEqual([133, 133]);
  });

  it('maskValue goes to bin 0 and the others to 1 + their hash into numBins - 1 bins; floats hash their integer part', () => {
    const x = rl.tensor([[0], [1], [2], [3], [4], [7]]);
    const plain = run(L.hashing({ numBins: 2 }), x).v;
    const masked = run(L.hashing({ numBins: 3, maskValue: 7 }), x).v;
    expect(masked).toEqual([...plain.slice(0, 5).map((b) => b + 1), 0]);
    // 2.9 and -0.5 truncate to 2 and 0 (TensorFlow's cast to int64); -7.5 is not the mask value 7.
    expect(run(L.hashing({ numBins: 3 }), rl.tensor([[2.9], [-0.5], [2]])).v).toEqual([1, 1, 1]);
    expect(run(L.hashing({ numBins: 3, maskValue: 7 }), rl.tensor([[7.5], [7]])).v[1]).toBe(0);
  });

  it('loads Keras 3\'s saved config, whose dtype is int64 (the bins are integers), and writes that dtype back', () => {
    const keras = { name: 'h', trainable: true, dtype: { module: 'keras', className: 'DTypePolicy', config: { name: 'int64' } }, numBins: 3, salt: null, maskValue: null, outputMode: 'int', sparse: false };
    const layer = deserializeLayer({ className: 'Hashing', config: keras });
    expect(run(layer, ints([[0], [1], [2], [3], [4]])).v).toEqual([1, 0, 1, 0, 2]);
    expect(layer.getConfig().dtype).toBe('int64');
    expect(deserializeLayer(serializeLayer(layer)).getConfig()).toEqual(layer.getConfig());
    expect(L.hashing({ numBins: 3 }).getConfig().dtype).toBe('float32');
    expect(() => L.hashing({ numBins: 3, dtype: 'float16' as never })).toThrow(/dtype policy 'float16'/);
  });

  it('output modes: one_hot (a last axis of 1 replaced), multi_hot and count (one row per sample of (batch, values))', () => {
    const x = ints([[0, 1, 3], [2, 2, 4]]);
    const bins = run(L.hashing({ numBins: 3 }), x).v; // [1, 0, 0, 1, 1, 2]
    expect(bins).toEqual([1, 0, 0, 1, 1, 2]);
    const oneHot = run(L.hashing({ numBins: 3, outputMode: 'one_hot' }), x);
    expect(oneHot.shape).toEqual([2, 3, 3]);
    expect(oneHot.v).toEqual([0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1]);
    expect(run(L.hashing({ numBins: 3, outputMode: 'one_hot' }), ints([[0], [4]])).shape).toEqual([2, 3]);
    expect(run(L.hashing({ numBins: 3, outputMode: 'multi_hot' }), x).v).toEqual([1, 1, 0, 0, 1, 1]);
    expect(run(L.hashing({ numBins: 3, outputMode: 'count' }), x).v).toEqual([2, 1, 0, 0, 2, 1]);
  });
});

describe('IntegerLookup', () => {
  const vocab = [12, 36, 1138, 42];

  it('Keras\'s examples: a given vocabulary, OOV to 1; adapt orders by count then by the larger token', () => {
    expect(run(L.integerLookup({ vocabulary: vocab }), ints([[12, 1138, 42], [42, 1000, 36]])).v).toEqual([1, 3, 4, 4, 0, 2]);
    const adapted = L.integerLookup();
    adapted.adapt(ints([[12, 1138, 42], [42, 1000, 36]]));
    expect(adapted.getVocabulary()).toEqual([-1, 42, 1138, 1000, 36, 12]);
    expect(adapted.getVocabulary(false)).toEqual([42, 1138, 1000, 36, 12]);
    expect(run(adapted, ints([[12, 1138, 42], [42, 1000, 36]])).v).toEqual([5, 2, 1, 1, 3, 4]);
  });

  it('several OOV indices: floormod (37 -> 1, 1000 -> 0), or Keras\'s FarmHash buckets, or SipHash with a salt', () => {
    expect(run(L.integerLookup({ vocabulary: vocab, numOovIndices: 2 }), ints([[12, 1138, 42], [37, 1000, 36]])).v).toEqual([2, 4, 5, 1, 0, 3]);
    const oov = ints([[100, 300, 700, 1100, 1700, 2000]]);
    expect(run(L.integerLookup({ vocabulary: [10, 20, 30], numOovIndices: 4 }), oov).v).toEqual([0, 0, 0, 0, 0, 0]);
    expect(run(L.integerLookup({ vocabulary: [10, 20, 30], numOovIndices: 4, oovMethod: 'farmhash' }), oov).v).toEqual([3, 3, 2, 2, 0, 1]);
    const salted = run(L.integerLookup({ vocabulary: [10, 20, 30], numOovIndices: 4, oovMethod: 'farmhash', salt: [133, 137] }), oov).v;
    expect(salted.every((k) => k >= 0 && k < 4)).toBe(true);
    expect(salted).not.toEqual([3, 3, 2, 2, 0, 1]);
    // Negative tokens floor (Python's %): -1 mod 2 is 1.
    expect(run(L.integerLookup({ vocabulary: vocab, numOovIndices: 2 }), ints([[-1, -2]])).v).toEqual([1, 0]);
  });

  it('the mask token goes to 0 in int mode (OOV then starts at 1) and is dropped in the other modes', () => {
    const x = ints([[0, 12, 7, 42]]);
    expect(run(L.integerLookup({ vocabulary: vocab, maskToken: 0 }), x).v).toEqual([0, 2, 1, 5]);
    expect(L.integerLookup({ vocabulary: vocab, maskToken: 0 }).getVocabulary()).toEqual([0, -1, 12, 36, 1138, 42]);
    expect(run(L.integerLookup({ vocabulary: vocab, maskToken: 0, outputMode: 'count' }), x).v).toEqual([1, 1, 0, 0, 1]);
    // A vocabulary that starts with the special tokens in Keras's order is read without them.
    expect(L.integerLookup({ vocabulary: [0, -1, ...vocab], maskToken: 0 }).getVocabulary(false)).toEqual(vocab);
  });

  it('one_hot, multi_hot and count (Keras\'s examples); padToMaxTokens widens them to maxTokens', () => {
    const oneHot = run(L.integerLookup({ vocabulary: vocab, outputMode: 'one_hot' }), rl.tensor([12, 36, 1138, 42, 7], [5], 'int32'));
    expect(oneHot.shape).toEqual([5, 5]);
    expect(oneHot.v).toEqual([0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0]);
    const data = ints([[12, 1138, 42, 42], [42, 7, 36, 7]]);
    expect(run(L.integerLookup({ vocabulary: vocab, outputMode: 'multi_hot' }), data).v).toEqual([0, 1, 0, 1, 1, 1, 0, 1, 0, 1]);
    expect(run(L.integerLookup({ vocabulary: vocab, outputMode: 'count' }), data).v).toEqual([0, 1, 0, 1, 2, 2, 0, 1, 0, 1]);
    const padded = run(L.integerLookup({ vocabulary: vocab, outputMode: 'count', maxTokens: 8, padToMaxTokens: true }), data);
    expect(padded.shape).toEqual([2, 8]);
    expect(padded.v).toEqual([0, 1, 0, 1, 2, 0, 0, 0, 2, 0, 1, 0, 1, 0, 0, 0]);
  });

  it('invert maps indices back (Keras\'s example), the mask index to the mask token, unknown indices to oovToken', () => {
    expect(run(L.integerLookup({ vocabulary: vocab, invert: true }), ints([[1, 3, 4], [4, 0, 2]])).v).toEqual([12, 1138, 42, 42, -1, 36]);
    const forward = L.integerLookup({ vocabulary: vocab });
    const back = L.integerLookup({ vocabulary: forward.getVocabulary(), invert: true });
    expect(run(back, forward.apply(ints([[12, 1000, 36]])) as rl.Tensor).v).toEqual([12, -1, 36]);
    expect(run(L.integerLookup({ vocabulary: vocab, invert: true, oovToken: -9 }), ints([[0, 1, 7]])).v).toEqual([-9, 12, -9]);
    expect(run(L.integerLookup({ vocabulary: vocab, invert: true, maskToken: 0 }), ints([[0, 1, 2, 9]])).v).toEqual([0, -1, 12, -1]);
  });

  it('maxTokens caps adapt (the special indices count); numOovIndices 0 makes an unknown token an error', () => {
    const capped = L.integerLookup({ maxTokens: 3 });
    capped.adapt([[5, 5, 5, 9, 9, 2, -1, -1, -1, -1]]);
    expect(capped.getVocabulary()).toEqual([-1, 5, 9]);
    const maskedAdapt = L.integerLookup({ maskToken: 0 });
    maskedAdapt.adapt(ints([[0, 0, 0, 3]]));
    expect(maskedAdapt.getVocabulary(false)).toEqual([3]);
    const strict = L.integerLookup({ vocabulary: vocab, numOovIndices: 0 });
    expect(run(strict, ints([[12, 42, 36]])).v).toEqual([0, 3, 1]);
    expect(() => strict.apply(ints([[12, 5, 7]]))).toThrow(/with numOovIndices 0 every input must be in the vocabulary; found 5, 7 \(set numOovIndices to 1 or more\)/);
  });

  it('saves its vocabulary in model.json and loads back looking up the same (adapted, then an Embedding)', async () => {
    const lookup = L.integerLookup({ name: 'lookup', maskToken: 0, numOovIndices: 2 });
    lookup.adapt(ints([[7, 7, 3, 9, 9, 9, 0]]));
    rl.setSeed(5);
    const m = rl.sequential({ layers: [L.inputLayer({ inputShape: [4], dtype: 'int32' }), lookup, L.embedding({ inputDim: 6, outputDim: 2 }), L.lstm({ units: 2 })] });
    const x = ints([[7, 3, 0, 11], [9, 9, 4, 7]]);
    const dir = join(root, 'lookup');
    await m.save(dir);
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers;
    const cfg = saved.find((l: { class_name: string }) => l.class_name === 'IntegerLookup').config;
    expect(cfg).toMatchObject({ vocabulary: [9, 7, 3], mask_token: 0, num_oov_indices: 2, vocabulary_size: 6, output_mode: 'int' });
    const back = await rl.loadModel(dir);
    expect(values(back.predict(x))).toEqual(values(m.predict(x)));
    expect((back.layers.find((l) => l.name === 'lookup') as rl.layerClasses.IntegerLookup).getVocabulary()).toEqual([0, -1, -1, 9, 7, 3]);
  });
});

describe('Discretization', () => {
  it('Keras\'s examples and test values with bin boundaries (a value on a boundary goes to the upper bin)', () => {
    const x = rl.tensor([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]]);
    expect(run(L.discretization({ binBoundaries: [0, 1, 2] }), x).v).toEqual([0, 2, 3, 1, 1, 3, 2, 1]);
    const y = rl.tensor([[-1.0, 0.0, 0.1, 0.2, 0.4, 0.5, 1.0, 1.2, 0.98]]);
    expect(run(L.discretization({ binBoundaries: [0.0, 0.35, 0.5, 1.0] }), y).v).toEqual([0, 1, 1, 1, 2, 3, 4, 4, 3]);
  });

  it('output modes (discretization_test\'s cases with boundaries [0, 0.5, 1])', () => {
    const d = (outputMode: string) => L.discretization({ binBoundaries: [0, 0.5, 1], outputMode: outputMode as never });
    expect(run(d('int'), rl.tensor([[-1.0, 0.0, 0.1, 0.8, 1.2]])).v).toEqual([0, 1, 1, 2, 3]);
    expect(run(d('one_hot'), rl.tensor([0.1, 0.8]))).toEqual({ shape: [2, 4], v: [0, 1, 0, 0, 0, 0, 1, 0] });
    expect(run(d('multi_hot'), rl.tensor([[0.1, 0.8]]))).toEqual({ shape: [1, 4], v: [0, 1, 1, 0] });
    const r3 = rl.tensor([[[0.15, 0.75], [0.85, 0.45]]]);
    expect(run(d('one_hot'), r3)).toEqual({ shape: [1, 2, 2, 4], v: [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0] });
    expect(run(d('multi_hot'), r3)).toEqual({ shape: [1, 2, 4], v: [0, 1, 1, 0, 0, 1, 1, 0] });
    expect(run(d('count'), rl.tensor([[0.1, 0.8, 0.9]])).v).toEqual([0, 1, 2, 0]);
  });

  it('adapt learns Keras\'s approximate quantiles (its documented example, num_bins 4, epsilon 0.01)', () => {
    const x = rl.tensor([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]]);
    const layer = L.discretization({ numBins: 4, epsilon: 0.01 });
    layer.adapt(x);
    expect(layer.binBoundaries).toEqual([0, 0.5, Math.fround(1.3)]);
    expect(run(layer, x).v).toEqual([0, 2, 3, 2, 1, 3, 3, 1]);
  });

  it('adapt on many values interpolates at the cumulative-weight quartiles; fewer values than bins keep the values', () => {
    const many = L.discretization({ numBins: 4 });
    many.adapt(rl.tensor(Array.from({ length: 400 }, (_, i) => i), [400, 1]));
    // 400 values, epsilon 0.01: Keras 3.15+'s summary keeps every 4th value from the 3rd (3, 7, ..., 399) weighing 4,
    // compressed once at 1% steps (float32 cumulative weights), then read at 25/50/75% (NumPy on Keras's steps).
    expect(many.binBoundaries).toEqual([98.99993133544922, 198.9999237060547, 298.99993896484375]);
    // epsilon 0.25 summarizes every 100th value from the 99th: 99, 199, 299, 399, weighing 100 each.
    // (Keras before 3.15 started at the 100th and gave [100, 200].)
    const coarse = L.discretization({ numBins: 4, epsilon: 0.25 });
    coarse.adapt(rl.tensor(Array.from({ length: 400 }, (_, i) => i), [400, 1]));
    expect(coarse.binBoundaries).toEqual([99, 199, 299]);
    const few = L.discretization({ numBins: 5 });
    few.adapt(rl.tensor([0, 1, 5]));
    // 3 points * (1 / 5) < 1: Keras returns the summary uncompressed, and its values but the last are the boundaries.
    expect(few.binBoundaries).toEqual([0, 1]);
  });

  it('adapt reads an array as NumPy\'s np.array does: one batch, however nested (Keras 3 adapts a non-dataset at once)', () => {
    const nested = L.discretization({ numBins: 4 });
    nested.adapt([Array.from({ length: 50 }, (_, i) => i), Array.from({ length: 50 }, (_, i) => 50 + i)]);
    // Keras 3.15+: adapt(np.array([[0..49], [50..99]])) treats the 100 values as one batch (NumPy on Keras's steps).
    expect(nested.binBoundaries).toEqual([23.999982833862305, 48.99998092651367, 73.99998474121094]);
    const flat = L.discretization({ numBins: 4 });
    flat.adapt(rl.tensor(Array.from({ length: 100 }, (_, i) => i)));
    expect(flat.binBoundaries).toEqual(nested.binBoundaries);
    // epsilon 0.5 on 10 values: a summary of values[4::5] = [4, 9] weighing 5 each, compressed at 1/2: boundary 4.
    const half = L.discretization({ numBins: 2, epsilon: 0.5 });
    half.adapt(rl.tensor(Array.from({ length: 10 }, (_, i) => i)));
    expect(half.binBoundaries).toEqual([4]);
  });

  it('updateState per batch then finalizeState is Keras\'s adapt over a dataset; resetState forgets the batches', () => {
    const layer = L.discretization({ numBins: 2, epsilon: 0.5 });
    expect(() => layer.finalizeState()).toThrow(/finalizeState needs at least one updateState\(batch\) first/);
    layer.updateState(rl.tensor([1, 2, 3, 4]));
    layer.updateState([10, 20, 30, 40, 50, 60]);
    layer.finalizeState();
    // NumPy on Keras 3.15+'s steps: the two summaries merged and compressed, then one batch of all ten values.
    expect(layer.binBoundaries).toEqual([Math.fround(12.666666984558105)]);
    layer.resetState();
    layer.updateState(rl.tensor([1, 2, 3, 4, 10, 20, 30, 40, 50, 60]));
    layer.finalizeState();
    expect(layer.binBoundaries).toEqual([10]);
    expect(() => layer.updateState('x' as never)).toThrow(/adapt needs a tensor or an array of numbers/);
    expect(() => layer.adapt(rl.tensor([1]), 3)).toThrow(/adapt takes the data only .*updateState\(batch\) for each, then finalizeState\(\)/);
  });

  it('adapt gives exactly the boundaries NumPy computes on Keras\'s steps (fixture: make_discretization.py)', () => {
    const ref = JSON.parse(readFileSync(join(__dirname, '../fixtures/keras_numeric_layers/discretization.json'), 'utf8')) as
      { cases: { name: string; batches: number[][]; numBins: number; epsilon: number; boundaries: number[] }[] };
    for (const c of ref.cases) {
      const layer = L.discretization({ numBins: c.numBins, epsilon: c.epsilon });
      // Several batches go in one updateState each, as Keras's adapt over a dataset runs them.
      for (const b of c.batches) layer.updateState(rl.tensor(b));
      layer.finalizeState();
      expect(layer.binBoundaries, c.name).toEqual(c.boundaries);
      if (c.batches.length === 1) {
        const once = L.discretization({ numBins: c.numBins, epsilon: c.epsilon });
        once.adapt(c.batches[0]);
        expect(once.binBoundaries, c.name).toEqual(c.boundaries);
      }
    }
  });

  it('saves the learned boundaries with numBins, and loads back with the same bins', async () => {
    const layer = L.discretization({ name: 'disc', numBins: 3, outputMode: 'one_hot' });
    layer.adapt(rl.tensor(Array.from({ length: 30 }, (_, i) => (i * 7) % 11), [30, 1]));
    const m = rl.sequential({ layers: [L.inputLayer({ inputShape: [1] }), layer, L.dense({ units: 2 })] });
    const dir = join(root, 'disc');
    await m.save(dir);
    const cfg = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers.find((l: { class_name: string }) => l.class_name === 'Discretization').config;
    expect(cfg).toMatchObject({ num_bins: 3, bin_boundaries: layer.binBoundaries, output_mode: 'one_hot', epsilon: 0.01 });
    const back = await rl.loadModel(dir);
    const x = rl.tensor([[0], [3.5], [4], [9], [10]]);
    expect(values(back.predict(x))).toEqual(values(m.predict(x)));
  });
});

describe('in models that train', () => {
  it('integerLookup (adapted on raw ids) feeding an Embedding learns which sequences hold the id 1000', async () => {
    const r = new rl.Random(3);
    const raw = [5, 17, 1000, 42, 99, 7];
    const rows = Array.from({ length: 64 }, () => Array.from({ length: 5 }, () => raw[Math.floor(r.uniform(0, raw.length))]));
    const labels = rl.tensor(rows.map((row) => (row.includes(1000) ? 1 : 0)), [64, 1]);
    const lookup = L.integerLookup();
    lookup.adapt(rows);
    rl.setSeed(8);
    const m = rl.sequential({ layers: [L.inputLayer({ inputShape: [5], dtype: 'int32' }), lookup, L.embedding({ inputDim: lookup.vocabularySize(), outputDim: 4 }), L.globalMaxPooling1d(), L.dense({ units: 1, activation: 'sigmoid' })] });
    m.compile({ optimizer: rl.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const h = await m.fit(ints(rows), labels, { epochs: 40, batchSize: 16, verbose: 0 });
    const acc = (h.history.acc ?? h.history.accuracy) as number[];
    expect(acc[acc.length - 1]).toBeGreaterThan(0.95);
  });

  it('discretization one_hot feeding a Dense learns a step function of the value', async () => {
    const xs = Array.from({ length: 60 }, (_, i) => i / 10);
    const target = rl.tensor(xs.map((x) => (x < 2 ? 1 : x < 4 ? -1 : 0.5)), [60, 1]);
    rl.setSeed(9);
    const m = rl.sequential({ layers: [L.discretization({ binBoundaries: [2, 4], outputMode: 'one_hot', inputShape: [1] }), L.dense({ units: 1 })] });
    m.compile({ optimizer: rl.train.adam(0.1), loss: 'meanSquaredError' });
    const h = await m.fit(rl.tensor(xs, [60, 1]), target, { epochs: 80, batchSize: 20, verbose: 0 });
    expect((h.history.loss as number[]).at(-1)).toBeLessThan(1e-3);
  });
});

describe('multi_hot and count on rank 3 and more reduce axis 1, as Keras 3\'s encode_categorical_inputs', () => {
  // Keras (numerical_utils.encode_categorical_inputs, backend nn.multi_hot): reduction_axis = 1, so
  // (batch, d1, d2, ...) -> (batch, d2, ..., depth). Each case's d1 differs from its last axis, so reducing the
  // last axis instead would give another shape and other values. The numbers are worked by hand.
  const vocab = [12, 36, 1138, 42]; // indices: OOV 0, 12 -> 1, 36 -> 2, 1138 -> 3, 42 -> 4 (depth 5)

  it('integerLookup count and multi_hot: (2, 3, 2) -> (2, 2, 5), each row one position of the last axis', () => {
    const x = rl.tensor([[[12, 36], [12, 42], [7, 36]], [[42, 42], [1138, 12], [36, 7]]], [2, 3, 2], 'int32');
    // Sample 0, column 0: 12, 12, 7 -> 1, 1, 0; column 1: 36, 42, 36 -> 2, 4, 2. Sample 1: 42, 1138, 36 -> 4, 3, 2
    // and 42, 12, 7 -> 4, 1, 0.
    const count = run(L.integerLookup({ vocabulary: vocab, outputMode: 'count' }), x);
    expect(count).toEqual({ shape: [2, 2, 5], v: [1, 2, 0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1] });
    const multi = run(L.integerLookup({ vocabulary: vocab, outputMode: 'multi_hot' }), x);
    expect(multi).toEqual({ shape: [2, 2, 5], v: [1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1] });
    // The symbolic shape is the eager one: Keras's (None, 3, 4) -> (None, 4, depth).
    expect(L.integerLookup({ vocabulary: vocab, outputMode: 'count' }).computeOutputShape([null, 3, 4])).toEqual([null, 4, 5]);
    const sym = L.integerLookup({ vocabulary: vocab, outputMode: 'multi_hot' }).apply(rl.input({ shape: [3, 2] })) as rl.SymbolicTensor;
    expect(sym.shape).toEqual([null, 2, 5]);
  });

  it('hashing: (1, 3, 2) -> (1, 2, 3); rank 4 (1, 2, 1, 2) -> (1, 1, 2, 3)', () => {
    // Bins into 3 (Keras's, asserted above): 0 -> 1, 1 -> 0, 2 -> 1, 3 -> 0, 4 -> 2.
    const x = rl.tensor([[[0, 4], [1, 4], [2, 3]]], [1, 3, 2], 'int32'); // bins [[1, 2], [0, 2], [1, 0]]
    expect(run(L.hashing({ numBins: 3, outputMode: 'multi_hot' }), x)).toEqual({ shape: [1, 2, 3], v: [1, 1, 0, 1, 0, 1] });
    expect(run(L.hashing({ numBins: 3, outputMode: 'count' }), x)).toEqual({ shape: [1, 2, 3], v: [1, 2, 0, 1, 0, 2] });
    // Rank 4: axis 1 (size 2) is summed for each of the (1, 2) positions after it: bins 1, 1 and 2, 0.
    const x4 = rl.tensor([[[[0, 4]], [[2, 3]]]], [1, 2, 1, 2], 'int32');
    expect(run(L.hashing({ numBins: 3, outputMode: 'count' }), x4)).toEqual({ shape: [1, 1, 2, 3], v: [0, 2, 0, 1, 0, 1] });
  });

  it('discretization: (1, 3, 2) -> (1, 2, 4) and Keras\'s test_compute_output_shape_modes (None, 3, 4) -> (None, 4, 3)', () => {
    const d = (outputMode: string, binBoundaries = [0, 0.5, 1]) => L.discretization({ binBoundaries, outputMode: outputMode as never });
    const x = rl.tensor([[[0.1, 1.2], [0.8, 1.5], [-1, 0.6]]]); // bins [[1, 3], [2, 3], [0, 2]]
    expect(run(d('multi_hot'), x)).toEqual({ shape: [1, 2, 4], v: [1, 1, 1, 0, 0, 0, 1, 1] });
    expect(run(d('count'), x)).toEqual({ shape: [1, 2, 4], v: [1, 1, 1, 0, 0, 0, 1, 2] });
    for (const mode of ['multi_hot', 'count']) expect(d(mode, [0, 1]).computeOutputShape([null, 3, 4])).toEqual([null, 4, 3]);
    expect(d('one_hot', [0, 1]).computeOutputShape([null, 3, 4])).toEqual([null, 3, 4, 3]);
  });

  it('categoryEncoding keeps tfjs\'s limits: rank 3 is refused (tfjs refuses it too); (batch,) stays one id per sample', () => {
    const ids3 = rl.tensor([[[0, 1], [2, 3], [1, 1]]], [1, 3, 2], 'int32');
    expect(() => L.categoryEncoding({ numTokens: 4 }).apply(ids3)).toThrow(/expected ids \(batch,\) or \(batch, ids\), got \(None, 3, 2\) \(tfjs refuses rank 3 or more/);
    expect(() => tf.layers.categoryEncoding({ numTokens: 4 }).apply(tf.tensor([[[0, 1], [2, 3], [1, 1]]], [1, 3, 2], 'int32'))).toThrow(/maximum output rank is 2/);
    // rnnlab's documented difference: tfjs (and Keras) count a (batch,) tensor as one sample and drop the batch axis.
    const ids1 = [1, 2, 2];
    expect(run(L.categoryEncoding({ numTokens: 4, outputMode: 'count' }), rl.tensor(ids1, [3], 'int32'))).toEqual({ shape: [3, 4], v: [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0] });
    const t = tf.layers.categoryEncoding({ numTokens: 4, outputMode: 'count' }).apply(tf.tensor(ids1, [3], 'int32')) as tf.Tensor;
    expect({ shape: t.shape, v: Array.from(t.dataSync()) }).toEqual({ shape: [4], v: [0, 1, 2, 0] });
  });
});

describe('IntegerLookup vocabulary changes and vocabularySize, Hashing\'s float mask value', () => {
  it('a refused adapt or setVocabulary on a built multi_hot layer leaves the vocabulary and the output width as they were', () => {
    const layer = L.integerLookup({ outputMode: 'multi_hot' });
    layer.adapt(ints([[1, 2, 3]])); // ties: the larger token first -> [3, 2, 1], indices 1..3, OOV 0
    const before = run(layer, ints([[1, 2]]));
    expect(before).toEqual({ shape: [1, 4], v: [0, 0, 1, 1] });
    expect(() => layer.adapt(ints([[5, 6, 7, 8, 9]]))).toThrow(/vocabulary size cannot change once the layer is built in outputMode 'multi_hot' \(was 4 columns, now 6\)/);
    expect(() => layer.setVocabulary([5, 6, 7, 8, 9])).toThrow(/was 4 columns, now 6/);
    expect(layer.getVocabulary()).toEqual([-1, 3, 2, 1]);
    expect(run(layer, ints([[1, 2]]))).toEqual(before);
    expect(layer.computeOutputShape([null, 2])).toEqual([null, 4]);
    // A vocabulary of the same size is taken: 9 -> index 3, 1 is now unknown (OOV 0).
    layer.setVocabulary([7, 8, 9]);
    expect(run(layer, ints([[9, 1]]))).toEqual({ shape: [1, 4], v: [1, 0, 0, 1] });
  });

  it('vocabularySize that disagrees with the vocabulary: ignored in int mode and with padToMaxTokens (as Keras), refused otherwise', () => {
    const intMode = L.integerLookup({ vocabulary: [12, 36, 1138, 42], vocabularySize: 7 });
    expect(run(intMode, ints([[12, 42, 7]])).v).toEqual([1, 4, 0]);
    expect(intMode.getConfig().vocabularySize).toBe(5);
    const padded = L.integerLookup({ vocabulary: [12, 36], vocabularySize: 7, outputMode: 'multi_hot', maxTokens: 6, padToMaxTokens: true });
    expect(run(padded, ints([[36]]))).toEqual({ shape: [1, 6], v: [0, 0, 1, 0, 0, 0] });
    expect(() => L.integerLookup({ vocabulary: [12, 36, 1138, 42], vocabularySize: 7, outputMode: 'multi_hot' })).toThrow(/vocabularySize 7 disagrees with the vocabulary's 5/);
  });

  it('hashing maskValue 0.1 masks a float32 0.1 (compared in float32 as TensorFlow), not the next float32 up', () => {
    const h = L.hashing({ numBins: 3, maskValue: 0.1 });
    const [masked, zero, next] = run(h, rl.tensor([[0.1], [0], [0.100000009]])).v;
    expect(masked).toBe(0);
    // 0 and 0.100000009 are not the mask: both truncate to 0 and hash into bins 1..2, the same bin.
    expect(zero).toBeGreaterThanOrEqual(1);
    expect(next).toBe(zero);
    // int32 inputs compare exactly: 2^24 + 1 is the mask, 2^24 (equal to it in float32) is not.
    const big = run(L.hashing({ numBins: 3, maskValue: 16777217 }), rl.tensor([[16777217], [16777216]], [2, 1], 'int32')).v;
    expect(big[0]).toBe(0);
    expect(big[1]).toBeGreaterThanOrEqual(1);
  });
});

describe('not trainable, not exported, and bad options or inputs named', () => {
  it('have no weights; ONNX export refuses each by name', () => {
    for (const layer of [L.integerLookup({ vocabulary: [1, 2] }), L.hashing({ numBins: 4 }), L.discretization({ binBoundaries: [0] })]) {
      const m = rl.sequential({ layers: [L.inputLayer({ inputShape: [3] }), layer, L.dense({ units: 1 })] });
      expect(layer.countParams()).toBe(0);
      expect(() => rl.toOnnx(m)).toThrow(new RegExp(`${layer.getClassName()}.*has no ONNX export`));
    }
  });

  it.each([
    ['hashing without numBins', () => L.hashing({} as never), /missing required field 'numBins'/],
    ['hashing a string mask value', () => L.hashing({ numBins: 2, maskValue: '' as never }), /maskValue must be a finite number or null, got the string "" \(string inputs are not supported/],
    ['hashing a bad salt', () => L.hashing({ numBins: 2, salt: [1, 2, 3] as never }), /salt must be a non-negative integer or a list of two, got \[1,2,3\]/],
    ['hashing sparse', () => L.hashing({ numBins: 2, outputMode: 'count', sparse: true }), /sparse = boolean true is not supported \(outputs are dense\)/],
    ['hashing an unknown mode', () => L.hashing({ numBins: 2, outputMode: 'binary' as never }), /outputMode must be 'int', 'one_hot', 'multi_hot' or 'count', got "binary"/],
    ['lookup tf_idf', () => L.integerLookup({ outputMode: 'tf_idf' as never }), /outputMode 'tf_idf' is not supported \(TF-IDF weighting is not implemented/],
    ['lookup maxTokens 1', () => L.integerLookup({ maxTokens: 1 }), /maxTokens must be greater than 1/],
    ['lookup negative OOV indices', () => L.integerLookup({ numOovIndices: -1 }), /numOovIndices must be >= 0, got -1/],
    ['lookup a repeated token', () => L.integerLookup({ vocabulary: [1, 2, 1] }), /the vocabulary repeats 1; each token must appear once/],
    ['lookup the mask token inside', () => L.integerLookup({ vocabulary: [1, 0, 2], maskToken: 0 }), /holds the mask token 0 among its tokens/],
    ['lookup the OOV token inside when inverting', () => L.integerLookup({ vocabulary: [1, -1], invert: true }), /holds the OOV token -1/],
    ['lookup too many tokens', () => L.integerLookup({ vocabulary: [1, 2, 3], maxTokens: 3 }), /the vocabulary has 4 entries with its mask and OOV indices; maxTokens is 3/],
    ['lookup invert with one_hot', () => L.integerLookup({ invert: true, outputMode: 'one_hot' }), /invert needs outputMode 'int', got 'one_hot'/],
    ['lookup pad without maxTokens', () => L.integerLookup({ outputMode: 'count', padToMaxTokens: true }), /padToMaxTokens needs maxTokens/],
    ['lookup salt without farmhash', () => L.integerLookup({ numOovIndices: 2, salt: 3 }), /salt can only be used with oovMethod 'farmhash'/],
    ['lookup a string vocabulary', () => L.integerLookup({ vocabulary: ['a'] as never }), /vocabulary must be a tensor or \(nested\) arrays of numbers, got the string "a"/],
    ['lookup idfWeights', () => L.integerLookup({ idfWeights: [1] as never }), /idfWeights is only for outputMode 'tf_idf', which is not supported/],
    ['lookup vocabularyDtype', () => L.integerLookup({ vocabularyDtype: 'string' as never }), /vocabularyDtype must be 'int64'/],
    ['lookup a size that disagrees (outside int mode)', () => L.integerLookup({ vocabulary: [4, 5], vocabularySize: 9, outputMode: 'count' }), /vocabularySize 9 disagrees with the vocabulary's 3/],
    ['lookup a size without a vocabulary (a Keras-adapted layer)', () => L.integerLookup({ vocabularySize: 5 }), /vocabularySize 5 without a vocabulary: Keras keeps an adapted vocabulary in the \.keras archive's assets/],
    ['lookup invert without an OOV token', () => L.integerLookup({ vocabulary: [1], invert: true, oovToken: null }), /invert needs an oovToken/],
    ['discretization with both', () => L.discretization({ binBoundaries: [0], numBins: 2 }), /give binBoundaries or numBins, not both/],
    ['discretization with neither', () => L.discretization({}), /needs binBoundaries, or numBins and then adapt\(data\)/],
    ['discretization boundaries out of order', () => L.discretization({ binBoundaries: [1, 0] }), /binBoundaries must be in ascending order; 0 follows 1 at index 1/],
    ['discretization epsilon 0', () => L.discretization({ numBins: 2, epsilon: 0 }), /epsilon must be a finite number > 0, got 0/],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  it('bad calls: before adapt, non-integer tokens, adapt of a fixed layer, rank-1 multi_hot, NaN', () => {
    expect(() => L.integerLookup().apply(ints([[1]]))).toThrow(/has no vocabulary yet: give vocabulary, or call adapt\(data\)/);
    expect(() => L.integerLookup({ vocabulary: [1] }).apply(rl.tensor([[1.5]]))).toThrow(/inputs must be integers, got 1.5 at flat index 0/);
    expect(() => L.integerLookup({ vocabulary: [1] }).adapt([[1]])).toThrow(/cannot adapt a layer built with a vocabulary/);
    expect(() => L.integerLookup().adapt([[1.5]])).toThrow(/adapt data must be integers, got 1.5/);
    expect(() => L.discretization({ numBins: 3 }).apply(rl.tensor([[1]]))).toThrow(/no bin boundaries yet: call adapt\(data\) first/);
    expect(() => L.discretization({ binBoundaries: [0] }).adapt(rl.tensor([1]))).toThrow(/cannot adapt a layer built with binBoundaries/);
    expect(() => L.discretization({ numBins: 3 }).adapt([[1, NaN]])).toThrow(/adapt data holds NaN at flat index 1; values must be finite/);
    expect(() => L.hashing({ numBins: 3, outputMode: 'multi_hot' }).apply(rl.tensor([1, 2]))).toThrow(/outputMode 'multi_hot' reduces axis 1 \(one sample's values\), so it needs input \(batch, values, \.\.\.\), got \[2\] \(a 1-D tensor: its one axis is the batch\)/);
    expect(() => L.hashing({ numBins: 3 }).apply(rl.tensor([[NaN]]))).toThrow(/got NaN at flat index 0; values must be finite/);
  });
});

describe('the registry round trip of all five (what test/model/layer_options.test.ts checks of every class)', () => {
  const adapted = () => {
    const d = L.discretization({ numBins: 3 });
    d.adapt(rl.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8]));
    return d;
  };
  it.each([
    ['GroupNormalization', () => L.groupNormalization({ groups: 2, epsilon: 1e-5, gammaRegularizer: 'l2' }), [null, 5, 4]],
    ['UnitNormalization', () => L.unitNormalization({ axis: [1, 2] }), [null, 5, 2]],
    ['IntegerLookup', () => L.integerLookup({ vocabulary: [3, 1, 4], maskToken: 0, outputMode: 'count' }), [null, 3]],
    ['Hashing', () => L.hashing({ numBins: 4, maskValue: 0, salt: [1, 2] }), [null, 3]],
    ['Discretization', () => L.discretization({ binBoundaries: [0, 1], outputMode: 'one_hot' }), [null, 3]],
    ['Discretization (adapted)', adapted, [null, 3]],
  ] as [string, () => rl.layerClasses.Layer, (number | null)[]][])('%s: build creates exactly weightSpecs; fromConfig(getConfig()) is the same layer', (_n, make, shape) => {
    const layer = make();
    const specs = layer.weightSpecs(shape);
    layer.build(shape);
    expect(layer.weights.map((w) => w.shape)).toEqual(specs.map((s) => s.shape));
    const back = deserializeLayer(serializeLayer(layer));
    expect(back.className).toBe(layer.className);
    expect(back.getConfig()).toEqual(layer.getConfig());
    back.build(shape);
    expect(back.computeOutputShape(shape)).toEqual(layer.computeOutputShape(shape));
  });
});
