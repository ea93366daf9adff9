/** model.save / rl.loadModel in rnnlab: every layer kind, the training config, shards, URLs, and crash-safe writes. */
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { plannedWeights } from '../../src/io/model_json.js';
import { globalRandom } from '../../src/random.js';
import { idData, removeDir, tempDir } from './helpers.js';

const root = tempDir();
afterAll(() => removeDir(root));
let n = 0;
const fresh = () => join(root, `m${n++}`);

function allKinds(): rl.Sequential {
  rl.setSeed(11);
  return rl.sequential({ name: 'all_kinds', layers: [
    rl.layers.embedding({ inputDim: 25, outputDim: 6, inputLength: 10, maskZero: false }),
    rl.layers.conv1d({ filters: 4, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu' }),
    rl.layers.maxPooling1d({ poolSize: 2 }),
    rl.layers.simpleRNN({ units: 3, returnSequences: true }),
    rl.layers.lstm({ units: 5, returnSequences: true, unitForgetBias: false }),
    rl.layers.gru({ units: 4, returnSequences: true }),
    rl.layers.gru({ units: 4, returnSequences: true, resetAfter: false, goBackwards: true }),
    rl.layers.bidirectional({ layer: rl.layers.gru({ units: 3, returnSequences: true }), mergeMode: 'sum' }),
    rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 3, activation: 'tanh' }) }),
    rl.layers.dropout({ rate: 0.25 }),
    rl.layers.flatten(),
    rl.layers.repeatVector({ n: 2 }),
    rl.layers.lstm({ units: 2 }),
    rl.layers.dense({ units: 2 }),
    rl.layers.activation({ activation: 'softmax' }),
  ] });
}

describe('save and load in rnnlab', () => {
  it('round-trips every layer kind: same configs, same weights, same predictions bit for bit', async () => {
    const m = allKinds();
    const dir = fresh();
    const res = await m.save(`file://${dir}`);
    expect(res.modelPath).toBe(join(dir, 'model.json'));
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const back = await rl.loadModel(`file://${dir}`);
    expect(back.name).toBe('all_kinds');
    expect(back.layers.map((l) => l.className)).toEqual(m.layers.map((l) => l.className));
    expect(back.layers.map((l) => l.getConfig())).toEqual(m.layers.map((l) => l.getConfig()));
    const wa = m.getWeights().map((w) => w.dataSync() as Float32Array), wb = back.getWeights().map((w) => w.dataSync() as Float32Array);
    expect(wb.length).toBe(wa.length);
    wa.forEach((w, i) => expect(Array.from(wb[i])).toEqual(Array.from(w)));
    const x = idData(6, 10, 25, 3);
    expect(Array.from(back.predict(x).values)).toEqual(Array.from(m.predict(x).values));
  });

  it('writes Keras-style snake_case configs and tfjs weight names', async () => {
    const m = allKinds();
    const dir = fresh();
    await m.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.convertedBy).toBeNull();
    expect(json.modelTopology.class_name).toBe('Sequential');
    const layers = json.modelTopology.config.layers;
    expect(layers[0].config).toMatchObject({ input_dim: 25, output_dim: 6, input_length: 10, batch_input_shape: [null, 10], dtype: 'float32' });
    expect(layers[1].config).toMatchObject({ kernel_size: [3], strides: [1], dilation_rate: [1], padding: 'same', use_bias: true,
      kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } } });
    expect(layers[2].config).toMatchObject({ pool_size: [2], strides: [2] });
    expect(layers[3].config.recurrent_activation).toBeUndefined();
    expect(layers[4].config).toMatchObject({ recurrent_activation: 'sigmoid', unit_forget_bias: false, implementation: 2, return_sequences: true });
    expect(layers[6].config).toMatchObject({ reset_after: false, go_backwards: true });
    expect(layers[7].config).toMatchObject({ merge_mode: 'sum', layer: { class_name: 'GRU' } });
    expect(layers[8].config.layer).toMatchObject({ class_name: 'Dense', config: { units: 3, activation: 'tanh' } });
    const names: string[] = json.weightsManifest[0].weights.map((w: { name: string }) => w.name);
    const bi = m.layers[7].name, inner = (m.layers[7] as rl.layerClasses.Bidirectional).forwardLayer.name.replace(/^forward_/, '');
    expect(names).toContain(`${m.layers[4].name}/recurrent_kernel`);
    expect(names).toContain(`${bi}/forward_${inner}/kernel`);
    expect(names).toContain(`${bi}/backward_${inner}/bias`);
    expect(names).toContain(`${m.layers[8].name}/kernel`);
    expect(JSON.stringify(json.modelTopology)).not.toMatch(/[a-z][A-Z]\w*":/); // no camelCase keys inside configs
  });

  it('plans each layer kind\'s weight names and shapes exactly as building creates them', () => {
    const m = allKinds();
    let shape = m.inputShape;
    for (const l of m.layers) {
      const plan = plannedWeights(l, shape);
      expect(plan.map((p) => p.shape)).toEqual(l.weights.map((w) => w.shape));
      shape = l.outputShape;
    }
  });

  it('round-trips the compiled training config: loss, metrics, optimizer and its hyperparameters', async () => {
    const cases: [rl.Optimizer, string][] = [
      [rl.optimizers.adam({ learningRate: 0.003, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, clipnorm: 1.5 }), 'binaryCrossentropy'],
      [rl.optimizers.rmsprop({ learningRate: 0.01, rho: 0.8, clipvalue: 0.5 }), 'meanSquaredError'],
      [rl.optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }), 'binaryCrossentropy'],
    ];
    for (const [opt, loss] of cases) {
      rl.setSeed(1);
      const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputDim: 4, activation: 'relu' }), rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
      m.compile({ optimizer: opt, loss, metrics: ['accuracy'] });
      const dir = fresh();
      await m.save(dir);
      const back = await rl.loadModel(dir);
      expect(back.loss).toBe(m.loss);
      expect(back.metrics).toEqual(['accuracy']);
      expect(back.optimizer!.className).toBe(opt.className);
      expect(back.optimizer!.getConfig()).toEqual(opt.getConfig());
      expect(back.foldsActivation).toBe(m.foldsActivation);
      const unc = await rl.loadModel(dir, { compile: false });
      expect(unc.optimizer).toBeNull();
    }
    // An uncompiled model saves without a training config and loads uncompiled.
    const plain = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputDim: 3 })] });
    const dir = fresh();
    await plain.save(dir);
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).trainingConfig).toBeUndefined();
    expect((await rl.loadModel(dir)).optimizer).toBeNull();
  });

  it('splits weights into tfjs shards on request and reads them back; stale shards are removed', async () => {
    const m = allKinds();
    const dir = fresh();
    await m.save(dir, { shardSizeBytes: 1024 });
    const files = readdirSync(dir).filter((f) => f.endsWith('.bin')).sort();
    expect(files.length).toBeGreaterThan(2);
    expect(files.every((f) => /^group1-shard\d+of\d+\.bin$/.test(f))).toBe(true);
    const back = await rl.loadModel(dir);
    const x = idData(3, 10, 25, 4);
    expect(Array.from(back.predict(x).values)).toEqual(Array.from(m.predict(x).values));
    await m.save(dir);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('accepts file:// URLs (relative and absolute), plain paths and a path to model.json', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputDim: 3 })] });
    const dir = fresh();
    await m.save(`file://${dir}`);
    for (const url of [`file://${dir}`, dir, join(dir, 'model.json'), `file://${join(dir, 'model.json')}`]) {
      expect((await rl.loadModel(url)).countParams()).toBe(8);
    }
    await expect(rl.loadModel('https://example.com/model.json')).rejects.toThrow(/unsupported URL scheme 'https:\/\/'/);
    await expect(m.save('indexeddb://x')).rejects.toThrow(/unsupported URL scheme/);
  });

  it('does not disturb the global random stream, so a seeded run is the same with or without a load', async () => {
    const dir = fresh();
    await allKinds().save(dir);
    rl.setSeed(5);
    const before = globalRandom.getState();
    await rl.loadModel(dir);
    expect(globalRandom.getState()).toEqual(before);
  });

  it('refuses to save an unbuilt or empty model, with a reason', async () => {
    await expect(rl.sequential().save(fresh())).rejects.toThrow(/no layers/);
    await expect(rl.sequential({ layers: [rl.layers.dense({ units: 2 })] }).save(fresh())).rejects.toThrow(/not built/);
  });

  it('leaves no temp files and replaces model.json atomically', async () => {
    const dir = fresh();
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputDim: 3 })] });
    await m.save(dir);
    // A crashed writer's leftover (an hour old, its pid gone) goes; a fresh one may be another process's write in progress.
    const leftover = join(dir, `.rnnlab-tmp-model.json-${2 ** 22 + 12345}-0000dead`);
    const inProgress = join(dir, `.rnnlab-tmp-weights.bin-${2 ** 22 + 12345}-0000beef`);
    writeFileSync(leftover, 'half a file');
    writeFileSync(inProgress, 'half a file');
    utimesSync(leftover, new Date(Date.now() - 2 * 3600e3), new Date(Date.now() - 2 * 3600e3));
    await m.save(dir);
    expect(readdirSync(dir).sort()).toEqual([basename(inProgress), 'model.json', 'weights.bin']);
    expect(existsSync(join(dir, 'model.json'))).toBe(true);
  });
});
