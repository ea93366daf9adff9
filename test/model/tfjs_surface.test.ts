/**
 * tfjs's model and layer surface, checked against @tensorflow/tfjs where it has the member: model.trainable,
 * getWeights(trainableOnly), nonTrainableWeights, dispose, getConfig / fromConfig, pop, metricsNames, callbacks
 * with a model (rl.Callback, setModel / setParams, this.model in plain hooks), and option checks.
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[1, 2, 3, 4, 5], [0, 1, 0, 1, 0], [2, 2, 2, 2, 2], [5, 4, 3, 2, 1]];
const Y = [[1], [0], [1], [0]];

function small(): rl.Sequential {
  rl.setSeed(3);
  return rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [5], activation: 'relu' }), rl.layers.dense({ units: 1 })] });
}

const lines = (m: { summary(a?: number, b?: number[], p?: (l: string) => void): void }) => {
  const out: string[] = [];
  m.summary(undefined, undefined, (l) => out.push(l));
  return out.filter((l) => /params/.test(l));
};

describe('model.trainable', () => {
  it('false freezes every layer: summary counts, trainableWeights, fit leaves the weights; true trains again (Keras)', async () => {
    const m = small();
    m.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
    expect(lines(m)).toEqual(['Total params: 22', 'Trainable params: 22', 'Non-trainable params: 0']);
    m.trainable = false;
    expect(m.trainable).toBe(false);
    expect(m.layers.map((l) => l.trainable)).toEqual([false, false]);
    expect(lines(m)).toEqual(['Total params: 22', 'Trainable params: 0', 'Non-trainable params: 22']);
    expect(m.trainableWeights).toHaveLength(0);
    expect(m.nonTrainableWeights).toHaveLength(4);
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    // Applies at once, without a new compile (Keras needs one).
    await m.fit(X, Y, { epochs: 3, verbose: 0 });
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    m.trainable = true;
    expect(m.trainableWeights).toHaveLength(4);
    await m.fit(X, Y, { epochs: 1, verbose: 0 });
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).not.toEqual(before);
    expect(() => { (m as { trainable: unknown }).trainable = 'no'; }).toThrow(/trainable must be true or false/);
  });

  it('tfjs agrees on the frozen counts; a functional model freezes the same way', () => {
    const t = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [5] }), tf.layers.dense({ units: 1 })] });
    t.trainable = false;
    const m = small();
    m.trainable = false;
    expect(m.trainableWeights.length).toBe(t.trainableWeights.length);
    expect(m.nonTrainableWeights.length).toBe(t.nonTrainableWeights.length);
    const inp = rl.input({ shape: [5] });
    const f = rl.model({ inputs: inp, outputs: rl.layers.dense({ units: 2 }).apply(inp) as rl.SymbolicTensor });
    f.trainable = false;
    expect(f.trainableWeights).toHaveLength(0);
    expect(lines(f)).toContain('Trainable params: 0');
    f.trainable = true;
    expect(f.trainableWeights).toHaveLength(2);
  });

  it('a frozen layer inside a trainable model stays frozen in fit; unfreezing a layer built frozen trains it', async () => {
    rl.setSeed(4);
    const frozen = rl.layers.dense({ units: 3, inputShape: [5], trainable: false });
    const m = rl.sequential({ layers: [frozen, rl.layers.dense({ units: 1 })] });
    m.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
    const k0 = Array.from(frozen.getWeights()[0].dataSync());
    await m.fit(X, Y, { epochs: 2, verbose: 0 });
    expect(Array.from(frozen.getWeights()[0].dataSync())).toEqual(k0);
    frozen.trainable = true;
    expect(m.trainableWeights).toHaveLength(4);
    await m.fit(X, Y, { epochs: 1, verbose: 0 });
    expect(Array.from(frozen.getWeights()[0].dataSync())).not.toEqual(k0);
  });

  it('a frozen model trains with a user loss function too (its prediction carries no gradient to check)', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [5] })] });
    m.trainable = false;
    m.compile({ optimizer: rl.train.sgd(0.1), loss: (yt: rl.Tensor, yp: rl.Tensor) => rl.mean(rl.square(rl.sub(yt, yp)), -1) });
    const w0 = Array.from(m.getWeights()[0].dataSync());
    const h = await m.fit(X, Y, { epochs: 1, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
    expect(Array.from(m.getWeights()[0].dataSync())).toEqual(w0);
  });
});

describe('getWeights(trainableOnly), nonTrainableWeights, dtype (tfjs)', () => {
  it('counts as tfjs for dense, batchNormalization, dense(trainable: false)', () => {
    const t = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [5] }), tf.layers.batchNormalization(), tf.layers.dense({ units: 1, trainable: false })] });
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [5] }), rl.layers.batchNormalization(), rl.layers.dense({ units: 1, trainable: false })] });
    expect([m.getWeights().length, m.getWeights(true).length]).toEqual([t.getWeights().length, t.getWeights(true).length]);
    expect([m.getWeights().length, m.getWeights(true).length]).toEqual([8, 4]);
    expect(m.layers[1].getWeights(true).length).toBe(t.layers[1].getWeights(true).length);
    expect(m.layers.map((l) => l.nonTrainableWeights.length)).toEqual(t.layers.map((l) => l.nonTrainableWeights.length));
    expect(m.nonTrainableWeights.length).toBe(t.nonTrainableWeights.length);
    expect(m.layers[0].dtype).toBe(t.layers[0].dtype);
    // The trainable ones are the kernel and bias of the first dense and BN's gamma and beta, in order.
    expect(m.getWeights(true).map((w) => w.shape)).toEqual(t.getWeights(true).map((w) => w.shape));
  });
});

describe('metricsNames, getClassName, getConfig, fromConfig, pop (tfjs)', () => {
  it('metricsNames lists the logged values, loss first', () => {
    const m = small();
    expect(m.metricsNames).toEqual([]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mse'] });
    const t = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [5] })] });
    t.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mse'] });
    expect(m.metricsNames).toEqual(t.metricsNames);
    expect(m.getClassName()).toBe(t.getClassName());
  });

  it('getConfig has tfjs\'s shape and Sequential.fromConfig rebuilds the architecture', () => {
    const m = small();
    const c = m.getConfig() as { name: string; layers: { className: string; config: Record<string, unknown> }[] };
    const t = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [5], activation: 'relu' }), tf.layers.dense({ units: 1 })] });
    const tc = t.getConfig() as unknown as { layers: { className: string; config: Record<string, unknown> }[] };
    expect(c.name).toBe(m.name);
    expect(c.layers.map((l) => l.className)).toEqual(tc.layers.map((l) => l.className));
    expect(c.layers[0].config.units).toBe(3);
    expect(c.layers[0].config.batchInputShape).toEqual(tc.layers[0].config.batchInputShape);
    const back = rl.Sequential.fromConfig(rl.Sequential, c);
    expect(back).toBeInstanceOf(rl.Sequential);
    expect(back.layers.map((l) => l.className)).toEqual(['Dense', 'Dense']);
    expect(back.countParams()).toBe(m.countParams());
    expect(rl.Sequential.fromConfig(c).countParams()).toBe(22);
    const inp = rl.input({ shape: [4] });
    const f = rl.model({ inputs: inp, outputs: rl.layers.dense({ units: 2, name: 'cfg_out' }).apply(inp) as rl.SymbolicTensor });
    const fc = f.getConfig() as { layers: { name: string }[]; inputLayers: unknown; outputLayers: unknown[] };
    expect(fc.layers.map((l) => l.name)).toContain('cfg_out');
    expect(fc.outputLayers[0]).toEqual(['cfg_out', 0, 0]);
    // Each class's fromConfig given the other's config says which one to use (not the first key it cannot read).
    for (const from of [() => rl.Functional.fromConfig(rl.Functional, c), () => rl.Model.fromConfig(c), () => rl.LayersModel.fromConfig(c)]) {
      expect(from).toThrow(/describes a Sequential model; rebuild it with rl\.Sequential\.fromConfig/);
    }
    expect(() => rl.Functional.fromConfig(c.layers)).toThrow(/describes a Sequential model/);
    expect(() => rl.Sequential.fromConfig(rl.Sequential, fc)).toThrow(/describes a functional model; rebuild it with rl\.Functional\.fromConfig/);
    expect(rl.Functional.fromConfig(rl.Functional, fc).countParams()).toBe(f.countParams());
  });

  it('pop removes the last layer; the output, predict and a compiled loss follow (tfjs)', async () => {
    const m = small();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const t = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [5] }), tf.layers.dense({ units: 1 })] });
    t.pop();
    const last = m.layers[1];
    expect(m.pop()).toBe(last);
    expect(m.layers).toHaveLength(t.layers.length);
    expect(m.outputs[0].shape).toEqual(t.outputs[0].shape);
    expect((m.predict(X) as rl.Tensor).shape).toEqual([4, 3]);
    await m.fit(X, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], { epochs: 1, verbose: 0 });
    m.pop();
    expect(() => m.pop()).toThrow(/no layers/);
  });
});

describe('dispose (tfjs)', () => {
  it('returns tfjs\'s shape; the model and its layers refuse to run afterwards', () => {
    const m = small();
    const r = m.dispose();
    expect(Object.keys(r).sort()).toEqual(['numDisposedVariables', 'refCountAfterDispose']);
    expect(r).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 4 });
    expect(() => m.predict(X)).toThrow(/has been disposed/);
    expect(() => m.getWeights()).toThrow(/has been disposed/);
    expect(() => m.dispose()).toThrow(/has been disposed/);
    expect(() => m.layers[0].apply(rl.tensor([[1, 2, 3, 4, 5]]))).toThrow(/has been disposed/);
    const d = rl.layers.dense({ units: 2, inputShape: [3] });
    rl.sequential({ layers: [d] });
    expect(d.dispose()).toEqual({ refCountAfterDispose: 0, numDisposedVariables: 2 });
    expect(() => d.dispose()).toThrow(/disposed/);
  });

  it('a layer another live model holds survives the first model\'s dispose', () => {
    const m = small();
    const sub = rl.model({ inputs: m.inputs, outputs: m.layers[0].output as rl.SymbolicTensor });
    m.dispose();
    expect((sub.predict(X) as rl.Tensor).shape).toEqual([4, 3]);
  });
});

describe('callbacks get the model and params (tfjs)', () => {
  it('this.model in a plain object\'s hooks; stopTraining after the epoch; its own fields still work', async () => {
    const m = small();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const cb = {
      seen: [] as number[],
      onEpochEnd(this: { seen: number[]; model: rl.Sequential }, e: number) { this.seen.push(e); if (e === 1) this.model.stopTraining = true; },
    };
    const h = await m.fit(X, Y, { epochs: 5, verbose: 0, callbacks: [cb as rl.Callback] });
    expect(h.epoch).toEqual([0, 1]);
    expect(cb.seen).toEqual([0, 1]);
    expect(Object.keys(cb)).toEqual(['seen', 'onEpochEnd']);
  });

  it('stopTraining in onBatchEnd ends the epoch after that batch, as tfjs', async () => {
    const run = async (model: { fit: (...a: never[]) => Promise<unknown>; stopTraining: boolean }, fitX: unknown, fitY: unknown) => {
      const ev: string[] = [];
      await (model.fit as (x: unknown, y: unknown, a: object) => Promise<unknown>)(fitX, fitY, {
        epochs: 3, batchSize: 1, verbose: 0, shuffle: false,
        callbacks: { onBatchEnd: (b: number) => { ev.push(`b${b}`); if (b === 1) model.stopTraining = true; }, onEpochEnd: (e: number) => { ev.push(`e${e}`); } },
      });
      return ev;
    };
    const t = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [5] })] });
    t.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const m = small();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const mine = await run(m as never, X, Y);
    expect(mine).toEqual(await run(t as never, tf.tensor2d(X), tf.tensor2d(Y)));
    expect(mine).toEqual(['b0', 'b1', 'e0']);
  });

  it('rl.Callback subclasses: setParams then setModel before training, with tfjs\'s params', async () => {
    const calls: string[] = [];
    let params: Record<string, unknown> = {};
    class Probe extends rl.Callback {
      override setParams(p: rl.CallbackParams) { calls.push('setParams'); super.setParams(p); }
      override setModel(m: never) { calls.push('setModel'); super.setModel(m); }
      override async onTrainBegin() { calls.push('onTrainBegin'); params = { ...this.params }; }
      override async onEpochEnd(e: number) { if (e === 0) this.model.stopTraining = true; }
    }
    const m = small();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mse'] });
    const p = new Probe();
    const h = await m.fit(X, Y, { epochs: 3, batchSize: 2, verbose: 0, validationSplit: 0.25, callbacks: p });
    expect(p.model).toBe(m);
    expect(h.epoch).toEqual([0]);
    expect(calls).toEqual(['setParams', 'setModel', 'onTrainBegin']);
    // tfjs: the same keys and values (its steps is null when x is a tensor; rnnlab counts them).
    const t = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [5] })] });
    t.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mse'] });
    let tp: Record<string, unknown> = {};
    class TProbe extends tf.Callback { override async onTrainBegin() { tp = { ...this.params }; } }
    await t.fit(tf.tensor2d(X), tf.tensor2d(Y), { epochs: 3, batchSize: 2, verbose: 0, validationSplit: 0.25, callbacks: new TProbe() });
    expect(Object.keys(params).sort()).toEqual(Object.keys(tp).sort());
    expect({ ...params, steps: null }).toEqual(tp);
    expect(params.steps).toBe(2);
    expect(p).toBeInstanceOf(rl.callbacks.Callback);
    expect(rl.callbacks.earlyStopping()).toBeInstanceOf(rl.Callback);
  });

  it('a class instance with its own setModel / setParams gets them called; CustomCallback runs hooks with this the callback', async () => {
    const m = small();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    class Own { got: unknown = null; n = 0; setModel(x: unknown) { this.got = x; } setParams(p: { epochs: number }) { this.n = p.epochs; } }
    const own = new Own();
    let self: unknown = null;
    const custom = new rl.CustomCallback({ onTrainBegin() { self = this; } });
    await m.fit(X, Y, { epochs: 2, verbose: 0, callbacks: [own as never, custom] });
    expect(own.got).toBe(m);
    expect(own.n).toBe(2);
    expect(self).toBe(custom);
    expect(custom.model).toBe(m);
    expect(() => new rl.CustomCallback({ onYield: () => undefined } as never)).toThrow(/'onYield' is not supported/);
    expect(() => new rl.CustomCallback({ onEpochEnds: () => undefined } as never)).toThrow(/unknown option 'onEpochEnds'/);
    await expect(m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: [{ onEpochEnds: () => undefined } as never] })).rejects.toThrow(/unknown hook 'onEpochEnds'/);
  });
});

describe('options are checked, not ignored', () => {
  it('evaluate and predict refuse unknown keys and tfjs\'s steps, naming them', () => {
    const m = small();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(() => m.evaluate(X, Y, { batchsize: 2 } as never)).toThrow(/unknown option 'batchsize'/);
    expect(() => m.evaluate(X, Y, { steps: 2 } as never)).toThrow(/option 'steps' is not supported/);
    expect(() => m.predict(X, { batchsize: 2 } as never)).toThrow(/unknown option 'batchsize'/);
    expect((m.predict(X, { batchSize: 2, verbose: false }) as rl.Tensor).shape).toEqual([4, 1]);
    const inp = rl.input({ shape: [5] });
    const f = rl.model({ inputs: inp, outputs: rl.layers.dense({ units: 1 }).apply(inp) as rl.SymbolicTensor });
    f.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(() => f.evaluate(X, Y, { batchsize: 2 } as never)).toThrow(/unknown option 'batchsize'/);
    expect(() => f.predict(X, { steps: 1 } as never)).toThrow(/option 'steps' is not supported/);
  });

  it('fit refuses a non-boolean shuffle and names tfjs\'s unimplemented \'batch\'', async () => {
    const m = small();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await expect(m.fit(X, Y, { shuffle: 'yes' as never, verbose: 0 })).rejects.toThrow(/shuffle must be true or false, got "yes"/);
    await expect(m.fit(X, Y, { shuffle: 'batch' as never, verbose: 0 })).rejects.toThrow(/'batch' shuffling is not implemented/);
  });

  it('earlyStopping (and the checkpoint callbacks) refuse unknown keys', () => {
    expect(() => rl.callbacks.earlyStopping({ monitr: 'val_loss' } as never)).toThrow(/unknown option 'monitr' \(did you mean 'monitor'\?\)/);
    expect(() => rl.callbacks.modelCheckpoint({ path: 'checkpoints/x', saveBest: true } as never)).toThrow(/unknown option 'saveBest'/);
    expect(() => rl.callbacks.backupAndRestore({ backupDir: 'backup', savefreq: 2 } as never)).toThrow(/unknown option 'savefreq'/);
  });

  it('layer and model arguments of the wrong kind get messages naming the field', () => {
    // tfjs reads a bare size as [size] (tfjs-examples write it): accepted; any other non-list is named.
    expect(rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: 5 as never })] }).inputs[0].shape).toEqual([null, 5]);
    expect(rl.input({ shape: 256 as never }).shape).toEqual([null, 256]);
    expect(() => rl.layers.dense({ units: 3, inputShape: '5' as never })).toThrow(/inputShape must be a list of sizes such as \[5\], got the string "5"/);
    expect(() => rl.layers.dense({ units: 3, inputShape: 0 as never })).toThrow(/inputShape must be a list of sizes such as \[5\], got 0/);
    expect(() => rl.input({ batchShape: 256 as never })).toThrow(/^input: batchShape must be a list of positive integers or null, got number 256/);
    const layer = rl.layers.dense({ units: 1 });
    expect(() => rl.sequential({ layers: layer as never })).toThrow(/layers must be a list of layers, got the single layer/);
    expect(() => rl.sequential({ layer: [layer] } as never)).toThrow(/unknown option 'layer'/);
  });

  it('an Embedding id that is in range but not an integer says so', () => {
    const e = rl.layers.embedding({ inputDim: 5, outputDim: 2 });
    expect(() => e.apply(rl.tensor([[1, 1.7]]))).toThrow(/token id 1\.7 at position \[0, 1\].* is not an integer/);
    expect(() => e.apply(rl.tensor([[1, 7]]))).toThrow(/token id 7 .* is outside \[0, 5\)/);
  });

  it('apply on a one-element list returns one tensor, as tfjs', () => {
    const d = rl.layers.dense({ units: 2 });
    const r = d.apply([rl.ones([1, 3])]);
    const t = tf.layers.dense({ units: 2 }).apply([tf.ones([1, 3])]);
    expect(Array.isArray(r)).toBe(Array.isArray(t));
  });
});

describe('nested models', () => {
  it('are refused with a message saying what to do instead', () => {
    const inner = small();
    expect(() => inner.apply(rl.input({ shape: [5] }))).toThrow(/is a model, not a layer.*model\.layers/);
    expect(() => rl.sequential({ layers: [inner as never, rl.layers.dense({ units: 1 })] })).toThrow(/is a model, not a layer/);
  });
});

describe('loadLayersModel options', () => {
  it('refuses unknown and HTTP-only options, reports progress, and strict: false tolerates extra and missing weights (tfjs)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rl-load-opts-'));
    try {
      const m = small();
      await m.save(`file://${dir}`);
      const url = `file://${dir}`;
      await expect(rl.loadLayersModel(url, { strictt: true } as never)).rejects.toThrow(/unknown option 'strictt'/);
      await expect(rl.loadLayersModel(url, { requestInit: {} } as never)).rejects.toThrow(/option 'requestInit' is not supported/);
      await expect(rl.loadLayersModel(url, { onProgress: 1 } as never)).rejects.toThrow(/onProgress must be a function/);
      const seen: number[] = [];
      const loaded = await rl.loadLayersModel(url, { onProgress: (f) => seen.push(f) });
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= seen[i - 1]))).toBe(true);
      expect(seen[seen.length - 1]).toBe(1);
      expect(loaded.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(m.getWeights().map((w) => Array.from(w.dataSync())));
      // An extra weight in the manifest: refused by default, ignored with strict false.
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      const bin = readFileSync(join(dir, 'weights.bin'));
      json.weightsManifest[0].weights.push({ name: 'extra/w', shape: [1], dtype: 'float32' });
      writeFileSync(join(dir, 'weights.bin'), Buffer.concat([bin, Buffer.alloc(4)]));
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      await expect(rl.loadLayersModel(url)).rejects.toThrow(/no layer uses: 'extra\/w'/);
      const lenient = await rl.loadLayersModel(url, { strict: false });
      expect(lenient.getWeights()[0].dataSync()).toEqual(m.getWeights()[0].dataSync());
      // A missing weight: refused by default; with strict false it keeps a drawn initial value (a bias: zeros).
      const kept = json.weightsManifest[0].weights.filter((w: { name: string }) => w.name !== 'extra/w');
      const dropped = kept.pop();
      expect(dropped.name).toMatch(/bias$/);
      json.weightsManifest[0].weights = kept;
      writeFileSync(join(dir, 'weights.bin'), bin.subarray(0, bin.length - 4));
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      await expect(rl.loadLayersModel(url)).rejects.toThrow(/missing weight/);
      const partial = await rl.loadLayersModel(url, { strict: false });
      expect(Array.from(partial.getWeights()[3].dataSync())).toEqual([0]);
      expect(Array.from(partial.getWeights()[2].dataSync())).toEqual(Array.from(m.getWeights()[2].dataSync()));
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
