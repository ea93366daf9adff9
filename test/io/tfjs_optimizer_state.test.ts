// A tfjs model saved with includeOptimizer: rnnlab restores the optimizer's state (step count and slots), so the
// next training step is the one tfjs takes; without it (a fresh optimizer) the step differs.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxAbsDiff, removeDir, tempDir } from './helpers.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

const root = tempDir('rnnlab-opt-');
afterAll(() => removeDir(root));
beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

const n = 8;
const xs = Float32Array.from({ length: n * 3 }, (_, i) => Math.sin(i * 1.3));
const ys = Float32Array.from({ length: n }, (_, i) => Math.cos(i));

async function saveTf(tm: tf.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await tm.save(tf.io.withSaveHandler(async (a) => {
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, modelTopology: a.modelTopology,
      trainingConfig: a.trainingConfig, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), { includeOptimizer: true });
}

const flat = (ws: { dataSync(): ArrayLike<number> }[]) => ws.flatMap((w) => Array.from(w.dataSync()));

const pairs = [
  // (A small epsilon: tfjs adds it to sqrt(v-hat), Keras and rnnlab to sqrt(v); with 1e-7 the two agree to 1e-5 here.)
  ['adam', () => tf.train.adam(0.05), () => rl.train.adam(0.05)],
  ['rmsprop', () => tf.train.rmsprop(0.02, 0.9, 0.5), () => rl.train.rmsprop(0.02, 0.9, 0.5)],
] as const;
for (const [label, optimizer, ours] of pairs) {
  describe(`tfjs ${label} state saved with includeOptimizer`, () => {
    it('is restored: the next step matches tfjs, and a fresh optimizer would not', async () => {
      tf.setBackend('cpu');
      // Dense layers: Adam's first steps divide by sqrt(v), which turns float noise in tiny LSTM gradients into visible
      // differences between any two implementations; the state itself is compared exactly below.
      const tm = tf.sequential({ layers: [tf.layers.dense({ units: 4, activation: 'tanh', inputShape: [3] }), tf.layers.dense({ units: 1 })] });
      tm.compile({ optimizer: optimizer(), loss: 'meanSquaredError' });
      const tx = tf.tensor2d(xs, [n, 3]), ty = tf.tensor2d(ys, [n, 1]);
      await tm.fit(tx, ty, { epochs: 3, batchSize: n, shuffle: false, verbose: 0 });
      const dir = join(root, label);
      await saveTf(tm, dir);
      const m = await rl.loadModel(`file://${dir}`);
      expect(m.optimizer!.iterations).toBe(3);
      const ourState = await m.optimizer!.getWeights(), theirState = await tm.optimizer.getWeights();
      expect(ourState.map((w) => w.name)).toEqual(theirState.map((w) => w.name));
      theirState.forEach((w, i) => expect(maxAbsDiff(ourState[i].tensor.dataSync(), w.tensor.dataSync())).toBe(0));
      const fresh = await rl.loadModel(`file://${dir}`, { compile: false });
      fresh.compile({ optimizer: ours(), loss: 'meanSquaredError' });
      await tm.fit(tx, ty, { epochs: 1, batchSize: n, shuffle: false, verbose: 0 });
      const rx = rl.tensor(xs, [n, 3]), ry = rl.tensor(ys, [n, 1]);
      await m.fit(rx, ry, { epochs: 1, batchSize: n, shuffle: false, verbose: 0 });
      await fresh.fit(rx, ry, { epochs: 1, batchSize: n, shuffle: false, verbose: 0 });
      expect(maxAbsDiff(flat(m.getWeights()), flat(tm.getWeights()))).toBeLessThan(5e-5);
      expect(maxAbsDiff(flat(fresh.getWeights()), flat(tm.getWeights()))).toBeGreaterThan(1e-3);
    });
  });
}

describe('optimizer weights that do not fit', () => {
  async function artifacts(): Promise<tf.io.ModelArtifacts> {
    const tm = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    tm.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    await tm.fit(tf.ones([2, 3]), tf.ones([2, 2]), { epochs: 1, verbose: 0 });
    let a: tf.io.ModelArtifacts | undefined;
    await tm.save(tf.io.withSaveHandler(async (z) => { a = z; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }), { includeOptimizer: true });
    return a!;
  }

  it('from an IO handler too; {compile: false} skips them', async () => {
    const a = await artifacts();
    const m = await rl.loadLayersModel(rl.io.fromMemory(a as never));
    expect(m.optimizer!.iterations).toBe(1);
    const bare = await rl.loadLayersModel(rl.io.fromMemory(a as never), { compile: false });
    expect(bare.optimizer ?? null).toBeNull();
  });

  it('the synchronous loaders refuse them rather than drop them; {compile: false} loads the model alone', async () => {
    const a = await artifacts();
    const full = await rl.loadLayersModel(rl.io.fromMemory(a as never));
    for (const [fn, load] of [['modelFromArtifacts', rl.modelFromArtifacts], ['layersModelFromArtifacts', rl.layersModelFromArtifacts]] as const) {
      expect(() => load(a as never)).toThrow(new RegExp(`${fn}: the artifacts hold optimizer state .*rl\\.loadLayersModel\\(rl\\.io\\.fromMemory\\(artifacts\\)\\).*\\{compile: false\\}`));
      const bare = load(a as never, { compile: false });
      expect(bare.optimizer ?? null).toBeNull();
      expect(maxAbsDiff(flat(bare.getWeights()), flat(full.getWeights()))).toBe(0);
    }
  });

  it('slots of another optimizer class, or of a weight the model lacks, are errors naming them', async () => {
    const a = await artifacts();
    const asAdagrad = { ...a, trainingConfig: { ...a.trainingConfig!, optimizer_config: { class_name: 'Adagrad', config: { learning_rate: 0.1 } } } };
    await expect(rl.loadLayersModel(rl.io.fromMemory(asAdagrad as never))).rejects.toThrow(/artifacts: the optimizer weights \(weightsManifest group 'optimizer'\) do not fit the Adagrad optimizer of trainingConfig: .*'dense_Dense\d+\/kernel\/m' is not a weight of this optimizer/);
    const renamed = { ...a, weightSpecs: a.weightSpecs!.map((s) => (s.name.endsWith('/bias/v') ? { ...s, name: 'ghost/bias/v' } : s)) };
    await expect(rl.loadLayersModel(rl.io.fromMemory(renamed as never))).rejects.toThrow(/artifacts: optimizer weight 'ghost\/bias\/v' belongs to no weight of the model/);
  });
});

describe("tfjs's '_<n>' variable suffix in optimizer weight names", () => {
  // A program that built a model with the same layer names before saves this one's slots as 'd/kernel_1/m'; tfjs
  // pairs slots by position and loads the file, so rnnlab must too.
  async function suffixed(): Promise<{ tm: tf.LayersModel; a: tf.io.ModelArtifacts }> {
    const make = () => tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], name: 'd' })] });
    make();
    const tm = make();
    tm.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    await tm.fit(tf.ones([4, 3]), tf.zeros([4, 2]), { epochs: 2, verbose: 0 });
    let a: tf.io.ModelArtifacts | undefined;
    await tm.save(tf.io.withSaveHandler(async (z) => { a = z; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }), { includeOptimizer: true });
    return { tm, a: a! };
  }

  it('loads and restores the state tfjs saved', async () => {
    const { tm, a } = await suffixed();
    const names = a.weightSpecs!.map((s) => s.name);
    expect(names).toContain('d/kernel');
    expect(names.filter((n) => /^d\/(kernel|bias)_\d+\/[mv]$/.test(n))).toHaveLength(4);
    const m = await rl.loadLayersModel(rl.io.fromMemory(a as never));
    expect(m.optimizer!.iterations).toBe(2);
    const ours = await m.optimizer!.getWeights(), theirs = await tm.optimizer.getWeights();
    expect(ours.length).toBe(theirs.length);
    theirs.forEach((w, i) => expect(maxAbsDiff(ours[i].tensor.dataSync(), w.tensor.dataSync())).toBe(0));
  });

  it('a suffixed slot whose weight the model lacks, or a slot given twice, is still refused', async () => {
    const { a } = await suffixed();
    const biasV = (s: { name: string }) => /^d\/bias_\d+\/v$/.test(s.name);
    expect(a.weightSpecs!.filter(biasV)).toHaveLength(1);
    const ghost = { ...a, weightSpecs: a.weightSpecs!.map((s) => (biasV(s) ? { ...s, name: 'ghost/bias_1/v' } : s)) };
    await expect(rl.loadLayersModel(rl.io.fromMemory(ghost as never))).rejects.toThrow(/optimizer weight 'ghost\/bias_1\/v' belongs to no weight of the model .*\{compile: false\}/);
    const twice = { ...a, weightSpecs: a.weightSpecs!.map((s) => (biasV(s) ? { ...s, name: 'd/kernel/v' } : s)) };
    await expect(rl.loadLayersModel(rl.io.fromMemory(twice as never))).rejects.toThrow(/do not fit the Adam optimizer/);
  });
});
