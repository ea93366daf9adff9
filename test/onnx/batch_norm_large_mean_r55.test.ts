// BatchNormalization whose moving mean is large against its spread (raw features: mean 2000, variance 0.01). The
// exporter folded it into x·s + (beta − mean·s), two large float32 values cancelling (errors of 1e-3); it now writes
// (x − mean)·s + beta, within 1e-5 of predict in ONNX Runtime and in the model read back from the file, which is a
// BatchNormalization again. Files in the folded form still import.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { maxAbsDiff, ortPredict, ortSession } from './helpers.js';

const L = rl.layers;
const TOL = 1e-5;

/** Values around 2000, a few hundredths apart, as raw sensor readings are. */
function nearMean(n: number, features: number): rl.Tensor {
  return rl.tensor(Array.from({ length: n * features }, (_, i) => 2000 + 0.05 * Math.sin(1.7 * i + 0.3)), [n, features]);
}

describe('BatchNormalization with a large moving mean exports and imports within 1e-5 of predict', () => {
  it('one feature (mean 2000, variance 0.01): ONNX Runtime and the reloaded model', async () => {
    const m = rl.sequential({ layers: [L.batchNormalization({ inputShape: [1] })] });
    m.setWeights([rl.tensor([1]), rl.tensor([0]), rl.tensor([2000]), rl.tensor([0.01])]);
    const x = nearMean(9, 1);
    const expected = m.predict(x).values;
    // predict itself is near the exact value (x − 2000) / sqrt(0.011), computed in doubles from the float32 inputs.
    expect(maxAbsDiff(expected, Array.from(x.values, (v) => (v - 2000) / Math.sqrt(0.01 + 1e-3)))).toBeLessThanOrEqual(TOL);
    const bytes = rl.toOnnx(m);
    expect(maxAbsDiff(await ortPredict(await ortSession(bytes), x), expected)).toBeLessThanOrEqual(TOL);
    const back = rl.modelFromOnnx(bytes, 'bn.onnx');
    expect(back.layers.map((l) => l.className)).toEqual(['BatchNormalization']);
    expect(back.layers[0].getWeightValues()[2][0]).toBe(2000);
    expect(maxAbsDiff(back.predict(x).values, expected)).toBeLessThanOrEqual(TOL);
  });

  it('three features with gamma, beta and a Dense after it, through rl.exportONNX and rl.loadModel', async () => {
    const m = rl.sequential({ layers: [L.batchNormalization({ inputShape: [3], epsilon: 1e-4 }), L.dense({ units: 2 })] });
    m.layers[0].setWeights([rl.tensor([1.5, 0.5, -2]), rl.tensor([0.1, -0.3, 2]), rl.tensor([2000, 1999.97, 2000.02]), rl.tensor([0.01, 0.0004, 0.02])]);
    m.layers[1].setWeights([rl.tensor([0.3, -0.2, 0.5, 0.1, -0.4, 0.25], [3, 2]), rl.tensor([0.05, -0.05])]);
    const x = nearMean(7, 3);
    const expected = m.predict(x).values;
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'rnnlab-bn-r55-'));
    try {
      const file = join(dir, 'bn3.onnx');
      await rl.exportONNX(m, file);
      expect(maxAbsDiff(await ortPredict(await ortSession(file), x), expected)).toBeLessThanOrEqual(TOL);
      const back = await rl.loadModel(file);
      expect(back.layers.map((l) => l.className)).toEqual(['BatchNormalization', 'Dense']);
      expect(maxAbsDiff((back.predict(x) as rl.Tensor).values, expected)).toBeLessThanOrEqual(TOL);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on (batch, steps, features) data after a Conv1D', async () => {
    const m = rl.sequential({ layers: [L.conv1d({ filters: 2, kernelSize: 1, useBias: false, inputShape: [4, 1] }), L.batchNormalization()] });
    m.layers[0].setWeights([rl.tensor([1, -1], [1, 1, 2])]);
    m.layers[1].setWeights([rl.tensor([1, 2]), rl.tensor([0, 1]), rl.tensor([2000, -2000]), rl.tensor([0.01, 0.04])]);
    const x = rl.tensor(Array.from(nearMean(8, 1).values), [2, 4, 1]);
    const expected = m.predict(x).values;
    const bytes = rl.toOnnx(m);
    expect(maxAbsDiff(await ortPredict(await ortSession(bytes), x), expected)).toBeLessThanOrEqual(TOL);
    expect(maxAbsDiff(rl.modelFromOnnx(bytes, 'conv_bn.onnx').predict(x).values, expected)).toBeLessThanOrEqual(TOL);
  });
});

describe('the BatchNormalization forms the importer reads', () => {
  /** x·[s] + [t] on (batch, 2) data, as the exporter folded a BatchNormalization of two features before. */
  it('a file in the folded form (Mul and Add by per-feature constants) still imports as a BatchNormalization', async () => {
    const g = new GraphBuilder();
    const y = g.node('Add', [g.node('Mul', ['x', g.floats('bn/scale', [2, -1], [2])], {}, 'bn/Mul'), g.floats('bn/shift', [0.5, 3], [2])], {}, 'bn/Add');
    const bytes = g.toBytes({ name: 'x', elemType: 'float32', shape: ['batch', 2] }, { name: y, elemType: 'float32', shape: ['batch', 2] }, 'old', '');
    const back = rl.modelFromOnnx(bytes, 'folded.onnx');
    expect(back.layers.map((l) => l.className)).toEqual(['BatchNormalization']);
    const x = rl.tensor([1, 2, -3, 0.25], [2, 2]);
    expect(Array.from(back.predict(x).values)).toEqual([2.5, 1, -5.5, 2.75]);
    expect(maxAbsDiff(await ortPredict(await ortSession(bytes), x), back.predict(x).values)).toBeLessThanOrEqual(TOL);
  });

  it('a Sub that is not followed by a Mul and an Add by constants is refused by node', () => {
    const g = new GraphBuilder();
    const y = g.node('Sub', ['x', g.floats('c', [1, 2], [2])], {}, 'centre');
    const bytes = g.toBytes({ name: 'x', elemType: 'float32', shape: ['batch', 2] }, { name: y, elemType: 'float32', shape: ['batch', 2] }, 'sub', '');
    expect(() => rl.modelFromOnnx(bytes, 'sub.onnx')).toThrow(/sub\.onnx: node 'centre_node' \(Sub\): only a Sub of a constant followed by a Mul and an Add by constants/);
  });
});
