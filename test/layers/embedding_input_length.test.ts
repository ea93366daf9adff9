// Embedding's inputLength against the input shape: a contradiction is refused as tfjs 4.22 and Keras 2 refuse it
// ('"inputLength" is 5, but received input shape has shape ,6'), instead of building for the shape and keeping a
// false inputLength in the config.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const L = rl.layers;
const base = { inputDim: 10, outputDim: 2 };
const ids6 = () => rl.tensor(Int32Array.from([1, 2, 3, 4, 5, 6]), [1, 6], 'int32');

describe('embedding inputLength', () => {
  it('is refused at construction when the declared input shape has other steps, naming the layer and both', () => {
    expect(() => L.embedding({ ...base, name: 'emb', inputLength: 5, inputShape: [6] }))
      .toThrow(/^emb \(Embedding\): inputLength is 5, but it is given inputShape \[6\]/);
    expect(() => L.embedding({ ...base, name: 'emb', inputLength: 5, batchInputShape: [null, 6] }))
      .toThrow(/^emb \(Embedding\): inputLength is 5, but it is given batchInputShape \[null, 6\]/);
    expect(() => L.embedding({ ...base, name: 'emb', inputLength: [5], inputShape: [6] })).toThrow(/inputLength is 5, but it is given inputShape \[6\]/);
    // inputLength fixes (batch, steps) ids: a rank-3 shape contradicts it too (tfjs's computeOutputShape refuses it as well).
    expect(() => L.embedding({ ...base, name: 'emb', inputLength: 5, inputShape: [5, 2] })).toThrow(/inputLength is 5, but it is given inputShape \[5, 2\]/);
    // tfjs refuses the same model when it is built.
    expect(() => tf.sequential({ layers: [tf.layers.embedding({ ...base, inputLength: 5, batchInputShape: [null, 6] })] }))
      .toThrow(/"inputLength" is 5, but received input shape has shape ,6/);
  });

  it('agrees with a shape of the same steps, and fixes a free number of steps to inputLength', () => {
    expect(L.embedding({ ...base, inputLength: 5, inputShape: [5] }).batchInputShape).toEqual([null, 5]);
    expect(L.embedding({ ...base, inputLength: [5], batchInputShape: [4, 5] }).batchInputShape).toEqual([4, 5]);
    const free = L.embedding({ ...base, inputLength: 5, inputShape: [null] });
    expect(free.batchInputShape).toEqual([null, 5]);
    expect(free.getConfig()).toMatchObject({ inputLength: 5, batchInputShape: [null, 5] });
    // The output shape says inputLength steps, as tfjs's computeOutputShape does.
    expect(free.computeOutputShape([null, null])).toEqual([null, 5, 2]);
    const m = rl.sequential({ layers: [free] });
    expect(() => m.predict(ids6())).toThrow(/has shape \[1, 6\].*expects \[null, 5\]/);
  });

  it('is refused when the layer is applied to an input of other steps (symbolic or real), naming the shape', () => {
    const sym = L.embedding({ ...base, name: 'emb_sym', inputLength: 5 });
    expect(() => sym.apply(rl.input({ shape: [6] }))).toThrow(/^emb_sym \(Embedding\): inputLength is 5, but it is given an input of shape \(None, 6\)/);
    const real = L.embedding({ ...base, name: 'emb_real', inputLength: 5 });
    expect(() => real.apply(ids6())).toThrow(/^emb_real \(Embedding\): inputLength is 5, but it is given an input of shape \(None, 6\)/);
    expect(() => tf.layers.embedding({ ...base, inputLength: 5 }).apply(tf.input({ shape: [6] }))).toThrow(/"inputLength" is 5, but received input shape has shape ,6/);
    // The same layer applied to 5 steps runs; built so, it names the shape it was built for when given 6.
    const ok = L.embedding({ ...base, name: 'emb_ok', inputLength: 5 });
    expect((ok.apply(rl.input({ shape: [5] })) as rl.SymbolicTensor).shape).toEqual([null, 5, 2]);
    expect(() => ok.apply(rl.input({ shape: [6] }))).toThrow(/emb_ok \(Embedding\): was built for input \(None, 5\) but is applied to \(None, 6\)/);
    // A Sequential given another shape after the layer built says so, with inputLength.
    const seq = rl.sequential({ layers: [L.embedding({ ...base, name: 'emb_seq', inputLength: 5 })] });
    expect(() => seq.build([null, 6])).toThrow(/emb_seq \(Embedding\) was built for input \(None, 5\) but receives \(None, 6\): inputLength is 5; the ids must be \(batch, 5\)/);
  });

  it('a Keras 2 file with input_length 5 and batch_input_shape [null, 6] is refused in the file\'s spelling', () => {
    const file = (inputLength: number) => ({ modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: { class_name: 'Sequential', config: { name: 's', layers: [
      { class_name: 'Embedding', config: { name: 'emb', trainable: true, dtype: 'float32', batch_input_shape: [null, 6], input_dim: 10, output_dim: 2,
        embeddings_initializer: { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } }, embeddings_regularizer: null,
        activity_regularizer: null, embeddings_constraint: null, mask_zero: false, input_length: inputLength } },
    ] } } }, weightSpecs: [{ name: 'emb/embeddings', shape: [10, 2], dtype: 'float32' as const }], weightData: new Float32Array(20).buffer });
    expect(() => rl.layersModelFromArtifacts(file(5) as never)).toThrow(/emb \(Embedding\): input_length is 5, but it is given batch_input_shape \[null, 6\]/);
    expect(rl.layersModelFromArtifacts(file(6) as never).outputs[0].shape).toEqual([null, 6, 2]);
  });

  it('in a graph whose input has free steps, ids of other steps are refused at run time, as tfjs refuses them', () => {
    const ids = (n: number) => rl.tensor(Int32Array.from({ length: n }, (_, i) => i + 1), [1, n], 'int32');
    const input = rl.input({ shape: [null] });
    const emb = L.embedding({ ...base, name: 'emb_run', inputLength: 5 });
    const m = rl.model({ inputs: input, outputs: L.lstm({ units: 1, returnSequences: true }).apply(emb.apply(input)) as rl.SymbolicTensor });
    expect(m.outputs[0].shape).toEqual([null, 5, 1]);
    expect(() => m.predict(ids(3))).toThrow(/emb_run \(Embedding\): inputLength is 5, but it is given an input of shape \(None, 3\); the ids must be \(batch, 5\)/);
    expect((m.predict(ids(5)) as rl.Tensor).shape).toEqual([1, 5, 1]);
    // With Flatten and Dense after it, the Embedding is named, not the Dense that would fail next.
    const i2 = rl.input({ shape: [null] });
    const flat = L.flatten().apply(L.embedding({ ...base, name: 'emb_flat', inputLength: 5 }).apply(i2)) as rl.SymbolicTensor;
    const m2 = rl.model({ inputs: i2, outputs: L.dense({ units: 1 }).apply(flat) as rl.SymbolicTensor });
    expect(() => m2.predict(ids(3))).toThrow(/^emb_flat \(Embedding\): inputLength is 5, but it is given an input of shape \(None, 3\)/);
    const ti = tf.input({ shape: [null] });
    const tm = tf.model({ inputs: ti, outputs: tf.layers.lstm({ units: 1, returnSequences: true }).apply(tf.layers.embedding({ ...base, inputLength: 5 }).apply(ti)) as tf.SymbolicTensor });
    expect(() => tm.predict(tf.tensor2d([[1, 2, 3]]))).toThrow(/"inputLength" is 5, but received input shape has shape 1,3/);
  });
});
