// A user's recurrent cell in rl.layers.rnn({cell}), written as tfjs and Keras users write one: a layer with stateSize
// whose call([x, ...states]) returns [output, ...newStates]. Oracles: an LSTM cell written with rl ops against
// rl.layers.lstm, and Keras's MinimalRNNCell (LinearMinimalCell) against simpleRNN (linear, no bias), with the same weights: masks,
// goBackwards, initial and returned states, stacks with rnnlab's cells, stateful batches, training, save and load.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { CellRNN, Layer } from '../../src/layers/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import { maxDiff, randomTensor as random64 } from './functional_helpers.js';
import { LinearMinimalCell, OpsLSTMCell } from './user_cells.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-user-cell-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Sym = rl.SymbolicTensor;
const randomTensor = (shape: number[], seed: number): rl.Tensor => rl.tensor(Float32Array.from(random64(shape, seed).values), shape);
const predict = (m: rl.Sequential | rl.Functional, x: rl.Tensor | rl.Tensor[]) => (m.predict(x as rl.Tensor) as rl.Tensor).dataSync();

/** A one-layer model on input [5, 3]. */
const single = (layer: Layer, inputShape = [5, 3]) => rl.sequential({ layers: [rl.layers.inputLayer({ inputShape }), layer] });
/** Equal within tol (0: exactly). */
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 2e-6) => (tol === 0 ? expect(maxDiff(a, b)).toBe(0) : expect(maxDiff(a, b)).toBeLessThan(tol));

describe('a user cell equals the layer it writes out', () => {
  for (const seq of [{}, { returnSequences: true }, { returnSequences: true, goBackwards: true }, { goBackwards: true }]) {
    it(`an LSTM step in rl ops equals rl.layers.lstm ${JSON.stringify(seq)}`, () => {
      rl.setSeed(1);
      const a = single(rl.layers.rnn({ cell: new OpsLSTMCell({ units: 4 }), ...seq }));
      const b = single(rl.layers.lstm({ units: 4, ...seq }));
      expect(a.countParams()).toBe(b.countParams());
      b.setWeights(a.getWeights());
      const x = randomTensor([3, 5, 3], 2);
      const ya = predict(a, x);
      expect(ya.length).toBe((seq as { returnSequences?: boolean }).returnSequences ? 3 * 5 * 4 : 3 * 4);
      close(ya, predict(b, x));
    });
  }

  it("Keras's MinimalRNNCell equals simpleRNN (linear, no bias); its weights are named <rnn>/<weight> as tfjs names them", () => {
    rl.setSeed(2);
    const r = rl.layers.rnn({ cell: new LinearMinimalCell({ units: 3 }), returnSequences: true, name: 'minimal' });
    const a = single(r);
    expect(r.weights.map((w) => `${w.name} ${w.shape.join('x')}`)).toEqual(['minimal/kernel 3x3', 'minimal/recurrent_kernel 3x3']);
    const b = single(rl.layers.simpleRNN({ units: 3, activation: 'linear', useBias: false, returnSequences: true }));
    b.setWeights(a.getWeights());
    const x = randomTensor([2, 5, 3], 3);
    close(predict(a, x), predict(b, x));
  });

  it('masked steps keep the states and repeat the previous output, as the layer does (embedding maskZero, goBackwards, zeroOutputForMask)', () => {
    for (const [goBackwards, zeroOutputForMask] of [[false, false], [true, false], [false, true], [true, true]]) {
      rl.setSeed(4);
      const make = (rec: Layer) => rl.sequential({ layers: [rl.layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true, inputLength: 5 }), rec] });
      const a = make(rl.layers.rnn({ cell: new OpsLSTMCell({ units: 4 }), returnSequences: true, goBackwards, zeroOutputForMask }));
      const b = make(rl.layers.lstm({ units: 4, returnSequences: true, goBackwards, zeroOutputForMask }));
      b.setWeights(a.getWeights());
      const ids = rl.tensor2d([[0, 0, 3, 4, 5], [1, 2, 3, 4, 8], [6, 0, 0, 7, 2], [5, 3, 0, 0, 0]], [4, 5], 'int32');
      close(predict(a, ids), predict(b, ids));
    }
  });

  it('takes initial states and returns final states [output, h, c] in a functional model', () => {
    rl.setSeed(5);
    const build = (rec: Layer) => {
      const x = rl.input({ shape: [5, 3] }), h = rl.input({ shape: [4] }), c = rl.input({ shape: [4] });
      const outs = rec.apply(x, { initialState: [h, c] }) as Sym[];
      expect(outs.map((o) => JSON.stringify(o.shape))).toEqual(['[null,4]', '[null,4]', '[null,4]']);
      return rl.model({ inputs: [x, h, c], outputs: outs });
    };
    const a = build(rl.layers.rnn({ cell: new OpsLSTMCell({ units: 4 }), returnState: true }));
    const b = build(rl.layers.lstm({ units: 4, returnState: true }));
    b.setWeights(a.getWeights());
    const feeds = [randomTensor([2, 5, 3], 1), randomTensor([2, 4], 2), randomTensor([2, 4], 3)];
    const ya = a.predict(feeds) as rl.Tensor[], yb = b.predict(feeds) as rl.Tensor[];
    for (let i = 0; i < 3; i++) close(ya[i].dataSync(), yb[i].dataSync());
  });

  it("stacks with rnnlab's cells: [user LSTM, gruCell] equals lstm -> gru, weights under RNNCell_<i>", () => {
    rl.setSeed(6);
    const r = rl.layers.rnn({ cell: [new OpsLSTMCell({ units: 4 }), rl.layers.gruCell({ units: 2 })], returnSequences: true, name: 'mixed' });
    const a = single(r);
    expect(r.weights.map((w) => w.name)).toEqual(['mixed/RNNCell_0/kernel', 'mixed/RNNCell_0/recurrent_kernel', 'mixed/RNNCell_0/bias',
      'mixed/RNNCell_1/kernel', 'mixed/RNNCell_1/recurrent_kernel', 'mixed/RNNCell_1/bias']);
    expect(r.stateSize).toEqual([2, 4, 4]);
    const b = rl.sequential({ layers: [rl.layers.inputLayer({ inputShape: [5, 3] }), rl.layers.lstm({ units: 4, returnSequences: true }), rl.layers.gru({ units: 2, returnSequences: true })] });
    expect(a.countParams()).toBe(b.countParams());
    b.setWeights(a.getWeights());
    const x = randomTensor([3, 5, 3], 7);
    close(predict(a, x), predict(b, x));
  });

  it('stateful: carries its states between batches and resetStates() restarts, as a stateful layer', () => {
    rl.setSeed(7);
    const a = rl.sequential({ layers: [rl.layers.rnn({ cell: new LinearMinimalCell({ units: 3 }), stateful: true, batchInputShape: [2, 4, 3] })] });
    const b = rl.sequential({ layers: [rl.layers.simpleRNN({ units: 3, activation: 'linear', useBias: false, stateful: true, batchInputShape: [2, 4, 3] })] });
    b.setWeights(a.getWeights());
    const x1 = randomTensor([2, 4, 3], 1), x2 = randomTensor([2, 4, 3], 2);
    const first = predict(a, x1);
    close(first, predict(b, x1));
    const second = predict(a, x2);
    close(second, predict(b, x2));
    expect(maxDiff(second, predict(a, x2))).toBeGreaterThan(1e-4);
    a.resetStates();
    close(predict(a, x1), first, 1e-7);
    const r = a.layers[0] as CellRNN;
    expect(r.getStates().map((s) => s.shape)).toEqual([[2, 3]]);
    r.resetStates([rl.zeros([2, 3])]);
    close(predict(a, x1), first, 1e-7);
    expect(() => r.resetStates([rl.zeros([2, 4])])).toThrow(/state 0 must be a tensor of shape \[2, 3\] .*got \[2, 4\]/);
  });
});

describe('a user cell trains, saves and loads', () => {
  it('fit from the same weights follows the lstm layer step for step; the cell sees training: true in fit, false in predict', async () => {
    const cell = new OpsLSTMCell({ units: 4 });
    rl.setSeed(8);
    const head = () => rl.layers.dense({ units: 1, activation: 'sigmoid' });
    const a = rl.sequential({ layers: [rl.layers.inputLayer({ inputShape: [5, 3] }), rl.layers.rnn({ cell }), head()] });
    const b = rl.sequential({ layers: [rl.layers.inputLayer({ inputShape: [5, 3] }), rl.layers.lstm({ units: 4 }), head()] });
    b.setWeights(a.getWeights());
    const x = randomTensor([16, 5, 3], 9);
    const y = rl.tensor2d(Array.from({ length: 16 }, (_, i) => [i % 2]), [16, 1]);
    for (const m of [a, b]) m.compile({ optimizer: rl.train.adam(0.05), loss: 'binaryCrossentropy' });
    cell.seenTraining.length = 0;
    const ha = await a.fit(x, y, { epochs: 4, batchSize: 8, shuffle: false, verbose: 0 });
    expect(new Set(cell.seenTraining)).toEqual(new Set([true]));
    const hb = await b.fit(x, y, { epochs: 4, batchSize: 8, shuffle: false, verbose: 0 });
    const la = ha.history.loss as number[], lb = hb.history.loss as number[];
    for (let i = 0; i < la.length; i++) expect(Math.abs(la[i] - lb[i])).toBeLessThan(1e-5);
    expect(la[3]).toBeLessThan(la[0]);
    a.getWeights().forEach((w, i) => close(w.dataSync(), b.getWeights()[i].dataSync(), 1e-4));
    cell.seenTraining.length = 0;
    predict(a, x);
    expect(new Set(cell.seenTraining)).toEqual(new Set([false]));
  });

  it('saves (config.cell is the class and its config) and loads back with the same predictions', async () => {
    rl.setSeed(10);
    const m = rl.sequential({ layers: [rl.layers.inputLayer({ inputShape: [5, 3] }), rl.layers.rnn({ cell: [new LinearMinimalCell({ units: 3 }), new OpsLSTMCell({ units: 2 })], goBackwards: true, name: 'pair' }), rl.layers.dense({ units: 1 })] });
    const x = randomTensor([2, 5, 3], 11);
    const before = predict(m, x);
    await m.save(`file://${join(root, 'pair')}`);
    const back = await rl.loadLayersModel(`file://${join(root, 'pair')}`);
    close(predict(back, x), before, 0);
    const r = back.layers.find((l) => l.className === 'RNN') as CellRNN;
    expect(r.cells.map((c) => c.className)).toEqual(['LinearMinimalCell', 'OpsLSTMCell']);
    expect(r.weights.map((w) => w.name)).toEqual(['pair/RNNCell_0/kernel', 'pair/RNNCell_0/recurrent_kernel', 'pair/RNNCell_1/kernel', 'pair/RNNCell_1/recurrent_kernel', 'pair/RNNCell_1/bias']);
    const config = (m.layers[1].getConfig().cell as { className: string; config: { cells: { className: string; config: { units: number } }[] } });
    expect(config.className).toBe('StackedRNNCells');
    expect(config.config.cells.map((c) => [c.className, c.config.units])).toEqual([['LinearMinimalCell', 3], ['OpsLSTMCell', 2]]);
  });

  it('a cell that holds layers (a dense, then an lstmCell): their weights join, train and save under <rnn>/<attribute>', async () => {
    class ProjectedLSTMCell extends rl.layers.Layer {
      static className = 'ProjectedLSTMCell';
      units: number; stateSize: number[];
      proj: rl.layerClasses.Layer; inner: rl.layerClasses.Layer;
      constructor(config: { units: number; name?: string }) {
        super({ name: config.name });
        this.units = config.units; this.stateSize = [config.units, config.units];
        this.proj = rl.layers.dense({ units: config.units, activation: 'tanh' });
        this.inner = rl.layers.lstmCell({ units: config.units });
      }
      call(inputs: rl.Tensor | rl.Tensor[], kwargs: never) {
        const [x, h, c] = inputs as rl.Tensor[];
        return this.inner.apply([this.proj.apply(x) as rl.Tensor, h, c], kwargs) as rl.Tensor[];
      }
      getConfig() { return { ...super.getConfig(), units: this.units }; }
    }
    rl.serialization.registerClass(ProjectedLSTMCell);
    rl.setSeed(12);
    const r = rl.layers.rnn({ cell: new ProjectedLSTMCell({ units: 2 }), name: 'held' });
    const m = single(r);
    expect(r.weights.map((w) => `${w.name} ${w.shape.join('x')}`).sort()).toEqual(['held/inner/bias 8', 'held/inner/kernel 2x8', 'held/inner/recurrent_kernel 2x8',
      'held/proj/bias 2', 'held/proj/kernel 3x2']);
    expect(m.countParams()).toBe(3 * 2 + 2 + 2 * 8 * 2 + 8);
    const x = randomTensor([4, 5, 3], 13);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = m.getWeights().map((w) => w.dataSync().slice());
    await m.fit(x, rl.ones([4, 2]), { epochs: 1, verbose: 0 });
    m.getWeights().forEach((w, i) => expect(maxDiff(w.dataSync(), before[i])).toBeGreaterThan(0));
    await m.save(`file://${join(root, 'held')}`);
    const back = await rl.loadLayersModel(`file://${join(root, 'held')}`);
    close(predict(back, x), predict(m, x), 0);
  });
});

describe('stackedRNNCells on real tensors', () => {
  it('steps a user cell and an lstmCell as calling them one by one, states in tfjs\'s order (last cell first)', () => {
    rl.setSeed(14);
    const user = new OpsLSTMCell({ units: 3 }), lstm = rl.layers.lstmCell({ units: 2 });
    const stack = rl.layers.stackedRNNCells({ cells: [user, lstm], name: 'steps' });
    const x = randomTensor([2, 4], 1);
    const states = [randomTensor([2, 2], 2), randomTensor([2, 2], 3), randomTensor([2, 3], 4), randomTensor([2, 3], 5)];
    const [out, ...next] = stack.apply([x, ...states]) as rl.Tensor[];
    expect(stack.weights.map((w) => w.name)).toEqual(['steps/RNNCell_0/kernel', 'steps/RNNCell_0/recurrent_kernel', 'steps/RNNCell_0/bias',
      'steps/RNNCell_1/kernel', 'steps/RNNCell_1/recurrent_kernel', 'steps/RNNCell_1/bias']);
    const [o1, h1, c1] = user.apply([x, states[2], states[3]]) as rl.Tensor[];
    const [o2, h2, c2] = lstm.apply([o1, states[0], states[1]]) as rl.Tensor[];
    close(out.dataSync(), o2.dataSync(), 0);
    [h2, c2, h1, c1].forEach((t, i) => close(next[i].dataSync(), t.dataSync(), 0));
  });
});

describe('what a user cell may not do is an error naming it', () => {
  it('a layer without stateSize, a bad stateSize, a cell built alone or given twice', () => {
    class NoState extends rl.layers.Layer {
      static className = 'NoState';
      call(x: rl.Tensor) { return x; }
    }
    expect(() => rl.layers.rnn({ cell: new NoState({}) })).toThrow(/cell must be a SimpleRNNCell, LSTMCell, GRUCell, a user's cell \(a layer with stateSize .*got NoState without stateSize/);
    expect(() => rl.layers.rnn({ cell: [new LinearMinimalCell({ units: 2 }), new NoState({})] })).toThrow(/cells\[1\] must be .*got NoState without stateSize/);
    const bad = new LinearMinimalCell({ units: 2 });
    (bad as unknown as { stateSize: unknown }).stateSize = [2, 0];
    expect(() => rl.layers.rnn({ cell: bad })).toThrow(/stateSize must be a positive integer or a non-empty list of them \(one per state\), got \[2, 0\]/);
    const owned = new LinearMinimalCell({ units: 2 });
    rl.layers.rnn({ cell: owned, name: 'first_owner' });
    expect(() => rl.layers.rnn({ cell: owned })).toThrow(/already belongs to rnn layer 'first_owner'/);
    const alone = new LinearMinimalCell({ units: 2 });
    alone.apply([rl.zeros([1, 3]), rl.zeros([1, 2])]);
    expect(() => rl.layers.rnn({ cell: alone })).toThrow(/already built by a call of its own/);
    class OverridingCell extends rl.layerClasses.LSTMCell {
      call(inputs: never) { return inputs; }
    }
    expect(() => rl.layers.rnn({ cell: new OverridingCell({ units: 2 }) })).toThrow(/overrides call\(\), which rnn would skip/);
  });

  it('a step that returns the wrong number of tensors or a wrong output shape', () => {
    class Wrong extends rl.layers.Layer {
      static className = 'Wrong';
      stateSize = 2;
      constructor(readonly mode: 'count' | 'shape') { super({}); }
      call(inputs: rl.Tensor | rl.Tensor[]) {
        const [x, h] = inputs as rl.Tensor[];
        return this.mode === 'count' ? [h] : [x, h];
      }
    }
    const x = randomTensor([2, 5, 3], 1);
    expect(() => single(rl.layers.rnn({ cell: new Wrong('count') })).predict(x)).toThrow(/must return \[output, \.\.\.newStates\] \(2 tensors, as stateSize has 1\), got 1/);
    expect(() => single(rl.layers.rnn({ cell: new Wrong('shape') })).predict(x)).toThrow(/a step's output must have shape \[2, 2\] \(outputSize, or stateSize's first\), got \[2, 3\]/);
  });

  it('ONNX export names the cell class it cannot write', () => {
    const m = single(rl.layers.rnn({ cell: new LinearMinimalCell({ units: 2 }) }));
    expect(() => toOnnx(m)).toThrow(/cell of class LinearMinimalCell, which is not exported/);
  });
});
