/**
 * The tfjs-layers API docs' model examples (tf.sequential, tf.model, tf.input, fit, evaluate, predict,
 * predictOnBatch, summary, save/load, toJSON, callbacks), each written once and run on tfjs and on rnnlab.
 */
import { describe, expect } from 'vitest';
import { snippet, snippetChecked } from './snippet_harness.js';

describe('tfjs API docs: building models', () => {
  snippet('sequential: add() infers shapes after the first layer\'s inputShape', (tf) => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 32, inputShape: [50] }));
    model.add(tf.layers.dense({ units: 4 }));
    console.log(JSON.stringify(model.outputs[0].shape));
    return model.outputs[0].shape;
  }, { logs: true });

  snippet('sequential: batchInputShape with a null batch', (tf) => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 32, batchInputShape: [null, 50] }));
    model.add(tf.layers.dense({ units: 4 }));
    console.log(JSON.stringify(model.outputs[0].shape));
    return [model.outputs[0].shape, model.outputShape, model.countParams()];
  }, { logs: true });

  snippet('sequential({layers}) and the output shape', (tf) => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 32, inputShape: [50] }), tf.layers.dense({ units: 4 })] });
    return [model.outputs[0].shape, model.inputs[0].shape, model.layers.length];
  });

  snippet('tf.model from tf.input through two dense layers, predict', (tf) => {
    const input = tf.input({ shape: [5] });
    const denseLayer1 = tf.layers.dense({ units: 10, activation: 'relu' });
    const denseLayer2 = tf.layers.dense({ units: 4, activation: 'softmax' });
    const output = denseLayer2.apply(denseLayer1.apply(input));
    const model = tf.model({ inputs: input, outputs: output });
    const p = model.predict(tf.ones([2, 5]));
    return [p.shape, p.sum(-1).arraySync().map((v: number) => Math.round(v * 1e5) / 1e5)];
  });

  snippet('layer.apply on a concrete tensor (zeros kernel, no bias) prints zeros', (tf) => {
    const denseLayer = tf.layers.dense({ units: 1, kernelInitializer: 'zeros', useBias: false });
    const output = denseLayer.apply(tf.ones([2, 2]));
    output.print();
    return output;
  }, { logs: true });

  snippet('layer.apply on symbolic tensors: flatten then dense, then tf.model', (tf) => {
    const flattenLayer = tf.layers.flatten();
    const denseLayer = tf.layers.dense({ units: 1 });
    const input = tf.input({ shape: [2, 2] });
    const output1 = flattenLayer.apply(input);
    console.log(JSON.stringify(output1.shape));
    const output2 = denseLayer.apply(output1);
    console.log(JSON.stringify(output2.shape));
    const model = tf.model({ inputs: input, outputs: output2 });
    return [model.inputs.length, model.outputs[0].shape, model.countParams()];
  }, { logs: true });

  snippet('multi-input model with concatenate: summary totals', (tf) => {
    const input1 = tf.input({ shape: [10] });
    const input2 = tf.input({ shape: [20] });
    const dense1 = tf.layers.dense({ units: 4 }).apply(input1);
    const dense2 = tf.layers.dense({ units: 8 }).apply(input2);
    const concat = tf.layers.concatenate().apply([dense1, dense2]);
    const output = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(concat);
    const model = tf.model({ inputs: [input1, input2], outputs: output });
    const lines: string[] = [];
    model.summary(undefined, undefined, (l: string) => lines.push(l));
    return [lines.filter((l) => /params/.test(l)), model.layers.length, model.outputs[0].shape];
  });

  // Deliberate: rnnlab prints Keras's table (Model line, Output Shape as (None, 100), thousands separators); tfjs
  // prints an Input Shape column and JSON shapes. The rows, names, counts and printFn routing agree.
  snippet('sequential summary (100 relu units, 1 sigmoid): rows, counts, printFn', (tf) => {
    const model = tf.sequential({ name: 'classifier' });
    model.add(tf.layers.dense({ units: 100, inputShape: [10], activation: 'relu', name: 'hidden' }));
    model.add(tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' }));
    const lines: string[] = [];
    model.summary(undefined, undefined, (l: string) => lines.push(l));
    const rows = lines.filter((l) => /^(hidden|out) \(Dense\)/.test(l)).map((l) => [l.split(' ')[0], l.trim().split(/\s+/).at(-1)]);
    const totals = lines.filter((l) => /params:/.test(l)).map((l) => Number(l.split(': ')[1].replace(/,/g, '')));
    return [rows, totals, model.countParams()];
  });

  snippet('a layer reused in a second sequential model after an inputLayer', (tf) => {
    const model1 = tf.sequential();
    model1.add(tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' }));
    model1.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
    const model2 = tf.sequential();
    model2.add(tf.layers.inputLayer({ inputShape: [3] }));
    model2.add(model1.layers[1]);
    const x = tf.tensor2d([[0.5, -1, 2]]);
    const direct = model1.layers[1].apply(x);
    const viaModel2 = model2.predict(x);
    return [model2.layers.length, model2.outputs[0].shape, viaModel2.sub(direct).abs().max().dataSync()[0]];
  });

  snippet('two outputs of one graph: dense and relu6 of it', (tf) => {
    const input = tf.input({ shape: [5] });
    const denseOutput = tf.layers.dense({ units: 1 }).apply(input);
    const activationOutput = tf.layers.activation({ activation: 'relu6' }).apply(denseOutput);
    const model = tf.model({ inputs: input, outputs: [denseOutput, activationOutput] });
    const [denseOut, activationOut] = model.predict(tf.randomNormal([6, 5]));
    const expected = tf.clipByValue(denseOut, 0, 6);
    return [denseOut.shape, activationOut.sub(expected).abs().max().dataSync()[0]];
  });

  snippet('timeDistributed dense: shapes through a sequential', (tf) => {
    const model = tf.sequential();
    model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 8 }), inputShape: [10, 16] }));
    model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 32 }) }));
    console.log(JSON.stringify(model.outputs[0].shape));
    return [model.outputShape, model.countParams()];
  }, { logs: true });

  snippet('toJSON(null, false) then tf.models.modelFromJSON gives the same architecture', async (tf) => {
    const model1 = tf.sequential();
    model1.add(tf.layers.repeatVector({ inputShape: [2], n: 4 }));
    const model1JSON = model1.toJSON(null, false);
    const model2 = await tf.models.modelFromJSON(model1JSON);
    return [model2.layers.map((l: { getClassName(): string }) => l.getClassName()), model2.outputs[0].shape,
      model2.predict(tf.tensor2d([[10, 20]]))];
  });
});

describe('tfjs API docs: training and inference', () => {
  snippet('evaluate with batchSize returns a Scalar that prints', (tf) => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [10], kernelInitializer: 'ones' })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const result = model.evaluate(tf.ones([8, 10]), tf.ones([8, 1]), { batchSize: 4 });
    result.print();
    return result;
  }, { logs: true });

  snippet('predict with batchSize and predictOnBatch', (tf) => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [10], kernelInitializer: 'ones', biasInitializer: 'ones' })] });
    model.predict(tf.ones([8, 10]), { batchSize: 4 }).print();
    model.predictOnBatch(tf.ones([8, 10])).print();
    return model.predictOnBatch(tf.ones([2, 10]));
  }, { logs: true });

  snippet('fit called repeatedly: history.loss per call (ones kernel, sgd)', async (tf) => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [10], kernelInitializer: 'zeros' })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const losses: number[] = [];
    for (let i = 1; i < 5; ++i) {
      const h = await model.fit(tf.ones([8, 10]), tf.ones([8, 1]), { batchSize: 4, epochs: 3, shuffle: false });
      losses.push(h.history.loss[0]);
    }
    return losses;
  }, { tol: 1e-4 });

  snippet('stopTraining from onEpochEnd ends fit after three epochs (functional)', async (tf) => {
    const input = tf.input({ shape: [10] });
    const output = tf.layers.dense({ units: 1, kernelInitializer: 'ones' }).apply(input);
    const model = tf.model({ inputs: [input], outputs: [output] });
    model.compile({ loss: 'meanSquaredError', optimizer: 'sgd' });
    const history = await model.fit(tf.ones([8, 10]), tf.zeros([8, 1]), {
      epochs: 10,
      callbacks: { onEpochEnd: async (epoch: number) => { if (epoch === 2) model.stopTraining = true; } },
    });
    return [history.epoch, history.history.loss];
  }, { tol: 1e-4 });

  snippet('earlyStopping on val_acc stops after the second epoch', async (tf) => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: 'ones', inputShape: [2] }));
    const xs = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const ys = tf.tensor2d([[1, 0, 0], [0, 1, 0]], [2, 3]);
    const xsVal = tf.tensor2d([4, 3, 2, 1], [2, 2]);
    const ysVal = tf.tensor2d([[0, 0, 1], [0, 1, 0]], [2, 3]);
    model.compile({ loss: 'categoricalCrossentropy', optimizer: 'sgd', metrics: ['acc'] });
    const history = await model.fit(xs, ys, { epochs: 10, validationData: [xsVal, ysVal], callbacks: tf.callbacks.earlyStopping({ monitor: 'val_acc' }) });
    return [history.history.val_acc, Object.keys(history.history).sort()];
  }, { tol: 1e-4 });

  snippetChecked('linear regression: fit with defaults, then predict an unseen point', async (tf) => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 1, inputShape: [1] }));
    model.compile({ loss: 'meanSquaredError', optimizer: 'sgd' });
    const xs = tf.tensor2d([1, 2, 3, 4], [4, 1]);
    const ys = tf.tensor2d([1, 3, 5, 7], [4, 1]);
    const h = await model.fit(xs, ys, { epochs: 200, verbose: 0 });
    return [h.history.loss.length, model.predict(tf.tensor2d([5], [1, 1])).dataSync()[0]];
  }, ({ result }) => {
    const [epochs, pred] = result as [number, number];
    expect(epochs).toBe(200);
    expect(pred).toBeGreaterThan(8);
    expect(pred).toBeLessThan(10);
  });

  snippet('relu6 dense stack predicts a [10, 1] tensor in [0, 6]', (tf) => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 8, inputShape: [1] }));
    model.add(tf.layers.dense({ units: 4, activation: 'relu6' }));
    model.add(tf.layers.dense({ units: 1, activation: 'relu6' }));
    const p = model.predict(tf.randomNormal([10, 1]));
    return [p.shape, p.min().dataSync()[0] >= 0, p.max().dataSync()[0] <= 6];
  });

  snippet('save through tf.io.withSaveHandler, load with tf.io.fromMemory: same predictions', async (tf) => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] });
    let saved: unknown;
    const info = await model.save(tf.io.withSaveHandler(async (artifacts: unknown) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loadedModel = await tf.loadLayersModel(tf.io.fromMemory(saved));
    const before = model.predict(tf.ones([1, 3]));
    const after = loadedModel.predict(tf.ones([1, 3]));
    return [typeof info.modelArtifactsInfo, after.sub(before).abs().max().dataSync()[0], loadedModel.layers[0].getClassName()];
  });

  snippet('a browser-only save scheme is refused in Node', async (tf) => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] });
    try {
      await model.save('localstorage://my-model-1');
      return 'saved';
    } catch {
      return 'refused';
    }
  });

  snippet('getWeights()[i].shape and setWeights with tensors', (tf) => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], name: 'd' })] });
    model.setWeights([tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor1d([0.5, -0.5])]);
    const layerWeights = model.getLayer('d').getWeights();
    return [model.getWeights().map((w: { shape: number[] }) => w.shape), layerWeights.map((w: { shape: number[] }) => w.shape),
      layerWeights[0], model.predict(tf.tensor2d([[1, 1, 1]]))];
  });

  snippet('trainOnBatch resolves to the loss, or [loss, ...metrics] with metrics', async (tf) => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', activation: 'sigmoid' })] });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'binaryCrossentropy' });
    const xs = tf.tensor2d([[1, 0], [0, -1]]);
    const ys = tf.tensor2d([[1], [0]]);
    const loss = await model.trainOnBatch(xs, ys);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const withMetrics = await model.trainOnBatch(xs, ys);
    return [typeof loss, loss, withMetrics];
  }, { tol: 1e-5 });
});
