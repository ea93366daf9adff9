/**
 * tfjs's layer.cell on SimpleRNN, LSTM and GRU: the matching cell (LSTMCell for LSTM), whose weights are the
 * layer's own variables and which is built when the layer is; the layer's config and model.json carry no cell.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const KINDS = [
  { make: (a: Record<string, unknown>) => rl.layers.lstm(a as never), tfMake: (a: object) => tf.layers.lstm(a as never), cellClass: 'LSTMCell', gates: 4, states: 2 },
  { make: (a: Record<string, unknown>) => rl.layers.gru(a as never), tfMake: (a: object) => tf.layers.gru(a as never), cellClass: 'GRUCell', gates: 3, states: 1 },
  { make: (a: Record<string, unknown>) => rl.layers.simpleRNN(a as never), tfMake: (a: object) => tf.layers.simpleRNN(a as never), cellClass: 'SimpleRNNCell', gates: 1, states: 1 },
];

function values(n: number, seed: number): Float32Array {
  const r = new rl.Random(seed);
  return Float32Array.from({ length: n }, () => r.uniform(-1, 1));
}

describe.each(KINDS)('$cellClass as layer.cell', ({ make, tfMake, cellClass, gates, states }) => {
  const U = 2, D = 4;

  it('is tfjs\'s cell: class, units, stateSize; unbuilt with no kernel before the layer is built, built after', () => {
    const layer = make({ units: U });
    const cell = layer.cell;
    const tfLayer = tfMake({ units: U });
    expect(cell.getClassName()).toBe(cellClass);
    expect(cell.getClassName()).toBe(tfLayer.cell.getClassName());
    expect(cell.units).toBe(U);
    expect(cell.stateSize).toEqual(states === 2 ? [U, U] : U);
    expect(cell.stateSize).toEqual(tfLayer.cell.stateSize);
    expect(cell.built).toBe(false);
    expect(cell.kernel).toBeUndefined();
    expect(layer.cell).toBe(cell);
    layer.apply(rl.input({ shape: [3, D] }));
    tfLayer.apply(tf.input({ shape: [3, D] }));
    expect(cell.built).toBe(true);
    expect(cell.kernel!.shape).toEqual([D, gates * U]);
    expect(cell.kernel!.shape).toEqual((tfLayer.cell as unknown as { kernel: { shape: number[] } }).kernel.shape);
    expect(cell.recurrentKernel!.shape).toEqual([U, gates * U]);
  });

  it('shares the layer\'s variables: setWeights on the layer shows through the cell', () => {
    const layer = make({ units: U, kernelRegularizer: 'l2' });
    layer.apply(rl.input({ shape: [3, D] }));
    const cell = layer.cell;
    expect(cell.kernel).toBe(layer.kernel);
    expect(cell.recurrentKernel).toBe(layer.recurrentKernel);
    expect(cell.bias).toBe(layer.bias);
    expect(cell.weights).toEqual(layer.weights);
    const fresh = layer.getWeights().map((w, i) => rl.tensor(values(w.size, 10 + i), w.shape));
    layer.setWeights(fresh);
    expect(Array.from(cell.kernel!.read().dataSync())).toEqual(Array.from(fresh[0].dataSync()));
    expect(Array.from(cell.getWeights()[2].dataSync())).toEqual(Array.from(fresh[2].dataSync()));
    // tfjs keeps the penalties on the cell; here the cell's are the layer's.
    expect(cell.calculateLosses()[0].dataSync()[0]).toBeCloseTo(layer.calculateLosses()[0].dataSync()[0], 6);
    expect(cell.calculateLosses()[0].dataSync()[0]).toBeGreaterThan(0);
    expect(() => { (cell as { weights: unknown }).weights = []; }).toThrow(/the cell's weights are its layer's/);
  });

  it('cell.call on one step equals the layer over a one-step sequence from the same states', () => {
    const layer = make({ units: U });
    const B = 3;
    const x = rl.tensor(values(B * D, 1), [B, 1, D]);
    const init = Array.from({ length: states }, (_, i) => rl.tensor(values(B * U, 2 + i), [B, U]));
    const want = layer.apply([x, ...init]) as rl.Tensor;
    const [out, ...next] = layer.cell.call([rl.reshape(x, [B, D]), ...init]);
    expect(next.length).toBe(states);
    const got = out.dataSync(), ref = want.dataSync();
    expect(got.length).toBe(B * U);
    got.forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThan(1e-6));
  });

  it('the cell is the layer\'s to build, and runs no step of a stateful layer', () => {
    expect(() => make({ units: U }).cell.call([rl.zeros([1, D]), ...Array.from({ length: states }, () => rl.zeros([1, U]))]))
      .toThrow(/belongs to rnn layer '.*', which builds it/);
    const stateful = make({ units: U, stateful: true, batchInputShape: [1, 2, D] });
    stateful.apply(rl.zeros([1, 2, D]));
    expect(() => stateful.cell.call([rl.zeros([1, D]), ...Array.from({ length: states }, () => rl.zeros([1, U]))])).toThrow(/stateful rnn layer/);
    expect(() => rl.layers.rnn({ cell: make({ units: U }).cell })).toThrow(/already belongs to rnn layer/);
  });

  it('cell.getConfig is a cell\'s config (as the same cell made directly); the layer\'s config and model.json are unchanged', () => {
    const layer = make({ units: U, name: `view_${cellClass}`, returnSequences: true, zeroOutputForMask: true });
    const direct = (rl.layers as unknown as Record<string, (a: object) => { getConfig(): unknown }>)[cellClass === 'SimpleRNNCell' ? 'simpleRNNCell' : cellClass === 'LSTMCell' ? 'lstmCell' : 'gruCell']({ units: U, name: `view_${cellClass}` });
    expect(layer.cell.getConfig()).toEqual(direct.getConfig());
    const m = rl.sequential({ layers: [make({ units: U, inputShape: [3, D], name: 'rec' })] });
    const before = JSON.stringify(m.toJSON(null, false));
    const rec = m.layers[0] as unknown as { cell: { built: boolean }; getConfig(): Record<string, unknown> };
    expect(rec.cell.built).toBe(true);
    expect(Object.keys(rec.getConfig())).not.toContain('cell');
    expect(JSON.stringify(m.toJSON(null, false))).toBe(before);
    expect(m.getWeights().length).toBe(3);
  });
});

it('a named layer\'s cell takes no automatic name (later cells are numbered as before)', () => {
  // Keras's numbering: lstm_cell, lstm_cell_1, ...
  const count = (name: string) => Number(/^lstm_cell(?:_(\d+))?$/.exec(name)![1] ?? 0);
  const a = count(rl.layers.lstmCell({ units: 1 }).name);
  void rl.layers.lstm({ units: 1, name: 'named_lstm' }).cell;
  const b = count(rl.layers.lstmCell({ units: 1 }).name);
  expect(b).toBe(a + 1);
});
