/**
 * An Embedding without inputLength takes any number of steps, but the shape a model is built for (model.build(shape),
 * or the first batch) still flows through it to the layers after it, as in Keras 3: a Flatten after it sees
 * (None, 9, 4) for a build shape (None, 9). tfjs 4.22's Sequential refuses this (it needs the first layer's
 * inputShape), so its functional model of the same layers is the oracle for shapes and parameter counts.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const L = rl.layers;

/** Output shapes and parameter count of tfjs's functional model of `make` on an input of `shape` (no batch axis). */
function tfjsOracle(shape: number[], make: () => tf.layers.Layer[]): { shapes: (number | null)[][]; params: number } {
  const input = tf.input({ shape });
  const shapes: (number | null)[][] = [];
  let x = input as tf.SymbolicTensor;
  for (const layer of make()) {
    x = layer.apply(x) as tf.SymbolicTensor;
    shapes.push(x.shape);
  }
  return { shapes, params: tf.model({ inputs: input, outputs: x }).countParams() };
}

const made: string[] = [];
const tempDir = () => { const d = mkdtempSync(path.join(tmpdir(), 'rnnlab-embedding-build-')); made.push(d); return d; };
afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

const summaryOf = (m: { summary: (a?: number, b?: number[], p?: (l: string) => void) => void }) => {
  const lines: string[] = [];
  m.summary(undefined, undefined, (l) => lines.push(l));
  return lines.join('\n');
};

describe('an Embedding without inputLength, built for a known number of steps', () => {
  it('model.build([null, 9]) passes 9 steps to a Flatten: shapes and parameters as tfjs and Keras count them', () => {
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 20, outputDim: 4 }), L.flatten(), L.dense({ units: 1 })] });
    m.build([null, 9]);
    const oracle = tfjsOracle([9], () => [tf.layers.embedding({ inputDim: 20, outputDim: 4 }), tf.layers.flatten(), tf.layers.dense({ units: 1 })]);
    expect(m.layers.map((l) => l.outputShape)).toEqual(oracle.shapes);
    expect(oracle.shapes[0]).toEqual([null, 9, 4]);
    // 20 × 4 embeddings, then Dense(1) on 36: 36 + 1.
    expect(m.countParams()).toBe(oracle.params);
    expect(oracle.params).toBe(117);
    expect(summaryOf(m)).toMatch(/^embedding\S* \(Embedding\) +\(None, 9, 4\) +80 *$/m);
    expect(summaryOf(m)).toMatch(/^flatten\S* \(Flatten\) +\(None, 36\) +0 *$/m);
    expect(m.outputShape).toEqual([null, 1]);
  });

  it('other build shapes: a valid Conv1D shortens the steps, and ids of rank 3 give a rank-4 output', () => {
    const conv = rl.sequential({ layers: [L.embedding({ inputDim: 20, outputDim: 4 }), L.conv1d({ filters: 3, kernelSize: 2 }), L.flatten(), L.dense({ units: 2 })] });
    conv.build([null, 5]);
    const convOracle = tfjsOracle([5], () => [tf.layers.embedding({ inputDim: 20, outputDim: 4 }), tf.layers.conv1d({ filters: 3, kernelSize: 2 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })]);
    expect(conv.layers.map((l) => l.outputShape)).toEqual(convOracle.shapes);
    expect(convOracle.shapes[1]).toEqual([null, 4, 3]);
    expect(conv.countParams()).toBe(convOracle.params);

    const grid = rl.sequential({ layers: [L.embedding({ inputDim: 20, outputDim: 4 }), L.flatten(), L.dense({ units: 1 })] });
    grid.build([null, 2, 3]);
    const gridOracle = tfjsOracle([2, 3], () => [tf.layers.embedding({ inputDim: 20, outputDim: 4 }), tf.layers.flatten(), tf.layers.dense({ units: 1 })]);
    expect(grid.layers.map((l) => l.outputShape)).toEqual(gridOracle.shapes);
    expect(grid.countParams()).toBe(gridOracle.params);
    expect(grid.predict(rl.zeros([3, 2, 3])).shape).toEqual([3, 1]);
  });

  it('a layer added after build gets the built shape too', () => {
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 20, outputDim: 4 })] });
    m.build([null, 9]);
    m.add(L.flatten());
    m.add(L.dense({ units: 1 }));
    expect(m.outputShape).toEqual([null, 1]);
    expect(m.countParams()).toBe(117);
  });

  it('the functional API: the Embedding reports the steps of its input, as tfjs does', () => {
    const input = rl.input({ shape: [9] });
    const embedding = L.embedding({ inputDim: 20, outputDim: 4 });
    const out = L.dense({ units: 1 }).apply(L.flatten().apply(embedding.apply(input) as never) as never) as never;
    const m = rl.model({ inputs: input, outputs: out });
    const tfEmbedding = tf.layers.embedding({ inputDim: 20, outputDim: 4 });
    tfEmbedding.apply(tf.input({ shape: [9] }));
    expect(embedding.outputShape).toEqual(tfEmbedding.outputShape);
    expect(m.countParams()).toBe(117);
    expect(summaryOf(m)).toMatch(/^embedding\S* \(Embedding\) +\(None, 9, 4\)/m);
  });

  it('a model built by its first batch (predict, fit) takes that batch steps, trains, and refuses another length where Flatten fixed it', async () => {
    rl.setSeed(3);
    const unbuilt = () => rl.sequential({ layers: [L.embedding({ inputDim: 5, outputDim: 3 }), L.flatten(), L.dense({ units: 1, activation: 'sigmoid' })] });
    const p = unbuilt();
    expect(p.predict(rl.zeros([2, 6])).shape).toEqual([2, 1]);
    expect(p.countParams()).toBe(5 * 3 + 6 * 3 + 1);
    expect(() => p.predict(rl.zeros([2, 7]))).toThrow(/sequential\S*\.predict: x has shape \[2, 7\] but embedding\S* expects \[null, 6\]/);

    // The label is whether id 1 is at step 0: something a Flatten + Dense can learn, and one that needs the steps.
    const rows = Array.from({ length: 32 }, (_, r) => Array.from({ length: 6 }, (_, t) => (t === 0 ? (r % 2 ? 1 : 2) : (r * 7 + t) % 5)));
    const x = rl.tensor2d(rows), y = rl.tensor2d(rows.map((r) => [r[0] === 1 ? 1 : 0]));
    const m = unbuilt();
    m.compile({ optimizer: rl.train.adam(0.05), loss: 'binaryCrossentropy' });
    const h = await m.fit(x, y, { epochs: 20, batchSize: 8, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss[loss.length - 1]).toBeLessThan(loss[0] / 4);
    expect(m.layers[1].outputShape).toEqual([null, 18]);
    // The Flatten fixed the steps: the model takes 6, and says so before running a batch of another length.
    expect(m.inputShape).toEqual([null, 6]);
    await expect(m.fit(rl.zeros([4, 7]), rl.zeros([4, 1]), { verbose: 0 })).rejects.toThrow(/x has shape \[4, 7\] but embedding\S* expects \[null, 6\]/);
  });

  it('saves the steps a Flatten fixed as the batch input shape, so the loaded model builds and predicts the same', async () => {
    rl.setSeed(5);
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 20, outputDim: 4 }), L.flatten(), L.dense({ units: 2 })] });
    m.build([null, 9]);
    const dir = tempDir();
    await m.save(`file://${dir}`);
    const saved = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(saved.modelTopology.config.layers[0].config.batch_input_shape).toEqual([null, 9]);
    const loaded = await rl.loadLayersModel(`file://${dir}/model.json`);
    const x = rl.tensor2d([[1, 2, 3, 4, 5, 6, 7, 8, 9], [9, 8, 7, 6, 5, 4, 3, 2, 1]]);
    expect(Array.from((loaded.predict(x) as rl.Tensor).values)).toEqual(Array.from(m.predict(x).values));
    // tfjs reads the same file as a model of 9 steps.
    const tfModel = await tf.loadLayersModel(tf.io.fromMemory(saved.modelTopology));
    expect(tfModel.outputs[0].shape).toEqual([null, 2]);
    expect(tfModel.countParams()).toBe(m.countParams());
  });

  it('builds a layer with its own build() for the whole build shape, steps included, as Keras 3 does', () => {
    /** Weights per position: its build needs the number of steps, which an Embedding without inputLength leaves free. */
    class PositionEmbedding extends L.Layer {
      static override readonly className = 'PositionEmbedding';
      builtFor: (number | null)[][] = [];
      build(shape: (number | null)[]): void {
        this.builtFor.push([...shape]);
        this.addWeight('pos', [shape[1] as number, shape[2] as number], undefined, 'ones');
      }
      call(x: rl.Tensor): rl.Tensor { return x; }
    }
    const make = () => {
      const pos = new PositionEmbedding({});
      return { pos, m: rl.sequential({ layers: [L.embedding({ inputDim: 20, outputDim: 4 }), pos, L.flatten(), L.dense({ units: 1 })] }) };
    };
    const built = make();
    built.m.build([null, 9]);
    expect(built.pos.builtFor).toEqual([[null, 9, 4]]);
    // 20 × 4 embeddings, 9 × 4 positions, Dense(1) on 36.
    expect(built.m.countParams()).toBe(80 + 36 + 37);
    expect(built.m.inputShape).toEqual([null, 9]);
    // Built by its first batch, the same.
    const byBatch = make();
    expect(byBatch.m.predict(rl.zeros([2, 9])).shape).toEqual([2, 1]);
    expect(byBatch.pos.builtFor).toEqual([[null, 9, 4]]);

    // Built for no particular length, it cannot size its weights, and the error names the input it was given.
    const free = make();
    expect(() => free.m.build([null, null])).toThrow(/cannot connect position_embedding\S* \(PositionEmbedding\) to input \(None, None, 4\): .*addWeight 'pos'/);
    expect(free.pos.builtFor).toEqual([[null, null, 4]]);
  });

  it('keeps the steps free for layers that take any length: a model built for 9 steps runs 12 and 4 through an LSTM', () => {
    const m = rl.sequential({ layers: [L.embedding({ inputDim: 20, outputDim: 4 }), L.conv1d({ filters: 2, kernelSize: 3, padding: 'same' }), L.lstm({ units: 3 }), L.dense({ units: 1 })] });
    m.build([null, 9]);
    // The summary shows the build shape, as Keras's does.
    expect(summaryOf(m)).toMatch(/^embedding\S* \(Embedding\) +\(None, 9, 4\)/m);
    expect(summaryOf(m)).toMatch(/^conv1d\S* \(Conv1D\) +\(None, 9, 2\)/m);
    for (const steps of [12, 4]) expect(m.predict(rl.zeros([2, steps])).shape).toEqual([2, 1]);
    expect(m.inputShape).toEqual([null, null]);
    // Built for no particular length, as bucketed training builds it, the summary says so.
    const free = rl.sequential({ layers: [L.embedding({ inputDim: 20, outputDim: 4 }), L.lstm({ units: 3, returnSequences: true })] });
    free.build([null, null]);
    expect(free.layers.map((l) => l.outputShape)).toEqual([[null, null, 4], [null, null, 3]]);
  });
});
