/**
 * Keras holds the learning rate in a float32 variable and computes each update with the hyperparameters in float32
 * (rnnlab's kernels too): a finite number float32 turns into Infinity (1e39) is refused by the option's name, on
 * every path that sets one; float32's largest value, and what rounds to it, are still taken.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const beyond = /beyond float32's range \(about 3\.4e38 at most\)/;
const refusal = (name: string): RegExp => new RegExp(`${name} is 1e\\+39, beyond float32's range`);

describe('a learning rate float32 cannot hold is refused by name', () => {
  it.each([
    ['rl.train.sgd', () => rl.train.sgd(1e39), 'learningRate'],
    ['rl.train.adam', () => rl.train.adam(1e39), 'learningRate'],
    ['rl.train.momentum', () => rl.train.momentum(1e39, 0.9), 'learningRate'],
    ['rl.optimizers.adam', () => rl.optimizers.adam({ learningRate: 1e39 }), 'learningRate'],
    ['rl.optimizers.adamw', () => rl.optimizers.adamw({ learningRate: 1e39 }), 'learningRate'],
    ['new rl.RMSprop, Keras spelling', () => new rl.RMSprop({ learning_rate: 1e39 } as never), 'learning_rate'],
    ['new rl.Adagrad, Keras 2 lr', () => new rl.Adagrad({ lr: 1e39 }), 'lr'],
    ['new rl.Adadelta', () => new rl.Adadelta({ learningRate: 1e39 }), 'learningRate'],
    ['new rl.Adamax', () => new rl.Adamax({ learningRate: 1e39 }), 'learningRate'],
    ['new rl.Nadam', () => new rl.Nadam({ learningRate: 1e39 }), 'learningRate'],
    ['rl.Adam.fromConfig', () => rl.Adam.fromConfig({ learning_rate: 1e39 }), 'learning_rate'],
  ])('%s', (_, make, name) => {
    expect(make).toThrow(refusal(name));
  });

  it('compile\'s {class_name, config} refuses it too', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    expect(() => m.compile({ optimizer: { class_name: 'SGD', config: { learning_rate: 1e39 } } as never, loss: 'mse' }))
      .toThrow(/compile: optimizer 'SGD': .*learning_rate is 1e\+39, beyond float32's range/);
  });

  it.each([
    ['the learningRate setter', (o: rl.Optimizer) => { o.learningRate = 1e39; }],
    ['Keras\'s learning_rate setter', (o: rl.Optimizer) => { o.learning_rate = 1e39; }],
    ['tfjs\'s setLearningRate', (o: rl.Optimizer) => { o.setLearningRate(1e39); }],
  ])('%s refuses it and keeps the rate it had', (_, set) => {
    const opt = rl.optimizers.sgd({ learningRate: 0.1 });
    expect(() => set(opt)).toThrow(refusal('learningRate'));
    expect(opt.learningRate).toBe(0.1);
  });

  it('takes float32\'s largest value and what rounds to it, refuses what rounds to Infinity', () => {
    const max = 3.4028234663852886e38;
    expect(new rl.Adam({ learningRate: max }).learningRate).toBe(max);
    expect(new rl.Adam({ learningRate: 3.4028235e38 }).learningRate).toBe(3.4028235e38);
    const opt = rl.optimizers.sgd();
    opt.learningRate = max;
    expect(opt.learningRate).toBe(max);
    // Halfway between the largest float32 and 2^128 (and beyond it): float32 rounds it to Infinity.
    expect(() => new rl.Adam({ learningRate: 3.4028235677973366e38 })).toThrow(beyond);
    expect(() => new rl.Adam({ learningRate: 3.40282357e38 })).toThrow(beyond);
  });

  it('what was valid before stays valid or refused as it was (0, a schedule; NaN, a negative)', () => {
    const opt = rl.optimizers.sgd({ learningRate: 0 });
    expect(opt.learningRate).toBe(0);
    const schedule = new rl.optimizers.schedules.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
    opt.learningRate = schedule;
    expect(opt.learningRateSchedule).toBe(schedule);
    const fixed = rl.optimizers.sgd();
    expect(() => { fixed.learningRate = NaN; }).toThrow('SGD: learningRate must be a finite number >= 0, got NaN');
    expect(() => { fixed.learningRate = -1; }).toThrow('SGD: learningRate must be a finite number >= 0, got -1');
  });
});

describe('the other hyperparameters computed in float32', () => {
  it.each([
    ['Adam epsilon', () => new rl.Adam({ epsilon: 1e39 }), 'epsilon'],
    ['RMSprop momentum', () => new rl.RMSprop({ momentum: 1e39 }), 'momentum'],
    ['rl.train.rmsprop epsilon', () => rl.train.rmsprop(0.01, 0.9, 0, 1e39), 'epsilon'],
    ['tfjs\'s momentum (no upper bound)', () => rl.train.momentum(0.1, 1e39), 'momentum'],
    ['Adagrad initialAccumulatorValue', () => rl.train.adagrad(0.1, 1e39), 'initialAccumulatorValue'],
    ['AdamW weight_decay', () => new rl.AdamW({ weight_decay: 1e39 } as never), 'weight_decay'],
    ['Adadelta epsilon from a config', () => rl.Adadelta.fromConfig({ epsilon: 1e39 }), 'epsilon'],
  ])('%s', (_, make, name) => {
    expect(make).toThrow(refusal(name));
  });

  it('SGD.setMomentum on tfjs\'s momentum optimizer refuses it and keeps the momentum', () => {
    const opt = rl.train.momentum(0.1, 2);
    expect(() => (opt as rl.SGD).setMomentum(1e39)).toThrow(refusal('momentum'));
    expect((opt as rl.SGD).momentum).toBe(2);
  });

  it('clipnorm and clipvalue, compared in float64, are taken beyond float32\'s range as before', () => {
    expect(new rl.SGD({ clipnorm: 1e39 }).clipnorm).toBe(1e39);
    expect(new rl.SGD({ clipvalue: 1e39 }).clipvalue).toBe(1e39);
  });
});

describe('a schedule\'s rate beyond float32\'s range', () => {
  class Huge extends rl.optimizers.schedules.LearningRateSchedule {
    static readonly className = 'Huge';
    rateAt(step: number): number { return step === 0 ? 0.1 : 1e39; }
    getConfig(): Record<string, unknown> { return {}; }
  }

  it('refuses the step that would use it, naming the schedule and the step, before anything moves', () => {
    const v = rl.variable(rl.tensor([1, 2]), true, 'w');
    const opt = new rl.SGD({ learningRate: new Huge() });
    const step = () => { v.grad = new Float32Array([1, 1]); opt.applyGradients([v]); };
    step();
    const after = Array.from(v.dataSync());
    expect(after).toEqual([Math.fround(0.9), Math.fround(1.9)]);
    expect(step).toThrow('SGD: the Huge learning-rate schedule gave 1e+39 at step 1, beyond float32\'s range (about 3.4e38 at most), in which the step computes with it');
    expect(Array.from(v.dataSync())).toEqual(after);
    expect(opt.iterations).toBe(1);
  });
});
