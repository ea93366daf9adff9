/** Keras's learning-rate schedules: values against Keras's documented formulas, training, saving, bad options. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const S = rl.optimizers.schedules;
type Schedule = typeof S.LearningRateSchedule.prototype;
const X = [[0.5, -1.2, 0.3], [2.0, 0.3, -0.4], [-0.7, 0.9, 1.1], [1.1, 1.4, -2]];
const Y = [[0.3, -1], [1.2, 0.4], [-0.5, 0.8], [2, -0.3]];
const KERNEL = [[0.4, -0.6], [0.3, 0.8], [-0.2, 0.5]];
const BIAS = [0.1, -0.2];
const flat = (ws: { dataSync(): ArrayLike<number> }[]): number[] => ws.flatMap((w) => Array.from(w.dataSync()));
const root = mkdtempSync(join(tmpdir(), 'rl-schedules-'));
let dirs = 0;
const fresh = (): string => join(root, `d${dirs++}`);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function model(opt: rl.Optimizer): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
  m.setWeights([rl.tensor(KERNEL), BIAS]);
  m.compile({ optimizer: opt, loss: 'meanSquaredError' });
  return m;
}

function expectRates(s: Schedule, want: Record<number, number>): void {
  for (const [step, rate] of Object.entries(want)) expect(s.rateAt(Number(step)), `step ${step}`).toBeCloseTo(rate, 12);
}

describe('schedule values at several steps, against Keras 3\'s formulas written out', () => {
  it('ExponentialDecay: initial * rate^(step / decaySteps), floored exponent with staircase', () => {
    expectRates(new S.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.5 }), { 0: 0.1, 1: 0.1 * 0.5 ** (1 / 3), 3: 0.05, 7: 0.1 * 0.5 ** (7 / 3) });
    expectRates(new S.ExponentialDecay({ initial_learning_rate: 0.1, decay_steps: 3, decay_rate: 0.5, staircase: true } as never), { 0: 0.1, 2: 0.1, 3: 0.05, 5: 0.05, 7: 0.025 });
  });

  it('InverseTimeDecay: initial / (1 + rate * step / decaySteps), floored with staircase', () => {
    expectRates(new S.InverseTimeDecay({ initialLearningRate: 0.2, decaySteps: 2, decayRate: 0.5 }), { 0: 0.2, 1: 0.2 / 1.25, 4: 0.1, 7: 0.2 / (1 + 0.5 * 3.5) });
    expectRates(new S.InverseTimeDecay({ initialLearningRate: 0.2, decaySteps: 2, decayRate: 0.5, staircase: true }), { 1: 0.2, 2: 0.2 / 1.5, 3: 0.2 / 1.5, 7: 0.2 / 2.5 });
  });

  it('PiecewiseConstantDecay: values[0] through boundaries[0] (inclusive), and so on, the last value after', () => {
    expectRates(new S.PiecewiseConstantDecay({ boundaries: [2, 5], values: [0.1, 0.05, 0.01] }), { 0: 0.1, 2: 0.1, 3: 0.05, 5: 0.05, 6: 0.01, 100: 0.01 });
  });

  it('PolynomialDecay: (initial - end)(1 - step/decaySteps)^power + end, held at the end; cycle stretches decaySteps', () => {
    const p = { initialLearningRate: 0.1, decaySteps: 4, endLearningRate: 0.01, power: 2 };
    expectRates(new S.PolynomialDecay(p), { 0: 0.1, 1: 0.09 * 0.75 ** 2 + 0.01, 2: 0.0325, 4: 0.01, 10: 0.01 });
    expectRates(new S.PolynomialDecay({ ...p, cycle: true }), { 0: 0.1, 4: 0.01, 5: 0.09 * (1 - 5 / 8) ** 2 + 0.01, 8: 0.01, 9: 0.09 * (1 - 9 / 12) ** 2 + 0.01 });
    // Keras's defaults: end 1e-4, power 1.
    expectRates(new S.PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 10 }), { 5: (0.1 - 1e-4) * 0.5 + 1e-4 });
  });

  it('CosineDecay: cosine from initial to alpha * initial; with warmup a linear rise to warmupTarget first', () => {
    const cos = (s: number, from: number, alpha: number, steps: number) => from * ((1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * Math.min(s, steps)) / steps)) + alpha);
    expectRates(new S.CosineDecay({ initialLearningRate: 0.1, decaySteps: 4, alpha: 0.1 }), { 0: 0.1, 1: cos(1, 0.1, 0.1, 4), 2: 0.055, 4: 0.01, 9: 0.01 });
    const warm = new S.CosineDecay({ initial_learning_rate: 0, decay_steps: 4, warmup_target: 0.2, warmup_steps: 2 } as never);
    expectRates(warm, { 0: 0, 1: 0.1, 2: 0.2, 3: cos(1, 0.2, 0, 4), 4: 0.1, 6: 0, 10: 0 });
  });
});

describe('an optimizer with a schedule', () => {
  const decay = (step: number) => 0.1 * 0.5 ** (step / 3);

  it('learningRate reads the rate of the next step (Keras\'s optimizer.learning_rate); the schedule is kept', () => {
    const s = new S.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.5 });
    const m = model(rl.optimizers.sgd({ learningRate: s }));
    expect(m.optimizer!.learningRate).toBe(0.1);
    m.trainOnBatch(X, Y); m.trainOnBatch(X, Y);
    expect(m.optimizer!.learningRate).toBeCloseTo(decay(2), 12);
    expect(m.optimizer!.learningRateSchedule).toBe(s);
  });

  it('a subclass reading learningRate inside its update gets that step\'s rate, not the next one', () => {
    const seen: number[] = [];
    class Recording extends rl.SGD {
      protected override updateOne(...args: Parameters<rl.SGD['updateOne']>): void {
        seen.push(this.learningRate);
        super.updateOne(...args);
      }
    }
    const m = model(new Recording({ learningRate: new S.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.5 }) }));
    m.trainOnBatch(X, Y); m.trainOnBatch(X, Y);
    // Two weights a step: the kernel's and the bias's update read the same rate.
    seen.forEach((r, i) => expect(r).toBeCloseTo(decay(Math.floor(i / 2)), 12));
    expect(seen).toHaveLength(4);
  });

  for (const [name, make] of [
    ['adam', (lr: number | Schedule) => rl.train.adam(lr)],
    ['sgd with momentum', (lr: number | Schedule) => rl.optimizers.sgd({ learningRate: lr, momentum: 0.9 })],
    ['rmsprop, centered with momentum', (lr: number | Schedule) => rl.train.rmsprop(lr, 0.9, 0.5, 1e-7, true)],
    ['nadam', (lr: number | Schedule) => rl.optimizers.nadam({ learningRate: lr })],
  ] as const) {
    it(`${name}: six trainOnBatch steps equal a run that sets the rate before each step`, () => {
      const scheduled = model(make(new S.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.5 })));
      const manualOpt = make(1);
      const manual = model(manualOpt);
      for (let step = 0; step < 6; step++) {
        scheduled.trainOnBatch(X, Y);
        manualOpt.learningRate = decay(step);
        manual.trainOnBatch(X, Y);
      }
      expect(flat(scheduled.getWeights())).toEqual(flat(manual.getWeights()));
    });
  }

  it('fit steps the schedule per batch, not per epoch (3 epochs of 2 batches)', async () => {
    const piecewise = () => new S.PiecewiseConstantDecay({ boundaries: [1, 3], values: [0.1, 0.03, 0.01] });
    const scheduled = model(rl.optimizers.adam({ learningRate: piecewise() }));
    await scheduled.fit(X, Y, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
    const opt = rl.optimizers.adam({ learningRate: 1 });
    const manual = model(opt);
    const setRate = { onBatchBegin: () => { opt.learningRate = opt.iterations <= 1 ? 0.1 : opt.iterations <= 3 ? 0.03 : 0.01; } };
    await manual.fit(X, Y, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0, callbacks: [setRate] });
    expect(opt.iterations).toBe(6);
    expect(flat(scheduled.getWeights())).toEqual(flat(manual.getWeights()));
  });
});

describe('schedules in saved models', () => {
  const cosine = () => new S.CosineDecay({ initialLearningRate: 0.01, decaySteps: 5, alpha: 0.2, warmupTarget: 0.05, warmupSteps: 2 });

  it('saves Keras\'s {class_name, config}, loads it back, and training resumed from a checkpoint matches training straight through', async () => {
    const a = model(rl.optimizers.adam({ learningRate: cosine(), beta1: 0.8 }));
    for (let s = 0; s < 3; s++) a.trainOnBatch(X, Y);
    const dir = fresh(), ck = fresh();
    await a.save(`file://${dir}`);
    rl.writeCheckpoint(ck, a, { nextEpoch: 1, progress: null, history: { epoch: [], history: {} }, rng: [1, 2, 3, 4, NaN], samples: 4, batchSize: 4 });
    const saved = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).trainingConfig.optimizer_config.config.learning_rate;
    expect(saved).toEqual({ class_name: 'CosineDecay', config: { initial_learning_rate: 0.01, decay_steps: 5, alpha: 0.2, name: 'CosineDecay', warmup_target: 0.05, warmup_steps: 2 } });
    const b = await rl.loadModel(`file://${dir}`);
    expect(b.optimizer!.learningRateSchedule).toBeInstanceOf(S.CosineDecay);
    expect(b.optimizer!.getConfig()).toEqual(a.optimizer!.getConfig());
    rl.restoreCheckpoint(ck, b);
    for (let s = 0; s < 5; s++) b.trainOnBatch(X, Y);
    const u = model(rl.optimizers.adam({ learningRate: cosine(), beta1: 0.8 }));
    for (let s = 0; s < 8; s++) u.trainOnBatch(X, Y);
    expect(flat(b.getWeights())).toEqual(flat(u.getWeights()));
  });

  it('reads Keras 3\'s form (module, registered_name) and every schedule\'s config back to the same schedule', async () => {
    const all = [
      new S.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.5, staircase: true }),
      new S.InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.5 }),
      new S.PiecewiseConstantDecay({ boundaries: [10, 20], values: [0.1, 0.01, 0.001] }),
      new S.PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 3, power: 0.5, cycle: true }),
      cosine(),
    ];
    for (const s of all) {
      const dir = fresh();
      await model(rl.optimizers.sgd({ learningRate: s })).save(`file://${dir}`);
      const file = join(dir, 'model.json');
      const j = JSON.parse(readFileSync(file, 'utf8'));
      Object.assign(j.trainingConfig.optimizer_config.config.learning_rate, { module: 'keras.optimizers.schedules', registered_name: null });
      writeFileSync(file, JSON.stringify(j));
      const back = (await rl.loadModel(`file://${dir}`)).optimizer!.learningRateSchedule!;
      expect(back.className).toBe(s.className);
      expect(back.getConfig()).toEqual(s.getConfig());
    }
  });

  it('a bad schedule in a file is named with the file', async () => {
    const dir = fresh();
    await model(rl.optimizers.sgd({ learningRate: cosine() })).save(`file://${dir}`);
    const file = join(dir, 'model.json');
    const j = JSON.parse(readFileSync(file, 'utf8'));
    const lr = j.trainingConfig.optimizer_config.config.learning_rate;
    lr.class_name = 'CosineDecayRestarts';
    writeFileSync(file, JSON.stringify(j));
    await expect(rl.loadModel(`file://${dir}`)).rejects.toThrow(/optimizer SGD: learningRate: unknown learning-rate schedule "CosineDecayRestarts" \(rnnlab has ExponentialDecay, .*CosineDecay\)/);
    lr.class_name = 'CosineDecay'; lr.config.decay_stepz = 3;
    writeFileSync(file, JSON.stringify(j));
    await expect(rl.loadModel(`file://${dir}`)).rejects.toThrow(/model\.json: trainingConfig: optimizer SGD: learningRate \(CosineDecay\): unknown option 'decay_stepz' \(did you mean 'decay_steps'\?\)/);
    expect((await rl.loadModel(`file://${dir}`, { compile: false })).optimizer).toBeNull();
  });
});

describe('a schedule of one\'s own', () => {
  class HalfEvery extends S.LearningRateSchedule {
    static readonly className: string = 'HalfEvery';
    readonly every: number;
    constructor({ every }: { every: number }) { super(); this.every = every; }
    rateAt(step: number): number { return 0.1 / 2 ** Math.floor(step / this.every); }
    getConfig(): Record<string, unknown> { return { every: this.every }; }
  }

  it('trains by its rateAt, and once registered saves and loads; a second class under a taken name is refused', async () => {
    const m = model(rl.optimizers.sgd({ learningRate: new HalfEvery({ every: 2 }) }));
    for (let s = 0; s < 3; s++) m.trainOnBatch(X, Y);
    expect(m.optimizer!.learningRate).toBe(0.05);
    const dir = fresh();
    await m.save(`file://${dir}`);
    await expect(rl.loadModel(`file://${dir}`)).rejects.toThrow(/unknown learning-rate schedule "HalfEvery"/);
    S.registerSchedule(HalfEvery);
    const back = await rl.loadModel(`file://${dir}`);
    expect(back.optimizer!.learningRateSchedule).toBeInstanceOf(HalfEvery);
    expect(back.optimizer!.getConfig().learningRate).toEqual({ className: 'HalfEvery', config: { every: 2 } });
    class Impostor extends HalfEvery { static readonly className = 'ExponentialDecay'; }
    expect(() => S.registerSchedule(Impostor)).toThrow(/a schedule named 'ExponentialDecay' is registered already/);
  });
});

describe('callbacks that set the learning rate refuse a schedule, as Keras does', () => {
  const scheduled = () => model(rl.optimizers.sgd({ learningRate: new S.ExponentialDecay({ initialLearningRate: 0.01, decaySteps: 3, decayRate: 0.5 }) }));
  it('LearningRateScheduler', async () => {
    const cb = rl.callbacks.learningRateScheduler((_e, lr) => lr / 2);
    await expect(scheduled().fit(X, Y, { epochs: 2, verbose: 0, callbacks: [cb] })).rejects.toThrow(/SGD: the learning rate comes from a schedule \(ExponentialDecay\) and cannot be set/);
  });
  it('ReduceLROnPlateau, when it reduces', async () => {
    const cb = rl.callbacks.reduceLROnPlateau({ monitor: 'loss', patience: 1, minDelta: 1e9 });
    await expect(scheduled().fit(X, Y, { epochs: 3, verbose: 0, callbacks: [cb] })).rejects.toThrow(/the learning rate comes from a schedule \(ExponentialDecay\) and cannot be set/);
  });
});

describe('bad schedule options are named', () => {
  it('unknown, missing, doubled and out-of-range options', () => {
    expect(() => new S.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.5, stairCase: true } as never))
      .toThrow(/rl\.optimizers\.schedules\.ExponentialDecay: unknown option 'stairCase' \(did you mean 'staircase'\?\)/);
    expect(() => new S.ExponentialDecay({ initialLearningRate: 0.1, decayRate: 0.5 } as never)).toThrow('rl.optimizers.schedules.ExponentialDecay: decaySteps must be a finite number > 0, got nothing');
    expect(() => new S.InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 })).toThrow(/InverseTimeDecay: decaySteps must be a finite number > 0, got 0/);
    expect(() => new S.PolynomialDecay({ initialLearningRate: 0.1, initial_learning_rate: 0.2, decaySteps: 3 } as never)).toThrow(/PolynomialDecay: give initialLearningRate or its Keras name initial_learning_rate, not both/);
    expect(() => new S.PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 3, cycle: 'yes' } as never)).toThrow(/PolynomialDecay: cycle must be true or false, got "yes"/);
    expect(() => new S.PiecewiseConstantDecay({ boundaries: [5, 2], values: [1, 2, 3] })).toThrow(/PiecewiseConstantDecay: boundaries must increase strictly, got \[5,2\]/);
    expect(() => new S.PiecewiseConstantDecay({ boundaries: [5], values: [1, 2, 3] })).toThrow(/values must have one entry more than boundaries, got 3 values for 1 boundaries/);
    expect(() => new S.PiecewiseConstantDecay({ boundaries: [5], values: [1, -2] })).toThrow(/PiecewiseConstantDecay: values\[1\] must be a finite number >= 0, got -2/);
    expect(() => new S.CosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmupSteps: 3 })).toThrow(/CosineDecay: warmupSteps 3 needs a warmupTarget/);
    expect(() => new S.CosineDecay({ initialLearningRate: -0.1, decaySteps: 10 })).toThrow(/CosineDecay: initialLearningRate must be a finite number >= 0, got -0.1/);
  });

  it('an optimizer refuses a plain object as its rate, and a custom schedule that gives a bad rate at a step', () => {
    expect(() => rl.optimizers.adam({ learningRate: { className: 'ExponentialDecay', config: {} } as never })).toThrow(/Adam: learningRate must be a number or a schedule/);
    class Bad extends S.LearningRateSchedule {
      static readonly className = 'Bad';
      rateAt(step: number): number { return step < 1 ? 0.1 : Number.NaN; }
      getConfig(): Record<string, unknown> { return {}; }
    }
    const m = model(rl.optimizers.sgd({ learningRate: new Bad() }));
    m.trainOnBatch(X, Y);
    expect(() => m.trainOnBatch(X, Y)).toThrow('SGD: the Bad learning-rate schedule gave NaN at step 1; a rate must be a finite number >= 0');
  });
});
