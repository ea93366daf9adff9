// The gradient view's numbers: d loss / d x_t against finite differences, d loss / d c_t against the BPTT
// recursion's last step, and the long-range task where training keeps the gradient alive only in the LSTM.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { firstRecurrentGradients, longRangeRuns, recordNorms } from '../../src/experiments/gradients.js';

const T = 5, D = 2, U = 3;

function smallModel(kind: 'lstm' | 'simpleRNN'): rl.Sequential {
  rl.setSeed(7);
  const m = rl.sequential({ layers: [rl.layers[kind]({ units: U, inputShape: [T, D] }), rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  return m;
}

function input(): Float32Array {
  const r = new rl.Random(3);
  return Float32Array.from({ length: 2 * T * D }, () => r.uniform(-1, 1));
}

describe('state gradients for the gradient view', () => {
  for (const kind of ['lstm', 'simpleRNN'] as const) {
    it(`${kind}: d loss / d x_t matches central finite differences`, () => {
      const m = smallModel(kind);
      const x = input(), y = rl.tensor([[1], [0]]);
      const { record } = firstRecurrentGradients(m, rl.tensor(x, [2, T, D]), y, kind);
      expect(record.inputSize).toBe(D);
      const lossAt = (v: Float32Array) => m.hiddenStateGradients(rl.tensor(v, [2, T, D]), y).loss;
      for (const i of [0, 3, 9, 14, 19]) {
        const eps = 1e-2, up = Float32Array.from(x), down = Float32Array.from(x);
        up[i] += eps; down[i] -= eps;
        // The loss is a batch mean, so the summed per-sample gradient is what the perturbation measures.
        expect(record.dx![i], `x[${i}]`).toBeCloseTo((lossAt(up) - lossAt(down)) / (2 * eps), 3);
      }
      expect(record.dc === undefined).toBe(kind !== 'lstm');
    });
  }

  it('lstm: d loss / d c_T at the last step is dh_T · o_T · (1 − tanh²(c_T))', () => {
    const m = smallModel('lstm');
    const x = rl.tensor(input(), [2, T, D]);
    const { record } = firstRecurrentGradients(m, x, rl.tensor([[1], [0]]), 'lstm');
    const tr = m.trace(x).layers[0];
    const o = tr.gates!.output.values;
    // The cell state is not traced; recover tanh(c_T) from h_T = o_T tanh(c_T).
    for (let b = 0; b < 2; b++) for (let u = 0; u < U; u++) {
      const k = (b * T + T - 1) * U + u;
      const tc = tr.hiddenStates.values[k] / o[k];
      expect(record.dc![k]).toBeCloseTo(record.dh[k] * o[k] * (1 - tc * tc), 5);
    }
    const n = recordNorms(record);
    expect(n.dc!.every((v) => v > 0)).toBe(true);
  });

  it('long-range task: training keeps the gradient reaching step 1 in the LSTM, not in the SimpleRNN', async () => {
    const runs = await longRangeRuns();
    const lstm = runs.find((r) => r.cell === 'lstm')!, srnn = runs.find((r) => r.cell === 'simpleRNN')!;
    const first = (v: number[]) => v[0] / v[v.length - 1];
    expect(lstm.accuracy).toBeGreaterThan(0.9);
    expect(srnn.accuracy).toBeLessThan(0.6);
    // Untrained, both lose the first step's gradient; trained, only the LSTM keeps it within two orders of magnitude.
    expect(first(lstm.initial.inputNorms)).toBeLessThan(1e-3);
    expect(first(lstm.trained.inputNorms)).toBeGreaterThan(1e-2);
    expect(first(lstm.trained.inputNorms)).toBeGreaterThan(10 * first(srnn.trained.inputNorms));
    expect(first(lstm.trained.cellNorms!)).toBeGreaterThan(first(lstm.initial.cellNorms!));
  });
});
