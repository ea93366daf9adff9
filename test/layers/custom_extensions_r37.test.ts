// User extensions that would otherwise be silently ignored or silently swapped for a built-in after save/load: user
// losses named like a built-in, regularizer/constraint/initializer subclasses (their apply(), their save/load round
// trip via registerClass), and custom layers that keep Keras's snake_case method names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { removeDir, tempDir } from '../io/helpers.js';

const X = [[1, -2], [3, 4]];
const Y = [[1], [0]];
const dirs: string[] = [];
afterEach(() => { while (dirs.length) removeDir(dirs.pop()!); });

function dense(opts: Record<string, unknown>, lr = 0.01): rl.Sequential {
  const m = rl.sequential();
  m.add(rl.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', ...opts } as never));
  m.compile({ optimizer: rl.train.sgd(lr), loss: 'mse' });
  return m;
}
const kernel = (m: rl.Sequential) => Array.from(m.getWeights()[0].dataSync());
const fit1 = (m: rl.Sequential) => m.fit(rl.tensor2d(X), rl.tensor2d(Y), { epochs: 1, verbose: 0, batchSize: 2 });

/** 100 * sum(w^2), by its own apply (not the l1/l2 factors). */
class SqReg extends rl.L1L2 {
  static readonly className = 'SqReg';
  constructor(config: { k?: number } = {}) { super({}); this.k = config.k ?? 100; }
  readonly k: number;
  apply(x: rl.Tensor): rl.Tensor { return rl.mul(this.k, rl.sum(rl.square(x))); }
  getConfig() { return { k: this.k }; }
}

/** Clips to +-limit, by tfjs's contract: apply(w) returns the constrained tensor. */
class ClipCon extends rl.Constraint {
  static readonly className = 'ClipCon';
  readonly limit: number;
  constructor(config: { limit?: number } = {}) { super(); this.limit = config.limit ?? 0.1; }
  apply(w: rl.Tensor): rl.Tensor { return rl.clipByValue(w, -this.limit, this.limit); }
  getConfig() { return { limit: this.limit }; }
}

/** Fills every weight with 0.25 through apply(shape), as a tfjs initializer does. */
class QuarterInit extends rl.Initializer {
  static readonly className = 'QuarterInit';
  constructor() { super('QuarterInit', {}, (_s, out) => { for (let i = 0; i < out.length; i++) out[i] = 99; }); }
  apply(shape: number[]): rl.Tensor { return rl.fill(shape, 0.25); }
}

describe('user loss named like a built-in (r37 #1, #4)', () => {
  it('refuses at compile a user function named like a built-in loss or alias, naming it', () => {
    function mse(yt: rl.Tensor, yp: rl.Tensor) { return rl.mul(100, rl.mean(rl.abs(rl.sub(yt, yp)), -1)); }
    function huber(yt: rl.Tensor, yp: rl.Tensor) { return rl.mean(rl.abs(rl.sub(yt, yp)), -1); }
    expect(() => dense({}).compile({ optimizer: 'sgd', loss: mse as never })).toThrow(/loss function 'mse' has the name of the built-in loss.*another name/);
    expect(() => dense({}).compile({ optimizer: 'sgd', loss: huber as never })).toThrow(/loss function 'huber'/);
  });

  it('still takes rl.losses functions, and a user function with its own name', () => {
    const m = dense({});
    m.compile({ optimizer: 'sgd', loss: rl.losses.meanSquaredError as never });
    expect(m.evaluate(rl.tensor2d(X), rl.tensor2d(Y)) as rl.Tensor).toBeDefined();
    function myMse(yt: rl.Tensor, yp: rl.Tensor) { return rl.mean(rl.square(rl.sub(yt, yp)), -1); }
    m.compile({ optimizer: 'sgd', loss: myMse as never });
    // kernel [1, 1], bias 0: predictions -1 and 7, so MSE = (4 + 49) / 2.
    expect((m.evaluate(rl.tensor2d(X), rl.tensor2d(Y)) as rl.Tensor).dataSync()[0]).toBeCloseTo(26.5, 4);
  });

  it('the load error for a saved user loss says to load with {compile: false}', async () => {
    const m = dense({});
    function myLoss(yt: rl.Tensor, yp: rl.Tensor) { return rl.mean(rl.square(rl.sub(yt, yp)), -1); }
    m.compile({ optimizer: 'sgd', loss: myLoss as never });
    const dir = tempDir(); dirs.push(dir);
    await m.save(`file://${dir}`);
    const err = await rl.loadLayersModel(`file://${dir}/model.json`).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/unknown loss 'myLoss'.*load with \{compile: false\} and compile again/);
    expect((err as Error).message).not.toMatch(/or a function/);
  });
});

describe('regularizer subclass overriding apply (r37 #2)', () => {
  it('adds apply(w) to the loss in fit and evaluate, and in calculateLosses', async () => {
    const m = dense({ kernelRegularizer: new SqReg() });
    // MSE 26.5 plus 100 * (1 + 1).
    expect((m.evaluate(rl.tensor2d(X), rl.tensor2d(Y)) as rl.Tensor).dataSync()[0]).toBeCloseTo(226.5, 3);
    expect(m.calculateLosses().map((t) => t.dataSync()[0])).toEqual([200]);
    const h = await fit1(m);
    expect(h.history.loss[0]).toBeCloseTo(226.5, 3);
    // The penalty's gradient 200 * w dominates the step: w = 1 - 0.01 * (grad of MSE + 200).
    const plain = dense({});
    await fit1(plain);
    const k = kernel(m), kp = kernel(plain);
    for (let i = 0; i < 2; i++) expect(k[i]).toBeCloseTo(kp[i] - 0.01 * 200, 4);
  });

  it('refuses a subclass that overrides apply but keeps the built-in name, naming the option', () => {
    class Anon extends rl.L1L2 { apply(x: rl.Tensor) { return rl.sum(x); } }
    expect(() => dense({ kernelRegularizer: new Anon() })).toThrow(/kernelRegularizer: Anon overrides apply\(\) but is named "L1L2".*static className/);
  });
});

describe('initializer / constraint / regularizer subclasses round-trip through save/load (r37 #3)', () => {
  it('saves each under its className, refuses loading it unregistered, and loads it registered to train alike', async () => {
    const make = () => dense({ kernelInitializer: new QuarterInit(), kernelRegularizer: new SqReg({ k: 0.5 }), kernelConstraint: new ClipCon({ limit: 0.2 }) }, 0.05);
    const m = make();
    expect(kernel(m)).toEqual([0.25, 0.25]);
    const dir = tempDir(); dirs.push(dir);
    await m.save(`file://${dir}`);
    const cfg = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers[0].config;
    expect(cfg.kernel_initializer).toEqual({ class_name: 'QuarterInit', config: {} });
    expect(cfg.kernel_regularizer).toEqual({ class_name: 'SqReg', config: { k: 0.5 } });
    expect(cfg.kernel_constraint).toEqual({ class_name: 'ClipCon', config: { limit: 0.2 } });

    await expect(rl.loadLayersModel(`file://${dir}/model.json`)).rejects.toThrow(/registerClass\((QuarterInit|SqReg|ClipCon)\)/);
    for (const c of [QuarterInit, SqReg, ClipCon]) rl.serialization.registerClass(c as never);
    const loaded = await rl.loadLayersModel(`file://${dir}/model.json`) as rl.Sequential;
    loaded.compile({ optimizer: rl.train.sgd(0.05), loss: 'mse' });
    // Loading writes the weights through their constraint, as tfjs's loadLayersModel does: the saved 0.25 is clipped.
    expect(kernel(loaded)).toEqual([0.2, 0.2].map(Math.fround));
    const original = make();
    original.setWeights(original.getWeights());
    expect(kernel(original)).toEqual(kernel(loaded));
    const start = loaded.getWeights();
    const [ho, hl] = [await fit1(original), await fit1(loaded)];
    expect(hl.history.loss[0]).toBeCloseTo(ho.history.loss[0] as number, 5);
    expect(kernel(loaded)).toEqual(kernel(original));
    // The constraint clipped the step, in the loaded model too: without it the kernel leaves [-0.2, 0.2].
    const unclipped = dense({ kernelInitializer: new QuarterInit(), kernelRegularizer: new SqReg({ k: 0.5 }) }, 0.05);
    unclipped.setWeights(start);
    await fit1(unclipped);
    expect(kernel(unclipped).some((v) => Math.abs(v) > 0.2)).toBe(true);
    expect(kernel(loaded)).toEqual(kernel(unclipped).map((v) => Math.fround(Math.max(-0.2, Math.min(0.2, v)))));
    expect(loaded.calculateLosses()[0].dataSync()[0]).toBeCloseTo(original.calculateLosses()[0].dataSync()[0], 6);
  });

  it('refuses a constraint subclass that overrides apply under a built-in name', () => {
    class Clip extends rl.Constraint { constructor() { super('NonNeg'); } apply(): never { return undefined as never; } }
    expect(() => dense({ kernelConstraint: new Clip() })).toThrow(/kernelConstraint: Clip overrides apply\(\) but is named "NonNeg"/);
  });

  it('refuses an initializer subclass named like a built-in, and registerClass refuses built-in names', () => {
    class Mine extends rl.Initializer { constructor() { super('GlorotUniform', {}, (_s, out) => { out[0] = 1; }); } }
    expect(() => dense({ kernelInitializer: new Mine() })).toThrow(/kernelInitializer: Mine is named "GlorotUniform", a built-in initializer's name/);
    class NonNeg extends rl.Constraint { static readonly className = 'NonNeg'; }
    expect(() => rl.serialization.registerClass(NonNeg as never)).toThrow(/'NonNeg' is the name of rnnlab's built-in constraint/);
    class NoName extends rl.L1L2 {}
    expect(() => rl.serialization.registerClass(NoName as never)).toThrow(/NoName needs its own static className/);
  });
});

describe('constraint subclass by tfjs\'s contract: apply(w) returns the constrained tensor (r37 review #1)', () => {
  it('is applied after each fit step, as the clipped plain step', async () => {
    const plain = dense({});
    await fit1(plain);
    expect(kernel(plain).some((v) => Math.abs(v) > 0.1)).toBe(true);
    const m = dense({ kernelConstraint: new ClipCon() });
    await fit1(m);
    expect(kernel(m)).toEqual(kernel(plain).map((v) => Math.fround(Math.max(-0.1, Math.min(0.1, v)))));
  });

  it('apply(tensor) returns the clipped tensor, leaving w as it is', () => {
    const w = rl.tensor([-1, 0.05, 2]);
    expect(Array.from(new ClipCon().apply(w).dataSync())).toEqual([-0.1, 0.05, 0.1].map(Math.fround));
    expect(Array.from(w.dataSync())).toEqual([-1, 0.05, 2].map(Math.fround));
  });

  it('constructs in tfjs\'s form (no constructor, no super arguments) and applies in LayerVariable.write too', () => {
    class Halve extends rl.Constraint { static readonly className = 'Halve'; apply(w: rl.Tensor) { return rl.mul(w, 0.5); } }
    const m = dense({ kernelConstraint: new Halve() });
    expect(new Halve().getClassName()).toBe('Halve');
    const k = m.layers[0].weights[0] as unknown as { write(t: rl.Tensor): unknown };
    k.write(rl.tensor2d([[4], [-2]]));
    expect(kernel(m)).toEqual([2, -1]);
  });

  it('leaves no tensor behind: neither apply\'s result nor what it made on the way', async () => {
    const count = async (m: rl.Sequential) => { const before = rl.memory().numTensors; await fit1(m); return rl.memory().numTensors - before; };
    const plain = await count(dense({}));
    expect(await count(dense({ kernelConstraint: new ClipCon() }))).toBe(plain);
    // Outside fit's own scopes too: LayerVariable.write with a constraint that makes an intermediate tensor.
    class DoubleClip extends rl.Constraint { static readonly className = 'DoubleClip'; apply(w: rl.Tensor) { return rl.clipByValue(rl.mul(w, 2), -1, 1); } }
    const m = dense({ kernelConstraint: new DoubleClip() });
    const k = m.layers[0].weights[0] as unknown as { write(t: rl.Tensor): unknown };
    const t = rl.tensor2d([[0.25], [-3]]);
    const before = rl.memory().numTensors;
    k.write(t);
    expect(rl.memory().numTensors).toBe(before);
    expect(kernel(m)).toEqual([0.5, -1]);
  });

  it('refuses in fit a result that is not a float32 tensor of w\'s shape, naming the class', async () => {
    class Flat extends rl.Constraint { static readonly className = 'Flat'; apply(w: rl.Tensor) { return rl.reshape(w, [-1]); } }
    await expect(fit1(dense({ kernelConstraint: new Flat() }))).rejects.toThrow(/constraint Flat: apply\(w\) must return .*float32 rl.Tensor of w's shape \[2, 1\], got float32 shape \[2\]/);
    class InPlace extends rl.Constraint { static readonly className = 'InPlace'; apply(): rl.Tensor { return undefined as never; } }
    await expect(fit1(dense({ kernelConstraint: new InPlace() }))).rejects.toThrow(/constraint InPlace: apply\(w\) must return .*got undefined/);
    class Ints extends rl.Constraint { static readonly className = 'Ints'; apply(w: rl.Tensor) { return rl.cast(w, 'int32'); } }
    await expect(fit1(dense({ kernelConstraint: new Ints() }))).rejects.toThrow(/constraint Ints: .*got int32 shape \[2, 1\]/);
  });

  it('refuses a subclass with no kind that does not override apply; one without a static className trains, as in tfjs, and is refused when saved', async () => {
    class Empty extends rl.Constraint {}
    expect(() => new Empty()).toThrow(/Empty: a constraint subclass that passes no kind to super\(\) must override apply\(w\)/);
    class NoName extends rl.Constraint { apply(w: rl.Tensor) { return rl.clipByValue(w, -0.1, 0.1); } }
    const m = dense({ kernelConstraint: new NoName() });
    await fit1(m);
    expect(kernel(m)).toEqual([0.1, 0.1].map(Math.fround));
    const dir = tempDir(); dirs.push(dir);
    await expect(m.save(`file://${dir}`)).rejects.toThrow(/kernel_constraint: the class NoName has no static className, so a model using it cannot be saved/);
    expect(() => readFileSync(join(dir, 'model.json'))).toThrow();
  });
});

describe('initializer subclass in tfjs\'s form (r37 review #2, #3)', () => {
  class MyInit extends rl.Initializer { static readonly className = 'MyInit'; apply(shape: number[]) { return rl.fill(shape, 0.25); } }

  it('registers, fills, saves under its className and loads once registered', async () => {
    rl.serialization.registerClass(MyInit as never);
    const m = dense({ kernelInitializer: new MyInit() });
    expect(kernel(m)).toEqual([0.25, 0.25]);
    const dir = tempDir(); dirs.push(dir);
    await m.save(`file://${dir}`);
    const cfg = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers[0].config;
    expect(cfg.kernel_initializer).toEqual({ class_name: 'MyInit', config: {} });
    const loaded = await rl.loadLayersModel(`file://${dir}/model.json`) as rl.Sequential;
    expect(kernel(loaded)).toEqual([0.25, 0.25]);
    expect((loaded.layers[0].getConfig() as { kernelInitializer: unknown }).kernelInitializer).toEqual({ className: 'MyInit', config: {} });
  });

  it('saves and loads under the static className when super() was given another name', async () => {
    class Renamed extends rl.Initializer {
      static readonly className = 'Renamed';
      constructor() { super('OldName', {}, (_s, out) => { for (let i = 0; i < out.length; i++) out[i] = 0.75; }); }
    }
    expect(new Renamed().getClassName()).toBe('Renamed');
    rl.serialization.registerClass(Renamed as never);
    const dir = tempDir(); dirs.push(dir);
    await dense({ kernelInitializer: new Renamed() }).save(`file://${dir}`);
    const cfg = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers[0].config;
    expect(cfg.kernel_initializer.class_name).toBe('Renamed');
    const loaded = await rl.loadLayersModel(`file://${dir}/model.json`) as rl.Sequential;
    expect(kernel(loaded)).toEqual([0.75, 0.75]);
  });

  it('fills from a subclass without a static className, as tfjs, each instance its own, and refuses to save it, saying it needs one', async () => {
    class Anon extends rl.Initializer { constructor(readonly v = 1) { super(); } apply(shape: number[]) { return rl.fill(shape, this.v); } }
    class Other extends rl.Initializer { apply(shape: number[]) { return rl.fill(shape, 3); } }
    const m = dense({ kernelInitializer: new Anon(), biasInitializer: new Other() });
    expect(kernel(m)).toEqual([1, 1]);
    expect(Array.from(m.getWeights()[1].dataSync())).toEqual([3]);
    expect(kernel(dense({ kernelInitializer: new Anon(2) }))).toEqual([2, 2]);
    const dir = tempDir(); dirs.push(dir);
    await expect(m.save(`file://${dir}`)).rejects.toThrow(/kernel_initializer: the class Anon has no static className, so a model using it cannot be saved/);
    expect(() => readFileSync(join(dir, 'model.json'))).toThrow();
    // A Bidirectional rebuilds its backward layer from the forward one's config, which cannot name the class.
    expect(() => rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, kernelInitializer: new Anon() }) as never })).toThrow(/the initializer Anon has no static className, so a layer cannot be rebuilt from its config/);
    class Bare extends rl.Initializer {}
    expect(() => new Bare()).toThrow(/Bare: an initializer without a fill function must override apply\(shape\)/);
  });

  it('disposes what apply(shape) returned: a Dense built with it leaves as many tensors as a plain one', () => {
    const built = (opts: Record<string, unknown>) => {
      const before = rl.memory().numTensors;
      rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2], ...opts } as never)] });
      return rl.memory().numTensors - before;
    };
    const plain = built({});
    expect(built({ kernelInitializer: new MyInit(), biasInitializer: new MyInit() })).toBe(plain);
  });

  it('keeps a tensor the instance holds and returns for every weight', () => {
    class Cached extends rl.Initializer {
      static readonly className = 'Cached';
      cache: rl.Tensor | null = null;
      apply(shape: number[]) { return (this.cache ??= rl.fill(shape, 0.5)); }
    }
    const init = new Cached();
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [2], kernelInitializer: init }), rl.layers.dense({ units: 2, kernelInitializer: init })] });
    expect(m.getWeights().filter((_, i) => i % 2 === 0).map((w) => Array.from(w.dataSync()))).toEqual([[0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]]);
    expect(Array.from(init.cache!.dataSync())).toEqual([0.5, 0.5, 0.5, 0.5]);
  });
});

describe('custom layer with Keras-spelled methods (r37 #5)', () => {
  for (const [keras, camel] of [['compute_output_shape', 'computeOutputShape'], ['get_config', 'getConfig'], ['add_weight', 'addWeight'], ['compute_mask', 'computeMask']]) {
    it(`refuses ${keras}, naming ${camel}`, () => {
      class KLayer extends rl.layers.Layer { static readonly className = 'KLayer'; call(x: rl.Tensor) { return x; } }
      Object.defineProperty(KLayer.prototype, keras, { value() { return null; } });
      expect(() => new KLayer({})).toThrow(new RegExp(`KLayer: method '${keras}' is Keras's spelling.*name it '${camel}'`));
    });
  }

  it('refuses a static from_config and still builds a layer with the camelCase methods', () => {
    class KLayer extends rl.layers.Layer { static readonly className = 'KLayer'; static from_config() { return null; } call(x: rl.Tensor) { return x; } }
    expect(() => new KLayer({})).toThrow(/method 'from_config'.*'fromConfig'/);
    class Good extends rl.layers.Layer { static readonly className = 'Good'; call(x: rl.Tensor) { return x; } getConfig() { return super.getConfig(); } }
    expect(new Good({}).name).toMatch(/^good/);
  });
});
