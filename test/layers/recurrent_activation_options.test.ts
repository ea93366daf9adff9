/**
 * The recurrent layers' activations as Keras 3 reads them: null is no activation (linear; Keras's None, tfjs's
 * null) in simpleRNN, lstm, gru and their cells, while an absent option keeps tanh / sigmoid; softmax, which Keras
 * accepts as any activation, is applied over each gate's units and checked against a float64 re-implementation of
 * Keras's cells, with its gradients against central differences. Also: a recurrent layer's activity regularizer is
 * the sum over its outputs (the states included with returnState) divided by the batch size (Keras 3.14+, tf.keras 2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { RNN } from '../../src/layers/recurrent.js';
import { gradCheck } from '../compat/functional_helpers.js';

const L = rl.layers;
const B = 2, T = 3, D = 2, U = 3;
type Kind = 'simpleRNN' | 'lstm' | 'gru';

function values(n: number, seed: number): Float32Array {
  const r = new rl.Random(seed);
  return Float32Array.from({ length: n }, () => r.uniform(-1, 1));
}

function makeLayer(kind: Kind, args: Record<string, unknown>): RNN {
  const layer = (L[kind] as unknown as (a: Record<string, unknown>) => RNN)({ units: U, returnSequences: true, ...args });
  layer.build([null, T, D]);
  layer.weights.forEach((w, i) => w.values.set(values(w.size, 30 + i)));
  return layer;
}

const x = rl.tensor(values(B * T * D, 1), [B, T, D]);
const out = (layer: RNN, input = x) => Array.from(layer.run(input, { training: false, mask: null }).output.dataSync());

describe('activation: null and recurrentActivation: null are linear', () => {
  for (const kind of ['simpleRNN', 'lstm', 'gru'] as const) {
    it(`${kind}: null computes the linear layer, undefined the default one`, () => {
      const gated = kind !== 'simpleRNN';
      const nulls = { activation: null, ...(gated ? { recurrentActivation: null } : {}) };
      const linear = makeLayer(kind, { activation: 'linear', ...(gated ? { recurrentActivation: 'linear' } : {}) });
      const viaNull = makeLayer(kind, nulls);
      expect(viaNull.getConfig().activation).toBe('linear');
      if (gated) expect(viaNull.getConfig().recurrentActivation).toBe('linear');
      expect(out(viaNull)).toEqual(out(linear));
      const byDefault = makeLayer(kind, { activation: undefined, recurrentActivation: undefined });
      expect(byDefault.getConfig().activation).toBe('tanh');
      if (gated) expect(byDefault.getConfig().recurrentActivation).toBe('sigmoid');
      expect(out(byDefault)).toEqual(out(makeLayer(kind, {})));
      expect(out(byDefault)).not.toEqual(out(linear));
    });
  }

  it('each option on its own, and in the cells', () => {
    expect(L.lstm({ units: 2, recurrentActivation: null }).getConfig()).toMatchObject({ activation: 'tanh', recurrentActivation: 'linear' });
    expect(L.gru({ units: 2, activation: null }).getConfig()).toMatchObject({ activation: 'linear', recurrentActivation: 'sigmoid' });
    expect(L.lstmCell({ units: 2, activation: null, recurrentActivation: null }).getConfig()).toMatchObject({ activation: 'linear', recurrentActivation: 'linear' });
    expect(L.gruCell({ units: 2, recurrentActivation: null }).getConfig()).toMatchObject({ activation: 'tanh', recurrentActivation: 'linear' });
    expect(L.simpleRNNCell({ units: 2, activation: null }).getConfig()).toMatchObject({ activation: 'linear' });
    expect(L.simpleRNNCell({ units: 2 }).getConfig()).toMatchObject({ activation: 'tanh' });
  });
});

// ---- a float64 re-implementation of Keras's cells (keras/src/layers/rnn/{simple_rnn,lstm,gru}.py), any activation ----

type Act = (v: number[]) => number[];
const ACTS: Record<string, Act> = {
  tanh: (v) => v.map(Math.tanh),
  sigmoid: (v) => v.map((a) => 1 / (1 + Math.exp(-a))),
  linear: (v) => v,
  softmax: (v) => { const m = Math.max(...v); const e = v.map((a) => Math.exp(a - m)); const s = e.reduce((p, q) => p + q, 0); return e.map((a) => a / s); },
};

/** x [T, D] of one sample -> outputs [T, U]; W [D, G*U], R [U, G*U], bias [G*U] or GRU's [2, G*U]. */
function kerasSequence(kind: Kind, xs: number[][], W: Float32Array, R: Float32Array, bias: Float32Array, act: Act, recAct: Act): number[][] {
  const G = kind === 'lstm' ? 4 : kind === 'gru' ? 3 : 1;
  const GU = G * U;
  const proj = (v: number[], M: Float32Array, rows: number) => Array.from({ length: GU }, (_, j) => { let s = 0; for (let k = 0; k < rows; k++) s += v[k] * M[k * GU + j]; return s; });
  const gate = (v: number[], k: number) => v.slice(k * U, (k + 1) * U);
  let h = new Array<number>(U).fill(0), c = new Array<number>(U).fill(0);
  const outs: number[][] = [];
  for (const xt of xs) {
    const xp = proj(xt, W, D).map((v, j) => v + bias[j]);
    const hp = proj(h, R, U).map((v, j) => v + (kind === 'gru' ? bias[GU + j] : 0));
    if (kind === 'simpleRNN') h = act(xp.map((v, j) => v + hp[j]));
    else if (kind === 'lstm') {
      const z = xp.map((v, j) => v + hp[j]);
      const i = recAct(gate(z, 0)), f = recAct(gate(z, 1)), g = act(gate(z, 2)), o = recAct(gate(z, 3));
      c = c.map((cv, u) => f[u] * cv + i[u] * g[u]);
      const ac = act(c);
      h = o.map((ov, u) => ov * ac[u]);
    } else {
      const z = recAct(gate(xp, 0).map((v, u) => v + hp[u]));
      const r = recAct(gate(xp, 1).map((v, u) => v + hp[U + u]));
      const n = act(gate(xp, 2).map((v, u) => v + r[u] * hp[2 * U + u]));
      h = h.map((hv, u) => z[u] * hv + (1 - z[u]) * n[u]);
    }
    outs.push(h);
  }
  return outs;
}

describe('softmax as a recurrent activation (over each gate\'s units, as Keras)', () => {
  const combos: [Kind, string, string][] = [
    ['simpleRNN', 'softmax', 'sigmoid'], ['lstm', 'softmax', 'sigmoid'], ['lstm', 'tanh', 'softmax'], ['lstm', 'softmax', 'softmax'],
    ['gru', 'softmax', 'sigmoid'], ['gru', 'tanh', 'softmax'],
  ];
  for (const [kind, act, recAct] of combos) {
    it(`${kind} activation ${act}, recurrentActivation ${recAct}: Keras's cell in float64; predict and apply agree`, () => {
      const layer = makeLayer(kind, { activation: act, ...(kind === 'simpleRNN' ? {} : { recurrentActivation: recAct }) });
      expect(layer.getConfig().activation).toBe(act);
      const [W, R, bias] = layer.weights.map((w) => w.values as Float32Array);
      const xd = x.dataSync();
      const got = out(layer);
      for (let b = 0; b < B; b++) {
        const xs = Array.from({ length: T }, (_, t) => Array.from(xd.slice((b * T + t) * D, (b * T + t + 1) * D)));
        const want = kerasSequence(kind, xs, W, R, bias, ACTS[act], ACTS[recAct]).flat();
        want.forEach((v, i) => expect(got[b * T * U + i]).toBeCloseTo(v, 5));
      }
      const m = rl.sequential({ layers: [L.inputLayer({ batchInputShape: [null, T, D] }), layer] });
      Array.from((m.predict(x) as rl.Tensor).dataSync()).forEach((v, i) => expect(v).toBeCloseTo(got[i], 6));
    });
  }

  it('in a cell under rnn, with a mask and goBackwards', () => {
    rl.setSeed(2);
    const cell = L.simpleRNNCell({ units: U, activation: 'softmax' });
    const layer = L.rnn({ cell, goBackwards: true });
    const y = layer.apply(x, { mask: rl.tensor(Int32Array.from([1, 1, 0, 1, 1, 1]), [B, T], 'int32') }) as rl.Tensor;
    // A softmax output sums to 1 over the units.
    for (let b = 0; b < B; b++) expect(row(y, b).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });

  describe('gradients (float64 central differences)', () => {
    beforeAll(() => rl.setPrecision(64));
    afterAll(() => rl.setPrecision(32));
    for (const kind of ['simpleRNN', 'lstm', 'gru'] as const) {
      it(kind, () => {
        const layer = makeLayer(kind, { activation: 'softmax', ...(kind === 'simpleRNN' ? {} : { recurrentActivation: 'softmax' }) });
        const x64 = rl.tensor(Float64Array.from(x.dataSync()), [B, T, D]);
        const mask = Uint8Array.from([1, 0, 1, 1, 1, 0]);
        gradCheck((t) => layer.run(t[0], { training: true, mask }).output, [x64], layer.weights);
      });
    }
  });
});

function row(t: rl.Tensor, b: number): number[] {
  return Array.from(t.dataSync()).slice(b * U, (b + 1) * U);
}

describe('a recurrent layer\'s activity regularizer: divided by the batch size, as Keras 3.14+', () => {
  it('evaluate adds l2 * sum(y^2) / batch, the states included with returnState', () => {
    rl.setSeed(3);
    const inp = rl.input({ shape: [T, D] });
    const build = (activity: boolean) => {
      rl.setSeed(3);
      const [y, h, c] = L.lstm({ units: U, returnState: true, ...(activity ? { activityRegularizer: rl.regularizers.l2({ l2: 0.5 }) } : {}) }).apply(inp) as rl.SymbolicTensor[];
      const head = L.dense({ units: 1 }).apply(y) as rl.SymbolicTensor;
      const m = rl.model({ inputs: inp, outputs: [head, h, c] });
      return m;
    };
    const plain = build(false), reg = build(true);
    reg.setWeights(plain.getWeights());
    const outs = plain.predict(x) as rl.Tensor[];
    const sumSq = (t: rl.Tensor) => Array.from(t.dataSync()).reduce((s, v) => s + v * v, 0);
    // The LSTM's outputs are [y, h, c]; y equals h here (returnSequences off), so y and h both count.
    const lstmOut = (plain.layers.find((l) => l.className === 'LSTM') as RNN).run(x, { training: false, mask: null });
    const penalty = 0.5 * (sumSq(lstmOut.output) + sumSq(lstmOut.states[0]) + sumSq(lstmOut.states[1]));
    expect(outs.length).toBe(3);
    for (const m of [plain, reg]) m.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'meanSquaredError', 'meanSquaredError'] });
    const ys = [rl.tensor(values(B, 8), [B, 1]), rl.tensor(values(B * U, 9), [B, U]), rl.tensor(values(B * U, 10), [B, U])];
    const lossOf = (m: rl.LayersModel) => (m.evaluate(x, ys) as rl.Tensor[])[0].dataSync()[0];
    expect(lossOf(reg) - lossOf(plain)).toBeCloseTo(penalty / B, 4);
    expect(penalty / B).not.toBeCloseTo(penalty, 2);
  });
});
