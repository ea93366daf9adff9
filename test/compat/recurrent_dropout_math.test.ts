// recurrentDropout's composed training path: without a mask it equals the fused kernels (forward and gradients),
// with a fixed mask its gradients match finite differences (float64), and its outputs equal a plain loop of Keras's
// cells (the mask on h_{t-1} in the recurrent product only, the same mask at every step, one per LSTM and GRU gate).
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { engineApply } from '../../src/layers/layer.js';
import { withTape } from '../../src/autograd/tape.js';
import { lossOp } from '../../src/autograd/loss_ops.js';
import * as ops from '../../src/autograd/ops.js';
import { add } from '../../src/autograd/public_ops.js';
import { recurrent, type CellKind } from '../../src/autograd/recurrent_ops.js';
import { drawKeepMasks, recurrentComposed } from '../../src/autograd/recurrent_dropout.js';
import type { RNN } from '../../src/layers/recurrent.js';
import { Tensor } from '../../src/tensor.js';
import { gradCheck, maxDiff, randomTensor } from './functional_helpers.js';
import { gateCount, kerasDropoutLoop } from '../layers/keras_dropout_loop.js';

afterEach(() => rl.setPrecision(32));

const B = 3, T = 5, D = 4, U = 3;
const GATES: Record<CellKind, number> = { simple_rnn: 1, lstm: 4, gru: 3 };

/** Uniform values in [-scale, scale) stored as float32, as the native kernels take them. */
function floatTensor(shape: number[], seed: number, scale = 1): Tensor {
  return new Tensor(Float32Array.from(randomTensor(shape, seed, scale).values), shape, 'float32');
}

interface Case { name: string; cell: CellKind; resetAfter?: boolean; goBackwards?: boolean; masked?: boolean; states?: boolean; act?: ops.Activation; recAct?: ops.Activation }
const CASES: Case[] = [
  { name: 'SimpleRNN', cell: 'simple_rnn' },
  { name: 'SimpleRNN relu, backwards, masked, h0', cell: 'simple_rnn', act: 'relu', goBackwards: true, masked: true, states: true },
  { name: 'LSTM', cell: 'lstm' },
  { name: 'LSTM hard_sigmoid, backwards, masked, h0 c0', cell: 'lstm', recAct: 'hard_sigmoid', goBackwards: true, masked: true, states: true },
  { name: 'GRU resetAfter', cell: 'gru', resetAfter: true },
  { name: 'GRU resetAfter, backwards, masked, h0', cell: 'gru', resetAfter: true, goBackwards: true, masked: true, states: true },
  { name: 'GRU reset before', cell: 'gru', resetAfter: false },
  { name: 'GRU reset before, masked, h0', cell: 'gru', resetAfter: false, masked: true, states: true },
];

/** Row 0 real throughout, row 1 padded in front, row 2 padded in the middle and at the end. */
const MASK = Uint8Array.from([1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0]);

function leaves(c: Case, seed: number) {
  const G = GATES[c.cell] * U;
  const t = (shape: number[], k: number) => { const x = floatTensor(shape, seed + k, 0.8); x.requiresGrad = true; return x; };
  return {
    x: t([B, T, D], 1), w: t([D, G], 2), r: t([U, G], 3), bias: t(c.cell === 'gru' && c.resetAfter ? [2, G] : [G], 4),
    h0: c.states ? t([B, U], 5) : null, c0: c.states && c.cell === 'lstm' ? t([B, U], 6) : null,
  };
}

type Leaves = ReturnType<typeof leaves>;
type Run = (l: Leaves) => { sequence: Tensor; last: Tensor; cell: Tensor | null };

/** Every output, weight and state gradient of one run, under a loss that weighs each output element differently. */
function outputsAndGrads(l: Leaves, run: Run): Float64Array[] {
  for (const t of Object.values(l)) if (t) t.grad = null;
  const probe = (t: Tensor, seed: number) => lossOp('meanSquaredError', t, floatTensor(t.shape, seed), false);
  const { value, backward } = withTape(() => {
    const o = run(l);
    let loss = add(probe(o.sequence, 11), probe(o.last, 12));
    if (o.cell) loss = add(loss, probe(o.cell, 13));
    return { loss, o };
  });
  backward(value.loss);
  const outs = [value.o.sequence, value.o.last, ...(value.o.cell ? [value.o.cell] : [])].map((t) => Float64Array.from(t.values));
  return [...outs, ...Object.values(l).filter((t): t is Tensor => t !== null).map((t) => Float64Array.from(t.grad ?? []))];
}

describe('composed recurrence without a mask equals the fused kernels', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const act = c.act ?? 'tanh', recAct = c.recAct ?? 'sigmoid';
      const mask = c.masked ? MASK : null;
      const fused: Run = (l) => recurrent({ cell: c.cell, units: U, act: ops.actCode(act), recAct: ops.actCode(recAct), goBackwards: !!c.goBackwards,
        resetAfter: !!c.resetAfter }, l.x, l.w, l.r, l.bias, l.h0, l.c0, mask);
      const composed: Run = (l) => recurrentComposed({ cell: c.cell, units: U, act, recAct, goBackwards: !!c.goBackwards, resetAfter: !!c.resetAfter },
        [l.x], l.w, l.r, l.bias, l.h0, l.c0, mask, null);
      const a = outputsAndGrads(leaves(c, 7), fused);
      const b = outputsAndGrads(leaves(c, 7), composed);
      expect(b.length).toBe(a.length);
      a.forEach((v, i) => expect(maxDiff(b[i], v), `array ${i}`).toBeLessThan(1e-5));
      // The gradients are not trivially zero.
      expect(Math.max(...a[a.length - 1].map(Math.abs))).toBeGreaterThan(1e-3);
    });
  }
});

type Kind = 'simpleRNN' | 'lstm' | 'gru';
const LAYERS: [string, Kind, Record<string, unknown>][] = [
  ['SimpleRNN', 'simpleRNN', {}], ['LSTM', 'lstm', {}], ['GRU resetAfter', 'gru', { resetAfter: true }], ['GRU reset before', 'gru', { resetAfter: false }],
];

function layerOf(kind: Kind, args: Record<string, unknown>): RNN {
  return rl.layers[kind]({ units: U, returnSequences: true, ...args } as never) as RNN;
}

describe('float64 gradients of the composed path with fixed masks', () => {
  for (const [name, kind, extra] of LAYERS) {
    it(`${name}: recurrent and input dropout, masked steps, backwards`, () => {
      rl.setPrecision(64);
      rl.setSeed(5);
      const layer = layerOf(kind, { ...extra, recurrentDropout: 0.4, dropout: 0.3, goBackwards: true });
      layer.build([null, T, D]);
      // Reseeding before each forward replays the same masks, so the loss is a fixed function of the weights.
      const f = ([x]: Tensor[]) => { rl.setSeed(21); return engineApply(layer, x, { training: true, mask: MASK }); };
      gradCheck(f, [randomTensor([B, T, D], 3)], layer.weights);
    });
  }
});

describe('the masks: Keras semantics, fixed over steps, per sample', () => {
  for (const [name, kind, extra] of LAYERS) for (const inputRate of [0, 0.3]) {
    it(`${name}${inputRate ? ' with input dropout' : ''}: training output equals Keras's cell loop with the drawn masks`, () => {
      rl.setPrecision(64);
      rl.setSeed(8);
      const rate = 0.5;
      const layer = layerOf(kind, { ...extra, recurrentDropout: rate, dropout: inputRate });
      layer.build([null, T, D]);
      const x = randomTensor([B, T, D], 4);
      rl.setSeed(30);
      const y = engineApply(layer, x, { training: true, mask: null });
      // The layer draws the input masks first, then the recurrent ones; LSTM and GRU one of each per gate (Keras's
      // implementation 1, which recurrent_dropout forces).
      rl.setSeed(30);
      const G = gateCount(kind);
      const input = inputRate ? { masks: drawKeepMasks(G, B * D, inputRate), scale: 1 / (1 - inputRate) } : null;
      const masks = drawKeepMasks(G, B * U, rate);
      const [w, r, bias] = layer.weights.map((v) => v.values as Float64Array);
      const loop = (m: Uint8Array[], scale: number) => kerasDropoutLoop({ kind, resetAfter: extra.resetAfter === true, dims: { B, T, D, U },
        x: x.values, w, r, bias, recurrent: { masks: m, scale }, input });
      expect(maxDiff(y.values, loop(masks, 1 / (1 - rate)))).toBeLessThan(1e-12);
      // Some units are dropped and some kept; the rows of the batch differ.
      const all = masks.flatMap((m) => [...m]);
      expect(all).toContain(0);
      expect(all).toContain(1);
      // Each gate has its own mask, and one mask shared by all gates gives a different output.
      for (let k = 1; k < G; k++) expect([...masks[k]]).not.toEqual([...masks[0]]);
      if (G > 1) expect(maxDiff(y.values, loop([masks[0]], 1 / (1 - rate)))).toBeGreaterThan(1e-3);
      // The loop without masks differs, so the comparison above can fail.
      expect(maxDiff(y.values, loop(masks.map((m) => m.map(() => 1)), 1))).toBeGreaterThan(1e-3);
    });
  }

  it('a dropped unit of h_{t-1} contributes nothing to the recurrent product at any step; the dropped units differ between samples', () => {
    const units = 40, rate = 0.5;
    rl.setSeed(12);
    const layer = rl.layers.simpleRNN({ units, returnSequences: true, recurrentDropout: rate }) as RNN;
    layer.build([null, 12, 3]);
    const x = floatTensor([2, 12, 3], 6);
    // The gradient of sample b's outputs w.r.t. row k of the recurrent kernel is sum_t masked_h_{t-1}[k] * delta_t:
    // exactly zero for every k dropped at every step. Masks redrawn per step would leave almost no such rows.
    const zeroRows = (b: number): number[] => {
      for (const v of layer.weights) v.grad = null;
      const { value, backward } = withTape(() => {
        rl.setSeed(40);
        const y = engineApply(layer, x, { training: true, mask: null });
        const pick = new Float32Array(y.size);
        for (let i = b * 12 * units; i < (b + 1) * 12 * units; i++) pick[i] = 1;
        const mine = ops.merge(y, new Tensor(pick, y.shape, 'float32'), 'mul');
        return lossOp('meanSquaredError', mine, new Tensor(new Float32Array(mine.size), mine.shape, 'float32'), false);
      });
      backward(value);
      const g = layer.recurrentKernel.grad!;
      return Array.from({ length: units }, (_, k) => k).filter((k) => g.subarray(k * units, (k + 1) * units).every((v) => v === 0));
    };
    const dropped0 = zeroRows(0), dropped1 = zeroRows(1);
    for (const dropped of [dropped0, dropped1]) {
      expect(dropped.length).toBeGreaterThan(units * rate * 0.4);
      expect(dropped.length).toBeLessThan(units * rate * 1.6);
    }
    expect(dropped0).not.toEqual(dropped1);
    // Those are exactly the units the mask drops.
    rl.setSeed(40);
    const [keep] = drawKeepMasks(1, 2 * units, rate);
    expect(dropped0).toEqual([...keep.subarray(0, units)].flatMap((k, i) => (k ? [] : [i])));
  });
});
