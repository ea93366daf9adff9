// Optimizer option checks: the learningRate setter checks as the constructor does, SGD's momentum in Keras's [0, 1]
// (tfjs's Momentum unbounded), misspelt options set to null refused, `name` kept, a refused step leaves iterations,
// Keras's snake_case option names as aliases, errors naming a key as the config spells it, callable rates refused.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const S = rl.optimizers.schedules;

const ALL: [string, () => rl.Optimizer][] = [
  ['sgd', () => rl.optimizers.sgd({ learningRate: 0.1 })],
  ['sgd momentum', () => rl.optimizers.sgd({ learningRate: 0.1, momentum: 0.9 })],
  ['adam', () => rl.optimizers.adam({ learningRate: 0.1 })],
  ['rmsprop', () => rl.optimizers.rmsprop({ learningRate: 0.1 })],
  ['adagrad', () => rl.optimizers.adagrad({ learningRate: 0.1 })],
  ['adadelta', () => rl.optimizers.adadelta({ learningRate: 0.1 })],
  ['adamax', () => rl.optimizers.adamax({ learningRate: 0.1 })],
  ['nadam', () => rl.optimizers.nadam({ learningRate: 0.1 })],
];

let serial = 0;
/** A fresh variable and one step of gradient 1 on it. */
function step(opt: rl.Optimizer): { w: rl.Variable; go: () => void } {
  const name = `optcheck_${serial++}`;
  const w = rl.variable(rl.tensor([1, 2]), true, name);
  return { w, go: () => opt.applyGradients({ [name]: rl.tensor([1, 1]) }) };
}

describe('the learningRate setter checks as the constructor does', () => {
  for (const [label, make] of ALL) {
    it(`${label}: refuses negative, NaN, Infinity, null, a string and a function, naming learningRate; nothing moves`, () => {
      const opt = make();
      const { w, go } = step(opt);
      for (const bad of [-1, NaN, Infinity, null, '0.5', undefined]) {
        expect(() => { (opt as { learningRate: unknown }).learningRate = bad; }, String(bad)).toThrow(/learningRate must be a finite number >= 0, got/);
      }
      expect(() => { (opt as { learningRate: unknown }).learningRate = () => 0.1; }).toThrow(/does not support a callable learning rate.*LearningRateSchedule/);
      expect(opt.learningRate).toBe(0.1);
      expect(opt.getConfig().learningRate).toBe(0.1);
      go();
      expect(opt.iterations).toBe(1);
      expect(Array.from(w.dataSync()).every((v, i) => v < [1, 2][i])).toBe(true);
      w.dispose();
    });
  }

  it('takes 0 and a schedule (Keras\'s setter takes one); a number on a schedule is still refused naming it', () => {
    const opt = rl.optimizers.adam({ learningRate: 0.1 });
    opt.learningRate = 0;
    expect(opt.learningRate).toBe(0);
    const sched = new S.ExponentialDecay({ initialLearningRate: 0.5, decaySteps: 1, decayRate: 0.5 });
    opt.learningRate = sched;
    expect(opt.learningRateSchedule).toBe(sched);
    expect(opt.learningRate).toBe(0.5);
    expect(() => { opt.learningRate = 0.1; }).toThrow(/comes from a schedule \(ExponentialDecay\) and cannot be set/);
  });

  it('a fit whose callback sets the rate to NaN stops with the error, not NaN weights', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const before = m.getWeights().map((t) => Array.from(t.dataSync()));
    const x = rl.tensor([[1, 2], [3, 4]]), y = rl.tensor([[1], [2]]);
    await expect(m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [{ onEpochBegin: () => { m.optimizer!.learningRate = NaN; } }] }))
      .rejects.toThrow(/SGD: learningRate must be a finite number >= 0, got NaN/);
    expect(m.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(before);
    expect(m.optimizer!.iterations).toBe(0);
  });
});

describe("SGD's momentum: Keras's [0, 1]; tfjs's Momentum takes any momentum >= 0", () => {
  it('refuses momentum > 1 in the factory, the class, by name, setMomentum and a saved SGD config', () => {
    expect(() => rl.optimizers.sgd({ momentum: 1.5 })).toThrow(/SGD: momentum must be a finite number in \[0, 1\], got 1\.5/);
    expect(() => new rl.SGD({ momentum: 1.0001 })).toThrow(/momentum must be a finite number in \[0, 1\]/);
    expect(() => rl.train.sgd(0.1, 2)).toThrow(/momentum must be a finite number in \[0, 1\]/);
    expect(() => rl.SGD.fromConfig({ learningRate: 0.1, momentum: 1.5 })).toThrow(/momentum must be a finite number in \[0, 1\]/);
    expect(() => rl.SGD.fromConfig({ learning_rate: 0.1, momentum: 1.5 }, 'SGD')).toThrow(/momentum must be a finite number in \[0, 1\]/);
    expect(() => rl.optimizers.sgd({ momentum: -0.1 })).toThrow(/momentum must be a finite number >= 0/);
    const opt = rl.optimizers.sgd({ momentum: 1 });
    expect(opt.momentum).toBe(1);
    expect(() => opt.setMomentum(2)).toThrow(/SGD: momentum must be a finite number in \[0, 1\], got 2/);
    expect(opt.momentum).toBe(1);
    opt.setMomentum(0.5);
    expect(opt.momentum).toBe(0.5);
  });

  it('a model file with an SGD momentum of 1.5 is refused naming momentum', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.1, momentum: 0.5 }), loss: 'meanSquaredError' });
    const a = rl.io.modelArtifactsOf(m);
    const tc = a.trainingConfig as { optimizer_config: { config: Record<string, unknown> } };
    tc.optimizer_config.config.momentum = 1.5;
    await expect(rl.loadModel(rl.io.fromMemory(a))).rejects.toThrow(/momentum must be a finite number in \[0, 1\], got 1\.5/);
  });

  it("rl.train.momentum, MomentumOptimizer and a saved 'Momentum' keep tfjs's behaviour (no upper bound)", async () => {
    const a = rl.train.momentum(0.1, 1.5);
    expect(a.momentum).toBe(1.5);
    a.setMomentum(3);
    expect(a.momentum).toBe(3);
    const b = new rl.MomentumOptimizer(0.1, 1.5, true);
    expect(b.momentum).toBe(1.5);
    b.setMomentum(2);
    expect(b.momentum).toBe(2);
    expect(rl.SGD.fromConfig({ learningRate: 0.1, momentum: 1.5, useNesterov: true }, 'Momentum').momentum).toBe(1.5);
    expect(rl.MomentumOptimizer.fromConfig(rl.MomentumOptimizer, { learningRate: 0.1, momentum: 1.5, useNesterov: false }).momentum).toBe(1.5);
    // A tfjs-style file (class Momentum, as includeOptimizer writes it) loads.
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: rl.train.momentum(0.01, 1.2), loss: 'meanSquaredError' });
    await m.fit(rl.tensor([[1, 2], [3, 4]]), rl.tensor([[1], [2]]), { epochs: 1, verbose: 0 });
    const back = await rl.loadModel(rl.io.fromMemory(rl.io.modelArtifactsOf(m, { includeOptimizer: true })));
    expect((back.optimizer as rl.SGD).momentum).toBeCloseTo(1.2, 6);
    expect(() => (back.optimizer as rl.SGD).setMomentum(1.5)).not.toThrow();
  });
});

describe('misspelt options set to null, and name', () => {
  it('refuses an unknown key whose value is null, as any unknown key', () => {
    expect(() => rl.optimizers.adam({ learningRat: null } as never)).toThrow(/rl\.optimizers\.adam: unknown option 'learningRat' \(did you mean 'learningRate'\?\)/);
    expect(() => new rl.SGD({ momentun: null } as never)).toThrow(/rl\.SGD: unknown option 'momentun' \(did you mean 'momentum'\?\)/);
    expect(() => rl.optimizers.rmsprop({ centred: null } as never)).toThrow(/unknown option 'centred' \(did you mean 'centered'\?\)/);
    expect(() => rl.Adam.fromConfig({ learningRate: 0.1, betaa1: null })).toThrow(/config: unknown option 'betaa1'/);
    // Known options (and Keras's unset ones) set to null still mean unset, as Keras writes them.
    expect(rl.optimizers.adam({ beta1: null, weight_decay: null, clipnorm: null } as never).beta1).toBe(0.9);
    expect(() => rl.optimizers.adam({ learningRat: undefined } as never)).not.toThrow();
  });

  it('keeps name (opt.name), writes it in getConfig and reads it back; Keras 3 defaults when not given', () => {
    const opt = rl.optimizers.adam({ name: 'my_adam', learningRate: 0.1 });
    expect(opt.name).toBe('my_adam');
    expect(opt.getConfig()).toMatchObject({ name: 'my_adam', learningRate: 0.1 });
    expect(rl.Adam.fromConfig(opt.getConfig()).name).toBe('my_adam');
    expect(rl.Adam.fromConfig({ name: 'k3', learning_rate: 0.2 }).getConfig()).toMatchObject({ name: 'k3', learningRate: 0.2 });
    expect(rl.optimizers.adam().name).toBe('adam');
    expect(rl.optimizers.sgd().name).toBe('SGD');
    expect(rl.optimizers.rmsprop().name).toBe('rmsprop');
    expect(new rl.MomentumOptimizer(0.1, 0.9).name).toBe('SGD');
    // Not given: tfjs's config shape, no name.
    expect('name' in rl.train.adam(0.1).getConfig()).toBe(false);
    expect(() => rl.optimizers.adam({ name: 3 } as never)).toThrow(/Adam: name must be a string, got 3/);
    expect(() => rl.Adam.fromConfig({ name: 3 })).toThrow(/name must be a string, got 3/);
  });

  it('a model saved with a named optimizer loads with the name', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: rl.optimizers.rmsprop({ name: 'mine', learningRate: 0.01 }), loss: 'meanSquaredError' });
    const back = await rl.loadModel(rl.io.fromMemory(rl.io.modelArtifactsOf(m)));
    expect((back.optimizer as rl.RMSprop).name).toBe('mine');
    expect(back.optimizer!.getConfig()).toEqual(m.optimizer!.getConfig());
  });
});

describe('a refused step leaves iterations where they were', () => {
  it('optimizer weights of the wrong shape (setWeights) are refused before the count moves', async () => {
    const opt = rl.optimizers.adam({ learningRate: 0.1 });
    const name = `optcheck_${serial++}`;
    await opt.setWeights([{ name: 'iter', tensor: rl.scalar(0, 'int32') }, { name: `${name}/m`, tensor: rl.tensor([0, 0, 0]) }, { name: `${name}/v`, tensor: rl.tensor([0, 0, 0]) }]);
    const w = rl.variable(rl.tensor([1, 2]), true, name);
    for (let i = 0; i < 2; i++) {
      expect(() => opt.applyGradients({ [name]: rl.tensor([1, 1]) })).toThrow(/have shape \[3\], the variable \[2\]/);
      expect(opt.iterations).toBe(0);
    }
    expect(Array.from(w.dataSync())).toEqual([1, 2]);
    w.dispose();
  });

  it('an update that refuses before any variable moved gives the count back', () => {
    const opt = rl.optimizers.sgd({ learningRate: 0.1 });
    const { w, go } = step(opt);
    const own = opt as unknown as { updateOne: (...a: unknown[]) => void };
    const real = own.updateOne;
    own.updateOne = () => { throw new Error('kernel refused'); };
    expect(go).toThrow('kernel refused');
    expect(opt.iterations).toBe(0);
    own.updateOne = real;
    go();
    expect(opt.iterations).toBe(1);
    w.dispose();
  });
});

describe("Keras's snake_case option names", () => {
  it('are read by every optimizer constructor and factory, as the camelCase ones', () => {
    const adam = rl.optimizers.adam({ learning_rate: 0.1, beta_1: 0.5, beta_2: 0.9, epsilon: 1e-3, clipnorm: 1 } as never);
    expect(adam.getConfig()).toEqual({ learningRate: 0.1, clipnorm: 1, beta1: 0.5, beta2: 0.9, epsilon: 1e-3, amsgrad: false });
    expect(new rl.Adam({ amsgrad: false, learning_rate: 0.2 } as never).learningRate).toBe(0.2);
    expect(rl.optimizers.adagrad({ initial_accumulator_value: 0.5 } as never).initialAccumulatorValue).toBe(0.5);
    const rms = rl.optimizers.rmsprop({ learning_rate: 0.01, rho: 0.8, momentum: 0.3, centered: true } as never);
    expect([rms.learningRate, rms.rho, rms.momentum, rms.centered]).toEqual([0.01, 0.8, 0.3, true]);
    const sgd = rl.optimizers.sgd({ learning_rate: 0.05, momentum: 0.9, nesterov: true } as never);
    expect([sgd.learningRate, sgd.momentum, sgd.nesterov]).toEqual([0.05, 0.9, true]);
    expect(rl.optimizers.nadam({ beta_1: 0.8 } as never).beta1).toBe(0.8);
    expect(rl.optimizers.adamax({ beta_2: 0.99 } as never).beta2).toBe(0.99);
    expect(rl.optimizers.adadelta({ learning_rate: 1, rho: 0.9 } as never).learningRate).toBe(1);
    const sched = new S.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5 });
    expect(rl.optimizers.adam({ learning_rate: sched } as never).learningRateSchedule).toBe(sched);
    // Keras's unsupported options under their Keras names, at their off values or not.
    expect(() => rl.optimizers.adam({ weight_decay: 0, use_ema: false, global_clipnorm: null } as never)).not.toThrow();
    expect(() => rl.optimizers.adam({ weight_decay: -0.004 } as never)).toThrow(/Adam: weight_decay must be a finite number >= 0, got -0\.004/);
  });

  it('refuses both spellings of one option, and names a bad value as it was spelt', () => {
    expect(() => rl.optimizers.adam({ learningRate: 0.1, learning_rate: 0.1 } as never)).toThrow(/rl\.optimizers\.adam: give learningRate or its Keras name learning_rate, not both/);
    expect(() => new rl.Adam({ beta_1: 0.5, beta1: 0.6 } as never)).toThrow(/give beta1 or its Keras name beta_1, not both/);
    expect(() => rl.optimizers.adagrad({ initialAccumulatorValue: 1, initial_accumulator_value: 2 } as never)).toThrow(/not both/);
    expect(() => rl.optimizers.adam({ learning_rate: 0.1, lr: 0.1 } as never)).toThrow(/give learning_rate or its Keras 2 alias lr, not both/);
    expect(() => rl.optimizers.adam({ beta_1: 1 } as never)).toThrow(/Adam: beta_1 must be a finite number in \[0, 1\), got 1/);
    expect(() => rl.optimizers.adam({ learning_rate: -1 } as never)).toThrow(/learning_rate must be a finite number >= 0, got -1/);
    expect(() => rl.optimizers.adam({ beta_3: 0.5 } as never)).toThrow(/unknown option 'beta_3' \(did you mean 'beta_1'\?\)/);
  });

  it("fromConfig reads a Keras 3 config as written (snake_case keys, a schedule's class_name), errors naming its keys", () => {
    const k3 = { name: 'adam', weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: null, use_ema: false, ema_momentum: 0.99,
      ema_overwrite_frequency: null, loss_scale_factor: null, gradient_accumulation_steps: null };
    const adam = rl.Adam.fromConfig({ ...k3, learning_rate: 0.01, beta_1: 0.8, beta_2: 0.99, epsilon: 1e-7, amsgrad: false });
    expect(adam.getConfig()).toEqual({ name: 'adam', learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-7, amsgrad: false });
    const withSchedule = rl.SGD.fromConfig({ ...k3, name: 'SGD', momentum: 0.9, nesterov: true, learning_rate: { module: 'keras.optimizers.schedules', class_name: 'CosineDecay',
      config: { initial_learning_rate: 0.1, decay_steps: 100, alpha: 0, name: 'CosineDecay', warmup_target: null, warmup_steps: 0 }, registered_name: null } });
    expect(withSchedule.learningRateSchedule?.className).toBe('CosineDecay');
    expect(withSchedule.learningRate).toBeCloseTo(0.1, 12);
    expect(() => rl.Adam.fromConfig({ ...k3, beta_3: 0.5, learning_rate: 0.01 })).toThrow(/config: unknown option 'beta_3' \(did you mean 'beta_1'\?\)/);
    expect(rl.Adam.fromConfig({ ...k3, weight_decay: 0.004, learning_rate: 0.01 }).weightDecay).toBe(0.004);
    expect(() => rl.Adam.fromConfig({ ...k3, weight_decay: 'x', learning_rate: 0.01 })).toThrow(/^weight_decay must be a number, got "x"/);
    expect(() => rl.Adam.fromConfig({ beta_1: 'x' })).toThrow(/^beta_1 must be a number, got "x"/);
    expect(() => rl.Adagrad.fromConfig({ initial_accumulator_value: -1 })).toThrow(/initial_accumulator_value must be a finite number >= 0, got -1/);
    expect(() => rl.SGD.fromConfig({ nesterov: true, use_nesterov: false }, 'Momentum')).toThrow(/'nesterov' \(true\) and 'use_nesterov' \(false\) are two spellings of one option and disagree/);
    expect(() => rl.Adam.fromConfig({ learning_rate: { class_name: 'ExponentialDecay', className: 'ExponentialDecay', config: {} } })).toThrow(/give className or its Keras name class_name, not both/);
  });

  it('a callable learning rate is refused saying callables are not supported', () => {
    expect(() => rl.optimizers.adam({ learningRate: (() => 0.1) as never })).toThrow(/learningRate must be a number or a schedule, got a function; rnnlab does not support a callable learning rate/);
    expect(() => rl.optimizers.sgd({ learning_rate: () => 0.1 } as never)).toThrow(/learning_rate must be a number or a schedule, got a function/);
    expect(() => rl.train.adam((() => 0.1) as never)).toThrow(/does not support a callable learning rate/);
  });
});

describe("an optimizer's Keras learning_rate property", () => {
  it('reads and sets the rate learningRate holds, with the same checks', () => {
    const opt = rl.optimizers.adam({ learningRate: 0.01 });
    expect(opt.learning_rate).toBe(0.01);
    opt.learning_rate = 0.002;
    expect(opt.learningRate).toBe(0.002);
    expect(Object.keys(opt)).not.toContain('learning_rate');
    expect(() => { opt.learning_rate = -1; }).toThrow(/learningRate must be a finite number >= 0, got -1/);
    expect(opt.learningRate).toBe(0.002);
  });
});
