// recurrentDropout on SimpleRNN, LSTM and GRU as a user meets it: fit changes with it (reproducibly per seed),
// predict and evaluate do not; it works inside Bidirectional (a mask per direction), with masking, returnState and
// stateful layers; it is saved, loaded (by rnnlab and by tfjs) and trained through rnnlab train.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { engineApply } from '../../src/layers/layer.js';
import type { RNN } from '../../src/layers/recurrent.js';
import { Tensor } from '../../src/tensor.js';
import { folderArtifacts, maxDiff, removeDir, tempDir } from './functional_helpers.js';
import { topicTexts, writeCsv } from '../tasks/helpers.js';
import { run } from '../cli/helpers.js';

const root = tempDir('rnnlab-rdrop-');
afterAll(() => removeDir(root));
beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const B = 8, T = 6, D = 3, U = 5;
type Kind = 'simpleRNN' | 'lstm' | 'gru';
const KINDS: [string, Kind, Record<string, unknown>][] = [
  ['SimpleRNN', 'simpleRNN', {}], ['LSTM', 'lstm', {}], ['GRU', 'gru', {}], ['GRU reset before', 'gru', { resetAfter: false }],
];

function floats(shape: number[], seed: number): Tensor {
  const r = new rl.Random(seed);
  return new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.uniform(-1, 1)), shape, 'float32');
}
const x = floats([B, T, D], 1);
const y = floats([B, 1], 2);

function model(kind: Kind, extra: Record<string, unknown>, rate: number, seed = 4): rl.Sequential {
  rl.setSeed(seed);
  const m = rl.sequential({ layers: [
    rl.layers[kind]({ units: U, inputShape: [T, D], recurrentDropout: rate, ...extra } as never),
    rl.layers.dense({ units: 1 }),
  ] });
  m.compile({ optimizer: rl.train.adam(0.05), loss: 'meanSquaredError' });
  return m;
}

async function trained(m: rl.Sequential, seed: number): Promise<Float32Array[]> {
  rl.setSeed(seed);
  await m.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
  return m.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

describe('training with recurrentDropout', () => {
  for (const [name, kind, extra] of KINDS) {
    it(`${name}: changes the trained weights vs rate 0, reproducibly per seed; predict and evaluate ignore it`, async () => {
      const plain = model(kind, extra, 0);
      const dropped = model(kind, extra, 0.5);
      // Same initial weights: the rate is not part of the initialization.
      expect(maxDiff(dropped.getWeights()[1].dataSync(), plain.getWeights()[1].dataSync())).toBe(0);
      expect([...dropped.predict(x).dataSync()]).toEqual([...plain.predict(x).dataSync()]);
      expect(dropped.evaluate(x, y)).toEqual(plain.evaluate(x, y));
      const a = await trained(plain, 9), b = await trained(dropped, 9);
      expect(maxDiff(b[1], a[1])).toBeGreaterThan(1e-4);
      expect(await trained(model(kind, extra, 0.5), 9)).toEqual(b);
      const other = await trained(model(kind, extra, 0.5), 10);
      expect(maxDiff(other[1], b[1])).toBeGreaterThan(1e-6);
    });
  }

  it('works with input dropout, goBackwards, returnSequences and a masking embedding', async () => {
    rl.setSeed(3);
    const m = rl.sequential({ layers: [
      rl.layers.embedding({ inputDim: 12, outputDim: 4, inputLength: T, maskZero: true }),
      rl.layers.gru({ units: U, returnSequences: true, dropout: 0.2, recurrentDropout: 0.3, goBackwards: true }),
      rl.layers.lstm({ units: U, recurrentDropout: 0.3 }),
      rl.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] });
    m.compile({ optimizer: rl.train.adam(0.05), loss: 'binaryCrossentropy' });
    const ids = new Tensor(Int32Array.from({ length: B * T }, (_, i) => (i % T < (i / T | 0) % 3 ? 0 : 1 + (i * 7) % 11)), [B, T], 'int32');
    const labels = new Tensor(Float32Array.from({ length: B }, (_, i) => i % 2), [B, 1], 'float32');
    const h = await m.fit(ids, labels, { epochs: 8, batchSize: 4, verbose: 0 });
    expect(h.history.loss.every(Number.isFinite)).toBe(true);
    expect(h.history.loss[7]).toBeLessThan(h.history.loss[0]);
  });
});

describe('recurrentDropout in wrappers and with states', () => {
  it('Bidirectional: each direction draws its own mask', () => {
    rl.setSeed(5);
    const bi = rl.layers.bidirectional({ layer: rl.layers.simpleRNN({ units: U, returnSequences: true, recurrentDropout: 0.5 }) as never });
    bi.build([null, T, D]);
    expect((bi.backwardLayer as RNN).recurrentDropout).toBe(0.5);
    // Mirror weights and a palindromic input: without dropout the two directions give mirrored sequences.
    const fw = bi.forwardLayer.weights, bw = bi.backwardLayer.weights;
    bw.forEach((w, i) => w.values.set(fw[i].values));
    const xd = new Float32Array(B * T * D);
    const src = x.dataSync();
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) {
      xd[(b * T + t) * D + d] = src[(b * T + Math.min(t, T - 1 - t)) * D + d];
    }
    const pal = new Tensor(xd, [B, T, D], 'float32');
    const halves = (out: rl.Tensor) => {
      const o = out.dataSync(), f = new Float32Array(B * T * U), r = new Float32Array(B * T * U);
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let u = 0; u < U; u++) {
        f[(b * T + t) * U + u] = o[(b * T + t) * 2 * U + u];
        r[(b * T + (T - 1 - t)) * U + u] = o[(b * T + t) * 2 * U + U + u];
      }
      return maxDiff(f, r);
    };
    expect(halves(engineApply(bi, pal, { training: false, mask: null }))).toBeLessThan(1e-6);
    expect(halves(engineApply(bi, pal, { training: true, mask: null }))).toBeGreaterThan(1e-3);
  });

  it('returnState in training: the states are the last step of the composed recurrence', () => {
    rl.setSeed(6);
    const enc = rl.layers.lstm({ units: U, returnState: true, recurrentDropout: 0.4 });
    const [out, h, c] = enc.apply(x, { training: true }) as rl.Tensor[];
    expect(out.shape).toEqual([B, U]);
    expect([...h.dataSync()]).toEqual([...out.dataSync()]);
    expect(c.shape).toEqual([B, U]);
    expect(maxDiff(c.dataSync(), h.dataSync())).toBeGreaterThan(1e-3);
  });

  it('stateful: training carries the states of the composed path to the next batch', async () => {
    rl.setSeed(7);
    const m = rl.sequential({ layers: [
      rl.layers.gru({ units: U, stateful: true, batchInputShape: [4, T, D], recurrentDropout: 0.3 }),
      rl.layers.dense({ units: 1 }),
    ] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const layer = m.layers[0] as RNN;
    expect(layer.getStates()[0].dataSync().every((v) => v === 0)).toBe(true);
    await m.trainOnBatch(rl.slice(x, [0, 0, 0], [4, T, D]), rl.slice(y, [0, 0], [4, 1]));
    expect(layer.getStates()[0].dataSync().some((v) => Math.abs(v) > 1e-3)).toBe(true);
    m.resetStates();
    expect(layer.getStates()[0].dataSync().every((v) => v === 0)).toBe(true);
  });
});

describe('recurrentDropout in files, configs and the CLI task', () => {
  it('a saved model keeps recurrent_dropout; rnnlab and tfjs load it and predict the same', async () => {
    rl.setSeed(8);
    const m = rl.sequential({ layers: [
      rl.layers.lstm({ units: U, inputShape: [T, D], returnSequences: true, recurrentDropout: 0.25 }),
      rl.layers.gru({ units: U, returnSequences: true, resetAfter: false, recurrentDropout: 0.1 }),
      rl.layers.simpleRNN({ units: U, recurrentDropout: 0.4 }),
      rl.layers.dense({ units: 1 }),
    ] });
    const dir = join(root, 'saved');
    await m.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.modelTopology.config.layers.slice(0, 3).map((l: { config: { recurrent_dropout: number } }) => l.config.recurrent_dropout)).toEqual([0.25, 0.1, 0.4]);
    const back = await rl.loadModel(dir);
    expect(back.layers.slice(0, 3).map((l) => (l as RNN).recurrentDropout)).toEqual([0.25, 0.1, 0.4]);
    expect([...back.predict(x).dataSync()]).toEqual([...m.predict(x).dataSync()]);
    const tfModel = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(dir) as never));
    expect(tfModel.layers.slice(0, 3).map((l) => l.getConfig().recurrentDropout)).toEqual([0.25, 0.1, 0.4]);
    const tfOut = tfModel.predict(tf.tensor(x.dataSync(), x.shape)) as tf.Tensor;
    expect(maxDiff(tfOut.dataSync(), m.predict(x).dataSync())).toBeLessThan(1e-5);
  });

  it.each([[-0.1], [1], [1.5], [Number.NaN], ['0.2']])('rate %s is refused, naming recurrentDropout', (rate) => {
    for (const kind of ['simpleRNN', 'lstm', 'gru'] as const) {
      expect(() => rl.layers[kind]({ units: 2, recurrentDropout: rate as number })).toThrow(/recurrentDropout must be a number in \[0, 1\)/);
    }
  });

  it('rnnlab train --recurrent-dropout trains with it, records it and saves it in the model', async () => {
    const data = writeCsv(root, 'topics.csv', topicTexts(20, 2, ['arts', 'sports']));
    const out = join(root, 'run');
    const r = await run(['train', '--data', data, '--model', 'bilstm', '--recurrent-dropout', '0.2', '--epochs', '2', '--units', '8', '--embedding-dim', '8',
      '--maxlen', '10', '--batch-size', '16', '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ status: 'completed', config: { model: 'bilstm', recurrentDropout: 0.2 } });
    const json = JSON.parse(readFileSync(join(out, 'model', 'model.json'), 'utf8'));
    const bi = json.modelTopology.config.layers.find((l: { class_name: string }) => l.class_name === 'Bidirectional');
    expect(bi.config.layer.config.recurrent_dropout).toBe(0.2);
  });
});
