/**
 * A Functional model may list an input no output reads, as tfjs and Keras allow (Keras: a loss or metric may read
 * it). It is fed and checked like any input and its values are ignored; model.layers leaves it out as tfjs does, the
 * saved config keeps it (Keras's map_graph lists it), so an rnnlab file reloads with every input, in rnnlab and tfjs.
 */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import { folderArtifacts, folderSaveHandler, maxDiff, removeDir, tempDir } from '../compat/functional_helpers.js';
import { randomF32, tfjsReady, toTf } from '../layers/tfjs_twin.js';
import { ortSession } from '../onnx/helpers.js';

beforeAll(() => tfjsReady());
const root = tempDir('rnnlab-unused-input-');
afterAll(() => removeDir(root));

type Lib = typeof rl | typeof tf;

/** Inputs a [2] and b [3]; only a reaches the output. */
function unusedB(lib: Lib) {
  const l = lib as any;
  const a = l.input({ shape: [2], name: 'a' }), b = l.input({ shape: [3], name: 'b' });
  return l.model({ inputs: [a, b], outputs: l.layers.dense({ units: 2, name: 'd' }).apply(a), name: 'unused_b' });
}

const values = (t: rl.Tensor | tf.Tensor) => Array.from(t.dataSync());

describe('a Functional model with an input no output uses', () => {
  it('builds, predicts as tfjs whatever b holds, and checks b like any input', () => {
    const m = unusedB(rl) as rl.Functional;
    const t = unusedB(tf) as tf.LayersModel;
    t.setWeights(m.getWeights().map(toTf));
    expect(m.inputNames).toEqual(['a', 'b']);
    expect(m.layers.map((l) => l.name)).toEqual(t.layers.map((l) => l.name));
    expect(m.layers.map((l) => l.name)).toEqual(['a', 'd']);
    const x = randomF32([4, 2], 1);
    const y = m.predict([x, randomF32([4, 3], 2)]) as rl.Tensor;
    expect(values(m.predict([x, randomF32([4, 3], 3)]) as rl.Tensor)).toEqual(values(y));
    expect(maxDiff(y.dataSync(), (t.predict([toTf(x), tf.zeros([4, 3])]) as tf.Tensor).dataSync())).toBeLessThan(1e-6);
    expect(values(m.predict({ a: x, b: randomF32([4, 3], 4) }) as rl.Tensor)).toEqual(values(y));
    expect(() => m.predict([x, randomF32([4, 4], 2)])).toThrow(/input 'b' expects shape \(None, 3\), got \[4, 4\]/);
    expect(() => m.predict([x])).toThrow(/the model has 2 inputs \(a, b\) but 1 were given/);
  });

  it('fit and evaluate take b, check it, and train as tfjs', async () => {
    const m = unusedB(rl) as rl.Functional;
    const t = unusedB(tf) as tf.LayersModel;
    t.setWeights(m.getWeights().map(toTf));
    m.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
    t.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const x = randomF32([8, 2], 5), b = randomF32([8, 3], 6), y = randomF32([8, 2], 7);
    const opts = { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 as const };
    const ours = await m.fit([x, b], y, opts);
    const theirs = await t.fit([toTf(x), toTf(b)], toTf(y), opts);
    expect(maxDiff(ours.history.loss as number[], theirs.history.loss as number[])).toBeLessThan(1e-5);
    expect(maxDiff(values(m.getWeights()[0]), values(t.getWeights()[0]))).toBeLessThan(1e-5);
    const ev = m.evaluate([x, b], y) as rl.Tensor;
    expect(ev.dataSync()[0]).toBeCloseTo((t.evaluate([toTf(x), toTf(b)], toTf(y)) as tf.Tensor).dataSync()[0], 5);
    await expect(m.fit([x, randomF32([8, 5], 1)], y, opts)).rejects.toThrow(/'b'.*\(None, 3\)/);
    expect(() => m.evaluate([x, randomF32([8, 5], 1)], y)).toThrow(/'b'.*\(None, 3\)/);
  });

  it('summary lists the layers tfjs lists (b left out)', () => {
    const lines: string[] = [];
    (unusedB(rl) as rl.Functional).summary(undefined, undefined, (s: string) => lines.push(s));
    const text = lines.join('\n');
    expect(text).toMatch(/^a \(InputLayer\)/m);
    expect(text).toMatch(/^d \(Dense\)/m);
    expect(text).not.toMatch(/^b \(InputLayer\)/m);
    expect(text).toMatch(/Total params: 6/);
  });

  it('an rnnlab file keeps b: it reloads with both inputs in rnnlab and in tfjs', async () => {
    const m = unusedB(rl) as rl.Functional;
    const dir = join(root, 'ours');
    await m.save(`file://${dir}`);
    const back = await rl.loadLayersModel(`file://${dir}`) as rl.Functional;
    expect(back.inputNames).toEqual(['a', 'b']);
    expect(back.inputs[1].shape).toEqual([null, 3]);
    expect(back.layers.map((l) => l.name)).toEqual(['a', 'd']);
    const x = randomF32([3, 2], 8), b = randomF32([3, 3], 9);
    const want = values(m.predict([x, b]) as rl.Tensor);
    expect(values(back.predict([x, b]) as rl.Tensor)).toEqual(want);
    const t = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(dir) as never));
    expect(t.inputNames).toEqual(['a', 'b']);
    expect(maxDiff(want, (t.predict([toTf(x), toTf(b)]) as tf.Tensor).dataSync())).toBeLessThan(1e-6);
  });

  it('a tfjs file of such a model (tfjs writes only a) loads as tfjs reloads it: one input', async () => {
    const t = unusedB(tf) as tf.LayersModel;
    const dir = join(root, 'theirs');
    await t.save(folderSaveHandler(tf.io as never, dir) as tf.io.IOHandler);
    const tBack = await tf.loadLayersModel(tf.io.fromMemory(folderArtifacts(dir) as never));
    const back = await rl.loadLayersModel(`file://${dir}`) as rl.Functional;
    expect(back.inputNames).toEqual(tBack.inputNames);
    const x = randomF32([3, 2], 10);
    expect(maxDiff(values(back.predict(x) as rl.Tensor), (tBack.predict(toTf(x)) as tf.Tensor).dataSync())).toBeLessThan(1e-6);
  });

  it('exports to ONNX with b an unused graph input; ONNX Runtime equals predict', async () => {
    const m = unusedB(rl) as rl.Functional;
    const session = await ortSession(toOnnx(m));
    expect(session.inputNames).toEqual(['a', 'b']);
    const x = randomF32([2, 2], 11), b = randomF32([2, 3], 12);
    const out = await session.run({ a: new ort.Tensor('float32', Float32Array.from(x.dataSync()), [2, 2]), b: new ort.Tensor('float32', Float32Array.from(b.dataSync()), [2, 3]) });
    expect(maxDiff(out[session.outputNames[0]].data as Float32Array, (m.predict([x, b]) as rl.Tensor).dataSync())).toBeLessThan(1e-6);
  });

  it('an unused input named as another layer is refused: layer names stay unique', () => {
    const a = rl.input({ shape: [2], name: 'a' }), b = rl.input({ shape: [3], name: 'd' });
    expect(() => rl.model({ inputs: [a, b], outputs: rl.layers.dense({ units: 2, name: 'd' }).apply(a) as rl.SymbolicTensor }))
      .toThrow(/two layers are named 'd'/);
  });
});
