/**
 * predict inside tf.variableGrads (a custom training loop) honours batchSize, as tfjs's predict does: the batches'
 * outputs are joined on the tape, so the value and the gradients equal one pass's (numbers from tfjs 4.22).
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const X = [[1, 2, 3], [0.1, -1, 0.5], [2, 0, -1], [0.3, 0.3, 0.3], [-1, -2, 0.5]];
// tfjs 4.22: dense(2, tanh, kernel ones) on X, loss sum(predict(x)^2), for batchSize 32 and 2 alike.
const TFJS_VALUE = 6.42170524597168;
const TFJS_KERNEL_GRAD = [1.47617, 1.47617, 0.96451, 0.96451, -0.78162, -0.78162];
const TFJS_BIAS_GRAD = [0.63463, 0.63463];

function grads(predict: (x: rl.Tensor) => rl.Tensor): { value: number; kernel: number[]; bias: number[] } {
  const x = rl.tensor2d(X);
  const { value, grads: g } = rl.variableGrads(() => rl.sum(rl.square(predict(x))) as rl.Scalar);
  const [kernel, bias] = Object.values(g).map((t) => Array.from(t.dataSync()));
  return { value: value.dataSync()[0], kernel, bias };
}

describe('predict under a gradient tape', () => {
  it('Sequential: every batchSize gives tfjs\'s value and gradients, and a batch is really run per batchSize', () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones', activation: 'tanh' })] });
    const sizes: number[] = [];
    // Count the forward passes through the layer (the engine's entry, engineApply, runs callRegularized): batchSize 2
    // on 5 samples is 3 passes.
    type Run = (xs: rl.Tensor[], ...rest: unknown[]) => unknown;
    const layer = m.layers[0] as unknown as { callRegularized: Run };
    const run = layer.callRegularized.bind(layer);
    layer.callRegularized = (xs, ...rest) => { sizes.push(xs[0].shape[0]); return run(xs, ...rest); };
    for (const batchSize of [32, 2, 1]) {
      sizes.length = 0;
      const r = grads((x) => m.predict(x, { batchSize }));
      expect(r.value).toBeCloseTo(TFJS_VALUE, 4);
      r.kernel.forEach((v, i) => expect(v).toBeCloseTo(TFJS_KERNEL_GRAD[i], 4));
      r.bias.forEach((v, i) => expect(v).toBeCloseTo(TFJS_BIAS_GRAD[i], 4));
      expect(sizes).toEqual(batchSize === 32 ? [5] : batchSize === 2 ? [2, 2, 1] : [1, 1, 1, 1, 1]);
    }
  });

  it('Functional with two outputs: each output joined in order, gradients as one pass', () => {
    const inp = rl.input({ shape: [3] });
    const a = rl.layers.dense({ units: 2, kernelInitializer: 'ones', activation: 'tanh', name: 'a' }).apply(inp) as rl.SymbolicTensor;
    const b = rl.layers.dense({ units: 1, kernelInitializer: 'ones', name: 'b' }).apply(inp) as rl.SymbolicTensor;
    const m = rl.model({ inputs: inp, outputs: [a, b] });
    const x = rl.tensor2d(X);
    const whole = m.predict(x) as rl.Tensor[];
    const loss = (bs: number) => rl.variableGrads(() => {
      const [pa, pb] = m.predict(x, { batchSize: bs }) as rl.Tensor[];
      return rl.add(rl.sum(rl.square(pa)), rl.sum(pb)) as rl.Scalar;
    });
    const one = loss(32), split = loss(2);
    expect(split.value.dataSync()[0]).toBeCloseTo(one.value.dataSync()[0], 5);
    for (const k of Object.keys(one.grads)) {
      Array.from(split.grads[k].dataSync()).forEach((v, i) => expect(v).toBeCloseTo(one.grads[k].dataSync()[i], 5));
    }
    // variableGrads disposes what f made, as tfjs's: the outputs read afterwards are kept, as a tfjs program keeps them.
    let out: rl.Tensor[] = [];
    rl.variableGrads(() => { out = (m.predict(x, { batchSize: 2 }) as rl.Tensor[]).map((t) => rl.keep(t)); return rl.sum(out[1]) as rl.Scalar; });
    expect(Array.from(out[0].dataSync())).toEqual(Array.from(whole[0].dataSync()));
  });
});
