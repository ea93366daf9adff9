// A built Sequential model is a graph, as in Keras and tfjs: model.inputs, model.outputs and layer.output exist,
// and rl.model({inputs: model.inputs, outputs: model.layers[i].output}) is a sub-model sharing the weights.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxDiff } from './functional_helpers.js';

function seq2seq(): rl.Sequential {
  const model = rl.sequential();
  model.add(rl.layers.lstm({ units: 6, inputShape: [5, 4] }));
  model.add(rl.layers.repeatVector({ n: 3 }));
  model.add(rl.layers.lstm({ units: 5, returnSequences: true }));
  model.add(rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 4, activation: 'softmax' }) }));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function oneHot(n: number, T: number, C: number, seed: number): rl.Tensor {
  const r = new rl.Random(seed);
  const d = new Float32Array(n * T * C);
  for (let i = 0; i < n * T; i++) d[i * C + r.int(C)] = 1;
  return rl.tensor(d, [n, T, C]);
}

describe('Sequential models are symbolic once built', () => {
  it('inputs, outputs and each layer\'s input/output chain through the stack', () => {
    rl.setSeed(1);
    const model = seq2seq();
    expect(model.inputs).toHaveLength(1);
    expect(model.inputs[0].shape).toEqual([null, 5, 4]);
    expect(model.input).toBe(model.inputs[0]);
    expect(model.outputs[0].shape).toEqual([null, 3, 4]);
    expect(model.output).toBe(model.layers[3].output);
    expect(model.layers[0].input).toBe(model.inputs[0]);
    expect(model.layers[1].input).toBe(model.layers[0].output);
    expect((model.layers[0].output as rl.SymbolicTensor).shape).toEqual([null, 6]);
    expect(model.inputNames).toEqual([`${model.layers[0].name}_input`]);
    expect(model.outputNames).toEqual([model.layers[3].name]);
    // The hidden input layer is not one of model.layers (Keras and tfjs leave it out too).
    expect(model.layers).toHaveLength(4);
  });

  it('the encoder sub-model (the lab\'s commutativity idiom) computes the first layer and follows training', async () => {
    rl.setSeed(2);
    const model = seq2seq();
    const x = oneHot(32, 5, 4, 3), y = oneHot(32, 3, 4, 4);
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const encoder = rl.model({ inputs: model.inputs, outputs: model.layers[0].output });
    expect(encoder.layers.map((l) => l.className)).toEqual(['InputLayer', 'LSTM']);
    expect(encoder.countParams()).toBe(model.layers[0].countParams());
    const direct = () => (model.layers[0].apply(x) as rl.Tensor).dataSync();
    const h1 = (encoder.predict(x) as rl.Tensor);
    expect(h1.shape).toEqual([32, 6]);
    expect(maxDiff(h1.dataSync(), direct())).toBe(0);
    // Same layer object: training the whole model moves the sub-model's output with it.
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const h2 = encoder.predict(x) as rl.Tensor;
    expect(maxDiff(h2.dataSync(), h1.dataSync())).toBeGreaterThan(1e-4);
    expect(maxDiff(h2.dataSync(), direct())).toBe(0);
    // The whole stack as a Functional model predicts exactly what the Sequential does.
    const twin = rl.model({ inputs: model.inputs, outputs: model.outputs });
    expect(maxDiff((twin.predict(x) as rl.Tensor).dataSync(), model.predict(x).dataSync())).toBe(0);
  });

  it('a model built by fit (no input shape) and layers added later join the graph', async () => {
    rl.setSeed(3);
    const model = rl.sequential();
    model.add(rl.layers.dense({ units: 3 }));
    expect(() => model.inputs).toThrow(/inputs: the model is not built yet/);
    // Not "setWeights expected 0 arrays, got 2": the weights are not there yet.
    expect(() => model.setWeights([new Float32Array(6), new Float32Array(3)])).toThrow(/setWeights: the model is not built yet; give the first layer an inputShape/);
    model.add(rl.layers.dense({ units: 1 }));
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await model.fit(rl.ones([4, 2]), rl.zeros([4, 1]), { verbose: 0 });
    expect(model.inputs[0].shape).toEqual([null, 2]);
    expect(model.outputs[0].shape).toEqual([null, 1]);
    model.add(rl.layers.dense({ units: 2 }));
    expect(model.outputs[0].shape).toEqual([null, 2]);
    expect(model.layers[2].input).toBe(model.layers[1].output);
  });

  it('a sub-model saves and loads as a Functional model', async () => {
    rl.setSeed(4);
    const model = seq2seq();
    const encoder = rl.model({ inputs: model.inputs, outputs: model.layers[0].output });
    const dir = mkdtempSync(join(tmpdir(), 'rnnlab-seqsym-'));
    try {
      await encoder.save(`file://${dir}`);
      const back = await rl.loadLayersModel(`file://${dir}`);
      const x = rl.randomNormal([3, 5, 4], 0, 1, 'float32', 9);
      expect(maxDiff((back.predict(x) as rl.Tensor).dataSync(), (encoder.predict(x) as rl.Tensor).dataSync())).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the tfjs snippet unchanged and agrees with tfjs', () => {
    // The same program for both libraries: only the namespace differs.
    const program = (lib: typeof rl | typeof tf, w: number[][][]) => {
      const model = (lib.sequential as (a: unknown) => rl.Sequential)({ layers: [lib.layers.dense({ units: 3, inputShape: [2], activation: 'relu' }), lib.layers.dense({ units: 1 })] });
      model.setWeights(w.map((a, i) => lib.tensor(a.flat(), i % 2 === 0 ? [a.length, a[0].length] : [a[0].length]) as never));
      const sub = (lib.model as typeof rl.model)({ inputs: model.inputs, outputs: model.layers[0].output });
      return { shape: sub.outputs[0].shape, values: Array.from((sub.predict(lib.tensor2d([[1, -2], [0.5, 3]]) as never) as rl.Tensor).dataSync()) };
    };
    const w = [[[1, -1, 0.5], [0.25, 2, -3]], [[0.1, 0.2, 0.3]], [[1], [2], [3]], [[0.5]]];
    const ours = program(rl, w), theirs = program(tf, w);
    expect(ours.shape).toEqual(theirs.shape);
    expect(maxDiff(ours.values, theirs.values)).toBeLessThan(1e-6);
  });
});
