// Dilated, causal and stride-1 'same' Conv1D layers exported to ONNX read back as the same layers (the importer used
// to refuse the dilations and explicit pads its own exporter writes).
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { maxAbsDiff, tokenIds } from './helpers.js';

describe('Conv1D through export and import', () => {
  it('keeps dilationRate and causal/same padding, and predicts the same', () => {
    rl.setSeed(91);
    const L = rl.layers;
    const m = rl.sequential({ layers: [
      L.embedding({ inputDim: 20, outputDim: 4, inputLength: 13 }),
      L.conv1d({ filters: 5, kernelSize: 3, dilationRate: 2, padding: 'causal', activation: 'relu' }),
      L.conv1d({ filters: 4, kernelSize: 2, dilationRate: 3, padding: 'same', activation: 'tanh' }),
      L.conv1d({ filters: 3, kernelSize: 4, padding: 'same' }),
      L.maxPooling1d({ poolSize: 2 }),
      L.flatten(),
      L.dense({ units: 1, activation: 'sigmoid' }),
    ] });
    const back = modelFromOnnx(toOnnx(m), 'conv.onnx');
    const convs = back.layers.filter((l) => l.getClassName() === 'Conv1D').map((l) => {
      const c = l.getConfig() as { padding: string; dilationRate: number | number[] };
      return [c.padding, [c.dilationRate].flat()[0]];
    });
    expect(convs).toEqual([['causal', 2], ['same', 3], ['same', 1]]);
    const x = tokenIds(5, 13, 20, 3);
    expect(maxAbsDiff(m.predict(x).values, (back.predict(x) as rl.Tensor).values)).toBeLessThanOrEqual(1e-5);
  });
});
