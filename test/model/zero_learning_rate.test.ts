// A learning rate of 0 is accepted as Keras and tfjs accept it: fit then leaves every weight as it was, for every
// optimizer; a negative or non-finite rate is still refused, by name.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function model(): rl.Sequential {
  const m = rl.sequential();
  m.add(rl.layers.lstm({ units: 3, inputShape: [4, 2] }));
  m.add(rl.layers.dense({ units: 1 }));
  return m;
}

const x = rl.tensor(Array.from({ length: 6 * 4 * 2 }, (_, i) => Math.sin(i)), [6, 4, 2]);
const y = rl.tensor([0.5, -0.2, 0.1, 0.9, -0.7, 0.3], [6, 1]);

const OPTIMIZERS: [string, () => rl.Optimizer][] = [
  ['sgd', () => rl.optimizers.sgd({ learningRate: 0 })],
  ['sgd with nesterov momentum', () => rl.optimizers.sgd({ learningRate: 0, momentum: 0.9, nesterov: true })],
  ['adam', () => rl.optimizers.adam({ learningRate: 0 })],
  ['rmsprop (momentum, centered)', () => rl.optimizers.rmsprop({ learningRate: 0, momentum: 0.5, centered: true } as never)],
  ['adagrad', () => rl.optimizers.adagrad({ learningRate: 0 })],
  ['adadelta', () => rl.optimizers.adadelta({ learningRate: 0 })],
  ['adamax', () => rl.optimizers.adamax({ learningRate: 0 })],
  ['nadam', () => rl.optimizers.nadam({ learningRate: 0 })],
  ['Keras 2 lr alias', () => new rl.SGD({ lr: 0 } as never)],
  ['tfjs train.momentum', () => rl.train.momentum(0, 0.9)],
  ['tfjs train.adam', () => rl.train.adam(0)],
];

describe('learning rate 0', () => {
  for (const [name, make] of OPTIMIZERS) {
    it(`${name}: fit leaves the weights unchanged (and the loss, so the gradients were not zero)`, async () => {
      const m = model();
      m.compile({ optimizer: make(), loss: 'meanSquaredError' });
      const before = m.getWeights().map((w) => [...w.dataSync()]);
      const h = await m.fit(x, y, { epochs: 2, batchSize: 3, verbose: 0, shuffle: false });
      expect(m.getWeights().map((w) => [...w.dataSync()])).toEqual(before);
      expect(h.history.loss[1]).toBe(h.history.loss[0]);
      expect(h.history.loss[0]).toBeGreaterThan(0);
    });
  }

  it('setLearningRate(0) takes 0; a model saved with learning_rate 0 (and its Adam state) loads with rate 0 and fits without moving', async () => {
    const o = rl.optimizers.sgd({ learningRate: 0.1 });
    o.setLearningRate(0);
    expect(o.learningRate).toBe(0);
    const m = model();
    m.compile({ optimizer: rl.optimizers.adam({ learningRate: 0 }), loss: 'meanSquaredError' });
    await m.fit(x, y, { epochs: 1, batchSize: 3, verbose: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'rnnlab-lr0-'));
    try {
      await m.save(`file://${dir}`, { includeOptimizer: true } as never);
      const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).trainingConfig.optimizer_config;
      expect(saved.config.learning_rate).toBe(0);
      const back = await rl.loadLayersModel(`file://${dir}`);
      expect(back.optimizer).toBeInstanceOf(rl.Adam);
      expect(back.optimizer!.getConfig().learningRate).toBe(0);
      const before = back.getWeights().map((w) => [...w.dataSync()]);
      await back.fit(x, y, { epochs: 1, batchSize: 3, verbose: 0 });
      expect(back.getWeights().map((w) => [...w.dataSync()])).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a negative, NaN or infinite rate is still refused naming the option', () => {
    for (const bad of [-0.01, NaN, Infinity]) {
      expect(() => rl.optimizers.adam({ learningRate: bad })).toThrow(/learningRate must be a finite number >= 0/);
      expect(() => rl.optimizers.sgd({ learningRate: 0.1 }).setLearningRate(bad)).toThrow(/learningRate must be a finite number >= 0/);
    }
  });
});
