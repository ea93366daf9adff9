// Two forms tfjs code uses that rnnlab took otherwise: a one-input model's data given as a one-element list ([x], [y])
// to predict/fit/evaluate/trainOnBatch/predictOnBatch, a Sequential's apply(x, {training}) on real tensors (custom
// training loops), a custom layer's static fromConfig(cls, config), and optimizer fields read by tfjs's names.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-call-forms-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function model(): rl.Sequential {
  rl.setSeed(3);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], activation: 'tanh' }), rl.layers.dense({ units: 1 })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}

describe('a Sequential model takes [x] and [y] as tfjs does', () => {
  const x = rl.tensor2d([[1, 2, 3], [0, -1, 2], [3, 1, 0], [2, 2, 2]], [4, 3]);
  const y = rl.tensor2d([[1], [0], [1], [0]], [4, 1]);
  const values = (t: unknown) => Array.from((t as rl.Tensor).dataSync());

  it('predict, predictOnBatch, evaluate, trainOnBatch and fit give what the bare tensors give', async () => {
    const a = model(), b = model();
    expect(values(a.predict([x] as never))).toEqual(values(b.predict(x)));
    expect(values(a.predictOnBatch([x] as never))).toEqual(values(b.predictOnBatch(x)));
    expect(values(a.evaluate([x] as never, [y] as never))).toEqual(values(b.evaluate(x, y)));
    expect(await a.trainOnBatch([x] as never, [y] as never)).toEqual(await b.trainOnBatch(x, y));
    const ha = await a.fit([x] as never, [y] as never, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
    const hb = await b.fit(x, y, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
    expect(ha.history.loss).toEqual(hb.history.loss);
  });

  it('a list of two tensors for one input is an error saying so', () => {
    expect(() => model().predict([x, x] as never)).toThrow(/predict: x: expected one tensor, got a list of 2 tensors/);
  });
});

describe('a Sequential applied to real tensors runs it, as tfjs', () => {
  const x = rl.tensor2d([[1, 2, 3], [0, -1, 2], [3, 1, 0], [2, 2, 2]], [4, 3]);
  const y = rl.tensor2d([[1], [0], [1], [0]], [4, 1]);

  it('apply(x) is predict(x); inside variableGrads it records, with the gradients predict gives (tfjs-examples\' DQN loss)', () => {
    const m = model();
    expect(Array.from((m.apply(x) as rl.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as rl.Tensor).dataSync()));
    const viaApply = rl.variableGrads(() => rl.mean(rl.square(rl.sub(m.apply(x, { training: true }) as rl.Tensor, y))) as rl.Scalar);
    const viaPredict = rl.variableGrads(() => rl.mean(rl.square(rl.sub(m.predict(x) as rl.Tensor, y))) as rl.Scalar);
    expect(viaApply.value.dataSync()[0]).toBe(viaPredict.value.dataSync()[0]);
    expect(Object.keys(viaApply.grads).sort()).toEqual(Object.keys(viaPredict.grads).sort());
    expect(Object.keys(viaApply.grads)).toHaveLength(4);
    for (const k of Object.keys(viaApply.grads)) expect(Array.from(viaApply.grads[k].dataSync())).toEqual(Array.from(viaPredict.grads[k].dataSync()));
  });

  it('training: true makes dropout active; options other than training and mask, and symbolic inputs, are errors', () => {
    rl.setSeed(5);
    const m = rl.sequential({ layers: [rl.layers.dropout({ rate: 0.5, inputShape: [3] })] });
    const ones = rl.ones([64, 3]);
    expect(Array.from((m.apply(ones) as rl.Tensor).dataSync()).every((v) => v === 1)).toBe(true);
    const dropped = Array.from((m.apply(ones, { training: true }) as rl.Tensor).dataSync());
    expect(dropped.some((v) => v === 0) && dropped.some((v) => v === 2)).toBe(true);
    // A mask is taken since 39f09e3 (tfjs's apply kwargs); null is no mask, and another option is still an error.
    expect(Array.from((m.apply(ones, { mask: null } as never) as rl.Tensor).dataSync()).every((v) => v === 1)).toBe(true);
    expect(() => m.apply(ones, { masks: null } as never)).toThrow(/apply: unknown option 'masks'/);
    expect(() => m.apply(ones, { training: 1 } as never)).toThrow(/training must be true or false/);
    expect(() => m.apply([ones, ones])).toThrow(/takes one input tensor, got a list of 2/);
    expect(() => m.apply(rl.input({ shape: [3] }))).toThrow(/is a model, not a layer/);
  });
});

describe("a custom layer's static fromConfig", () => {
  class Scale extends rl.layers.Layer {
    static className = 'ScaleByAlpha';
    alpha: number;
    constructor(config: { alpha: number; name?: string }) { super({ name: config.name }); this.alpha = config.alpha; }
    call(x: rl.Tensor | rl.Tensor[]) { return rl.mul(Array.isArray(x) ? x[0] : x, this.alpha); }
    getConfig() { return { ...super.getConfig(), alpha: this.alpha }; }
    // tfjs's signature.
    static fromConfig(cls: new (c: never) => Scale, config: Record<string, unknown>) { return new cls({ ...config, alpha: (config.alpha as number) * 1 } as never); }
  }
  class Shift extends rl.layers.Layer {
    static className = 'ShiftByBeta';
    beta: number;
    constructor(config: { beta: number; name?: string }) { super({ name: config.name }); this.beta = config.beta; }
    call(x: rl.Tensor | rl.Tensor[]) { return rl.add(Array.isArray(x) ? x[0] : x, this.beta); }
    getConfig() { return { ...super.getConfig(), beta: this.beta }; }
    // Keras's from_config(config), here reading an older key as well.
    static fromConfig(config: Record<string, unknown>) { return new Shift({ name: config.name as string, beta: (config.beta ?? config.offset) as number }); }
  }
  rl.serialization.registerClass(Scale);
  rl.serialization.registerClass(Shift);

  it("loads a model whose layers define tfjs's fromConfig(cls, config) or Keras's fromConfig(config)", async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] }), new Scale({ alpha: 3 }), new Shift({ beta: -1 })] });
    const x = rl.tensor2d([[1, 2, 3]], [1, 3]);
    await m.save(`file://${join(root, 'forms')}`);
    const back = await rl.loadLayersModel(`file://${join(root, 'forms')}`);
    expect(Array.from((back.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as rl.Tensor).dataSync()));
    expect((back.layers.find((l) => l.className === 'ScaleByAlpha') as Scale).alpha).toBe(3);
  });

  it("the inherited fromConfig takes tfjs's (cls, config) as well as (config)", () => {
    class Plain extends rl.layers.Layer {
      static className = 'PlainCustom';
      gamma: number;
      constructor(config: { gamma: number }) { super({}); this.gamma = config.gamma; }
      call(x: rl.Tensor) { return x; }
    }
    expect((Plain.fromConfig(Plain as never, { gamma: 2 }) as Plain).gamma).toBe(2);
    expect((Plain.fromConfig({ gamma: 5 } as never) as Plain).gamma).toBe(5);
    const dense = rl.layerClasses.Dense.fromConfig(rl.layerClasses.Dense as never, { units: 4 }) as rl.layerClasses.Layer;
    expect(dense.getConfig().units).toBe(4);
  });
});

describe("optimizer fields by tfjs's names", () => {
  it('rmsprop(lr, decay).decay is its rho; momentum(lr, m, true).useNesterov is its nesterov', () => {
    const r = rl.train.rmsprop(0.01, 0.95);
    expect([r.decay, r.rho]).toEqual([0.95, 0.95]);
    const m = rl.train.momentum(0.1, 0.8, true);
    expect([m.useNesterov, m.nesterov, m.momentum]).toEqual([true, true, 0.8]);
    expect(rl.train.sgd(0.1).useNesterov).toBe(false);
  });
});
