// model.save(..., {includeOptimizer: true}) as tfjs-layers 4.22 writes it: the optimizer's weights (group
// 'optimizer', 'iter' as int32 first) after the model's, in the same weight data, with the training config. tfjs loads
// them into its optimizer, and rnnlab continues training from them exactly as if it had never stopped.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { ModelArtifacts } from '../../src/io/handlers.js';
import type { TrainingConfig } from '../../src/io/model_json.js';
import { expectOldModelWhole, folderBytes, maxAbsDiff, removeDir, sameBits, tempDir } from './helpers.js';

const root = tempDir('rnnlab-saveopt-');
afterAll(() => removeDir(root));
beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const n = 8;
const xs = Float32Array.from({ length: n * 3 }, (_, i) => Math.sin(i * 1.3));
const ys = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
const rx = rl.tensor(xs, [n, 3]), ry = rl.tensor(ys, [n, 1]);
const fitOpts = { batchSize: 4, shuffle: false, verbose: 0 } as const;

function dense(optimizer: rl.Optimizer, seed = 3): rl.Sequential {
  rl.setSeed(seed);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 4, activation: 'tanh', inputShape: [3] }), rl.layers.dense({ units: 1 })] });
  m.compile({ optimizer, loss: 'meanSquaredError' });
  return m;
}

const values = (m: { getWeights(): { dataSync(): ArrayLike<number> }[] }) => m.getWeights().map((w) => Float32Array.from(w.dataSync()));

/** model.json and weights.bin of a folder as tfjs's in-memory artifacts. */
function folderArtifacts(dir: string): tf.io.ModelArtifacts {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const bin = readFileSync(join(dir, 'weights.bin'));
  return { modelTopology: json.modelTopology, trainingConfig: json.trainingConfig, weightSpecs: json.weightsManifest[0].weights,
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) };
}

const optimizers = [
  ['Adam', () => rl.optimizers.adam({ learningRate: 0.05 }), ['m', 'v']],
  ['RMSprop with momentum', () => rl.optimizers.rmsprop({ learningRate: 0.02, rho: 0.8, momentum: 0.5 }), ['rms', 'momentum']],
  ['RMSprop centered', () => rl.optimizers.rmsprop({ learningRate: 0.02, rho: 0.7, centered: true, epsilon: 0 }), ['rms', 'momentum', 'mg']],
  ['SGD with momentum', () => rl.optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }), ['momentum']],
  ['Adagrad', () => rl.optimizers.adagrad({ learningRate: 0.1 }), ['accumulator']],
] as const;

describe('tfjs loads what rnnlab saves with includeOptimizer', () => {
  for (const [label, make, slots] of optimizers) {
    it(`${label}: tfjs's optimizer holds rnnlab's state, and its next step is rnnlab's`, async () => {
      const m = dense(make());
      await m.fit(rx, ry, { ...fitOpts, epochs: 2 });
      const dir = join(root, `tfjs-${label.replace(/ /g, '-')}`);
      await m.save(`file://${dir}`, { includeOptimizer: true });
      const a = folderArtifacts(dir);
      const specs = a.weightSpecs!.filter((s) => s.group === 'optimizer');
      // tfjs's layout: the step count as int32 first, then each slot kind over the trainable weights in order.
      expect(specs[0]).toEqual({ name: 'iter', shape: [], dtype: 'int32', group: 'optimizer' });
      const modelNames = a.weightSpecs!.filter((s) => s.group === undefined).map((s) => s.name);
      expect(specs.slice(1).map((s) => s.name)).toEqual(slots.flatMap((k) => modelNames.map((w) => `${w}/${k}`)));
      const tm = await tf.loadLayersModel(tf.io.fromMemory(a));
      const theirs = await tm.optimizer.getWeights(), ours = await m.optimizer!.getWeights();
      expect(theirs.length).toBe(ours.length);
      expect(theirs[0].tensor.dataSync()[0]).toBe(4);
      // Bit for bit: the values travel as float32 (SGD's velocity converts to tfjs's accumulation by -1/rate).
      ours.forEach((w, i) => expect(maxAbsDiff(theirs[i].tensor.dataSync(), w.tensor.dataSync())).toBe(0));
      await tm.fit(tf.tensor2d(xs, [n, 3]), tf.tensor2d(ys, [n, 1]), { ...fitOpts, epochs: 1 });
      await m.fit(rx, ry, { ...fitOpts, epochs: 1 });
      const diff = Math.max(...values(m).map((w, i) => maxAbsDiff(w, tm.getWeights()[i].dataSync())));
      expect(diff).toBeLessThan(5e-5);
    });
  }

  it("RMSprop's rho is written as tfjs's decay too (tfjs reads no rho); rnnlab reads the config back unchanged", async () => {
    const m = dense(rl.optimizers.rmsprop({ learningRate: 0.02, rho: 0.8 }));
    const a = rl.io.modelArtifactsOf(m, { includeOptimizer: true });
    expect((a.trainingConfig as TrainingConfig).optimizer_config).toMatchObject({ class_name: 'RMSProp', config: { rho: 0.8, decay: 0.8 } });
    expect((rl.io.modelArtifactsOf(m).trainingConfig as TrainingConfig).optimizer_config.config).not.toHaveProperty('decay');
    expect((await tf.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts))).optimizer.getConfig()).toMatchObject({ decay: 0.8 });
    expect((await rl.loadModel(rl.io.fromMemory(a))).optimizer!.getConfig()).toEqual(m.optimizer!.getConfig());
  });

  it('non-trainable weights between trainable ones (BatchNormalization): the slots follow the trainable weights, as tfjs pairs them', async () => {
    rl.setSeed(4);
    const m = rl.sequential({ layers: [rl.layers.lstm({ units: 3, inputShape: [4, 2], returnSequences: false }), rl.layers.batchNormalization(), rl.layers.dense({ units: 1 })] });
    m.compile({ optimizer: rl.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
    const x = Float32Array.from({ length: 6 * 8 }, (_, i) => Math.sin(i * 0.9)), y = Float32Array.from({ length: 6 }, (_, i) => i / 6);
    await m.fit(rl.tensor(x, [6, 4, 2]), rl.tensor(y, [6, 1]), { ...fitOpts, batchSize: 6, epochs: 2 });
    let a: ModelArtifacts | undefined;
    await m.save(rl.io.withSaveHandler((z) => { a = z; return {}; }), { includeOptimizer: true });
    const tm = await tf.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
    const trainable = tm.trainableWeights.map((w) => w.originalName);
    expect(trainable).not.toContain('batch_normalization/moving_mean');
    const theirs = await tm.optimizer.getWeights(), ours = await m.optimizer!.getWeights();
    expect(theirs.map((w) => w.name)).toEqual(['iter', ...['m', 'v'].flatMap((k) => trainable.map((t) => `${t}/${k}`))]);
    ours.forEach((w, i) => expect(maxAbsDiff(theirs[i].tensor.dataSync(), w.tensor.dataSync())).toBe(0));
  });

  it('SGD with momentum is written as tfjs writes it (Momentum, use_nesterov); without includeOptimizer it stays SGD', async () => {
    const m = dense(rl.optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }));
    await m.fit(rx, ry, { ...fitOpts, epochs: 1 });
    const withState = rl.io.modelArtifactsOf(m, { includeOptimizer: true }).trainingConfig as TrainingConfig;
    expect(withState.optimizer_config.class_name).toBe('Momentum');
    expect(withState.optimizer_config.config).toMatchObject({ learning_rate: 0.05, momentum: 0.9, use_nesterov: true });
    expect(withState.optimizer_config.config).not.toHaveProperty('nesterov');
    expect((rl.io.modelArtifactsOf(m).trainingConfig as TrainingConfig).optimizer_config.class_name).toBe('SGD');
    const back = await rl.loadLayersModel(rl.io.fromMemory(rl.io.modelArtifactsOf(m, { includeOptimizer: true })));
    expect(back.optimizer!.getConfig()).toEqual(m.optimizer!.getConfig());
  });
});

/** Saves `m` with includeOptimizer through one route and loads it back. */
const routes = {
  'a folder': async (m: rl.Sequential) => { const d = tempDir('rnnlab-saveopt-f-'); await m.save(`file://${d}`, { includeOptimizer: true }); return rl.loadModel(`file://${d}`); },
  'a sharded folder': async (m: rl.Sequential) => {
    const d = tempDir('rnnlab-saveopt-s-');
    await m.save(d, { includeOptimizer: true, shardSizeBytes: 100 });
    return rl.loadModel(d);
  },
  'withSaveHandler and fromMemory': async (m: rl.Sequential) => {
    let a: ModelArtifacts | undefined;
    await m.save(rl.io.withSaveHandler((x) => { a = x; return {}; }), { includeOptimizer: true });
    return rl.loadModel(rl.io.fromMemory(a!));
  },
  'modelArtifactsOf and fromMemory': async (m: rl.Sequential) => rl.loadModel(rl.io.fromMemory(rl.io.modelArtifactsOf(m, { includeOptimizer: true }))),
};

describe('save with includeOptimizer, load, continue: the same weights as never stopping', () => {
  const all = [...optimizers.map(([l, f]) => [l, f] as const),
    ['Adadelta', () => rl.optimizers.adadelta({ learningRate: 1 })], ['Adamax', () => rl.optimizers.adamax({ learningRate: 0.05 })],
    ['Nadam', () => rl.optimizers.nadam({ learningRate: 0.05 })]] as const;
  for (const [label, make] of all) {
    for (const [route, saveLoad] of Object.entries(routes)) {
      it(`${label} through ${route}`, async () => {
        const m = dense(make());
        await m.fit(rx, ry, { ...fitOpts, epochs: 2 });
        const back = await saveLoad(m);
        expect(back.optimizer!.iterations).toBe(4);
        await m.fit(rx, ry, { ...fitOpts, epochs: 3 });
        await back.fit(rx, ry, { ...fitOpts, epochs: 3 });
        // SGD's velocity is written as tfjs's accumulation (velocity / -learningRate) in float32: 1 ulp may go.
        if (label.startsWith('SGD')) expect(Math.max(...values(back).map((w, i) => maxAbsDiff(w, values(m)[i])))).toBeLessThan(1e-6);
        else expect(sameBits(values(back), values(m))).toBe(true);
      });
    }
  }

  it('a functional LSTM model through a folder, and without the state the continuation differs', async () => {
    rl.setSeed(5);
    const input = rl.input({ shape: [4, 3] });
    const h = rl.layers.lstm({ units: 3 }).apply(input) as rl.SymbolicTensor;
    const out = rl.layers.dense({ units: 1 }).apply(h) as rl.SymbolicTensor;
    const m = rl.model({ inputs: input, outputs: out });
    m.compile({ optimizer: rl.optimizers.adam({ learningRate: 0.02 }), loss: 'meanSquaredError' });
    const x = rl.tensor(Float32Array.from({ length: 2 * 12 }, (_, i) => Math.cos(i * 0.7)), [2, 4, 3]), y = rl.tensor([0.5, -0.25], [2, 1]);
    await m.fit(x, y, { epochs: 3, verbose: 0, shuffle: false });
    const dir = join(root, 'functional');
    await m.save(dir, { includeOptimizer: true });
    const back = await rl.loadLayersModel(dir);
    const bare = await rl.loadLayersModel(dir, { compile: false });
    bare.compile({ optimizer: rl.optimizers.adam({ learningRate: 0.02 }), loss: 'meanSquaredError' });
    for (const mm of [m, back, bare]) await mm.fit(x, y, { epochs: 2, verbose: 0, shuffle: false });
    expect(sameBits(values(back), values(m))).toBe(true);
    expect(Math.max(...values(bare).map((w, i) => maxAbsDiff(w, values(m)[i])))).toBeGreaterThan(1e-4);
  });

  it('before the first step only the step count is written, and it loads in tfjs and rnnlab', async () => {
    const m = dense(rl.optimizers.adam({ learningRate: 0.05 }));
    const a = rl.io.modelArtifactsOf(m, { includeOptimizer: true });
    expect((a.weightSpecs as { name: string; group?: string }[]).filter((s) => s.group === 'optimizer').map((s) => s.name)).toEqual(['iter']);
    expect((await (await tf.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts))).optimizer.getWeights()).length).toBe(1);
    const back = await rl.loadModel(rl.io.fromMemory(a));
    await m.fit(rx, ry, { ...fitOpts, epochs: 1 });
    await back.fit(rx, ry, { ...fitOpts, epochs: 1 });
    expect(sameBits(values(back), values(m))).toBe(true);
  });
});

describe('includeOptimizer that cannot be met is refused by name, before anything is written', () => {
  it('a model without an optimizer (tfjs writes nothing, silently)', async () => {
    rl.setSeed(1);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [3] })] });
    await expect(m.save(join(root, 'uncompiled'), { includeOptimizer: true })).rejects.toThrow(/save: includeOptimizer: model '.*' has no optimizer \(it is not compiled\)/);
    expect(() => rl.io.modelArtifactsOf(m, { includeOptimizer: true })).toThrow(/includeOptimizer: .* has no optimizer/);
    await m.save(join(root, 'uncompiled'), { includeOptimizer: false });
  });

  it('includeTrainingConfig: false, a non-boolean, and an ONNX file', async () => {
    const m = dense(rl.optimizers.adam());
    await expect(m.save(join(root, 'no-tc'), { includeOptimizer: true, includeTrainingConfig: false })).rejects.toThrow(/includeOptimizer needs the training config.*includeTrainingConfig: false/);
    await expect(m.save(join(root, 'yes'), { includeOptimizer: 'yes' as never })).rejects.toThrow(/includeOptimizer must be true or false, got "yes"/);
    await expect(m.save(join(root, 'm.onnx'), { includeOptimizer: true })).rejects.toThrow(/option 'includeOptimizer' does not apply to an ONNX file/);
  });

  it("state tfjs would pair with the wrong weights (a layer frozen after training) leaves the folder's model whole", async () => {
    const dir = join(root, 'frozen');
    const old = dense(rl.optimizers.adam({ learningRate: 0.05 }), 7);
    await old.save(dir, { includeOptimizer: true });
    const before = folderBytes(dir);
    const m = dense(rl.optimizers.adam({ learningRate: 0.05 }));
    await m.fit(rx, ry, { ...fitOpts, epochs: 1 });
    m.layers[0].trainable = false;
    await expect(m.save(dir, { includeOptimizer: true })).rejects.toThrow(/save: includeOptimizer: cannot write the Adam optimizer's state: it holds state for '.*kernel', which is not trainable now/);
    await expectOldModelWhole(dir, before, old, rx);
  });

  it('state for some trainable weights and not others (set by name before they stepped)', async () => {
    const m = dense(rl.optimizers.adam());
    const [kernel, bias] = m.trainableWeights;
    await m.optimizer!.setWeights([{ name: 'iter', tensor: rl.scalar(3) },
      { name: `${kernel.name}/m`, tensor: rl.zeros(kernel.shape) }, { name: `${kernel.name}/v`, tensor: rl.zeros(kernel.shape) }]);
    expect(() => rl.io.modelArtifactsOf(m, { includeOptimizer: true }))
      .toThrow(`it holds no state yet for the trainable weight '${bias.name}' but does for others`);
  });

  it('the synchronous loaders refuse rnnlab-written optimizer state as they refuse tfjs-written', () => {
    const a = rl.io.modelArtifactsOf(dense(rl.optimizers.adam()), { includeOptimizer: true });
    expect(() => rl.modelFromArtifacts(a)).toThrow(/modelFromArtifacts: the artifacts hold optimizer state/);
    expect(() => rl.layersModelFromArtifacts(a)).toThrow(/layersModelFromArtifacts: the artifacts hold optimizer state/);
    expect(rl.modelFromArtifacts(a, { compile: false }).optimizer ?? null).toBeNull();
  });
});
