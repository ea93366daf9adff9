// rl.layers.rnn({cell}) against the fused layers it must equal: one cell = its layer, a list of cells = the layers
// stacked, with masks, initial and returned states, goBackwards, stateful, training; one cell step on real tensors.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { CellRNN, Layer, RNNCell } from '../../src/layers/index.js';
import { maxDiff, randomTensor as random64 } from './functional_helpers.js';

type Sym = rl.SymbolicTensor;
type Kind = 'simpleRNN' | 'lstm' | 'gru';
const many = (v: Sym | Sym[]): Sym[] => v as Sym[];
const randomTensor = (shape: number[], seed: number): rl.Tensor => rl.tensor(Float32Array.from(random64(shape, seed).values), shape);

function cellOf(kind: Kind, args: Record<string, unknown>): RNNCell {
  return kind === 'simpleRNN' ? rl.layers.simpleRNNCell(args as never) : kind === 'lstm' ? rl.layers.lstmCell(args as never) : rl.layers.gruCell(args as never);
}

function layerOf(kind: Kind, args: Record<string, unknown>): Layer {
  return kind === 'simpleRNN' ? rl.layers.simpleRNN(args as never) : kind === 'lstm' ? rl.layers.lstm(args as never) : rl.layers.gru(args as never);
}

/** A one-layer Sequential on input [4, 3]. */
function single(layer: Layer): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.inputLayer({ inputShape: [4, 3] }), layer] });
  return m;
}

const predict = (m: rl.Sequential, x: rl.Tensor) => (m.predict(x) as rl.Tensor).dataSync();

describe('rl.layers.rnn with one cell equals the matching layer', () => {
  const cases: [Kind, Record<string, unknown>][] = [
    ['simpleRNN', {}], ['lstm', {}], ['gru', {}], ['gru', { resetAfter: false }],
    ['lstm', { useBias: false, activation: 'relu', recurrentActivation: 'hard_sigmoid' }],
  ];
  for (const [kind, cellArgs] of cases) {
    for (const seqArgs of [{}, { returnSequences: true }, { returnSequences: true, goBackwards: true }, { goBackwards: true }]) {
      it(`${kind} ${JSON.stringify(cellArgs)} ${JSON.stringify(seqArgs)}`, () => {
        rl.setSeed(3);
        const a = single(rl.layers.rnn({ cell: cellOf(kind, { units: 5, ...cellArgs }), ...seqArgs }));
        const b = single(layerOf(kind, { units: 5, ...cellArgs, ...seqArgs }));
        expect(a.countParams()).toBe(b.countParams());
        b.setWeights(a.getWeights());
        const x = randomTensor([2, 4, 3], 7);
        const ya = predict(a, x);
        expect(ya.length).toBe((seqArgs as { returnSequences?: boolean }).returnSequences ? 2 * 4 * 5 : 2 * 5);
        expect(maxDiff(ya, predict(b, x))).toBe(0);
      });
    }
  }

  it('holds the weights the layer holds, under tfjs names (<rnn>/kernel), with the cell seeing them too', () => {
    const cell = rl.layers.gruCell({ units: 2, resetAfter: true });
    const r = rl.layers.rnn({ cell, name: 'rnn_gru' });
    single(r);
    expect(r.weights.map((w) => `${w.name} ${w.shape.join('x')}`)).toEqual(['rnn_gru/kernel 3x6', 'rnn_gru/recurrent_kernel 2x6', 'rnn_gru/bias 2x6']);
    expect(cell.weights).toEqual(r.weights);
    expect(cell.built).toBe(true);
  });

  it('masks padded steps as the layer does (embedding maskZero)', () => {
    rl.setSeed(4);
    const make = (rec: Layer) => rl.sequential({ layers: [rl.layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true, inputLength: 5 }), rec] });
    const a = make(rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 4 }), returnSequences: true }));
    const b = make(rl.layers.lstm({ units: 4, returnSequences: true }));
    b.setWeights(a.getWeights());
    const ids = rl.tensor2d([[0, 0, 3, 4, 5], [1, 2, 3, 4, 8], [0, 0, 0, 0, 2]], [3, 5], 'int32');
    expect(maxDiff(predict(a, ids), predict(b, ids))).toBe(0);
  });

  it('takes initial states and returns final states in a functional model, as the layer does', () => {
    rl.setSeed(5);
    const build = (rec: Layer) => {
      const x = rl.input({ shape: [4, 3] }), h = rl.input({ shape: [5] }), c = rl.input({ shape: [5] });
      const outs = many(rec.apply(x, { initialState: [h, c] }) as Sym[]);
      expect(outs.map((o) => JSON.stringify(o.shape))).toEqual(['[null,5]', '[null,5]', '[null,5]']);
      return rl.model({ inputs: [x, h, c], outputs: outs });
    };
    const a = build(rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 5 }), returnState: true }));
    const b = build(rl.layers.lstm({ units: 5, returnState: true }));
    b.setWeights(a.getWeights());
    const feeds = [randomTensor([2, 4, 3], 1), randomTensor([2, 5], 2), randomTensor([2, 5], 3)];
    const ya = a.predict(feeds) as rl.Tensor[], yb = b.predict(feeds) as rl.Tensor[];
    for (let i = 0; i < 3; i++) expect(maxDiff(ya[i].dataSync(), yb[i].dataSync())).toBe(0);
    // tfjs also takes the states in the input list: apply([x, h, c]).
    const r = rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 5 }) });
    const listed = r.apply([rl.input({ shape: [4, 3] }), rl.input({ shape: [5] }), rl.input({ shape: [5] })]) as Sym;
    expect(listed.shape).toEqual([null, 5]);
  });

  const trained: [string, Kind, Record<string, unknown>][] = [
    ['dropout and recurrentDropout', 'gru', { dropout: 0.2, recurrentDropout: 0.3 }],
    ['regularizers and a constraint', 'lstm', { kernelRegularizer: 'l2', recurrentRegularizer: rl.regularizers.l1({ l1: 0.01 }), biasConstraint: 'nonNeg' }],
  ];
  for (const [what, kind, opts] of trained) it(`trains exactly as the layer does with ${what} (fit from the same weights, same seed)`, async () => {
    const build = (rec: Layer) => {
      const m = rl.sequential({ layers: [rl.layers.inputLayer({ inputShape: [4, 3] }), rec, rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
      m.compile({ optimizer: rl.train.adam(0.05), loss: 'binaryCrossentropy' });
      return m;
    };
    rl.setSeed(6);
    const a = build(rl.layers.rnn({ cell: cellOf(kind, { units: 4, ...opts }) }));
    const b = build(layerOf(kind, { units: 4, ...opts }));
    b.setWeights(a.getWeights());
    expect(a.layers[1].weightPenalties()).toHaveLength(what.startsWith('regularizers') ? 2 : 0);
    expect(b.layers[1].weightPenalties()).toHaveLength(a.layers[1].weightPenalties().length);
    const x = randomTensor([8, 4, 3], 9), y = rl.tensor2d([[1], [0], [1], [1], [0], [0], [1], [0]]);
    rl.setSeed(11);
    const ha = await a.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    rl.setSeed(11);
    const hb = await b.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    expect(ha.history.loss).toEqual(hb.history.loss);
    expect((ha.history.loss as number[])[2]).toBeLessThan((ha.history.loss as number[])[0]);
    a.getWeights().forEach((w, i) => expect(maxDiff(w.dataSync(), b.getWeights()[i].dataSync())).toBe(0));
  });
});

describe('a list of cells (stackedRNNCells) equals the layers stacked', () => {
  for (const goBackwards of [false, true]) {
    it(`lstm(4) -> gru(3) -> simpleRNN(2), returnSequences, goBackwards ${goBackwards}`, () => {
      rl.setSeed(8);
      const a = single(rl.layers.rnn({ cell: [rl.layers.lstmCell({ units: 4 }), rl.layers.gruCell({ units: 3 }), rl.layers.simpleRNNCell({ units: 2 })], returnSequences: true, goBackwards }));
      // The first layer reads backwards and emits processing order; the rest run forwards over it (Keras's stacked step loop).
      const b = rl.sequential({ layers: [rl.layers.inputLayer({ inputShape: [4, 3] }), rl.layers.lstm({ units: 4, returnSequences: true, goBackwards }),
        rl.layers.gru({ units: 3, returnSequences: true }), rl.layers.simpleRNN({ units: 2, returnSequences: true })] });
      expect(a.countParams()).toBe(b.countParams());
      b.setWeights(a.getWeights());
      const x = randomTensor([3, 4, 3], 2);
      expect(maxDiff(predict(a, x), predict(b, x))).toBe(0);
    });
  }

  it('returnState gives every cell\'s final states, the last cell\'s first (tfjs\'s order), and takes initial states in that order', () => {
    rl.setSeed(9);
    const stack = rl.layers.stackedRNNCells({ cells: [rl.layers.lstmCell({ units: 3 }), rl.layers.gruCell({ units: 2 })] });
    expect(stack.stateSize).toEqual([2, 3, 3]);
    const r = rl.layers.rnn({ cell: stack, returnState: true });
    const x = rl.input({ shape: [4, 3] });
    const states = [rl.input({ shape: [2] }), rl.input({ shape: [3] }), rl.input({ shape: [3] })];
    const outs = many(r.apply(x, { initialState: states }));
    expect(outs.map((o) => o.shape)).toEqual([[null, 2], [null, 2], [null, 3], [null, 3]]);
    const m = rl.model({ inputs: [x, ...states], outputs: outs });
    const l1 = rl.layers.lstm({ units: 3, returnSequences: true, returnState: true }), l2 = rl.layers.gru({ units: 2, returnState: true });
    const xi = rl.input({ shape: [4, 3] }), [hg, hl, cl] = [rl.input({ shape: [2] }), rl.input({ shape: [3] }), rl.input({ shape: [3] })];
    const [seq, h1, c1] = many(l1.apply(xi, { initialState: [hl, cl] }));
    const [o2, h2] = many(l2.apply(seq, { initialState: [hg] }));
    const ref = rl.model({ inputs: [xi, hg, hl, cl], outputs: [o2, h2, h1, c1] });
    ref.setWeights(m.getWeights());
    const feeds = [randomTensor([2, 4, 3], 4), randomTensor([2, 2], 5), randomTensor([2, 3], 6), randomTensor([2, 3], 7)];
    const ya = m.predict(feeds) as rl.Tensor[], yb = ref.predict(feeds) as rl.Tensor[];
    for (let i = 0; i < 4; i++) expect(maxDiff(ya[i].dataSync(), yb[i].dataSync())).toBe(0);
    expect(() => r.apply(x, { initialState: states.slice(1) })).toThrow(/expected 3 initial state tensor\(s\) \(the last cell's first\), got 2/);
  });

  it('names a stack\'s weights <rnn>/RNNCell_<i>/... and counts Keras\'s params', () => {
    const r = rl.layers.rnn({ cell: [rl.layers.simpleRNNCell({ units: 4 }), rl.layers.lstmCell({ units: 2, useBias: false })], name: 'stack' });
    const m = single(r);
    expect(r.weights.map((w) => w.name)).toEqual(['stack/RNNCell_0/kernel', 'stack/RNNCell_0/recurrent_kernel', 'stack/RNNCell_0/bias',
      'stack/RNNCell_1/kernel', 'stack/RNNCell_1/recurrent_kernel']);
    // Keras: SimpleRNN 4*(3+4)+4 = 32; LSTM without bias 4*2*(4+2) = 48.
    expect(m.countParams()).toBe(80);
    const lines: string[] = [];
    m.summary(undefined, undefined, (l) => lines.push(l));
    expect(lines.find((l) => l.startsWith('stack (RNN)'))).toMatch(/\(None, 2\)\s+80\s*$/);
    expect(r.outputShape).toEqual([null, 2]);
  });
});

describe('stateful rnn', () => {
  it('carries every cell\'s states between batches like stateful layers, and resetStates() restarts', () => {
    rl.setSeed(12);
    const a = rl.sequential({ layers: [rl.layers.rnn({ cell: [rl.layers.lstmCell({ units: 3 }), rl.layers.gruCell({ units: 2 })], stateful: true, batchInputShape: [2, 4, 3] })] });
    const b = rl.sequential({ layers: [rl.layers.lstm({ units: 3, returnSequences: true, stateful: true, batchInputShape: [2, 4, 3] }), rl.layers.gru({ units: 2, stateful: true })] });
    b.setWeights(a.getWeights());
    const x1 = randomTensor([2, 4, 3], 1), x2 = randomTensor([2, 4, 3], 2);
    const first = predict(a, x1);
    expect(maxDiff(first, predict(b, x1))).toBe(0);
    const second = predict(a, x2);
    expect(maxDiff(second, predict(b, x2))).toBe(0);
    a.resetStates();
    expect(maxDiff(predict(a, x1), first)).toBe(0);
    expect(maxDiff(predict(a, x2), second)).toBe(0);
    const r = a.layers[0] as CellRNN;
    expect(r.getStates().map((s) => s.shape)).toEqual([[2, 2], [2, 3], [2, 3]]);
    expect(() => predict(a, randomTensor([3, 4, 3], 3))).toThrow(/rnn\w* \(RNN\): stateful layer was built for batches of 2, but 3 samples in batches of \d+ give it a batch of 3/);
    expect(() => rl.sequential({ layers: [rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 3 }), stateful: true, inputShape: [4, 3] })] }))
      .toThrow(/stateful needs a fixed batch size/);
  });
});

describe('a cell called on real tensors computes one step', () => {
  for (const kind of ['simpleRNN', 'lstm', 'gru'] as Kind[]) {
    it(`${kind}Cell.apply([x_t, ...states]) stepped over time equals the ${kind} layer's sequence and states`, () => {
      rl.setSeed(14);
      const cell = cellOf(kind, { units: 3 });
      const layer = layerOf(kind, { units: 3, returnSequences: true, returnState: true });
      const x = randomTensor([2, 4, 2], 3);
      const nStates = kind === 'lstm' ? 2 : 1;
      let states = Array.from({ length: nStates }, (_, i) => randomTensor([2, 3], 20 + i));
      const [seq, ...finals] = layer.apply(x, { initialState: states }) as rl.Tensor[];
      const outs: number[] = [];
      const steps: number[][] = [];
      for (let t = 0; t < 4; t++) {
        const xt = rl.tensor(Float32Array.from({ length: 4 }, (_, k) => x.dataSync()[Math.floor(k / 2) * 8 + t * 2 + (k % 2)]), [2, 2]);
        if (t === 0) cell.setWeights(layerWeightsFor(layer, cell, xt));
        const [out, ...next] = cell.apply([xt, ...states]) as rl.Tensor[];
        expect(out.shape).toEqual([2, 3]);
        expect(next).toHaveLength(nStates);
        steps.push(Array.from(out.dataSync()));
        states = next;
      }
      for (let b = 0; b < 2; b++) for (let t = 0; t < 4; t++) outs.push(...steps[t].slice(b * 3, b * 3 + 3));
      expect(maxDiff(outs, seq.dataSync())).toBeLessThan(1e-6);
      finals.forEach((f, i) => expect(maxDiff(f.dataSync(), states[i].dataSync())).toBeLessThan(1e-6));
    });
  }

  it('refuses a step without states, and a cell that another rnn layer owns or that was built alone', () => {
    const cell = rl.layers.lstmCell({ units: 2 });
    expect(() => cell.apply(rl.ones([2, 3]))).toThrow(/a cell step needs its states: apply\(\[x, h, c\]\)/);
    expect(() => cell.apply([rl.ones([2, 3]), rl.zeros([2, 2])])).toThrow(/a step takes \[x, h, c\], got 1 state tensor/);
    expect((cell.apply([rl.ones([2, 3]), rl.zeros([2, 2]), rl.zeros([2, 2])]) as rl.Tensor[]).map((t) => t.shape)).toEqual([[2, 2], [2, 2], [2, 2]]);
    const viaCall = cell.call([rl.ones([2, 3]), rl.zeros([2, 2]), rl.zeros([2, 2])], {});
    expect(maxDiff(viaCall[0].dataSync(), (cell.apply([rl.ones([2, 3]), rl.zeros([2, 2]), rl.zeros([2, 2])]) as rl.Tensor[])[0].dataSync())).toBe(0);
    expect(() => rl.layers.rnn({ cell })).toThrow(/already built by a call of its own/);
    const owned = rl.layers.gruCell({ units: 2 });
    rl.layers.rnn({ cell: owned, name: 'first_owner' });
    expect(() => rl.layers.rnn({ cell: owned })).toThrow(/already belongs to rnn layer 'first_owner'/);
  });
});

/** The layer's weights, built for xt's features, as the cell's (the same Keras layout). */
function layerWeightsFor(layer: Layer, cell: RNNCell, xt: rl.Tensor): Float32Array[] {
  if (!cell.built) cell.build([null, xt.shape[1]]);
  return layer.getWeightValues();
}

describe('options either work or are refused by name', () => {
  it('cells refuse the rnn layer\'s options, unknown options and what the layers refuse', () => {
    expect(() => rl.layers.lstmCell({ units: 2, returnSequences: true } as never)).toThrow(/lstm_cell.*\(LSTMCell\): returnSequences is an option of the rnn layer, not of a cell/);
    expect(() => rl.layers.gruCell({ units: 2, goBackwards: true } as never)).toThrow(/goBackwards is an option of the rnn layer/);
    expect(() => rl.layers.lstmCell({ units: 2, unitz: 3 } as never)).toThrow(/unknown option 'unitz'/);
    expect(() => rl.layers.lstmCell({ units: 0 })).toThrow(/units must be a positive integer, got 0/);
    expect(() => rl.layers.simpleRNNCell({ units: 2, recurrentActivation: 'sigmoid' } as never)).toThrow(/unknown option 'recurrentActivation'/);
    expect(() => rl.layers.lstmCell({ units: 2, dropout: 1.5 })).toThrow(/dropout must be a number in \[0, 1\), got 1.5/);
    expect(() => rl.layers.lstmCell({ units: 2, kernelInitializer: 'nope' as never })).toThrow(/kernelInitializer/);
    expect(() => rl.layers.lstmCell({ units: 2, activityRegularizer: 'l2' })).toThrow(/activityRegularizer on a cell is not applied by Keras/);
  });

  it('the rnn layer refuses cell options, non-cells, and zeroOutputForMask true', () => {
    expect(() => rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 2 }), units: 3 } as never)).toThrow(/rl\.layers\.rnn: unknown option 'units'; options: cell, returnSequences/);
    expect(() => rl.layers.rnn({ cell: rl.layers.lstm({ units: 2 }) as never })).toThrow(/cell must be a SimpleRNNCell, LSTMCell, GRUCell, a user's cell .*got LSTM without stateSize/);
    expect(() => rl.layers.rnn({} as never)).toThrow(/missing required field 'cell'/);
    expect(() => rl.layers.rnn({ cell: [] })).toThrow(/cells must be a non-empty list/);
    expect(() => rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 2 }), zeroOutputForMask: 1 } as never)).toThrow(/must be true or false/);
    expect(() => rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 2 }), returnSequences: 'yes' as never })).toThrow(/returnSequences must be true or false/);
    expect(() => rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 2 }), timeMajor: true } as never)).toThrow(/timeMajor = true is not supported/);
    expect(() => rl.layers.stackedRNNCells({ cells: [rl.layers.lstmCell({ units: 2 })], units: 2 } as never)).toThrow(/unknown option 'units'/);
  });

  it('returnState inside a Sequential is refused as for the layers; inputLength with inputDim gives the input shape', () => {
    const m = rl.sequential();
    expect(() => m.add(rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 2 }), returnState: true, inputShape: [3, 2] }))).toThrow(/returnState/);
    const r = rl.layers.rnn({ cell: rl.layers.simpleRNNCell({ units: 2 }), inputLength: 6, inputDim: 4 });
    const s = rl.sequential({ layers: [r] });
    expect(s.outputs[0].shape).toEqual([null, 2]);
    expect(r.batchInputShape).toEqual([null, 6, 4]);
  });
});

describe('stackedRNNCells called on real tensors', () => {
  it('steps every cell in order, states in tfjs\'s order (last cell first), as the cells stepped one by one', () => {
    rl.setSeed(15);
    const lstm = rl.layers.lstmCell({ units: 3 }), gru = rl.layers.gruCell({ units: 2 });
    const stack = rl.layers.stackedRNNCells({ cells: [lstm, gru] });
    const x = randomTensor([2, 4], 1), hg = randomTensor([2, 2], 2), hl = randomTensor([2, 3], 3), cl = randomTensor([2, 3], 4);
    const [out, ...states] = stack.apply([x, hg, hl, cl]) as rl.Tensor[];
    expect([out, ...states].map((t) => t.shape)).toEqual([[2, 2], [2, 2], [2, 3], [2, 3]]);
    const [y1, h1, c1] = lstm.apply([x, hl, cl]) as rl.Tensor[];
    const [y2, h2] = gru.apply([y1, hg]) as rl.Tensor[];
    [y2, h2, h1, c1].forEach((t, i) => expect(maxDiff(t.dataSync(), [out, ...states][i].dataSync())).toBe(0));
    expect(stack.weights).toHaveLength(6);
    expect(() => stack.apply([x, hg])).toThrow(/a step takes \[x, \.\.\.3 states\] \(the last cell's first\), got 1/);
    const symbolic = stack.apply([rl.input({ shape: [4] }), rl.input({ shape: [2] }), rl.input({ shape: [3] }), rl.input({ shape: [3] })]) as Sym[];
    expect(symbolic.map((t) => t.shape)).toEqual([[null, 2], [null, 2], [null, 3], [null, 3]]);
  });
});
