/**
 * Weight regularizers (kernel, recurrent, bias, embeddings): the penalty is part of the loss in evaluate, fit and
 * trainOnBatch, its gradient is l1 * sign(w) + 2 * l2 * w, and it saves and loads as Keras's L1L2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { evaluated, removeDir, tempDir } from '../io/helpers.js';

const root = tempDir('rnnlab-reg-');
afterAll(() => removeDir(root));

const x = rl.tensor([[0.5, -1, 2], [1, 0.25, -0.5], [-1, 1, 0], [0.3, 0.3, 0.3]]);
const y = rl.tensor([[1], [0], [1], [0]]);

function model(reg: boolean): rl.Sequential {
  rl.setSeed(9);
  const m = rl.sequential({ layers: [
    rl.layers.dense({ units: 4, inputDim: 3, activation: 'tanh', name: 'hidden',
      ...(reg ? { kernelRegularizer: rl.regularizers.l2({ l2: 0.1 }), biasRegularizer: rl.regularizers.l1({ l1: 0.05 }) } : {}) }),
    rl.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' }),
  ] });
  m.layers[0].setWeights([m.layers[0].getWeightValues()[0], Float32Array.from([0.2, -0.1, 0, 0.4])]);
  m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.1 }), loss: 'binaryCrossentropy' });
  return m;
}

describe('weight regularizers', () => {
  it('evaluate adds l1 * sum|w| + l2 * sum w^2 to the loss', async () => {
    const plain = model(false), reg = model(true);
    const [kernel, bias] = reg.layers[0].getWeightValues();
    const penalty = 0.1 * kernel.reduce((s, w) => s + w * w, 0) + 0.05 * bias.reduce((s, b) => s + Math.abs(b), 0);
    const [l0] = evaluated(plain.evaluate(x, y));
    const [l1] = evaluated(reg.evaluate(x, y));
    expect(penalty).toBeGreaterThan(0.01);
    expect(l1 - l0).toBeCloseTo(penalty, 5);
  });

  it('its gradient is l1 * sign(w) + 2 * l2 * w: one SGD step differs from the plain model by exactly that', () => {
    const plain = model(false), reg = model(true);
    const [k0, b0] = reg.layers[0].getWeightValues();
    plain.trainOnBatch(x, y);
    reg.trainOnBatch(x, y);
    const [kp, bp] = plain.layers[0].getWeightValues();
    const [kr, br] = reg.layers[0].getWeightValues();
    k0.forEach((w, i) => expect(kr[i] - kp[i]).toBeCloseTo(-0.1 * 2 * 0.1 * w, 6));
    b0.forEach((b, i) => expect(br[i] - bp[i]).toBeCloseTo(-0.1 * 0.05 * Math.sign(b), 6));
    // Unregularized layers are untouched by it.
    expect(Array.from(reg.layers[1].getWeightValues()[0])).toEqual(Array.from(plain.layers[1].getWeightValues()[0]));
  });

  it('recurrent, bidirectional and embedding weights are regularized too', () => {
    const m = rl.sequential({ layers: [
      rl.layers.embedding({ inputDim: 10, outputDim: 3, inputLength: 4, embeddingsRegularizer: 'l1' }),
      rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, kernelRegularizer: 'l2', recurrentRegularizer: 'l1l2', biasRegularizer: { className: 'L2', config: { l2: 0.3 } } }) }),
    ] });
    expect(m.layers.flatMap((l) => l.weightPenalties()).map((p) => [p.variable.name.replace(/_\d+/g, ''), p.regularizer.l1, p.regularizer.l2])).toEqual([
      ['embedding/embeddings', 0.01, 0],
      ['forward_lstm/kernel', 0, 0.01], ['forward_lstm/recurrent_kernel', 0.01, 0.01], ['forward_lstm/bias', 0, 0.3],
      ['backward_lstm/kernel', 0, 0.01], ['backward_lstm/recurrent_kernel', 0.01, 0.01], ['backward_lstm/bias', 0, 0.3],
    ]);
  });

  it('saves as Keras\'s L1L2 and loads back to the same loss', async () => {
    const m = model(true);
    const dir = join(root, 'reg');
    await m.save(dir);
    const cfg = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers[0].config;
    expect(cfg.kernel_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0, l2: 0.1 } });
    expect(cfg.bias_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0.05, l2: 0 } });
    const back = await rl.loadModel(dir);
    expect(evaluated(back.evaluate(x, y))[0]).toBeCloseTo(evaluated(m.evaluate(x, y))[0], 6);
  });

  it('bad weight and activity regularizers are errors naming the option', () => {
    expect(() => rl.layers.dense({ units: 1, kernelRegularizer: 'l3' as never })).toThrow(/kernelRegularizer "l3" is not a regularizer; use 'l1', 'l2', 'l1l2'/);
    expect(() => rl.layers.dense({ units: 1, kernelRegularizer: 'constructor' as never })).toThrow(/kernelRegularizer "constructor" is not a regularizer/);
    expect(() => rl.layers.dense({ units: 1, kernelRegularizer: rl.regularizers.l2({ l2: -1 }) })).toThrow(/l2 must be a finite number >= 0, got -1/);
    expect(() => rl.layers.dense({ units: 1, biasRegularizer: { className: 'L1L2', config: { l1: 'x' as never } } })).toThrow(/biasRegularizer: regularizer: l1 must be a finite number >= 0, got the string "x"/);
    expect(() => rl.layers.dense({ units: 1, activityRegularizer: 'l3' as never })).toThrow(/rl.layers.dense \(Dense\): activityRegularizer "l3" is not a regularizer/);
  });
});
