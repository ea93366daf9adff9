/**
 * rl's metrics, losses, initializers, constraints, regularizers, callbacks and train namespaces against tfjs 4.22's:
 * every tfjs name exists, and the edge cases that diverged give tfjs's numbers (or Keras's, where rnnlab follows
 * Keras and says so in docs/API.md).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

beforeAll(async () => { await tf.setBackend('cpu'); });

/** What tfjs's constraint and regularizer factories return, as far as these tests use them. */
interface TfConstraint { apply(w: tf.Tensor): tf.Tensor; getClassName(): string }
interface TfRegularizer { apply(w: tf.Tensor): tf.Scalar; getClassName(): string; getConfig(): object }

const NAMESPACES = ['metrics', 'losses', 'initializers', 'constraints', 'regularizers', 'callbacks', 'train'] as const;

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], -Math.log10(tol));
}

describe('namespaces', () => {
  it.each(NAMESPACES)('rl.%s has every name of the tfjs namespace', (ns) => {
    const missing = Object.keys(tf[ns]).filter((k) => !(k in (rl[ns] as object)));
    expect(missing).toEqual([]);
  });
});

describe('constraints as tfjs uses them', () => {
  const W = [[3, 4, 0], [0, 0, 1], [1, -2, 2]];
  const cases: [keyof typeof tf.constraints, Record<string, number>][] = [
    ['maxNorm', {}], ['maxNorm', { maxValue: 1, axis: 1 }], ['maxNorm', { maxValue: 1, axis: -1 }], ['unitNorm', {}], ['unitNorm', { axis: 1 }],
    ['minMaxNorm', { minValue: 2, maxValue: 3, rate: 0.5 }], ['minMaxNorm', { axis: 1 }], ['nonNeg', {}],
  ];
  it.each(cases)('%s(%j).apply(tensor) gives tfjs\'s tensor and leaves the input alone', (name, args) => {
    const expected = (tf.constraints[name] as (a: object) => TfConstraint)(args).apply(tf.tensor(W));
    const c = (rl.constraints[name] as (a: object) => rl.Constraint)(args);
    const w = rl.tensor(W);
    const got = c.apply(w);
    expect(got.shape).toEqual(expected.shape);
    close(got.dataSync(), expected.dataSync());
    expect(Array.from(w.dataSync())).toEqual(W.flat());
    expect(c.getClassName()).toBe((tf.constraints[name] as (a: object) => TfConstraint)(args).getClassName());
  });

  it('refuses a tensor that is not an rl.Tensor, naming the constraint', () => {
    expect(() => rl.constraints.nonNeg().apply(tf.tensor([-1, 2]) as never)).toThrow(/constraint NonNeg: apply takes an rl.Tensor/);
  });
});

describe('regularizers as tfjs uses them', () => {
  const W = [[3, -4, 0], [0.5, 0, -1]];
  const cases: [keyof typeof tf.regularizers, Record<string, number>][] = [['l1', {}], ['l2', { l2: 0.5 }], ['l1l2', {}], ['l1l2', { l1: 0.1 }], ['l1l2', { l1: 0, l2: 0 }]];
  it.each(cases)('%s(%j).apply(x) is tfjs\'s penalty', (name, args) => {
    const expected = (tf.regularizers[name] as (a: object) => TfRegularizer)(args);
    const r = (rl.regularizers[name] as (a: object) => rl.L1L2)(args);
    expect(r.apply(rl.tensor(W)).dataSync()[0]).toBeCloseTo(expected.apply(tf.tensor(W)).dataSync()[0], 5);
    expect(r.getClassName()).toBe(expected.getClassName());
    expect(r.getConfig()).toEqual(expected.getConfig());
  });

  it('apply records on the tape: its gradient is l1 sign(w) + 2 l2 w', () => {
    const w = rl.variable(rl.tensor([[2, -1], [0.5, 3]]));
    const r = rl.regularizers.l1l2({ l1: 0.1, l2: 0.2 });
    const { grads } = rl.variableGrads(() => r.apply(w), [w]);
    close(grads[w.name].dataSync(), [0.1 + 0.8, -0.1 - 0.4, 0.1 + 0.2, 0.1 + 1.2], 1e-5);
  });

  it('fromConfig takes Keras\'s (config) and tfjs\'s (cls, config) forms; an unread option is an error naming it', () => {
    expect(rl.L1L2.fromConfig({ l1: 0.3, l2: 0 }).getConfig()).toEqual({ l1: 0.3, l2: 0 });
    expect(rl.L1L2.fromConfig(rl.L1L2, { l2: 0.2 }).getConfig()).toEqual({ l1: 0, l2: 0.2 });
    expect(() => rl.L1L2.fromConfig({ l3: 1 } as never)).toThrow(/L1L2.fromConfig: unknown option 'l3'/);
    expect(() => rl.regularizers.l1({ l2: 0.5 } as never)).toThrow(/regularizers.l1: unknown option 'l2'/);
    expect(() => rl.regularizers.l1l2({ L1: 0.5 } as never)).toThrow(/regularizers.l1l2: unknown option 'L1'/);
  });
});

describe('initializers', () => {
  it('randomUniform with equal bounds fills with that value, as tfjs', () => {
    const expected = tf.initializers.randomUniform({ minval: 1.5, maxval: 1.5 }).apply([2, 2]).dataSync();
    expect(Array.from(rl.initializers.randomUniform({ minval: 1.5, maxval: 1.5 }).apply([2, 2]).dataSync())).toEqual(Array.from(expected));
    expect(() => rl.initializers.randomUniform({ minval: 2, maxval: 1 })).toThrow(/RandomUniform: maxval 1 must not be below minval 2/);
  });

  it('apply(shape, dtype) takes float32 and refuses another dtype by name', () => {
    expect(rl.initializers.ones().apply([2], 'float32').dataSync()).toEqual(Float32Array.of(1, 1));
    expect(() => rl.initializers.ones().apply([2], 'int32')).toThrow(/Ones.apply: dtype 'int32' is not supported/);
  });

  // Deliberate (Keras): the truncated normal is rescaled by 1/0.8796 so the draws keep the variance scale/fan;
  // tfjs 4.22 does not rescale (its std is 0.88 of that) and its 'truncatedNormal' distribution draws a uniform.
  it('varianceScaling\'s truncated normal has Keras\'s std sqrt(scale / fan), tfjs\'s 0.88 of it', () => {
    const std = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((a, x) => a + x * x, 0) / v.length);
    const target = Math.sqrt(2 / 100);
    const ours = std(rl.initializers.varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'normal', seed: 7 }).apply([100, 200]).dataSync());
    const theirs = std(tf.initializers.varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'normal', seed: 7 }).apply([100, 200]).dataSync());
    expect(Math.abs(ours / target - 1)).toBeLessThan(0.02);
    expect(Math.abs(theirs / target - 0.87962566)).toBeLessThan(0.02);
  });
});

describe('initializer names in layer options', () => {
  // tfjs takes its class names as strings ('HeNormal'); Keras spells them snake_case ('he_normal'). rnnlab refused both.
  const names: [string, string][] = [['HeNormal', 'HeNormal'], ['he_normal', 'HeNormal'], ['GlorotUniform', 'GlorotUniform'], ['glorot_uniform', 'GlorotUniform'],
    ['TruncatedNormal', 'TruncatedNormal'], ['truncated_normal', 'TruncatedNormal'], ['RandomNormal', 'RandomNormal'], ['random_normal', 'RandomNormal'],
    ['VarianceScaling', 'VarianceScaling'], ['variance_scaling', 'VarianceScaling'], ['lecun_uniform', 'VarianceScaling'], ['Orthogonal', 'Orthogonal'], ['Zeros', 'Zeros']];
  it.each(names)('kernelInitializer %s builds (tfjs builds the class names) and saves as %s', (name, className) => {
    if (!name.includes('_')) tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: name as never }).apply(tf.zeros([1, 3]));
    const d = rl.layers.dense({ units: 2, inputShape: [3], kernelInitializer: name as never });
    rl.sequential({ layers: [d] });
    expect((d.getConfig().kernelInitializer as { className: string }).className).toBe(className);
  });

  it('the values are the named initializer\'s (Identity, Ones), and an unknown name is still an error', () => {
    const d = rl.layers.dense({ units: 2, inputShape: [2], kernelInitializer: 'Identity' as never, biasInitializer: 'Ones' as never });
    rl.sequential({ layers: [d] });
    expect(Array.from(d.getWeights()[0].dataSync())).toEqual([1, 0, 0, 1]);
    expect(Array.from(d.getWeights()[1].dataSync())).toEqual([1, 1]);
    expect(() => rl.layers.dense({ units: 2, kernelInitializer: 'he_normall' as never })).toThrow(/unknown kernelInitializer "he_normall"/);
  });
});

describe('orthogonal on non-square weights', () => {
  // tfjs and Keras: the shorter side's vectors are orthonormal, scaled by gain.
  it.each([[30, 10], [10, 30]])('orthogonal({gain: 2}) on [%i, %i] has gain^2 I on its shorter side, as tfjs', (rows, cols) => {
    const gram = (lib: typeof tf | typeof rl, w: tf.Tensor | rl.Tensor) => {
      const L = lib as typeof rl, W = w as rl.Tensor;
      return (rows >= cols ? L.matMul(W, W, true, false) : L.matMul(W, W, false, true)).dataSync();
    };
    const n = Math.min(rows, cols), eye = Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 4 : 0));
    close(gram(rl, rl.initializers.orthogonal({ gain: 2, seed: 1 }).apply([rows, cols])), eye, 1e-4);
    close(gram(tf, tf.initializers.orthogonal({ gain: 2, seed: 1 }).apply([rows, cols])), eye, 1e-4);
  });
});

describe('compiled metrics', () => {
  // A folded softmax's logits are not probabilities: binaryAccuracy must threshold softmax(logits) at 0.5 as tfjs.
  it('binaryAccuracy on a softmax output trained with categoricalCrossentropy is tfjs\'s', async () => {
    const W = [[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]], b = [0.1, 0.2, 0.3];
    const X = [[1, 2], [0.5, -1], [-1, 0.3], [2, 2]], Y = [[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]];
    const t = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })] });
    t.setWeights([tf.tensor(W), tf.tensor(b)]);
    t.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['binaryAccuracy'] });
    const r = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })] });
    r.setWeights([rl.tensor(W), rl.tensor(b)]);
    r.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['binaryAccuracy'] });
    const expected = (t.evaluate(tf.tensor(X), tf.tensor(Y)) as tf.Scalar[])[1].dataSync()[0];
    const got = (r.evaluate(rl.tensor(X), rl.tensor(Y)) as rl.Scalar[])[1].dataSync()[0];
    expect(expected).toBeCloseTo(5 / 12, 6);
    expect(got).toBeCloseTo(expected, 6);
  });
});

describe('earlyStopping', () => {
  // tfjs and Keras take minDelta's magnitude; rnnlab refused a negative one.
  it('a negative minDelta acts as its magnitude, stopping at tfjs\'s epoch', async () => {
    const X = [[1], [2], [3], [4]], Y = [[2], [4], [6], [8]];
    const run = async (lib: typeof tf | typeof rl, minDelta: number) => {
      const m = (lib as typeof rl).sequential({ layers: [(lib as typeof rl).layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'zeros' })] });
      m.compile({ optimizer: (lib as typeof rl).train.sgd(0.001), loss: 'meanSquaredError' });
      const cb = (lib as typeof rl).callbacks.earlyStopping({ monitor: 'loss', minDelta, patience: 1 });
      const h = await m.fit((lib as typeof rl).tensor(X), (lib as typeof rl).tensor(Y), { epochs: 6, batchSize: 4, verbose: 0, callbacks: [cb] } as never);
      return h.history.loss.length;
    };
    const tfjsEpochs = await run(tf, -5);
    expect(tfjsEpochs).toBe(2);
    expect(await run(rl, -5)).toBe(tfjsEpochs);
    expect(await run(rl, 5)).toBe(tfjsEpochs);
    expect(await run(rl, 0)).toBe(6);
    expect(() => rl.callbacks.earlyStopping({ minDelta: Number.NaN })).toThrow(/earlyStopping: minDelta must be a finite number/);
  });
});

describe('optimizers', () => {
  const steps = (lib: typeof tf | typeof rl, opt: { minimize: (f: () => never) => unknown }, v: unknown, n: number) => {
    const L = lib as typeof rl;
    for (let i = 0; i < n; i++) opt.minimize(() => L.sum(L.mul(L.square(v as rl.Tensor), L.tensor([1, 2, 3]))) as never);
  };

  it('setLearningRate on plain SGD changes later steps as tfjs\'s', () => {
    const tv = tf.variable(tf.tensor([1, -2, 3])), rv = rl.variable(rl.tensor([1, -2, 3]));
    const to = tf.train.sgd(0.1), ro = rl.train.sgd(0.1);
    steps(tf, to as never, tv, 1); steps(rl, ro as never, rv, 1);
    to.setLearningRate(0.05); ro.setLearningRate(0.05);
    steps(tf, to as never, tv, 2); steps(rl, ro as never, rv, 2);
    close(rv.dataSync(), tv.dataSync(), 1e-5);
    expect(ro.getConfig().learningRate).toBe(0.05);
    expect(() => ro.setLearningRate(-1)).toThrow(/SGD: learningRate must be a finite number >= 0, got -1/);
  });

  // Deliberate (docs/API.md): with momentum rnnlab keeps Keras's velocity m·v − lr·g, which holds the old rate's
  // steps; tfjs's Momentum steps by lr·acc, so a new rate rescales what it has accumulated at once.
  it('setLearningRate on SGD with momentum keeps Keras\'s velocity, unlike tfjs\'s Momentum', () => {
    const tv = tf.variable(tf.tensor([1, -2, 3])), rv = rl.variable(rl.tensor([1, -2, 3]));
    const to = tf.train.momentum(0.1, 0.9), ro = rl.train.momentum(0.1, 0.9);
    steps(tf, to as never, tv, 2); steps(rl, ro as never, rv, 2);
    close(rv.dataSync(), tv.dataSync(), 1e-5);
    (to as unknown as { setLearningRate(lr: number): void }).setLearningRate(0.01); ro.setLearningRate(0.01);
    steps(tf, to as never, tv, 1); steps(rl, ro as never, rv, 1);
    // Keras's rule by hand: v = m·v − lr·g, p += v, with lr 0.1, 0.1, then 0.01.
    const p = [1, -2, 3], v = [0, 0, 0], c = [1, 2, 3];
    for (const lr of [0.1, 0.1, 0.01]) for (let i = 0; i < 3; i++) { v[i] = 0.9 * v[i] - lr * 2 * c[i] * p[i]; p[i] += v[i]; }
    close(rv.dataSync(), p, 1e-5);
    expect(Math.abs(rv.dataSync()[1] - tv.dataSync()[1])).toBeGreaterThan(0.5);
  });

  // Deliberate: tfjs 4.22's setMomentum changes getConfig but its update keeps the old momentum (a scalar made at
  // construction); rnnlab's later steps use the new one, with tfjs's update rule otherwise.
  it('setMomentum (tfjs\'s Momentum) makes later steps use the new momentum', () => {
    const rv = rl.variable(rl.tensor([1, -2, 3])), ro = rl.train.momentum(0.05, 0.9);
    steps(rl, ro as never, rv, 2);
    ro.setMomentum(0.3);
    steps(rl, ro as never, rv, 2);
    // tfjs's rule by hand: accumulation = m * accumulation + g, p -= lr * accumulation, with m 0.9 then 0.3.
    const p = [1, -2, 3], acc = [0, 0, 0], c = [1, 2, 3];
    for (const m of [0.9, 0.9, 0.3, 0.3]) for (let i = 0; i < 3; i++) { acc[i] = m * acc[i] + 2 * c[i] * p[i]; p[i] -= 0.05 * acc[i]; }
    close(rv.dataSync(), p, 1e-5);
    const to = tf.train.momentum(0.05, 0.9) as tf.MomentumOptimizer;
    to.setMomentum(0.3);
    expect(ro.getConfig().momentum).toBe(to.getConfig().momentum);
    expect(() => ro.setMomentum(-0.5)).toThrow(/SGD: momentum must be a finite number >= 0, got -0.5/);
  });
});

describe('optimizers\' fromConfig (one reader for every class)', () => {
  it('reads tfjs\'s Momentum config (useNesterov) and RMSProp config (decay), refusing an unread key by name', () => {
    const sgd = rl.SGD.fromConfig(rl.SGD, tf.train.momentum(0.1, 0.9, true).getConfig() as Record<string, unknown>);
    expect(sgd.getConfig()).toEqual({ learningRate: 0.1, momentum: 0.9, nesterov: true });
    expect(() => rl.SGD.fromConfig({ learningRate: 0.1, nesterov: false, useNesterov: true })).toThrow(/'nesterov' \(false\) and 'useNesterov' \(true\) are two spellings of one option and disagree/);
    const rms = rl.RMSprop.fromConfig(rl.RMSprop, tf.train.rmsprop(0.05, 0.8, 0.3).getConfig() as Record<string, unknown>);
    expect(rms.getConfig()).toEqual({ learningRate: 0.05, rho: 0.8, momentum: 0.3, epsilon: 1e-7, centered: false });
    expect(() => rl.SGD.fromConfig({ learningRate: 0.1, momentun: 0.9 })).toThrow(/unknown option 'momentun' \(did you mean 'momentum'\?\)/);
    expect(() => rl.Adam.fromConfig({ learningRate: 0.1, nesterov: true })).toThrow(/unknown option 'nesterov'/);
  });
});

describe('tfjs\'s top-level optimizer classes', () => {
  const names = ['SGDOptimizer', 'MomentumOptimizer', 'AdamOptimizer', 'AdagradOptimizer', 'AdadeltaOptimizer', 'AdamaxOptimizer', 'RMSPropOptimizer'] as const;

  // tfjs 4.22 answers instanceof by duck typing: every optimizer is an instance of every one of these classes.
  it('exist for every tfjs optimizer class, with tfjs\'s instanceof answers for the tf.train factories', () => {
    const factories: [keyof typeof tf.train, unknown[]][] = [['sgd', [0.1]], ['momentum', [0.1, 0.9]], ['adam', [0.1]], ['adagrad', [0.1]], ['adadelta', [0.1]], ['adamax', [0.1]], ['rmsprop', [0.1]]];
    for (const [f, args] of factories) {
      const t = (tf.train[f] as (...a: unknown[]) => object)(...args), r = (rl.train as Record<string, (...a: unknown[]) => object>)[f](...args);
      for (const n of names) expect([f, n, r instanceof rl[n]]).toEqual([f, n, t instanceof (tf as unknown as Record<string, new () => object>)[n]]);
    }
    expect({ minimize() {} } instanceof rl.AdamOptimizer).toBe(false);
  });

  it('take tfjs\'s positional arguments and step as the tf.train factory does', () => {
    const cases: [typeof names[number], keyof typeof tf.train, unknown[]][] = [
      ['SGDOptimizer', 'sgd', [0.1]], ['MomentumOptimizer', 'momentum', [0.05, 0.9, true]], ['AdamOptimizer', 'adam', [0.05, 0.8, 0.9, null]],
      ['AdagradOptimizer', 'adagrad', [0.1, 0.2]], ['AdadeltaOptimizer', 'adadelta', [0.5, 0.9, null]], ['AdamaxOptimizer', 'adamax', [0.05, 0.8, 0.9, null, 0]],
      ['RMSPropOptimizer', 'rmsprop', [0.05, 0.8, 0.5, null, false]],
    ];
    for (const [cls, f, args] of cases) {
      const made = new (rl[cls] as unknown as new (...a: unknown[]) => rl.Optimizer)(...args);
      const factory = (rl.train as Record<string, (...a: unknown[]) => rl.Optimizer>)[f](...args);
      expect([cls, made.getClassName(), made.getConfig()]).toEqual([cls, factory.getClassName(), factory.getConfig()]);
      const back = (rl[cls] as unknown as { fromConfig(c: unknown, cfg: unknown): rl.Optimizer }).fromConfig(rl[cls], made.getConfig());
      expect(back.getConfig()).toEqual(made.getConfig());
    }
    // tfjs's numbers for plain SGD (the other rules' differences from tfjs are documented under Optimizers).
    const tv = tf.variable(tf.tensor([1, -2, 3])), rv = rl.variable(rl.tensor([1, -2, 3]));
    const to = new tf.SGDOptimizer(0.1), ro = new rl.SGDOptimizer(0.1);
    for (let i = 0; i < 2; i++) {
      to.minimize(() => tf.sum(tf.square(tv)) as tf.Scalar);
      ro.minimize(() => rl.sum(rl.square(rv)));
    }
    close(rv.dataSync(), tv.dataSync(), 1e-6);
    expect(new rl.AdamaxOptimizer(0.1, 0.9, 0.999, null, 0.1).learningRateSchedule!.getConfig()).toMatchObject({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.1 });
    expect(rl.OptimizerConstructors.adam(0.1).getConfig()).toEqual(rl.train.adam(0.1).getConfig());
  });
});

describe('tfjs\'s callback plumbing rnnlab does not have', () => {
  it('fails with a sentence naming it', () => {
    expect(() => new rl.CallbackList()).toThrow(/CallbackList is not supported by rnnlab: pass the callbacks to fit/);
    expect(() => rl.registerCallbackConstructor(1, class {})).toThrow(/registerCallbackConstructor is not supported by rnnlab/);
  });
});

describe('value metrics on targets one axis short', () => {
  // Keras's squeeze_or_expand_to_same_rank: [n] targets for [n, 1] predictions pair row by row. tfjs 4.22
  // broadcasts them to [n, n] (mse([1, 2], [[1], [2]]) = [0.5, 0.5]); rnnlab refused them.
  it('mse, mae and cosineProximity pair [n] with [n, 1] as Keras does', () => {
    expect(Array.from(rl.metrics.mse([1, 2], [[1], [2]]).dataSync())).toEqual([0, 0]);
    expect(Array.from(rl.metrics.meanAbsoluteError([[1], [2]], [1, 4]).dataSync())).toEqual([0, 2]);
    const v = rl.metrics.meanSquaredError(rl.tensor([[1, 2], [3, 4]]), rl.tensor([[[1], [2]], [[3], [5]]]));
    expect(v.shape).toEqual([2]);
    close(v.dataSync(), [0, 0.5]);
    expect(Array.from(tf.metrics.meanSquaredError(tf.tensor([1, 2]), tf.tensor([[1], [2]])).dataSync())).toEqual([0.5, 0.5]);
    expect(() => rl.metrics.mse([1, 2, 3], [[1], [2]])).toThrow(/metrics.meanSquaredError: yTrue has shape \[3\] but yPred has \[2, 1\]/);
  });
});
