/**
 * Interoperability with TensorFlow.js (@tensorflow/tfjs on its cpu backend): a model trained in rnnlab loads
 * with tf.loadLayersModel and predicts the same within 1e-5; a tfjs-saved model loads in rnnlab.
 * tfjs's file:// handler lives in tfjs-node, so the tests move artifacts with tf.io.fromMemory and
 * tf.io.withSaveHandler, reading and writing model.json and weights.bin exactly as tfjs-node lays them out.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { evaluated, idData, maxAbsDiff, oneHot, removeDir, silent, tempDir } from './helpers.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

const root = tempDir('rnnlab-tfjs-');
afterAll(() => removeDir(root));
beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** tfjs artifacts from a folder written by model.save('file://DIR'). */
function readArtifacts(dir: string): tf.io.ModelArtifacts {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const specs = json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights);
  const bytes = Buffer.concat(json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => readFileSync(join(dir, p)))));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return { modelTopology: json.modelTopology, weightSpecs: specs, weightData, trainingConfig: json.trainingConfig, format: json.format };
}

async function tfLoad(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(readArtifacts(dir)));
}

/** Saves a tfjs model the way tfjs-node's file:// handler does: model.json + weights.bin. */
async function tfSave(model: tf.LayersModel, dir: string, includeOptimizer = false): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (a) => {
    const json = { modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy,
      ...(a.trainingConfig ? { trainingConfig: a.trainingConfig } : {}), weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] };
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(a.weightData as ArrayBuffer));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), { includeOptimizer });
}

function rnnlabModel(): rl.Sequential {
  rl.setSeed(7);
  const m = rl.sequential({ layers: [
    rl.layers.embedding({ inputDim: 30, outputDim: 6, inputLength: 12 }),
    rl.layers.conv1d({ filters: 5, kernelSize: 3, padding: 'same', activation: 'relu' }),
    rl.layers.maxPooling1d({ poolSize: 2 }),
    rl.layers.lstm({ units: 7, returnSequences: true }),
    rl.layers.gru({ units: 6, returnSequences: true, resetAfter: false }),
    rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 4, returnSequences: true }) }),
    rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 3, activation: 'softmax' }) }),
  ] });
  m.compile({ optimizer: rl.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('rnnlab -> TensorFlow.js', () => {
  it('a trained model with embedding, conv1d, lstm, gru, bidirectional and timeDistributed(dense) predicts the same in tfjs', async () => {
    const m = rnnlabModel();
    const x = idData(64, 12, 30, 1);
    await m.fit(x, oneHot(64, 6, 3, 2), { epochs: 2, batchSize: 16, verbose: 0 });
    const dir = join(root, 'trained');
    await m.save(`file://${dir}`);
    const tm = await tfLoad(dir);
    expect(tm.layers.map((l) => l.getClassName())).toEqual(['Embedding', 'Conv1D', 'MaxPooling1D', 'LSTM', 'GRU', 'Bidirectional', 'TimeDistributed']);
    const ours = m.predict(x);
    const xt = tf.tensor2d(Array.from(x.values), [64, 12]);
    const theirs = tm.predict(xt) as tf.Tensor;
    expect(theirs.shape).toEqual(ours.shape);
    expect(maxAbsDiff(ours.values, theirs.dataSync())).toBeLessThan(1e-5);
    // The weights tfjs holds are rnnlab's, name for name.
    const bi = m.layers[5] as rl.layerClasses.Bidirectional;
    const inner = bi.forwardLayer.name.replace(/^forward_/, '');
    const names = tm.weights.map((w) => w.originalName);
    expect(names).toContain(`${bi.name}/forward_${inner}/kernel`);
    expect(names).toContain(`${bi.name}/backward_${inner}/recurrent_kernel`);
    // The training config compiles the tfjs model too.
    const tc = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).trainingConfig;
    expect(tc).toMatchObject({ loss: 'categorical_crossentropy', metrics: ['accuracy'], optimizer_config: { class_name: 'Adam' } });
    expect(tm.optimizer?.getClassName()).toBe('Adam');
    xt.dispose(); theirs.dispose();
  });

  it('simpleRNN, repeatVector, flatten, dropout, activation, dense and RMSprop/SGD configs load in tfjs', async () => {
    rl.setSeed(3);
    const m = rl.sequential({ layers: [
      rl.layers.simpleRNN({ units: 5, inputShape: [6, 4], returnSequences: true, goBackwards: true }),
      rl.layers.lstm({ units: 4, recurrentActivation: 'hard_sigmoid' }),
      rl.layers.repeatVector({ n: 3 }),
      rl.layers.flatten(),
      rl.layers.dropout({ rate: 0.3 }),
      rl.layers.dense({ units: 4, activation: 'tanh' }),
      rl.layers.activation({ activation: 'relu' }),
      rl.layers.dense({ units: 2, activation: 'sigmoid', useBias: false }),
    ] });
    const r = new rl.Random(5);
    const x = rl.tensor(Float32Array.from({ length: 10 * 6 * 4 }, () => r.uniform(-1, 1)), [10, 6, 4]);
    for (const opt of [rl.optimizers.rmsprop({ learningRate: 0.002 }), rl.optimizers.sgd({ learningRate: 0.05 })]) {
      m.compile({ optimizer: opt, loss: 'binaryCrossentropy' });
      const dir = join(root, `misc-${opt.className}`);
      await m.save(dir);
      const tm = await tfLoad(dir);
      const theirs = tm.predict(tf.tensor3d(Array.from(x.values), [10, 6, 4])) as tf.Tensor;
      expect(maxAbsDiff(m.predict(x).values, theirs.dataSync())).toBeLessThan(1e-5);
      expect(tm.optimizer?.getClassName()).toBe(opt.className === 'RMSprop' ? 'RMSProp' : 'SGD');
    }
  });

  it('a resetAfter: true GRU saves and reloads in rnnlab, but tfjs refuses it (tfjs supports only reset_after false)', async () => {
    rl.setSeed(4);
    const m = rl.sequential({ layers: [rl.layers.gru({ units: 3, inputShape: [5, 2] }), rl.layers.dense({ units: 1 })] });
    const dir = join(root, 'reset-after');
    await m.save(`file://${dir}`);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.modelTopology.config.layers[0].config.reset_after).toBe(true);
    expect(json.weightsManifest[0].weights[2]).toEqual({ name: `${m.layers[0].name}/bias`, shape: [2, 9], dtype: 'float32' });
    const back = await rl.loadModel(`file://${dir}`);
    const x = rl.tensor(Float32Array.from({ length: 20 }, (_, i) => Math.sin(i)), [2, 5, 2]);
    expect(Array.from(back.predict(x).values)).toEqual(Array.from(m.predict(x).values));
    await expect(tfLoad(dir)).rejects.toThrow(/reset_after/i);
  });
});

describe('TensorFlow.js -> rnnlab', () => {
  it('a tfjs model of every supported layer kind loads in rnnlab and predicts the same', async () => {
    const tm = tf.sequential();
    tm.add(tf.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 8 }));
    tm.add(tf.layers.conv1d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }));
    tm.add(tf.layers.maxPooling1d({ poolSize: 2 }));
    tm.add(tf.layers.lstm({ units: 5, returnSequences: true }));
    tm.add(tf.layers.gru({ units: 4, returnSequences: true, resetAfter: false } as never));
    tm.add(tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true }) as never, mergeMode: 'ave' }));
    tm.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, activation: 'softmax' }) }));
    tm.add(tf.layers.simpleRNN({ units: 2 }));
    tm.add(tf.layers.repeatVector({ n: 2 }));
    tm.add(tf.layers.flatten());
    tm.add(tf.layers.dropout({ rate: 0.2 }));
    tm.add(tf.layers.activation({ activation: 'sigmoid' }));
    tm.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
    tm.compile({ optimizer: tf.train.adam(0.02), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    // Non-trivial weights: a couple of tfjs training steps.
    const ids = idData(16, 8, 20, 9);
    const xt = tf.tensor2d(Array.from(ids.values), [16, 8]);
    await tm.fit(xt, tf.tensor2d(Array.from({ length: 16 }, (_, i) => i % 2), [16, 1]), { epochs: 2, verbose: 0 });
    const dir = join(root, 'from-tfjs');
    await tfSave(tm, dir, true);
    const m = await rl.loadModel(`file://${dir}`);
    expect(m.layers.map((l) => l.className)).toEqual(['Embedding', 'Conv1D', 'MaxPooling1D', 'LSTM', 'GRU', 'Bidirectional', 'TimeDistributed',
      'SimpleRNN', 'RepeatVector', 'Flatten', 'Dropout', 'Activation', 'Dense']);
    const theirs = (tm.predict(xt) as tf.Tensor).dataSync();
    expect(maxAbsDiff(m.predict(ids).values, theirs)).toBeLessThan(1e-5);
    // The training config came along: tfjs wrote it with includeOptimizer (its optimizer weights are skipped).
    expect(m.loss).toBe('binaryCrossentropy');
    expect(m.metrics).toEqual(['accuracy']);
    expect(m.optimizer?.className).toBe('Adam');
    expect(m.optimizer?.learningRate).toBeCloseTo(0.02, 7);
    // And the loaded model trains on in rnnlab.
    const h = await m.fit(ids, rl.tensor(Float32Array.from({ length: 16 }, (_, i) => i % 2), [16, 1]), { epochs: 1, batchSize: 8, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
  });

  it('globalMaxPooling1d and globalAveragePooling1d models cross both ways (tfjs-examples sentiment cnn shape)', async () => {
    const tm = tf.sequential();
    tm.add(tf.layers.embedding({ inputDim: 25, outputDim: 5, inputLength: 9 }));
    tm.add(tf.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu' }));
    tm.add(tf.layers.globalMaxPool1d({}));
    tm.add(tf.layers.repeatVector({ n: 3 }));
    tm.add(tf.layers.globalAveragePooling1d({}));
    tm.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
    const dir = join(root, 'pooling-from-tfjs');
    await tfSave(tm, dir);
    const m = await rl.loadModel(dir);
    expect(m.layers.map((l) => l.className).slice(2, 5)).toEqual(['GlobalMaxPooling1D', 'RepeatVector', 'GlobalAveragePooling1D']);
    const ids = idData(6, 9, 25, 4);
    const xt = tf.tensor2d(Array.from(ids.values), [6, 9]);
    expect(maxAbsDiff(m.predict(ids).values, (tm.predict(xt) as tf.Tensor).dataSync())).toBeLessThan(1e-6);
    const back = join(root, 'pooling-to-tfjs');
    await m.save(back);
    const tm2 = await tfLoad(back);
    expect(maxAbsDiff(m.predict(ids).values, (tm2.predict(xt) as tf.Tensor).dataSync())).toBeLessThan(1e-6);
  });

  it('weight regularizers cross both ways; the penalty is the one tfjs trains with', async () => {
    const tm = tf.sequential();
    tm.add(tf.layers.dense({ units: 4, inputShape: [3], activation: 'tanh', kernelRegularizer: tf.regularizers.l2({ l2: 0.2 }), biasInitializer: 'ones',
      biasRegularizer: tf.regularizers.l1l2({ l1: 0.03, l2: 0.04 }) }));
    tm.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
    tm.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const dir = join(root, 'regularized-from-tfjs');
    await tfSave(tm, dir, true);
    const m = await rl.loadModel(dir);
    const xs = [[0.5, -1, 2], [1, 0.25, -0.5], [-1, 1, 0]], ys = [[1], [0], [1]];
    // tfjs's evaluate leaves the penalty out; rnnlab's includes it, as Keras's does.
    const theirs = (tm.evaluate(tf.tensor2d(xs), tf.tensor2d(ys)) as tf.Scalar).dataSync()[0];
    const [k, b] = m.layers[0].getWeightValues();
    const penalty = 0.2 * k.reduce((s, w) => s + w * w, 0) + b.reduce((s, w) => s + 0.03 * Math.abs(w) + 0.04 * w * w, 0);
    const [ours] = evaluated(m.evaluate(rl.tensor(xs), rl.tensor(ys)));
    expect(ours).toBeCloseTo(theirs + penalty, 5);
    const back = join(root, 'regularized-to-tfjs');
    await m.save(back);
    const tm2 = await tfLoad(back);
    tm2.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    expect((tm2.evaluate(tf.tensor2d(xs), tf.tensor2d(ys)) as tf.Scalar).dataSync()[0]).toBeCloseTo(theirs, 5);
  });

  it('weight constraints cross both ways', async () => {
    const tm = tf.sequential();
    tm.add(tf.layers.dense({ units: 3, inputShape: [2], kernelConstraint: tf.constraints.maxNorm({ maxValue: 1.5, axis: 0 }), biasConstraint: tf.constraints.nonNeg() }));
    const dir = join(root, 'constrained-from-tfjs');
    await tfSave(tm, dir);
    const m = await rl.loadModel(dir);
    const d = m.layers[0] as rl.layerClasses.Dense;
    expect([d.kernelConstraint?.className, d.kernelConstraint?.maxValue, d.biasConstraint?.className]).toEqual(['MaxNorm', 1.5, 'NonNeg']);
    const back = join(root, 'constrained-to-tfjs');
    await m.save(back);
    const tm2 = await tfLoad(back);
    const cfg = tm2.layers[0].getConfig() as { kernelConstraint: { className: string; config: { maxValue: number } } };
    expect(cfg.kernelConstraint).toMatchObject({ className: 'MaxNorm', config: { maxValue: 1.5 } });
  });

  it('reads tfjs models from memory too (modelFromArtifacts)', async () => {
    const tm = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], activation: 'relu' }), tf.layers.dense({ units: 1 })] });
    let artifacts: tf.io.ModelArtifacts | null = null;
    await tm.save(tf.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const m = rl.modelFromArtifacts(artifacts! as never);
    const x = [[1, 2, 3, 4], [-1, 0.5, 0, 2]];
    const theirs = (tm.predict(tf.tensor2d(x)) as tf.Tensor).dataSync();
    expect(maxAbsDiff(m.predict(x).values, theirs)).toBeLessThan(1e-6);
  });
});
