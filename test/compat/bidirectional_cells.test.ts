// Bidirectional around rl.layers.rnn({cell}) (Keras's Bidirectional(RNN(cell)), tfjs's bidirectional({layer: rnn({cell})})):
// each direction gets cells of its own; over an lstmCell it computes what Bidirectional(LSTM) computes with the same
// weights, forwards, through masks and through training; over a user's cell it is the forward rnn and a goBackwards
// copy, merged; it saves and loads with the same predictions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Bidirectional } from '../../src/layers/bidirectional.js';
import { LinearMinimalCell, OpsLSTMCell, TanhMinimalCell } from './user_cells.js';
import { maxDiff, removeDir, tempDir } from './functional_helpers.js';

const root = tempDir('rnnlab-bidi-cells-');
afterAll(() => removeDir(root));

const IDS = [[0, 0, 4, 5, 6, 7], [1, 2, 3, 0, 5, 11], [0, 0, 0, 0, 0, 9], [3, 3, 3, 3, 3, 3]];
const ids = () => rl.tensor2d(IDS, [4, 6], 'int32');
const y = () => rl.tensor2d([[1], [0], [1], [0]], [4, 1]);

/** Embedding (masked) -> Bidirectional(inner) -> Dense, its weights those of `like` when given. */
function model(inner: unknown, like?: { getWeights(): rl.Tensor[] }): rl.Sequential {
  rl.setSeed(5);
  const m = rl.sequential();
  m.add(rl.layers.embedding({ inputDim: 12, outputDim: 3, maskZero: true, inputLength: 6 }));
  m.add(rl.layers.bidirectional({ layer: inner as never, mergeMode: 'concat' }));
  m.add(rl.layers.dense({ units: 1, activation: 'sigmoid' }));
  if (like) m.setWeights(like.getWeights());
  return m;
}

const out = (m: { predict(x: rl.Tensor): unknown }) => (m.predict(ids()) as rl.Tensor).dataSync() as Float32Array;

describe('Bidirectional over rl.layers.rnn({cell})', () => {
  it('over an lstmCell equals Bidirectional(LSTM) with the same weights, in prediction and through fit', async () => {
    for (const returnSequences of [false, true]) {
      const lstm = model(rl.layers.lstm({ units: 4, returnSequences }));
      const cells = model(rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 4 }), returnSequences }), lstm);
      expect(cells.layers[1].weights.map((w) => w.shape)).toEqual(lstm.layers[1].weights.map((w) => w.shape));
      expect(cells.outputShape).toEqual(returnSequences ? [null, 6, 1] : [null, 1]);
      expect(maxDiff(out(cells), out(lstm))).toBeLessThan(1e-6);
    }
    const lstm = model(rl.layers.lstm({ units: 4 }));
    const cells = model(rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 4 }) }), lstm);
    for (const m of [lstm, cells]) m.compile({ optimizer: rl.train.sgd(0.5), loss: 'binaryCrossentropy' });
    await lstm.fit(ids(), y(), { epochs: 3, batchSize: 4, verbose: 0, shuffle: false });
    await cells.fit(ids(), y(), { epochs: 3, batchSize: 4, verbose: 0, shuffle: false });
    const before = model(rl.layers.lstm({ units: 4 }));
    expect(maxDiff(out(before), out(lstm))).toBeGreaterThan(1e-3);
    expect(maxDiff(out(cells), out(lstm))).toBeLessThan(1e-5);
    // Each direction trained its own cell.
    const { forwardLayer: f, backwardLayer: b } = cells.layers[1] as Bidirectional;
    expect(maxDiff(f.weights[0].read().dataSync() as Float32Array, b.weights[0].read().dataSync() as Float32Array)).toBeGreaterThan(1e-3);
  });

  it('over a user\'s cell is the rnn forwards and a goBackwards copy, merged; stacks and user LSTM cells match too', () => {
    rl.setSeed(9);
    const x = rl.randomNormal([3, 5, 2]);
    const bi = rl.layers.bidirectional({ layer: rl.layers.rnn({ cell: new LinearMinimalCell({ units: 3 }), returnSequences: true }) as never, mergeMode: 'sum' });
    const got = bi.apply(x) as rl.Tensor;
    const fwd = rl.layers.rnn({ cell: new LinearMinimalCell({ units: 3 }), returnSequences: true });
    const bwd = rl.layers.rnn({ cell: new LinearMinimalCell({ units: 3 }), returnSequences: true, goBackwards: true });
    fwd.apply(x);
    bwd.apply(x);
    fwd.setWeights(bi.forwardLayer.getWeights());
    bwd.setWeights(bi.backwardLayer.getWeights());
    const want = rl.add(fwd.apply(x) as rl.Tensor, rl.reverse(bwd.apply(x) as rl.Tensor, 1));
    expect(got.shape).toEqual([3, 5, 3]);
    expect(maxDiff(got.dataSync() as Float32Array, want.dataSync() as Float32Array)).toBeLessThan(1e-6);
    const inner = bi.forwardLayer.name.replace(/^forward_/, '');
    expect(bi.weights.map((w) => w.name)).toEqual(['forward', 'backward'].flatMap((d) => [`${d}_${inner}/kernel`, `${d}_${inner}/recurrent_kernel`]));
    // A user's LSTM written in ops, in a masked model, equals the built-in LSTM with the same weights.
    const lstm = model(rl.layers.lstm({ units: 4 }));
    const ops = model(rl.layers.rnn({ cell: new OpsLSTMCell({ units: 4 }) }), lstm);
    expect(maxDiff(out(ops), out(lstm))).toBeLessThan(2e-6);
  });

  it('saves and loads with the same predictions, the wrapped RNN and its cells as tfjs and Keras write them', async () => {
    const stack = model(rl.layers.rnn({ cell: [new TanhMinimalCell({ units: 3 }), rl.layers.gruCell({ units: 2 })], returnSequences: false }));
    await stack.save(`file://${join(root, 'stack')}`);
    const json = JSON.parse(readFileSync(join(root, 'stack', 'model.json'), 'utf8'));
    const bi = json.modelTopology.config.layers[1];
    expect(bi.class_name).toBe('Bidirectional');
    expect(bi.config.layer.class_name).toBe('RNN');
    expect(bi.config.layer.config.cell.class_name).toBe('StackedRNNCells');
    expect(maxDiff(out(await rl.loadLayersModel(`file://${join(root, 'stack')}`)), out(stack))).toBe(0);
    // (tfjs 4.22 cannot make this layer itself: its bidirectional over rnn({cell}) fails in its constructor.)
  });

  it('a user\'s cell whose class is not registered cannot be copied for the directions (both are copies): the error says so', () => {
    class Unregistered extends LinearMinimalCell { static className = 'UnregisteredBidiCell'; }
    expect(() => rl.layers.bidirectional({ layer: rl.layers.rnn({ cell: new Unregistered({ units: 2 }) }) as never }))
      .toThrow(/cannot make the forward copy of the wrapped RNN from its config: .*UnregisteredBidiCell.*registerClass/);
    expect(() => rl.layers.bidirectional({ layer: rl.layers.dense({ units: 2 }) as never }))
      .toThrow(/must be SimpleRNN, LSTM, GRU or an RNN over cells \(rl\.layers\.rnn\(\{cell\}\)\), got Dense/);
  });
});
