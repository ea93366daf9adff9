// Every layer's and loss's gradients against central finite differences, in float64 on the reference kernels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { withTape } from '../../src/autograd/tape.js';
import { lossOp, type LossKind } from '../../src/autograd/loss_ops.js';
import { engineApply, type Layer } from '../../src/layers/layer.js';
import { Tensor } from '../../src/tensor.js';

beforeAll(() => rl.setPrecision(64));
afterAll(() => rl.setPrecision(32));

function randomTensor(shape: number[], seed: number, scale = 1): Tensor {
  const r = new rl.Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = r.uniform(-scale, scale);
  return new Tensor(d, shape, 'float32');
}

/** Loss = sum(out * probe): a random linear functional exercises every output element. */
function probeLoss(out: Tensor, probe: Float64Array): Tensor {
  const p = new Tensor(probe, out.shape, 'float32');
  return lossOp('meanSquaredError', out, p, false);
}

/**
 * Checks d loss / d (weights and input) of one layer against central differences. The loss is MSE against a
 * random target, so every output element matters.
 */
function checkLayer(layer: Layer, x: Tensor, opts: { inputGrad?: boolean; mask?: Uint8Array; seed?: number } = {}): void {
  const build = [null, ...x.shape.slice(1)];
  if (!layer.built) layer.build(build);
  const ctxOf = () => ({ training: opts.seed !== undefined, mask: opts.mask ?? null });
  const forward = () => {
    if (opts.seed !== undefined) rl.setSeed(opts.seed);
    return engineApply(layer, x, ctxOf());
  };
  const out0 = forward();
  const r = new rl.Random(99);
  const target = new Float64Array(out0.size).map(() => r.uniform(-1, 1));
  const lossValue = () => probeLoss(forward(), target).values[0] as number;
  x.requiresGrad = opts.inputGrad ?? true;
  x.grad = null;
  for (const w of layer.weights) w.grad = null;
  const { value, backward } = withTape(() => probeLoss(forward(), target));
  backward(value);
  const params: Tensor[] = [...layer.weights, ...(x.requiresGrad ? [x] : [])];
  for (const p of params) {
    const analytic = p.grad ?? new Float64Array(p.size);
    const h = 1e-6;
    const d = p.values as Float64Array;
    // Check a spread of coordinates, not all (big layers), including the first and last.
    const count = Math.min(p.size, 40);
    for (let k = 0; k < count; k++) {
      const i = count === p.size ? k : Math.floor((k * (p.size - 1)) / (count - 1));
      const old = d[i];
      d[i] = old + h; const lp = lossValue();
      d[i] = old - h; const lm = lossValue();
      d[i] = old;
      const numeric = (lp - lm) / (2 * h);
      const err = Math.abs(numeric - analytic[i]) / Math.max(1e-6, Math.abs(numeric) + Math.abs(analytic[i]));
      if (err > 1e-5 && Math.abs(numeric - analytic[i]) > 1e-9) {
        throw new Error(`${layer.name}: d/d ${p.name ?? 'input'}[${i}] analytic ${analytic[i]} vs numeric ${numeric}`);
      }
    }
  }
  x.requiresGrad = false;
}

describe('layer gradients vs finite differences (float64)', () => {
  it.each(['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'hard_sigmoid'] as const)('dense %s', (act) => {
    checkLayer(rl.layers.dense({ units: 5, activation: act, inputDim: 7 }), randomTensor([3, 7], 1));
  });
  it('dense over a 3-D input', () => checkLayer(rl.layers.dense({ units: 4, inputShape: [3, 6] }), randomTensor([2, 3, 6], 2)));
  it('embedding', () => {
    const ids = new Tensor(Int32Array.from([0, 3, 5, 3, 1, 6]), [2, 3], 'int32');
    checkLayer(rl.layers.embedding({ inputDim: 7, outputDim: 4 }), ids, { inputGrad: false });
  });
  it.each([
    ['same', 1], ['valid', 1], ['same', 2], ['valid', 3],
  ] as const)('conv1d padding %s stride %d', (padding, strides) => {
    checkLayer(rl.layers.conv1d({ filters: 3, kernelSize: 3, padding, strides, activation: 'tanh' }), randomTensor([2, 9, 4], 3));
  });
  it.each([['valid', 2, 2], ['same', 3, 2], ['valid', 3, 1]] as const)('maxPooling1d %s pool %d stride %d', (padding, poolSize, strides) => {
    checkLayer(rl.layers.maxPooling1d({ poolSize, strides, padding }), randomTensor([2, 8, 3], 4));
  });
  it('flatten', () => checkLayer(rl.layers.flatten(), randomTensor([2, 3, 4], 5)));
  it('globalMaxPooling1d', () => checkLayer(rl.layers.globalMaxPooling1d(), randomTensor([2, 5, 3], 13)));
  it('globalAveragePooling1d, with and without a padding mask', () => {
    checkLayer(rl.layers.globalAveragePooling1d(), randomTensor([2, 5, 3], 14));
    checkLayer(rl.layers.globalAveragePooling1d(), randomTensor([2, 5, 3], 15), { mask: Uint8Array.from([1, 1, 1, 0, 0, 0, 1, 1, 1, 1]) });
  });
  it('dropout (training, fixed seed)', () => checkLayer(rl.layers.dropout({ rate: 0.4 }), randomTensor([3, 6], 6), { seed: 11 }));
  it('repeatVector', () => checkLayer(rl.layers.repeatVector({ n: 3 }), randomTensor([2, 5], 7)));
  it('timeDistributed(dense softmax)', () => checkLayer(rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 4, activation: 'softmax' }) }), randomTensor([2, 3, 5], 8)));

  for (const [name, make] of [
    ['simpleRNN', (o: object) => rl.layers.simpleRNN({ units: 4, ...o })],
    ['lstm', (o: object) => rl.layers.lstm({ units: 4, ...o })],
    ['gru', (o: object) => rl.layers.gru({ units: 4, ...o })],
    ['gru resetAfter false', (o: object) => rl.layers.gru({ units: 4, resetAfter: false, ...o })],
  ] as const) {
    it(`${name}: last output`, () => checkLayer(make({}), randomTensor([2, 5, 3], 9)));
    it(`${name}: returnSequences, goBackwards`, () => checkLayer(make({ returnSequences: true, goBackwards: true }), randomTensor([2, 5, 3], 10)));
    it(`${name}: masked steps`, () => {
      const mask = Uint8Array.from([0, 0, 1, 1, 1, 1, 0, 1, 1, 1]);
      checkLayer(make({ returnSequences: true }), randomTensor([2, 5, 3], 11), { mask });
    });
  }
  it.each(['concat', 'sum', 'mul', 'ave'] as const)('bidirectional lstm merge %s', (mergeMode) => {
    checkLayer(rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 3, returnSequences: true }), mergeMode }), randomTensor([2, 4, 3], 12));
  });
});

describe('loss gradients vs finite differences (float64)', () => {
  const cases: [LossKind, boolean][] = [
    ['binaryCrossentropy', true], ['binaryCrossentropy', false], ['categoricalCrossentropy', true],
    ['categoricalCrossentropy', false], ['sparseCategoricalCrossentropy', true], ['sparseCategoricalCrossentropy', false],
    ['meanSquaredError', false],
  ];
  it.each(cases)('%s (fromLogits %s)', (kind, fromLogits) => {
    const rows = 4, cols = kind === 'binaryCrossentropy' ? 1 : 5;
    const r = new rl.Random(3);
    const pred = randomTensor([rows, cols], 21, 2);
    if (!fromLogits && kind !== 'meanSquaredError') {
      // probabilities: sigmoid for binary, a positive unnormalised row for categorical (the loss renormalises)
      const d = pred.values as Float64Array;
      for (let i = 0; i < d.length; i++) d[i] = kind === 'binaryCrossentropy' ? 1 / (1 + Math.exp(-d[i])) : 0.1 + Math.abs(d[i]);
    }
    let target: Tensor;
    if (kind === 'sparseCategoricalCrossentropy') target = new Tensor(Int32Array.from({ length: rows }, () => r.int(cols)), [rows], 'int32');
    else if (kind === 'categoricalCrossentropy') {
      const t = new Float64Array(rows * cols);
      for (let i = 0; i < rows; i++) t[i * cols + r.int(cols)] = 1;
      target = new Tensor(t, [rows, cols], 'float32');
    } else target = new Tensor(new Float64Array(rows * cols).map(() => r.int(2)), [rows, cols], 'float32');
    pred.requiresGrad = true;
    const { value, backward } = withTape(() => lossOp(kind, pred, target, fromLogits));
    backward(value);
    const d = pred.values as Float64Array;
    for (let i = 0; i < d.length; i++) {
      const old = d[i], h = 1e-6;
      d[i] = old + h; const lp = lossOp(kind, pred, target, fromLogits).values[0] as number;
      d[i] = old - h; const lm = lossOp(kind, pred, target, fromLogits).values[0] as number;
      d[i] = old;
      expect(pred.grad![i]).toBeCloseTo((lp - lm) / (2 * h), 6);
    }
  });
});

describe('fused paths vs finite differences (float64)', () => {
  // RepeatVector feeding a recurrent layer: the layer projects the repeated vector once (an optimisation that must
  // not change the gradients).
  it.each(['lstm', 'gru', 'simpleRNN'] as const)('repeatVector -> %s (returnSequences) -> timeDistributed(dense)', (kind) => {
    rl.setSeed(5);
    const m = rl.sequential({ layers: [
      rl.layers.dense({ units: 4, activation: 'tanh', inputDim: 3 }),
      rl.layers.repeatVector({ n: 3 }),
      rl.layers[kind]({ units: 5, returnSequences: true }),
      rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 2 }) }),
    ] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = randomTensor([2, 3], 31), y = randomTensor([2, 3, 2], 32);
    const { loss, backward } = m.lossOnBatch(x, y, { training: false, mask: null });
    backward(loss);
    for (const w of m.weights) {
      const analytic = Float64Array.from(w.grad ?? new Float64Array(w.size));
      const d = w.values as Float64Array;
      for (let i = 0; i < w.size; i += Math.max(1, Math.floor(w.size / 15))) {
        const old = d[i], h = 1e-6;
        d[i] = old + h; const lp = m.lossOnBatch(x, y, { training: false, mask: null }).loss.values[0] as number;
        d[i] = old - h; const lm = m.lossOnBatch(x, y, { training: false, mask: null }).loss.values[0] as number;
        d[i] = old;
        expect(analytic[i]).toBeCloseTo((lp - lm) / (2 * h), 7);
      }
      w.grad = null;
    }
  });
});
