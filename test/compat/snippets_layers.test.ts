/**
 * The tfjs-layers API docs' layer examples (merge layers on symbolic and concrete tensors, dot, recurrent
 * layers and cells, repeatVector, flatten), each written once and run on tfjs and on rnnlab.
 */
import { describe, expect, it } from 'vitest';
import { rl, snippet, tf } from './snippet_harness.js';

const pair = (tf: any, a: number[], b: number[]) => [tf.input({ shape: a }), tf.input({ shape: b })];

describe('tfjs API docs: merge layers', () => {
  for (const name of ['add', 'average', 'maximum', 'minimum', 'multiply']) {
    snippet(`${name}: a layer applied to two symbolic inputs keeps [null, 2, 2]`, (tf) => {
      const [input1, input2] = pair(tf, [2, 2], [2, 2]);
      const layer = tf.layers[name]();
      const out = layer.apply([input1, input2]);
      console.log(JSON.stringify(out.shape));
      return out.shape;
    }, { logs: true });
  }

  snippet('concatenate: [null, 2, 2] and [null, 2, 3] give [null, 2, 5]', (tf) => {
    const [input1, input2] = pair(tf, [2, 2], [2, 3]);
    const output = tf.layers.concatenate().apply([input1, input2]);
    console.log(JSON.stringify(output.shape));
    return output.shape;
  }, { logs: true });

  snippet('multiply of three inputs', (tf) => {
    const inputs = [0, 1, 2].map(() => tf.input({ shape: [2, 2] }));
    return tf.layers.multiply().apply(inputs).shape;
  });

  // The tfjs docs show tf.layers.add([a, b]) merging at once; tfjs 4.22's exported factories ignore the list and
  // return a layer, so this form is checked on rnnlab against the docs' stated results.
  it('the factories called with a list merge at once, as the tfjs docs show', () => {
    const [input1, input2] = pair(rl, [2, 2], [2, 2]);
    for (const name of ['add', 'multiply', 'average', 'maximum', 'minimum'] as const) {
      expect((rl.layers[name]([input1, input2]) as rl.SymbolicTensor).shape).toEqual([null, 2, 2]);
    }
    const a = rl.tensor2d([1, 2, 3, 4], [2, 2]), b = rl.tensor2d([10, 20, 30, 40], [2, 2]);
    expect(rl.layers.add([a, b]).arraySync()).toEqual([[11, 22], [33, 44]]);
    expect(rl.layers.multiply([a, b]).arraySync()).toEqual([[10, 40], [90, 160]]);
    expect(rl.layers.average([a, b]).arraySync()).toEqual([[5.5, 11], [16.5, 22]]);
    const c = rl.tensor2d([1, 20, 3, 40], [2, 2]), d = rl.tensor2d([10, 2, 30, 4], [2, 2]);
    expect(rl.layers.maximum([c, d]).arraySync()).toEqual([[10, 20], [30, 40]]);
    expect(rl.layers.minimum([c, d]).arraySync()).toEqual([[1, 2], [3, 4]]);
    expect(rl.layers.concatenate([a, b]).shape).toEqual([2, 4]);
    expect(rl.layers.add({ name: 'plus' }).name).toBe('plus');
  });

  snippet('dot with axes -1 on concrete tensors', (tf) => {
    const dotLayer = tf.layers.dot({ axes: -1 });
    const x1 = tf.tensor2d([[10, 20], [30, 40]]);
    const x2 = tf.tensor2d([[-1, -2], [-3, -4]]);
    const y = dotLayer.apply([x1, x2]);
    y.print();
    return y;
  }, { logs: true });
});

describe('tfjs API docs: recurrent layers', () => {
  for (const name of ['gru', 'lstm', 'simpleRNN']) {
    snippet(`${name} with returnSequences on a [10, 20] input gives [null, 10, 8]`, (tf) => {
      const rnn = tf.layers[name]({ units: 8, returnSequences: true });
      const input = tf.input({ shape: [10, 20] });
      const output = rnn.apply(input);
      console.log(JSON.stringify(output.shape));
      return output.shape;
    }, { logs: true });
  }

  snippet('lstm and simpleRNN param counts; gru with resetAfter false (tfjs\'s default)', (tf) => {
    const count = (layer: any) => { layer.apply(tf.input({ shape: [10, 20] })); return layer.countParams(); };
    return [count(tf.layers.lstm({ units: 8 })), count(tf.layers.simpleRNN({ units: 8 })), count(tf.layers.gru({ units: 8, resetAfter: false }))];
  });

  // Deliberate: rnnlab's GRU defaults to Keras 2's resetAfter true (one more bias row per gate); tfjs's to false.
  it('gru without resetAfter: Keras\'s default adds 3 x units recurrent biases to tfjs\'s count', () => {
    const count = (lib: any) => { const l = lib.layers.gru({ units: 8 }); l.apply(lib.input({ shape: [10, 20] })); return l.countParams(); };
    expect(count(rl)).toBe(count(tf) + 3 * 8);
  });

  snippet('recurrent layer on a concrete tensor with zero kernels gives zeros', (tf) => {
    const lstm = tf.layers.lstm({ units: 3, kernelInitializer: 'zeros', recurrentInitializer: 'zeros' });
    return lstm.apply(tf.ones([2, 4, 5]));
  });

  snippet('bidirectional lstm output width doubles with concat', (tf) => {
    const input = tf.input({ shape: [7, 4] });
    const bi = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 5, returnSequences: true }), mergeMode: 'concat' });
    const out = bi.apply(input);
    return [out.shape, bi.countParams()];
  });

  snippet('repeatVector predicts a repeated row', (tf) => {
    const model = tf.sequential();
    model.add(tf.layers.repeatVector({ n: 4, inputShape: [2] }));
    const x = tf.tensor2d([[10, 20]]);
    model.predict(x).print();
    return model.predict(x);
  }, { logs: true });

  snippet('flatten of a [4, 3] input gives [null, 12]', (tf) => {
    const input = tf.input({ shape: [4, 3] });
    const flattenLayer = tf.layers.flatten();
    console.log(JSON.stringify(flattenLayer.apply(input).shape));
    return flattenLayer.apply(tf.ones([2, 4, 3])).shape;
  }, { logs: true });

  snippet('embedding then globalAveragePooling1d and globalMaxPool1d on concrete ids', (tf) => {
    const emb = tf.layers.embedding({ inputDim: 5, outputDim: 2, embeddingsInitializer: 'ones' });
    const ids = tf.tensor2d([[1, 2, 0], [4, 4, 4]], [2, 3], 'int32');
    const e = emb.apply(ids);
    return [e.shape, tf.layers.globalAveragePooling1d().apply(e), tf.layers.globalMaxPool1d().apply(e)];
  });

  snippet('conv1d and maxPooling1d output shapes and param counts', (tf) => {
    const model = tf.sequential();
    model.add(tf.layers.conv1d({ filters: 6, kernelSize: 3, inputShape: [20, 4], activation: 'relu' }));
    model.add(tf.layers.maxPooling1d({ poolSize: 2 }));
    model.add(tf.layers.conv1d({ filters: 4, kernelSize: 5, padding: 'same', strides: 2 }));
    model.add(tf.layers.flatten());
    return [model.layers.map((l: any) => l.outputShape), model.countParams()];
  });

  snippet('layer getConfig and countParams match for a dense layer', (tf) => {
    const d = tf.layers.dense({ units: 3, inputShape: [4], activation: 'tanh', name: 'my_dense' });
    tf.sequential({ layers: [d] });
    const c = d.getConfig();
    return [c.units, c.activation, c.use_bias ?? c.useBias, d.countParams(), d.name, d.getClassName()];
  });
});
