/**
 * Weight constraints (Keras's maxNorm, unitNorm, minMaxNorm, nonNeg) are applied to a weight after every
 * optimizer step, save as Keras configs and load back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { removeDir, tempDir } from '../io/helpers.js';

const root = tempDir('rnnlab-constraints-');
afterAll(() => removeDir(root));

const x = rl.tensor([[3, -1, 2], [1, 4, -2], [-3, 1, 0], [2, 2, 2]]);
const y = rl.tensor([[10], [-8], [6], [-4]]);

function model(kernelConstraint?: rl.Constraint, biasConstraint?: rl.Constraint): rl.Sequential {
  rl.setSeed(4);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputDim: 3, name: 'd', kernelConstraint, biasConstraint }), rl.layers.dense({ units: 1 })] });
  m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.05 }), loss: 'meanSquaredError' });
  return m;
}

/** Norms of a [rows, cols] kernel's columns (Keras's axis 0). */
function columnNorms(w: Float32Array, rows: number, cols: number): number[] {
  return Array.from({ length: cols }, (_, c) => Math.sqrt(Array.from({ length: rows }, (_, r) => w[r * cols + c] ** 2).reduce((a, b) => a + b, 0)));
}

describe('weight constraints', () => {
  it('maxNorm rescales each unit\'s incoming weights to norm <= maxValue after the step, exactly as Keras does', () => {
    const plain = model(), capped = model(rl.constraints.maxNorm({ maxValue: 0.5 }));
    plain.trainOnBatch(x, y);
    capped.trainOnBatch(x, y);
    const w = plain.layers[0].getWeightValues()[0], c = capped.layers[0].getWeightValues()[0];
    const norms = columnNorms(w, 3, 2);
    expect(Math.max(...norms)).toBeGreaterThan(0.5);
    w.forEach((v, i) => expect(c[i]).toBeCloseTo(v * (Math.min(norms[i % 2], 0.5) / (1e-7 + norms[i % 2])), 6));
    expect(Math.max(...columnNorms(c, 3, 2))).toBeLessThanOrEqual(0.5 + 1e-6);
  });

  it('nonNeg zeroes negative weights; unitNorm and minMaxNorm set the norms', () => {
    const plain = model();
    plain.trainOnBatch(x, y);
    const w = plain.layers[0].getWeightValues()[0];
    const nonNeg = model(rl.constraints.nonNeg(), rl.constraints.nonNeg());
    nonNeg.trainOnBatch(x, y);
    expect(Array.from(nonNeg.layers[0].getWeightValues()[0])).toEqual(Array.from(w, (v) => (v < 0 ? 0 : v)));
    expect(nonNeg.layers[0].getWeightValues()[1].every((v) => v >= 0)).toBe(true);
    const unit = model(rl.constraints.unitNorm());
    unit.trainOnBatch(x, y);
    columnNorms(unit.layers[0].getWeightValues()[0], 3, 2).forEach((n) => expect(n).toBeCloseTo(1, 5));
    // rate 0.5: halfway between the norm and its clip into [minValue, maxValue].
    const mm = model(rl.constraints.minMaxNorm({ minValue: 0.1, maxValue: 0.2, rate: 0.5 }));
    mm.trainOnBatch(x, y);
    const before = columnNorms(w, 3, 2);
    columnNorms(mm.layers[0].getWeightValues()[0], 3, 2).forEach((n, i) => expect(n).toBeCloseTo(0.5 * Math.min(Math.max(before[i], 0.1), 0.2) + 0.5 * before[i], 5));
  });

  it('saves as Keras configs and keeps constraining after loading', async () => {
    const m = rl.sequential({ layers: [
      rl.layers.embedding({ inputDim: 6, outputDim: 2, inputLength: 3, embeddingsConstraint: 'nonNeg' }),
      rl.layers.lstm({ units: 2, recurrentConstraint: { className: 'MaxNorm', config: { maxValue: 0.3, axis: 0 } } }),
      rl.layers.dense({ units: 1, kernelConstraint: rl.constraints.unitNorm({ axis: 0 }) }),
    ] });
    m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.5 }), loss: 'meanSquaredError' });
    const dir = join(root, 'constrained');
    await m.save(dir);
    const layers = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers;
    expect(layers[0].config.embeddings_constraint).toEqual({ class_name: 'NonNeg', config: {} });
    expect(layers[1].config.recurrent_constraint).toEqual({ class_name: 'MaxNorm', config: { max_value: 0.3, axis: 0 } });
    expect(layers[2].config.kernel_constraint).toEqual({ class_name: 'UnitNorm', config: { axis: 0 } });
    const back = await rl.loadModel(dir);
    back.trainOnBatch(rl.tensor([[1, 2, 3], [4, 5, 1]], [2, 3], 'int32'), rl.tensor([[5], [-5]]));
    const [emb] = back.layers[0].getWeightValues();
    const [, rec] = back.layers[1].getWeightValues();
    expect(emb.every((v) => v >= 0)).toBe(true);
    expect(Math.max(...columnNorms(rec, 2, 8))).toBeLessThanOrEqual(0.3 + 1e-6);
    expect(columnNorms(back.layers[2].getWeightValues()[0], 2, 1)[0]).toBeCloseTo(1, 5);
  });

  it('bad constraints are errors naming the option', () => {
    expect(() => rl.layers.dense({ units: 1, kernelConstraint: 'maxValue' as never })).toThrow(/kernelConstraint "maxValue" is not a constraint; use 'maxNorm'/);
    expect(() => rl.layers.dense({ units: 1, biasConstraint: { className: 'MaxNorm', config: { maxValue: -1 } } })).toThrow(/biasConstraint: constraint: maxValue must be a finite number >= 0, got -1/);
    expect(() => rl.layers.gru({ units: 1, recurrentConstraint: { className: 'constructor' } as never })).toThrow(/recurrentConstraint class "constructor" is not a constraint; use .*'MaxNorm'/);
    // An axis the weight does not have fails when the weight is created, not halfway through a training step.
    expect(() => rl.sequential({ layers: [rl.layers.dense({ units: 2, inputDim: 3, kernelConstraint: rl.constraints.maxNorm({ axis: 3 }) })] }))
      .toThrow(/dense_\d+ \(Dense\): weight 'kernel': constraint MaxNorm: axis 3 is outside a weight of rank 2/);
  });
});
