// Keras 3's MultiHeadAttention against Keras's math computed in PyTorch (fixtures/multi_head_attention/make.py writes
// cases.json): outputs, attention scores and the gradients of a scalar loss w.r.t. inputs and every weight, with
// padding masks, the causal mask and attention masks combined as Keras combines them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { mul, sum, add } from '../../src/autograd/public_ops.js';
import { withTape } from '../../src/autograd/tape.js';
import { MultiHeadAttention } from '../../src/layers/multi_head_attention.js';

interface Arr { shape: number[]; data: number[] }
interface Case {
  name: string; options: Record<string, unknown>; useCausalMask: boolean;
  inputs: { query: Arr; value: Arr; key?: Arr };
  masks: { query?: number[][]; value?: number[][]; key?: number[][]; attention?: number[][][] };
  weights: { name: string; shape: number[]; data: number[] }[];
  gOut: number[]; gScores: number[];
  expected: { output: Arr; scores: Arr };
  grads: Record<string, number[]>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/multi_head_attention/cases.json', import.meta.url), 'utf8')) as { cases: Case[] };

function close(got: ArrayLike<number>, want: number[], tol = 1e-5): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  expect(worst).toBeLessThan(tol);
}

const t = (a: Arr) => rl.tensor(a.data, a.shape);
const boolMask = (m: number[][] | undefined) => (m ? rl.tensor(m.flat(), [m.length, m[0].length], 'bool') : null);

/** The case's layer with the fixture's weights (Keras's layout and names, in Keras's order). */
function layerFor(c: Case, extra: Record<string, unknown> = {}): MultiHeadAttention {
  const layer = rl.layers.multiHeadAttention({ ...c.options, ...extra } as never) as MultiHeadAttention;
  const shapes = [c.inputs.query.shape, c.inputs.value.shape, ...(c.inputs.key ? [c.inputs.key.shape] : [])].map((s) => [null, ...s.slice(1)]);
  layer.build(shapes);
  expect(layer.weights.map((w) => w.name.slice(layer.name.length + 1))).toEqual(c.weights.map((w) => w.name));
  layer.setWeights(c.weights.map((w) => rl.tensor(w.data, w.shape)));
  return layer;
}

describe('MultiHeadAttention matches Keras 3 (PyTorch reference)', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: output, scores and every gradient`, () => {
      const layer = layerFor(c);
      const inputs = [t(c.inputs.query), t(c.inputs.value), ...(c.inputs.key ? [t(c.inputs.key)] : [])];
      for (const x of inputs) x.requiresGrad = true;
      const masks = [boolMask(c.masks.query), boolMask(c.masks.value), ...(c.inputs.key ? [boolMask(c.masks.key)] : [])];
      const attentionMask = c.masks.attention ? rl.tensor(c.masks.attention.flat(2), [c.masks.attention.length, c.masks.attention[0].length, c.masks.attention[0][0].length]) : null;
      const { value, backward } = withTape(() => {
        const [out, scores] = layer.apply(inputs, {
          mask: masks.some((m) => m) ? masks : undefined, returnAttentionScores: true, useCausalMask: c.useCausalMask, ...(attentionMask ? { attentionMask } : {}),
        }) as rl.Tensor[];
        const loss = add(sum(mul(out, rl.tensor(c.gOut, out.shape))), sum(mul(scores, rl.tensor(c.gScores, scores.shape))));
        return { out, scores, loss };
      });
      expect(value.out.shape).toEqual(c.expected.output.shape);
      expect(value.scores.shape).toEqual(c.expected.scores.shape);
      close(value.out.dataSync() as Float32Array, c.expected.output.data);
      close(value.scores.dataSync() as Float32Array, c.expected.scores.data);
      backward(value.loss);
      const names = ['query', 'value', ...(c.inputs.key ? ['key'] : [])];
      names.forEach((n, i) => close(inputs[i].grad!, c.grads[n]));
      layer.weights.forEach((w, i) => close(w.grad!, c.grads[c.weights[i].name]));
    });
  }

  it("the causal mask given to the constructor computes what the call's useCausalMask does", () => {
    const c = fixture.cases.find((k) => k.useCausalMask)!;
    const layer = layerFor(c, { useCausalMask: true });
    const out = layer.apply([t(c.inputs.query), t(c.inputs.value)], { mask: [boolMask(c.masks.query), boolMask(c.masks.value)] }) as rl.Tensor;
    close(out.dataSync() as Float32Array, c.expected.output.data);
    expect(layer.getConfig().useCausalMask).toBe(true);
  });

  it("a query step no key may be attended to gets zero weights (Keras's score path), so its output is the output bias", () => {
    const c = fixture.cases.find((k) => k.masks.query && c0HasBias(k))!;
    const layer = layerFor(c);
    const [out, scores] = layer.apply([t(c.inputs.query), t(c.inputs.value), ...(c.inputs.key ? [t(c.inputs.key)] : [])], {
      mask: [boolMask(c.masks.query), boolMask(c.masks.value), ...(c.inputs.key ? [boolMask(c.masks.key)] : [])], returnAttentionScores: true,
    }) as rl.Tensor[];
    const [, H, Tq, Tv] = scores.shape;
    const D = out.shape[2];
    const w = scores.dataSync() as Float32Array;
    const o = out.dataSync() as Float32Array;
    const bias = Array.from(layer.weights.find((x) => x.name.endsWith('attention_output/bias'))!.values);
    const padded = c.masks.query!.flatMap((row, b) => row.map((m, i) => (m ? null : [b, i]))).filter((p) => p) as number[][];
    expect(padded.length).toBeGreaterThan(0);
    for (const [b, i] of padded) {
      for (let h = 0; h < H; h++) expect(Array.from(w.subarray(((b * H + h) * Tq + i) * Tv, ((b * H + h) * Tq + i + 1) * Tv))).toEqual(new Array(Tv).fill(0));
      close(o.subarray((b * Tq + i) * D, (b * Tq + i + 1) * D), bias, 1e-6);
    }
    // A real step attends: its weights sum to 1 and its output is not the bias alone.
    const real = c.masks.query!.flatMap((row, b) => row.map((m, i) => (m ? [b, i] : null))).find((p) => p)!;
    const rowSum = w.subarray(((real[0] * H) * Tq + real[1]) * Tv, ((real[0] * H) * Tq + real[1] + 1) * Tv).reduce((s, v) => s + v, 0);
    expect(Math.abs(rowSum - 1)).toBeLessThan(1e-5);
    expect(Math.max(...bias.map((v, d) => Math.abs(o[(real[0] * Tq + real[1]) * D + d] - v)))).toBeGreaterThan(1e-3);
  });
});

const c0HasBias = (c: Case): boolean => c.weights.some((w) => w.name === 'attention_output/bias');

describe('MultiHeadAttention: weights, config and options', () => {
  it("has Keras's weights: names, shapes, order and param count (numHeads 2, keyDim 16 on width 32: 4 x (32*2*16 + 32) = 4224)", () => {
    const layer = rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 16 }) as MultiHeadAttention;
    layer.build([[null, 5, 32], [null, 7, 32]]);
    expect(layer.weights.map((w) => [w.name.slice(layer.name.length + 1), w.shape])).toEqual([
      ['query/kernel', [32, 2, 16]], ['query/bias', [2, 16]], ['key/kernel', [32, 2, 16]], ['key/bias', [2, 16]],
      ['value/kernel', [32, 2, 16]], ['value/bias', [2, 16]], ['attention_output/kernel', [2, 16, 32]], ['attention_output/bias', [32]],
    ]);
    expect(layer.countParams()).toBe(4224);
    const noBias = rl.layers.multiHeadAttention({ numHeads: 3, keyDim: 4, valueDim: 5, useBias: false, outputShape: 6 }) as MultiHeadAttention;
    noBias.build([[null, 2, 7], [null, 3, 8], [null, 3, 9]]);
    expect(noBias.countParams()).toBe(7 * 3 * 4 + 9 * 3 * 4 + 8 * 3 * 5 + 3 * 5 * 6);
  });

  it('kernels draw from glorotUniform with Keras fans, biases start at zero, and the initializers are configurable', () => {
    rl.setSeed(3);
    const layer = rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 16 }) as MultiHeadAttention;
    layer.build([[null, 5, 32], [null, 5, 32]]);
    const k = layer.weights[0].dataSync() as Float32Array;
    // Keras's fans for [32, 2, 16]: fan_in = 2 * 32, fan_out = 16 * 32.
    const limit = Math.sqrt(6 / (64 + 512));
    expect(Math.max(...Array.from(k, Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...Array.from(k, Math.abs))).toBeGreaterThan(limit * 0.9);
    expect(Array.from(layer.weights[1].dataSync())).toEqual(new Array(32).fill(0));
    const ones = rl.layers.multiHeadAttention({ numHeads: 1, keyDim: 2, kernelInitializer: 'ones', biasInitializer: 'ones' }) as MultiHeadAttention;
    ones.build([[null, 2, 3], [null, 2, 3]]);
    expect(ones.weights.every((w) => Array.from(w.dataSync()).every((v) => v === 1))).toBe(true);
  });

  it('regularizers add to the loss and constraints clip after each step', async () => {
    const inp = rl.input({ shape: [3, 4] });
    const mha = rl.layers.multiHeadAttention({ numHeads: 1, keyDim: 2, kernelRegularizer: rl.regularizers.l2({ l2: 0.5 }), kernelConstraint: rl.constraints.maxNorm({ maxValue: 0.1, axis: 0 }) });
    const model = rl.model({ inputs: inp, outputs: mha.apply([inp, inp]) as rl.SymbolicTensor });
    expect(mha.losses.length).toBe(4);
    model.compile({ optimizer: rl.train.sgd(0.1), loss: 'meanSquaredError' });
    const x = rl.randomUniform([4, 3, 4]);
    await model.fit(x, rl.zeros([4, 3, 4]), { epochs: 1, batchSize: 4, verbose: 0 });
    const kernel = mha.weights[0];
    const kd = kernel.dataSync() as Float32Array;
    // maxNorm over axis 0 of [4, 1, 2]: each column's norm is at most 0.1 after the step.
    for (let c = 0; c < 2; c++) {
      let s = 0;
      for (let r = 0; r < 4; r++) s += kd[r * 2 + c] ** 2;
      expect(Math.sqrt(s)).toBeLessThanOrEqual(0.1 + 1e-6);
    }
  });

  it('getConfig / fromConfig round trip, and the Keras file spelling loads', () => {
    const layer = rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 3, valueDim: 4, dropout: 0.25, useBias: false, outputShape: [5], attentionAxes: [1], name: 'mha_cfg' });
    const c = layer.getConfig();
    expect(c).toMatchObject({ name: 'mha_cfg', numHeads: 2, keyDim: 3, valueDim: 4, dropout: 0.25, useBias: false, outputShape: [5], attentionAxes: [1] });
    expect('useCausalMask' in c).toBe(false);
    const back = MultiHeadAttention.fromConfig(c) as MultiHeadAttention;
    expect(back.getConfig()).toEqual(c);
    expect(rl.layers.multiHeadAttention({ numHeads: 1, keyDim: 2 }).getConfig()).toMatchObject({ valueDim: 2, outputShape: null, attentionAxes: null, dropout: 0, useBias: true });
  });

  it('refuses what it does not implement, naming it', () => {
    const mk = (o: Record<string, unknown>) => () => rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 4, ...o } as never);
    expect(() => rl.layers.multiHeadAttention({ keyDim: 4 } as never)).toThrow(/numHeads/);
    expect(mk({ keyDim: 0 })).toThrow(/keyDim must be a positive integer, got 0/);
    expect(mk({ attentionAxes: [2] })).toThrow(/attentionAxes = .* is not supported .*steps axis/);
    expect(mk({ attentionAxes: [1, 2] })).toThrow(/attentionAxes/);
    expect(mk({ flashAttention: true })).toThrow(/flashAttention = true is not supported/);
    expect(mk({ activityRegularizer: 'l2' })).toThrow(/activityRegularizer is not supported on MultiHeadAttention/);
    expect(mk({ seed: 3 })).toThrow(/seed = 3 is not supported/);
    expect(mk({ num_heads: 2 })).toThrow(/unknown option 'num_heads' \(did you mean 'numHeads'\?\)/);
    expect(() => new rl.layerClasses.MultiHeadAttention({ numHeads: 1, keyDim: 2, valueDims: 3 } as never)).toThrow(/rl\.layerClasses\.MultiHeadAttention: unknown option 'valueDims' \(did you mean 'valueDim'\?\)/);
    expect(new rl.layerClasses.MultiHeadAttention({ numHeads: 1, keyDim: 2 }).getClassName()).toBe('MultiHeadAttention');
    expect(mk({ outputShape: [0] })).toThrow(/outputShape must be a positive integer/);
    expect(mk({ dropout: 1 })).toThrow(/dropout must be a number in \[0, 1\)/);
    const layer = rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 4 });
    const img = rl.input({ shape: [3, 3, 4] });
    expect(() => layer.apply([img, img])).toThrow(/query, value and key must be \(batch, steps, features\)/);
    const q = rl.input({ shape: [3, 4] }), v = rl.input({ shape: [5, 4] }), k = rl.input({ shape: [6, 4] });
    expect(() => rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 4 }).apply([q, v, k])).toThrow(/key and value must have the same number of steps/);
    expect(() => rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 4 }).apply([q])).toThrow(/expects a list of 2 to 3 input tensors, got 1/);
  });

  it('attentionMask of a wrong shape, and per-call options on a symbolic call, are errors naming them', () => {
    const layer = rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 2 });
    const x = rl.randomUniform([2, 3, 4]);
    expect(() => layer.apply([x, x], { attentionMask: rl.ones([2, 3, 5]) } as never)).toThrow(/attentionMask must be \[Tq, Tv\].*got a tensor of shape \[2, 3, 5\]/);
    expect(() => layer.apply([rl.randomUniform([2, 3, 5]), x])).toThrow(/was built for query features of size 4, got an input of shape \[2, 3, 5\]/);
    const q = rl.input({ shape: [3, 4] });
    expect(() => layer.apply([q, q], { attentionMask: rl.ones([3, 3]) } as never)).toThrow(/attentionMask is not taken on symbolic inputs/);
    expect(() => layer.apply([q, q], { useCausalMask: true } as never)).toThrow(/useCausalMask = true on a symbolic call differs.*constructor/);
    expect(() => layer.apply([q, q], { bogus: 1 } as never)).toThrow(/apply does not take 'bogus'/);
  });

  it('attentionMask broadcasts as Keras: [Tq, Tv], [1, Tq, Tv] and [B, H, Tq, Tv] agree with the full [B, Tq, Tv]', () => {
    rl.setSeed(5);
    const layer = rl.layers.multiHeadAttention({ numHeads: 2, keyDim: 2 });
    const x = rl.randomUniform([2, 3, 4]);
    const m2 = [[1, 0, 1], [1, 1, 0], [0, 0, 1]];
    const full = layer.apply([x, x], { attentionMask: rl.tensor([...m2.flat(), ...m2.flat()], [2, 3, 3]) } as never) as rl.Tensor;
    const want = Array.from(full.dataSync());
    for (const m of [rl.tensor(m2.flat(), [3, 3]), rl.tensor(m2.flat(), [1, 3, 3]), rl.tensor([...m2.flat(), ...m2.flat(), ...m2.flat(), ...m2.flat()], [2, 2, 3, 3], 'bool')]) {
      close((layer.apply([x, x], { attentionMask: m } as never) as rl.Tensor).dataSync() as Float32Array, want, 1e-6);
    }
    const none = Array.from((layer.apply([x, x]) as rl.Tensor).dataSync());
    expect(none).not.toEqual(want);
  });
});
