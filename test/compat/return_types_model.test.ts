import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function model(): rl.Sequential {
  rl.setSeed(3);
  return rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], activation: 'relu' }), rl.layers.dense({ units: 1 })] });
}

describe('model return types as tfjs-layers returns them', () => {
  it('getWeights returns Tensor copies with the weights\' shapes', () => {
    const m = model();
    const ws = m.getWeights();
    expect(ws.map((w) => w.shape)).toEqual([[3, 2], [2], [2, 1], [1]]);
    expect(ws.every((w) => w instanceof rl.Tensor)).toBe(true);
    const before = Array.from(ws[0].dataSync());
    m.weights[0].assign(new Float32Array(6).fill(9));
    expect(Array.from(ws[0].dataSync())).toEqual(before);
  });

  it('setWeights accepts Tensors and plain arrays, and checks Tensor shapes', () => {
    const m = model();
    m.setWeights([rl.tensor([[1, 2], [3, 4], [5, 6]]), [0.5, -0.5], rl.tensor([[2], [3]]), Float32Array.from([1])]);
    // relu([1,1,1]·W + b) = relu([9.5, 11.5]); out = 9.5*2 + 11.5*3 + 1
    expect(m.predict(rl.tensor([[1, 1, 1]])).dataSync()[0]).toBeCloseTo(54.5, 4);
    expect(() => m.setWeights([rl.tensor([[1, 2, 3], [4, 5, 6]]), [0, 0], [0, 0], [0]])).toThrow(/setWeights\[0\] .* has shape \[2, 3\], expected \[3, 2\]/);
    expect(() => m.setWeights([[1]])).toThrow(/setWeights expected 4 arrays, got 1/);
  });

  it('getLayer takes a name or (undefined, index)', () => {
    const m = model();
    expect(m.getLayer(undefined, 1)).toBe(m.layers[1]);
    expect(m.getLayer(m.layers[0].name)).toBe(m.layers[0]);
    expect(() => m.getLayer(undefined, 5)).toThrow(/no layer at index 5/);
    // One spelling with the functional model's (test/model/model_surface_messages_r52.test.ts).
    expect(() => m.getLayer()).toThrow(`${m.name}: getLayer needs a name or an index (getLayer(name), or getLayer(undefined, index) as tfjs), got neither`);
    expect(() => m.getLayer(null, null)).toThrow(/got neither$/);
  });

  it('predictOnBatch equals predict on the same rows', () => {
    const m = model();
    const x = rl.tensor([[1, 2, 3], [-1, 0, 2], [0.5, 0.5, 0.5]]);
    expect(Array.from(m.predictOnBatch(x).dataSync())).toEqual(Array.from(m.predict(x, { batchSize: 1 }).dataSync()));
    expect(m.predictOnBatch(x).shape).toEqual([3, 1]);
  });
});
