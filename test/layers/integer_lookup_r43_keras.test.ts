/**
 * IntegerLookup against Keras 3.16's index_lookup.py, worked from its source: a null oov_token (None) that never
 * matches a real token, set_vocabulary's idf_weights refused outside tf_idf, pad_to_max_tokens accepted with no effect
 * in int mode, and clear refusals of datasets and vocabulary files.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { layerFromKeras } from '../../src/io/keras_config.js';
import { removeDir, tempDir } from '../compat/functional_helpers.js';

const root = tempDir('rnnlab-il-r43-');
afterAll(() => removeDir(root));
const L = rl.layers;
const values = (t: rl.Tensor | rl.Tensor[]) => Array.from((t as rl.Tensor).dataSync());
const ints = (rows: number[][]) => rl.tensor(rows, [rows.length, rows[0].length], 'int32');
type Lookup = rl.layerClasses.IntegerLookup;
// Keras's IndexLookup drops a dtype argument, so its configs carry the default float32 policy.
const POLICY = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

describe('IntegerLookup with oovToken null (Keras: oov_token=None)', () => {
  it('keeps a leading -1 as a real token: special tokens [None] do not equal vocabulary[:1] = [-1]', () => {
    const layer = L.integerLookup({ oovToken: null, vocabulary: [-1, 3, 4] });
    // Keras's get_vocabulary fills the OOV slot with oov_token, None.
    expect(layer.getVocabulary()).toEqual([null, -1, 3, 4]);
    expect(layer.getVocabulary(false)).toEqual([-1, 3, 4]);
    expect(layer.vocabularySize()).toBe(4);
    expect(values(layer.apply(ints([[-1, 3, 4, 9]])))).toEqual([1, 2, 3, 0]);
  });

  it('reads a leading null as the OOV slot, so getVocabulary() fed back to setVocabulary looks up the same', () => {
    const first = L.integerLookup({ oovToken: null, vocabulary: [-1, 3, 4] });
    const again = L.integerLookup({ oovToken: null, vocabulary: first.getVocabulary() });
    expect(again.getVocabulary()).toEqual([null, -1, 3, 4]);
    expect(values(again.apply(ints([[-1, 3, 4, 9]])))).toEqual([1, 2, 3, 0]);
    const plain = L.integerLookup({ oovToken: null });
    plain.setVocabulary([null, 3, 4]);
    expect(values(plain.apply(ints([[3, 4, -1]])))).toEqual([1, 2, 0]);
  });

  it('refuses a null anywhere but the OOV slot, and a mask token that a -1 keeps from being a prefix', () => {
    expect(() => L.integerLookup({ vocabulary: [null, 3] })).toThrow(/vocabulary entry 0 is null; null only stands for a null oovToken .*\[-1\]/);
    expect(() => L.integerLookup({ oovToken: null, vocabulary: [3, null] })).toThrow(/vocabulary entry 1 is null/);
    // Keras: special tokens [0, None] differ from [0, -1], so the whole list is tokens and holds the mask token 0.
    expect(() => L.integerLookup({ oovToken: null, maskToken: 0, vocabulary: [0, -1, 5] })).toThrow(/holds the mask token 0 .*\[0, null\]/);
    const masked = L.integerLookup({ oovToken: null, maskToken: 0, vocabulary: [0, null, -1, 5] });
    expect(masked.getVocabulary()).toEqual([0, null, -1, 5]);
    expect(values(masked.apply(ints([[0, -1, 5, 7]])))).toEqual([0, 2, 3, 1]);
  });

  it('adapt learns -1 (Keras removes the OOV token from the counts only when it is not None) and save/load keeps it', async () => {
    const layer = L.integerLookup({ oovToken: null, name: 'lookup' });
    layer.adapt(ints([[-1, -1, -1, 3]]));
    expect(layer.getVocabulary()).toEqual([null, -1, 3]);
    expect(values(layer.apply(ints([[-1, 3, 8]])))).toEqual([1, 2, 0]);
    const input = rl.input({ shape: [3], dtype: 'int32' });
    const model = rl.model({ inputs: input, outputs: layer.apply(input) as rl.SymbolicTensor });
    const dir = `file://${root}/oov_null`;
    await model.save(dir);
    const back = await rl.loadLayersModel(dir);
    expect(values(back.predict(ints([[-1, 3, 8]])))).toEqual([1, 2, 0]);
    expect((back.layers.find((l) => l.name === 'lookup') as Lookup).getVocabulary()).toEqual([null, -1, 3]);
    const fromConfig = rl.layerClasses.IntegerLookup.fromConfig(layer.getConfig()) as Lookup;
    expect(fromConfig.getVocabulary()).toEqual([null, -1, 3]);
  });

  it('loads a Keras config whose vocabulary is get_vocabulary() with None in the OOV slot', () => {
    const layer = layerFromKeras({ class_name: 'IntegerLookup', config: { name: 'il', trainable: true, dtype: POLICY, invert: false, max_tokens: null,
      num_oov_indices: 1, oov_token: null, mask_token: null, output_mode: 'int', sparse: false, pad_to_max_tokens: false, vocabulary_dtype: 'int64',
      idf_weights: null, vocabulary: [null, -1, 3, 4], vocabulary_size: 4 } }, 'f') as Lookup;
    expect(values(layer.apply(ints([[4, -1, 3, 2]])))).toEqual([3, 1, 2, 0]);
  });
});

describe('IntegerLookup config round trip of tokens that start like the special tokens', () => {
  it('a token -1 with oovToken -1 after the special prefix survives getConfig/fromConfig', () => {
    // Keras: set_vocabulary([-1, -1, 5]) strips the special [-1] and keeps the token -1 at index 1.
    const layer = L.integerLookup();
    layer.setVocabulary([-1, -1, 5]);
    expect(layer.getVocabulary()).toEqual([-1, -1, 5]);
    expect(values(layer.apply(ints([[-1, 5, 9]])))).toEqual([1, 2, 0]);
    const back = rl.layerClasses.IntegerLookup.fromConfig(layer.getConfig()) as Lookup;
    expect(back.getVocabulary()).toEqual([-1, -1, 5]);
    expect(values(back.apply(ints([[-1, 5, 9]])))).toEqual([1, 2, 0]);
    // Tokens that do not start like the special tokens are saved as they are.
    expect(L.integerLookup({ vocabulary: [5, -1] }).getConfig().vocabulary).toEqual([5, -1]);
  });
});

describe('IntegerLookup.setVocabulary refuses Keras\'s idf_weights outside tf_idf', () => {
  it('names the second argument, accepts null (Keras\'s None), refuses more arguments, and keeps the vocabulary', () => {
    const layer = L.integerLookup({ outputMode: 'count', vocabulary: [1, 2] });
    const setVocabulary = layer.setVocabulary.bind(layer) as (...args: unknown[]) => void;
    expect(() => setVocabulary([5, 6], [0.3, 0.9])).toThrow(/setVocabulary's second argument, idfWeights, is only for outputMode 'tf_idf', which is not supported/);
    expect(() => setVocabulary([5, 6], undefined, 'x')).toThrow(/setVocabulary takes the vocabulary .* got 3 arguments/);
    expect(layer.getVocabulary()).toEqual([-1, 1, 2]);
    setVocabulary([5, 6], null);
    expect(values(layer.apply(ints([[5, 5, 6]])))).toEqual([0, 2, 1]);
  });
});

describe('IntegerLookup padToMaxTokens in int mode: accepted with no effect, as Keras', () => {
  const keras = (pad: boolean) => layerFromKeras({ class_name: 'IntegerLookup', config: { name: 'il', trainable: true, dtype: POLICY, invert: false,
    max_tokens: 5, num_oov_indices: 1, oov_token: -1, mask_token: null, output_mode: 'int', sparse: false, pad_to_max_tokens: pad,
    vocabulary_dtype: 'int64', idf_weights: null, vocabulary: [5, 6, 7], vocabulary_size: 4 } }, 'f') as Lookup;

  it('a Keras config with pad_to_max_tokens true loads and looks up as without it', () => {
    const x = ints([[5, 7, 9], [6, 6, 5]]);
    expect(values(keras(true).apply(x))).toEqual([1, 3, 0, 2, 2, 1]);
    expect(values(keras(true).apply(x))).toEqual(values(keras(false).apply(x)));
    expect((keras(true).apply(x) as rl.Tensor).shape).toEqual([2, 3]);
    expect(keras(true).getConfig().padToMaxTokens).toBe(true);
  });

  it('adapt learns the same vocabulary, and padToMaxTokens still needs maxTokens (Keras checks it in every mode)', () => {
    const padded = L.integerLookup({ maxTokens: 3, padToMaxTokens: true });
    padded.adapt([[4, 4, 8, 9]]);
    expect(padded.getVocabulary()).toEqual([-1, 4, 9]);
    expect(values(padded.apply(ints([[4, 8, 9]])))).toEqual([1, 0, 2]);
    expect(() => L.integerLookup({ padToMaxTokens: true })).toThrow(/padToMaxTokens needs maxTokens/);
  });
});

describe('IntegerLookup refuses datasets and vocabulary files by name', () => {
  it('adapt(dataset) says to pass the batches as one tensor, which learns Keras\'s adapt(dataset) vocabulary', async () => {
    const layer = L.integerLookup();
    const dataset = rl.data.array([[1, 2], [2, 3]]).batch(1);
    expect(() => layer.adapt(dataset as never)).toThrow(/adapt does not take a dataset .*concat\(await dataset\.toArray\(\), 0\)/);
    layer.adapt(rl.concat((await dataset.toArray()) as rl.Tensor[], 0));
    // Keras over the two batches: counts 2:2, 3:1, 1:1; ties by the larger token first.
    expect(layer.getVocabulary()).toEqual([-1, 2, 3, 1]);
  });

  it('a vocabulary given as a string is a file path, as in Keras (read in integer_lookup_vocabulary_file_r45)', () => {
    expect(() => L.integerLookup({ vocabulary: 'no-such-vocab.txt' })).toThrow(/cannot read the vocabulary file "no-such-vocab.txt": no such file/);
    expect(() => L.integerLookup().setVocabulary('no-such-vocab.txt')).toThrow(/cannot read the vocabulary file "no-such-vocab.txt": no such file/);
  });
});
