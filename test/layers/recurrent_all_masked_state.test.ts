/**
 * A batch row whose steps are all masked keeps its initial h state (Keras 3's backend.rnn carries every state over a
 * masked step, and return_state / a stateful layer hand those states on), consistently with the LSTM's c: in
 * simpleRNN, lstm, gru and rnn over the built-in cells, on the training forward, predict's forward-only kernels, the
 * composed recurrentDropout path and a stateful layer's carry. Its output stays zeros. Gradients reach h0 through
 * that row (float64 central differences, and the fused kernels against the composed steps in float32).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { withInference } from '../../src/autograd/recurrent_infer.js';
import type { RNN } from '../../src/layers/recurrent.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { gradCheck } from '../compat/functional_helpers.js';

const L = rl.layers;
const B = 3, T = 4, D = 2, U = 3;
/** Row 0: every step masked; row 1: padding at the end; row 2: all real. */
const MASK = Uint8Array.from([0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1]);

function values(n: number, seed: number, f64 = false): Float32Array | Float64Array {
  const r = new rl.Random(seed);
  const a = Array.from({ length: n }, () => r.uniform(-1, 1));
  return f64 ? Float64Array.from(a) : Float32Array.from(a);
}

/** x with row 0's steps zero (so a Masking layer masks exactly MASK), and initial states. */
function inputs(f64 = false): { x: rl.Tensor; h0: rl.Tensor; c0: rl.Tensor } {
  const xd = values(B * T * D, 3, f64);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) if (!MASK[b * T + t]) xd.fill(0, (b * T + t) * D, (b * T + t + 1) * D);
  return { x: rl.tensor(xd, [B, T, D]), h0: rl.tensor(values(B * U, 4, f64), [B, U]), c0: rl.tensor(values(B * U, 5, f64), [B, U]) };
}

const row = (t: rl.Tensor, b: number) => Array.from(t.dataSync()).slice(b * U, (b + 1) * U);

type Kind = 'simpleRNN' | 'lstm' | 'gru';
const CASES: { kind: Kind; extra?: Record<string, unknown>; label: string }[] = [
  { kind: 'simpleRNN', label: 'simpleRNN' },
  { kind: 'lstm', label: 'lstm' },
  { kind: 'gru', label: 'gru' },
  { kind: 'gru', extra: { resetAfter: false }, label: 'gru resetAfter false' },
];

function makeLayer(kind: Kind, extra: Record<string, unknown> = {}): RNN {
  rl.setSeed(7);
  const layer = (L[kind] as unknown as (a: Record<string, unknown>) => RNN)({ units: U, returnState: true, ...extra });
  layer.build([null, T, D]);
  // Non-zero biases, so a zero output and a carried h0 differ from anything a step computes by chance.
  layer.weights.forEach((w, i) => w.values.set(values(w.size, 20 + i)));
  return layer;
}

function expectCarried(kind: Kind, states: rl.Tensor[], output: rl.Tensor, h0: rl.Tensor, c0: rl.Tensor): void {
  expect(row(states[0], 0), 'h of the all-masked row').toEqual(row(h0, 0));
  if (kind === 'lstm') expect(row(states[1], 0), 'c of the all-masked row').toEqual(row(c0, 0));
  expect(row(output, 0).every((v) => v === 0), 'the all-masked row outputs zeros').toBe(true);
  // Rows with a real step: h is the last output.
  for (const b of [1, 2]) expect(row(states[0], b)).toEqual(row(output, b));
}

describe('an all-masked row keeps its initial h state', () => {
  for (const { kind, extra, label } of CASES) for (const goBackwards of [false, true]) {
    it(`${label}${goBackwards ? ', goBackwards' : ''}: training forward, predict kernels and the recurrentDropout path`, () => {
      const { x, h0, c0 } = inputs();
      const states = kind === 'lstm' ? [h0, c0] : [h0];
      const layer = makeLayer(kind, { ...extra, goBackwards });
      const fused = layer.run(x, { training: false, mask: MASK }, states);
      expectCarried(kind, fused.states, fused.output, h0, c0);
      const inferred = withInference(() => layer.run(x, { training: false, mask: MASK }, states));
      expectCarried(kind, inferred.states, inferred.output, h0, c0);
      fused.states.forEach((s, i) => expect(Array.from(inferred.states[i].dataSync())).toEqual(Array.from(s.dataSync())));

      const dropping = makeLayer(kind, { ...extra, goBackwards, recurrentDropout: 1e-7 });
      const composed = dropping.run(x, { training: true, mask: MASK }, states);
      expectCarried(kind, composed.states, composed.output, h0, c0);
      composed.states.forEach((s, i) => Array.from(s.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(fused.states[i].dataSync()[j], 5)));
    });
  }

  it('through a model: Masking, returnState and initial states as inputs (predict), and rnn(lstmCell)', () => {
    const { x, h0, c0 } = inputs();
    for (const make of [() => L.lstm({ units: U, returnState: true }), () => L.rnn({ cell: L.lstmCell({ units: U }), returnState: true })]) {
      rl.setSeed(3);
      const inp = rl.input({ shape: [T, D] });
      const s = [rl.input({ shape: [U] }), rl.input({ shape: [U] })];
      const outs = make().apply(L.masking().apply(inp) as SymbolicTensor, { initialState: s }) as SymbolicTensor[];
      const m = rl.model({ inputs: [inp, ...s], outputs: outs });
      const [y, h, c] = m.predict([x, h0, c0]) as rl.Tensor[];
      expectCarried('lstm', [h, c], y, h0, c0);
    }
  });

  it('a stateful layer carries h over a chunk in which a row is all padding', () => {
    rl.setSeed(4);
    const inp = rl.input({ batchShape: [B, T, D] });
    const layer = L.lstm({ units: U, stateful: true });
    const m = rl.model({ inputs: inp, outputs: layer.apply(L.masking().apply(inp) as SymbolicTensor) as SymbolicTensor });
    m.predict(rl.tensor(values(B * T * D, 9), [B, T, D]));
    const before = layer.getStates();
    m.predict(inputs().x);
    const after = layer.getStates();
    expect(row(after[0], 0)).toEqual(row(before[0], 0));
    expect(row(after[1], 0)).toEqual(row(before[1], 0));
    expect(row(after[0], 1)).not.toEqual(row(before[0], 1));
  });
});

describe('gradients through the all-masked row', () => {
  describe('float64 central differences', () => {
    beforeAll(() => rl.setPrecision(64));
    afterAll(() => rl.setPrecision(32));
    for (const { kind, extra, label } of CASES) for (const recurrentDropout of [0, 1e-7]) {
      it(`${label}${recurrentDropout ? ', the composed recurrentDropout path' : ''}: d/d(x, h0, c0, weights)`, () => {
        const { x, h0, c0 } = inputs(true);
        const layer = makeLayer(kind, { ...extra, goBackwards: true, recurrentDropout });
        const xs = kind === 'lstm' ? [x, h0, c0] : [x, h0];
        const f = (t: rl.Tensor[]) => {
          const r = layer.run(t[0], { training: recurrentDropout > 0, mask: MASK }, t.slice(1));
          return rl.concat([r.output, ...r.states], 1);
        };
        gradCheck(f, xs, layer.weights);
      });
    }
  });

  it('float32: the fused kernels give h0 and c0 the gradients the composed steps give', () => {
    for (const { kind, extra } of CASES) {
      const { x, h0, c0 } = inputs();
      const gradsOf = (recurrentDropout: number) => {
        const layer = makeLayer(kind, { ...extra, recurrentDropout });
        const coef = rl.tensor(values(B * U * (kind === 'lstm' ? 3 : 2), 11), [B, U * (kind === 'lstm' ? 3 : 2)]);
        return rl.grads((...t: rl.Tensor[]) => {
          const r = layer.run(t[0], { training: recurrentDropout > 0, mask: MASK }, t.slice(1));
          return rl.sum(rl.mul(rl.concat([r.output, ...r.states], 1), coef));
        })(kind === 'lstm' ? [x, h0, c0] : [x, h0]);
      };
      const fused = gradsOf(0), composed = gradsOf(1e-7);
      const dh0 = fused[1].dataSync();
      expect(row(fused[1], 0).some((v) => v !== 0), `${kind}: the all-masked row's h0 gets a gradient`).toBe(true);
      fused.forEach((g, i) => Array.from(g.dataSync()).forEach((v, j) => expect(v, `${kind} input ${i} [${j}]`).toBeCloseTo(composed[i].dataSync()[j], 5)));
      expect(dh0.length).toBe(B * U);
    }
  });
});
