/** The activation catalogue: values against hand formulas and tfjs-layers, gradients against finite differences in float64. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { EXTRA_ACTIVATIONS, erf } from '../../src/autograd/extra_activations.js';
import { dense } from '../../src/autograd/ops.js';
import { lossOp } from '../../src/autograd/loss_ops.js';

const XS = [-7, -3.2, -1, -0.4, -1e-3, 0.3, 1, 2.5, 6.5, 9];

function ours(activation: string, xs: number[]): number[] {
  const m = rl.sequential({ layers: [rl.layers.activation({ activation, inputShape: [xs.length] } as never)] });
  return Array.from(m.predict(rl.tensor([xs])).dataSync());
}

const sig = (x: number) => 1 / (1 + Math.exp(-x));

describe('activations: values', () => {
  const hand: Record<string, (x: number) => number> = {
    elu: (x) => (x > 0 ? x : Math.exp(x) - 1),
    selu: (x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (Math.exp(x) - 1)),
    softplus: (x) => Math.log(1 + Math.exp(x)),
    softsign: (x) => x / (1 + Math.abs(x)),
    relu6: (x) => Math.min(6, Math.max(0, x)),
    swish: (x) => x * sig(x),
    silu: (x) => x * sig(x),
    exponential: Math.exp,
    hardSigmoid: (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)),
    linear: (x) => x,
  };
  for (const [name, f] of Object.entries(hand)) {
    it(`${name} matches its formula`, () => {
      ours(name, XS).forEach((v, i) => expect(v).toBeCloseTo(Math.fround(f(XS[i])), 5));
    });
  }

  it('gelu is the exact x·Φ(x) (Keras default, tfjs-layers gelu); gelu_new the tanh form', () => {
    // Φ(1) = 0.8413447460685429 (tables); GELU(-1) = -0.15865525393145707.
    expect(ours('gelu', [1, -1, 0])).toEqual([Math.fround(0.8413447460685429), Math.fround(-0.15865525393145707), 0]);
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erf(2.5)).toBeCloseTo(0.999593047982555, 14);
    expect(erf(-3)).toBeCloseTo(-0.9999779095030014, 14);
    const t = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    ours('gelu_new', XS).forEach((v, i) => expect(v).toBeCloseTo(t(XS[i]), 5));
  });

  for (const name of ['elu', 'selu', 'softplus', 'softsign', 'relu6', 'swish', 'gelu', 'gelu_new', 'mish', 'hardSigmoid', 'linear']) {
    it(`${name} equals tfjs-layers on the same inputs`, () => {
      const theirs = (tf.layers.activation({ activation: name as never }).apply(tf.tensor2d([XS])) as tf.Tensor).dataSync();
      ours(name, XS).forEach((v, i) => expect(v).toBeCloseTo(theirs[i], 5));
    });
  }

  it('names an unknown activation and refuses kernel-less ones in recurrent cells', () => {
    expect(() => rl.layers.dense({ units: 2, activation: 'eluu' as never })).toThrow(/unknown activation 'eluu'; use one of .*gelu/);
    expect(() => rl.layers.lstm({ units: 2, activation: 'gelu' as never })).toThrow(/activation 'gelu' is not supported in a recurrent cell/);
    expect(() => rl.layers.gru({ units: 2, recurrentActivation: 'elu' as never })).toThrow(/recurrentActivation 'elu' is not supported/);
  });
});

describe('activations: gradients (float64)', () => {
  afterEach(() => rl.setPrecision(32));

  for (const name of Object.keys(EXTRA_ACTIVATIONS)) {
    it(`${name}: dense + activation gradient matches central differences`, () => {
      rl.setPrecision(64);
      const x = new rl.Tensor(Float64Array.from([0.7, -1.3, 2.1, -0.2, 0.05, -2.6]), [3, 2], 'float32');
      const w = new rl.Variable('w', [2, 2]);
      const b = new rl.Variable('b', [2]);
      w.assign([0.9, -0.4, 0.3, 1.1]);
      b.assign([0.1, -0.2]);
      const target = new rl.Tensor(Float64Array.from([0.5, -0.5, 1, 0, 2, -1]), [3, 2], 'float32');
      const loss = () => lossOp('meanSquaredError', dense(x, w, b, name as never), target, false);
      const { value, backward } = rl.withTape(loss);
      backward(value);
      const analytic = Array.from(w.grad!);
      const h = 1e-6;
      for (let i = 0; i < w.size; i++) {
        const keep = w.values[i];
        w.values[i] = keep + h; const up = loss().values[0];
        w.values[i] = keep - h; const down = loss().values[0];
        w.values[i] = keep;
        expect(analytic[i]).toBeCloseTo((up - down) / (2 * h), 6);
      }
    });
  }
});

describe('activations: saved by name', () => {
  it('a model with selu and gelu layers round-trips through the Layers format', async () => {
    rl.setSeed(1);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2], activation: 'selu' }), rl.layers.dense({ units: 1, activation: 'gelu' })] });
    const dir = mkdtempSync(join(tmpdir(), 'rl-act-'));
    try {
      await m.save(`file://${dir}`);
      const back = await rl.loadModel(`file://${dir}/model.json`);
      const x = rl.tensor([[0.3, -2], [1.5, 0.2]]);
      expect(Array.from(back.predict(x).dataSync())).toEqual(Array.from(m.predict(x).dataSync()));
      expect(back.layers[0].getConfig().activation).toBe('selu');
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
