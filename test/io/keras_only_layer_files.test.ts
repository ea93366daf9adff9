/**
 * A saved Keras 3 model holding a layer rnnlab lacks on purpose (TextVectorization, StringLookup; the refusals of
 * src/layers/keras_only_layers.ts) fails with the advice the layer factory gives, naming the layer, not with the
 * generic unknown-class message, nor at the string InputLayer that comes before it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { deserializeLayer } from '../../src/layers/registry.js';

const root = mkdtempSync(join(tmpdir(), 'rl-keras-only-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const policy = (name: string) => ({ module: 'keras', class_name: 'DTypePolicy', config: { name }, registered_name: null });
const entry = (cls: string, config: Record<string, unknown>) => ({ module: 'keras.layers', class_name: cls, config, registered_name: null });

/** keras.Sequential([keras.Input(shape=(), dtype='string'), TextVectorization(...), Embedding(...)]) as Keras 3.6 writes it. */
function textModel(cls = 'TextVectorization'): Record<string, unknown> {
  const text = cls === 'TextVectorization'
    ? entry(cls, { name: 'text_vectorization', trainable: true, dtype: policy('int64'), max_tokens: 100, standardize: 'lower_and_strip_punctuation', split: 'whitespace', ngrams: null, output_mode: 'int', output_sequence_length: 8, pad_to_max_tokens: false, sparse: false, ragged: false, vocabulary: null, idf_weights: null, encoding: 'utf-8', vocabulary_size: 2 })
    : entry(cls, { name: 'string_lookup', trainable: true, dtype: policy('int64'), max_tokens: null, num_oov_indices: 1, mask_token: null, oov_token: '[UNK]', vocabulary: null, output_mode: 'int', sparse: false, encoding: 'utf-8' });
  return {
    format: 'layers-model', generatedBy: 'keras v3.6.0', convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: { keras_version: '3.6.0', backend: 'tensorflow', model_config: { module: 'keras', class_name: 'Sequential', config: { name: 'sequential', trainable: true, dtype: policy('float32'), layers: [
      entry('InputLayer', { batch_shape: [null], dtype: 'string', sparse: false, ragged: false, name: 'input_layer', optional: false }),
      text,
      entry('Embedding', { name: 'embedding', trainable: true, dtype: policy('float32'), input_dim: 100, output_dim: 4 }),
    ] } } },
    weightsManifest: [],
  };
}

function saved(json: unknown, name: string): string {
  const file = join(root, `${name}.json`);
  writeFileSync(file, JSON.stringify(json));
  return file;
}

describe('a Keras-only layer in a saved model is refused with the factory\'s advice', () => {
  it('TextVectorization: the layer is named and told to vectorize outside the model, before the string input is read', async () => {
    const file = saved(textModel(), 'tv');
    await expect(rl.loadLayersModel(`file://${file}`)).rejects.toThrow(
      /modelTopology: layer 'text_vectorization' \(TextVectorization\): Keras 3 has this layer; rnnlab \(as tfjs-layers\) does not: turn texts into ids outside the model \(rl\.preprocessing\.Tokenizer/,
    );
  });

  it('StringLookup likewise; without the InputLayer the per-layer reader gives the same advice', async () => {
    await expect(rl.loadLayersModel(`file://${saved(textModel('StringLookup'), 'sl')}`)).rejects.toThrow(
      "layer 'string_lookup' (StringLookup): Keras 3 has this layer; rnnlab (as tfjs-layers) does not: map strings to ids outside the model (rl.preprocessing.Tokenizer)",
    );
    const noInput = textModel();
    const layers = ((noInput.modelTopology as { model_config: { config: { layers: unknown[] } } }).model_config.config.layers);
    layers.shift();
    await expect(rl.models.modelFromJSON(noInput.modelTopology as never)).rejects.toThrow(/layer 'text_vectorization' \(TextVectorization\): Keras 3 has this layer/);
  });

  it('inside a wrapper too; the registry gives the advice for the class; other unknown classes keep the generic message', async () => {
    const wrapped = textModel();
    const layers = ((wrapped.modelTopology as { model_config: { config: { layers: Record<string, unknown>[] } } }).model_config.config.layers);
    layers[1] = entry('TimeDistributed', { name: 'td', layer: layers[1] });
    await expect(rl.loadLayersModel(`file://${saved(wrapped, 'wrapped')}`)).rejects.toThrow(/layer 'text_vectorization' \(TextVectorization\): Keras 3 has this layer/);
    expect(() => deserializeLayer({ className: 'StringLookup', config: {} })).toThrow("layer: layer class 'StringLookup': Keras 3 has this layer; rnnlab (as tfjs-layers) does not: map strings to ids");
    expect(() => deserializeLayer({ className: 'NoSuchLayer', config: {} })).toThrow(/unknown layer class 'NoSuchLayer'/);
  });

  it('a user class registered under the name loads instead', () => {
    class StringLookup extends rl.layers.Layer {
      static override readonly className: string = 'StringLookup';
      computeOutputShape(s: (number | null)[]): (number | null)[] { return s; }
      call(x: rl.Tensor): rl.Tensor { return x; }
    }
    rl.serialization.registerClass(StringLookup);
    expect(deserializeLayer({ className: 'StringLookup', config: { name: 'mine' } }).name).toBe('mine');
  });
});
