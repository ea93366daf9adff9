import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { additionModel, imdbModel } from '../../src/experiments/lab_models.js';

describe('Keras parameter counts', () => {
  it.each([
    ['ff_raw', 125_501],
    ['ff_embed', 13_500_501],
    ['cnn', 13_560_701],
    ['simple_rnn', 1_020_201],
    ['lstm', 1_080_501],
    ['cnn_lstm', 1_062_933],
  ] as const)('%s has %d parameters', (name, count) => {
    expect(imdbModel(name).countParams()).toBe(count);
  });

  it('the addition seq2seq has 205,324 parameters', () => {
    expect(additionModel().countParams()).toBe(205_324);
  });

  it('gru(100) on 100 inputs (resetAfter) has 60,600 parameters, and 60,300 without', () => {
    const g = rl.sequential({ layers: [rl.layers.gru({ units: 100, inputShape: [7, 100] })] });
    expect(g.countParams()).toBe(60_600);
    const g2 = rl.sequential({ layers: [rl.layers.gru({ units: 100, resetAfter: false, inputShape: [7, 100] })] });
    expect(g2.countParams()).toBe(60_300);
  });

  it('bidirectional concat doubles the units and the parameters', () => {
    const m = rl.sequential({ layers: [rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 8 }), inputShape: [5, 3] } as never)] });
    expect(m.outputShape).toEqual([null, 16]);
    expect(m.countParams()).toBe(2 * 4 * (3 * 8 + 8 * 8 + 8));
  });
});

describe('summary()', () => {
  it('prints Keras layout and totals', () => {
    const lines: string[] = [];
    imdbModel('ff_raw').summary(undefined, undefined, (l) => lines.push(l));
    expect(lines[2]).toBe('Layer (type)                 Output Shape              Param #   ');
    expect(lines.some((l) => /^dense(_\d+)? \(Dense\) +\(None, 250\) +125250 *$/.test(l))).toBe(true);
    expect(lines).toContain('Total params: 125,501');
    expect(lines).toContain('Trainable params: 125,501');
    expect(lines).toContain('Non-trainable params: 0');
  });

  it('shows the addition model shapes the lab prints', () => {
    const m = additionModel();
    expect(m.layers.map((l) => l.outputShape)).toEqual([[null, 128], [null, 4, 128], [null, 4, 128], [null, 4, 12]]);
  });
});

describe('initializers', () => {
  it('follow Keras: glorot-uniform limits, orthogonal recurrent kernels, unit forget bias', () => {
    rl.setSeed(3);
    const m = rl.sequential({ layers: [rl.layers.lstm({ units: 6, inputShape: [4, 5] })] });
    const [kernel, rec, bias] = m.getWeights().map((w) => w.dataSync() as Float32Array);
    const limit = Math.sqrt(6 / (5 + 24));
    expect(Math.max(...kernel.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...kernel.map(Math.abs))).toBeGreaterThan(limit * 0.8);
    // rec is [6, 24]: its 6 rows are orthonormal.
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) {
      let d = 0;
      for (let k = 0; k < 24; k++) d += rec[i * 24 + k] * rec[j * 24 + k];
      expect(d).toBeCloseTo(i === j ? 1 : 0, 5);
    }
    expect(Array.from(bias)).toEqual([...Array(6).fill(0), ...Array(6).fill(1), ...Array(12).fill(0)]);
  });

  it('setSeed makes initial weights reproducible', () => {
    rl.setSeed(7);
    const a = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputDim: 4 })] }).getWeights().map((w) => w.dataSync() as Float32Array)[0];
    rl.setSeed(7);
    const b = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputDim: 4 })] }).getWeights().map((w) => w.dataSync() as Float32Array)[0];
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe('bad configurations are named errors', () => {
  it('rejects mismatched shapes at build time, naming the layer', () => {
    expect(() => rl.sequential({ layers: [rl.layers.dense({ units: 4, inputDim: 3 }), rl.layers.lstm({ units: 2 })] }))
      .toThrow(/lstm.*\(LSTM\).*\(None, 4\)/);
    expect(() => rl.sequential({ layers: [rl.layers.dense({ units: 4, inputDim: 3 }), rl.layers.conv1d({ filters: 2, kernelSize: 3 })] }))
      .toThrow(/Conv1D/);
  });
  it('rejects bad hyper-parameters', () => {
    expect(() => rl.layers.dense({ units: 0 })).toThrow(/units must be a positive integer/);
    expect(() => rl.layers.dense({ units: 3, activation: 'sparsemax' as never })).toThrow(/unknown activation 'sparsemax'/);
    expect(() => rl.layers.dropout({ rate: 1.5 })).toThrow(/rate must be a number in \[0, 1\)/);
    expect(() => rl.train.adam(NaN)).toThrow(/learningRate must be a finite number/);
    expect(() => new rl.Adam({ learningRate: Infinity })).toThrow(/learningRate/);
    expect(() => rl.layers.conv1d({ filters: 2, kernelSize: 3, padding: 'full' as never })).toThrow(/padding must be/);
    expect(() => rl.layers.lstm({ units: 4, dropout: -0.1 })).toThrow(/dropout/);
  });
});

describe('bidirectional naming', () => {
  it('names its copies forward_<layer> and backward_<layer>, as Keras does', () => {
    const b = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, name: 'enc' }) });
    expect(b.forwardLayer.name).toBe('forward_enc');
    expect(b.backwardLayer.name).toBe('backward_enc');
    expect(b.backwardLayer.goBackwards).toBe(true);
  });
});
