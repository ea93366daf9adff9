/**
 * layer.cell against tfjs 4.22 side by side: the cell's stateSize (a number for GRUCell and SimpleRNNCell, a pair for
 * LSTMCell), its name (the layer's when the layer was named, Keras 3's fixed cell name otherwise, taking no automatic
 * name) and its config (a cell's, with no activity regularizer: that one is the layer's).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

type Maker = (a: Record<string, unknown>) => { name: string; cell: { name: string; stateSize: unknown; getConfig(): Record<string, unknown> }; getConfig(): Record<string, unknown> };
type CellMaker = (a: Record<string, unknown>) => { name: string; stateSize: unknown; getConfig(): Record<string, unknown> };

const KINDS = [
  { cellClass: 'LSTMCell', prefix: 'lstm_cell', make: rl.layers.lstm as unknown as Maker, tfMake: tf.layers.lstm as unknown as Maker, cell: rl.layers.lstmCell as unknown as CellMaker, tfCell: tf.layers.lstmCell as unknown as CellMaker },
  { cellClass: 'GRUCell', prefix: 'gru_cell', make: rl.layers.gru as unknown as Maker, tfMake: tf.layers.gru as unknown as Maker, cell: rl.layers.gruCell as unknown as CellMaker, tfCell: tf.layers.gruCell as unknown as CellMaker },
  { cellClass: 'SimpleRNNCell', prefix: 'simple_rnn_cell', make: rl.layers.simpleRNN as unknown as Maker, tfMake: tf.layers.simpleRNN as unknown as Maker, cell: rl.layers.simpleRNNCell as unknown as CellMaker, tfCell: tf.layers.simpleRNNCell as unknown as CellMaker },
];

describe.each(KINDS)('$cellClass as layer.cell, beside tfjs', ({ cellClass, prefix, make, tfMake, cell, tfCell }) => {
  const U = 3;

  it('stateSize is tfjs\'s, on the layer\'s cell and on a cell made directly', () => {
    const want = tfMake({ units: U }).cell.stateSize;
    expect(want).toEqual(cellClass === 'LSTMCell' ? [U, U] : U);
    expect(tfCell({ units: U }).stateSize).toEqual(want);
    expect(make({ units: U }).cell.stateSize).toEqual(want);
    expect(cell({ units: U }).stateSize).toEqual(want);
  });

  it('a cell inside rl.layers.rnn still runs with its states (a stack lists every state)', () => {
    const r = rl.layers.rnn({ cell: [cell({ units: 2 }), cell({ units: U })] as never, returnState: true });
    const out = r.apply(rl.zeros([2, 4, 5])) as rl.Tensor[];
    const n = cellClass === 'LSTMCell' ? 2 : 1;
    expect(out.length).toBe(1 + 2 * n);
    expect(out.slice(1).map((t) => t.shape[1])).toEqual([...Array(n).fill(U), ...Array(n).fill(2)]);
  });

  it('a named layer\'s cell takes its name, as tfjs\'s; an unnamed one\'s takes Keras 3\'s fixed cell name', () => {
    const named = make({ units: U, name: `given_${cellClass}` });
    expect(named.cell.name).toBe(tfMake({ units: U, name: `given_${cellClass}` }).cell.name);
    expect(named.cell.name).toBe(`given_${cellClass}`);
    expect(named.cell.getConfig().name).toBe(`given_${cellClass}`);
    // tfjs draws a counted name (lstm_cell_<n>); Keras 3 names every unnamed layer's cell alike.
    const tfUnnamed = tfMake({ units: U });
    expect(tfUnnamed.cell.name.startsWith(`${prefix}_`)).toBe(true);
    const unnamed = make({ units: U });
    expect(unnamed.cell.name).toBe(prefix);
    expect(make({ units: U }).cell.name).toBe(prefix);
    expect(unnamed.cell.getConfig().name).toBe(prefix);
  });

  it('reading an unnamed layer\'s cell leaves later automatic names, and the files saved with them, unchanged', () => {
    const number = (n: string) => Number(new RegExp(`^${prefix}(?:_(\\d+))?$`).exec(n)![1] ?? 0);
    const before = number(cell({ units: U }).name);
    const layer = make({ units: U });
    void layer.cell.name;
    const next = cell({ units: U });
    expect(number(next.name)).toBe(before + 1);
    const m = rl.sequential({ layers: [rl.layers.rnn({ cell: next as never, inputShape: [3, 2] })] });
    const saved = JSON.parse(m.toJSON() as string) as { config: { layers: { config: { cell: { config: { name: string } } } }[] } };
    expect(saved.config.layers[0].config.cell.config.name).toBe(next.name);
  });

  it('getConfig is a cell\'s: tfjs\'s keys, no activityRegularizer of the layer, equal to the same cell made directly', () => {
    const opts = { units: U, kernelRegularizer: 'l1l2', recurrentRegularizer: 'l1l2', dropout: 0.25, useBias: false };
    const tfLayer = tfMake({ ...opts, activityRegularizer: 'l1l2', name: 'with_activity' });
    const layer = make({ ...opts, activityRegularizer: 'l1l2', name: 'with_activity', returnSequences: true });
    const view = layer.cell.getConfig();
    expect(view.activityRegularizer).toBeNull();
    expect(view.activityRegularizer).toBe(tfLayer.cell.getConfig().activityRegularizer);
    expect(layer.getConfig().activityRegularizer).not.toBeNull();
    expect(view).toEqual(cell({ ...opts, name: 'with_activity' }).getConfig());
    // tfjs's cell keys; rnnlab's cells add dtype (as every rnnlab layer's config has).
    const tfKeys = Object.keys(tfLayer.cell.getConfig()).sort();
    const ours = Object.keys(view).filter((k) => k !== 'dtype').sort();
    expect(ours).toEqual(tfKeys);
    expect(Object.keys(view)).not.toContain('returnSequences');
  });
});
