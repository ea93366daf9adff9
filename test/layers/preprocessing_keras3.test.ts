/**
 * Keras 3 details of the preprocessing layers: Discretization's saved int64 dtype, IntegerLookup built before adapt
 * with padToMaxTokens, a reloaded IntegerLookup adapting again, outputMode 'binary', Rescaling in float32, and a
 * misspelt required option named as such by the factories (not as a missing field).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as rl from '../../src/index.js';
import { deserializeLayer, serializeLayer } from '../../src/layers/registry.js';
import { removeDir, tempDir } from '../compat/functional_helpers.js';

const root = tempDir('rnnlab-prep-k3-');
afterAll(() => removeDir(root));
const L = rl.layers;
const values = (t: rl.Tensor | rl.Tensor[]) => Array.from((t as rl.Tensor).dataSync());
const ints = (rows: number[][]) => rl.tensor(rows, [rows.length, rows[0].length], 'int32');

describe('Discretization with Keras 3\'s int64 dtype (its default in int mode, written to the config)', () => {
  const int64Policy = { module: 'keras', className: 'DTypePolicy', config: { name: 'int64' }, registeredName: null };

  it('reads a Keras 3 config with dtype int64 (a string or a DTypePolicy) and writes the dtype back', () => {
    for (const dtype of ['int64', int64Policy]) {
      const keras = { name: 'd', trainable: true, dtype, binBoundaries: [0, 1, 2], numBins: null, epsilon: 0.01, outputMode: 'int', sparse: false };
      const layer = deserializeLayer({ className: 'Discretization', config: keras });
      expect(values(layer.apply(rl.tensor([[-1.5, 1.0, 0.5, 2.5]])))).toEqual([0, 2, 1, 3]);
      expect(layer.getConfig().dtype).toBe('int64');
      expect(deserializeLayer(serializeLayer(layer)).getConfig()).toEqual(layer.getConfig());
    }
    expect(L.discretization({ binBoundaries: [0], dtype: 'int64' as never }).getConfig().dtype).toBe('int64');
    expect(L.discretization({ binBoundaries: [0] }).getConfig().dtype).toBe('float32');
    expect(() => L.discretization({ binBoundaries: [0], dtype: 'float16' as never })).toThrow(/dtype policy 'float16'/);
  });

  it('loads a model file whose Discretization config says int64, with the same bins', async () => {
    const m = rl.sequential({ layers: [L.inputLayer({ inputShape: [2] }), L.discretization({ binBoundaries: [0, 1] }), L.dense({ units: 1 })] });
    const dir = join(root, 'disc_int64');
    await m.save(dir);
    const file = join(dir, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const cfg = json.modelTopology.config.layers.find((l: { class_name: string }) => l.class_name === 'Discretization').config;
    cfg.dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'int64' }, registered_name: null };
    writeFileSync(file, JSON.stringify(json));
    const back = await rl.loadLayersModel(dir);
    const x = rl.tensor([[0.5, 2], [-1, 1]]);
    expect(values(back.layers[1].apply(x) as rl.Tensor)).toEqual([1, 2, 0, 2]);
    expect(values(back.predict(x) as rl.Tensor)).toEqual(values(m.predict(x) as rl.Tensor));
  });
});

describe('IntegerLookup', () => {
  it('with padToMaxTokens, goes into a model before adapt (the width is maxTokens, as Keras\'s compute_output_shape)', () => {
    const lookup = L.integerLookup({ outputMode: 'multi_hot', maxTokens: 5, padToMaxTokens: true });
    const m = rl.sequential({ layers: [L.inputLayer({ inputShape: [3] }), lookup, L.dense({ units: 1 })] });
    expect(lookup.outputShape).toEqual([null, 5]);
    lookup.adapt(ints([[1, 2, 3]]));
    // vocabulary [-1, 3, 2, 1] (ties: the larger token first), padded to 5 columns
    expect(values(lookup.apply(ints([[1, 2, 9]])))).toEqual([1, 0, 1, 1, 0]);
    expect(m.predict(ints([[1, 2, 9]])).shape).toEqual([1, 1]);
    // Without padToMaxTokens the width needs the vocabulary, as before.
    expect(() => rl.sequential({ layers: [L.inputLayer({ inputShape: [3] }), L.integerLookup({ outputMode: 'multi_hot', maxTokens: 5 })] }))
      .toThrow(/has no vocabulary yet/);
  });

  it('a reloaded adapted layer adapts again (Keras keeps the learned vocabulary in the archive\'s assets)', async () => {
    const lookup = L.integerLookup();
    lookup.adapt(ints([[1, 2, 2]]));
    const m = rl.sequential({ layers: [L.inputLayer({ inputShape: [2] }), lookup] });
    const dir = join(root, 'il_readapt');
    await m.save(dir);
    const back = (await rl.loadLayersModel(dir)).layers[1] as rl.layerClasses.IntegerLookup;
    expect(back.getVocabulary()).toEqual([-1, 2, 1]);
    back.adapt(ints([[5, 6, 6]]));
    expect(back.getVocabulary()).toEqual([-1, 6, 5]);
    expect(values(back.apply(ints([[6, 1]])))).toEqual([1, 0]);
    const fromConfig = rl.layerClasses.IntegerLookup.fromConfig(lookup.getConfig()) as rl.layerClasses.IntegerLookup;
    fromConfig.adapt([[7]]);
    expect(fromConfig.getVocabulary()).toEqual([-1, 7]);
    // A vocabulary given to the constructor: Keras refuses adapt too.
    expect(() => L.integerLookup({ vocabulary: [1] }).adapt([[1]])).toThrow(/cannot adapt a layer built with a vocabulary given to its constructor \(Keras refuses it too\)/);
  });

  it('outputMode \'binary\' is Keras\'s deprecated name of \'multi_hot\' (read, written back as multi_hot)', () => {
    const binary = L.integerLookup({ vocabulary: [12, 36, 42], outputMode: 'binary' });
    const multi = L.integerLookup({ vocabulary: [12, 36, 42], outputMode: 'multi_hot' });
    const x = ints([[12, 42, 42], [5, 36, 12]]);
    expect(values(binary.apply(x))).toEqual(values(multi.apply(x)));
    expect(values(binary.apply(x))).toEqual([0, 1, 0, 1, 1, 1, 1, 0]);
    expect(binary.outputMode).toBe('multi_hot');
    expect(binary.getConfig().outputMode).toBe('multi_hot');
    expect(() => L.integerLookup({ vocabulary: [1], outputMode: 'tf-idf' as never })).toThrow(/outputMode 'tf-idf' is not supported/);
  });

  it('getVocabulary with oovToken null reads null in the OOV slots, as Keras\'s None', () => {
    expect(L.integerLookup({ vocabulary: [5, 6], oovToken: null }).getVocabulary()).toEqual([null, 5, 6]);
  });
});

describe('Rescaling computes in float32, as Keras and tfjs', () => {
  it('rounds x * scale to float32 before adding the offset: equal to tfjs on 0..255 with 1/255 and -1', () => {
    const xs = Array.from({ length: 256 }, (_, i) => i);
    const ours = values(L.rescaling({ scale: 1 / 255, offset: -1 }).apply(rl.tensor([xs])));
    const f = Math.fround;
    expect(ours).toEqual(xs.map((x) => f(f(x * f(1 / 255)) + f(-1))));
    const tfjs = Array.from((tf.layers.rescaling({ scale: 1 / 255, offset: -1 }).apply(tf.tensor2d([xs])) as tf.Tensor).dataSync());
    expect(ours).toEqual(tfjs);
    // x = 49: the float64 formula would give -0.8078431487083435
    expect(ours[49]).toBe(-0.8078430891036987);
  });

  it('keeps float64 under rl.setPrecision(64) (gradient checks)', () => {
    rl.setPrecision(64);
    try {
      const y = values(L.rescaling({ scale: 1 / 255, offset: -1 }).apply(rl.tensor([[49]])));
      expect(y[0]).toBe(49 * (1 / 255) - 1);
    } finally {
      rl.setPrecision(32);
    }
  });
});

describe('a misspelt required option is named as an unknown option, with the near name (not as a missing field)', () => {
  const cases: [string, () => unknown, string, string][] = [
    ['dense({unit})', () => L.dense({ unit: 3 } as never), 'unit', 'units'],
    ['hashing({num_bins})', () => L.hashing({ num_bins: 3 } as never), 'num_bins', 'numBins'],
    ['hashing({numbins})', () => L.hashing({ numbins: 3 } as never), 'numbins', 'numBins'],
    ['categoryEncoding({num_tokens})', () => L.categoryEncoding({ num_tokens: 3 } as never), 'num_tokens', 'numTokens'],
    ['discretization({binBoundries})', () => L.discretization({ binBoundries: [1] } as never), 'binBoundries', 'binBoundaries'],
    ['discretization({num_bins})', () => L.discretization({ num_bins: 3 } as never), 'num_bins', 'numBins'],
    ['rescaling({scal})', () => L.rescaling({ scal: 2 } as never), 'scal', 'scale'],
    ['multiHeadAttention({num_heads, key_dim})', () => L.multiHeadAttention({ num_heads: 2, key_dim: 4 } as never), 'num_heads', 'numHeads'],
    ['multiHeadAttention({numHeads, key_dim})', () => L.multiHeadAttention({ numHeads: 2, key_dim: 4 } as never), 'key_dim', 'keyDim'],
    ['new Hashing({num_bins})', () => new rl.layerClasses.Hashing({ num_bins: 3 } as never), 'num_bins', 'numBins'],
  ];
  for (const [what, make, key, near] of cases) {
    it(what, () => {
      expect(make).toThrow(new RegExp(`unknown option '${key}' \\(did you mean '${near}'\\?\\)`));
      expect(make).not.toThrow(/missing required field|needs binBoundaries/);
    });
  }

  it('the refused calls take no automatic name; a truly missing option and bad values keep their own errors', () => {
    const before = L.dense({ units: 1 }).name;
    expect(() => L.dense({ unit: 3 } as never)).toThrow(/unknown option 'unit'/);
    const n = Number(before.split('_')[1] ?? 0);
    expect(L.dense({ units: 1 }).name).toBe(`dense_${n + 1}`);
    expect(() => L.dense({} as never)).toThrow(/missing required field 'units'/);
    expect(() => L.dense({ units: 0 })).toThrow(/units must be a positive integer, got 0/);
    // A wrapper given its layer under a misspelt key: the layer keeps its name.
    const inner = L.lstm({ units: 2, name: 'inner_lstm' });
    expect(() => L.bidirectional({ layr: inner } as never)).toThrow(/unknown option 'layr' \(did you mean 'layer'\?\)/);
    expect(inner.name).toBe('inner_lstm');
    // The misspelt key holds a bad value: the constructor's error, with the near name.
    expect(() => L.hashing({ num_bins: -1 } as never)).toThrow(/missing required field 'numBins' .*\(given 'num_bins': did you mean 'numBins'\?\)/);
  });
});
