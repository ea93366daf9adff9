/**
 * tfjs's layer.addLoss(fn): the function's scalar joins the training loss (and layer.losses), trained through; fit's
 * loss and the weights after it agree with tfjs 4.22's on the same weights and data.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';

const kernel = [0.5, -0.2, 0.1, 0.3, -0.4, 0.25];
const xs = [0.1, 0.2, 0.3, -0.1, 0.4, 0.5, 0.2, -0.3, 0.1, 0.0, 0.6, -0.2];
const ys = [1, 0, 0, 1, 0.5, 0.5, 1, 1];

type Lib = typeof tf | typeof rl;

/** y = x K with the penalty 0.1 * sum K^2 added by addLoss in build, as a tfjs custom layer adds it. */
function penalizedLayer(lib: Lib, withLoss: boolean): unknown {
  const t = lib as typeof tf;
  const Base = t.layers.Layer as unknown as new (a: object) => {
    addWeight(...a: unknown[]): tf.LayerVariable; addLoss(f: () => tf.Scalar): void;
  };
  class Penalized extends Base {
    static className = 'Penalized';
    k!: tf.LayerVariable;
    constructor() { super({ inputShape: [3], weights: [t.tensor(kernel, [3, 2])] }); }
    build(): void {
      this.k = this.addWeight('k', [3, 2], 'float32', t.initializers.zeros());
      if (withLoss) this.addLoss(() => t.mul(0.1, t.sum(t.square(this.k.read()))) as tf.Scalar);
    }
    computeOutputShape(s: (number | null)[]): (number | null)[] { return [s[0], 2]; }
    call(x: tf.Tensor | tf.Tensor[]): tf.Tensor { return t.matMul(Array.isArray(x) ? x[0] : x, this.k.read()); }
  }
  return new Penalized();
}

async function fitOnce(lib: Lib, withLoss: boolean): Promise<{ loss: number; k: number[] }> {
  const t = lib as typeof tf;
  const m = t.sequential({ layers: [penalizedLayer(lib, withLoss) as tf.layers.Layer] });
  m.compile({ optimizer: t.train.sgd(0.5), loss: 'meanSquaredError' });
  const h = await m.fit(t.tensor(xs, [4, 3]), t.tensor(ys, [4, 2]), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
  return { loss: h.history.loss[0] as number, k: Array.from(m.layers[0].getWeights()[0].dataSync()) };
}

describe('addLoss', () => {
  it('adds the function\'s value to fit\'s loss and trains through it, as tfjs 4.22', async () => {
    const want = await fitOnce(tf, true);
    const got = await fitOnce(rl, true);
    expect(got.loss).toBeCloseTo(want.loss, 5);
    got.k.forEach((v, i) => expect(v).toBeCloseTo(want.k[i], 5));
    // The penalty moved the loss and the weights: without it both differ.
    const plain = await fitOnce(rl, false);
    expect(Math.abs(plain.loss - got.loss)).toBeGreaterThan(0.01);
    expect(Math.abs(plain.k[0] - got.k[0])).toBeGreaterThan(1e-3);
  });

  it('lists the function in layer.losses and model.losses; a functional model adds it too', async () => {
    const layer = penalizedLayer(rl, true) as Layer;
    const inp = rl.input({ shape: [3] });
    const m = rl.model({ inputs: inp, outputs: layer.apply(inp) as rl.SymbolicTensor });
    const penalty = 0.1 * kernel.reduce((s, v) => s + v * v, 0);
    expect(layer.losses).toHaveLength(1);
    expect(layer.calculateLosses()[0].dataSync()[0]).toBeCloseTo(penalty, 6);
    expect(m.calculateLosses()[0].dataSync()[0]).toBeCloseTo(penalty, 6);
    m.compile({ optimizer: rl.train.sgd(0.5), loss: 'meanSquaredError' });
    const h = await m.fit(rl.tensor(xs, [4, 3]), rl.tensor(ys, [4, 2]), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    expect(h.history.loss[0]).toBeCloseTo((await fitOnce(tf, true)).loss, 5);
  });

  it('null or [] adds nothing; anything but functions is refused naming addLoss', () => {
    const layer = rl.layers.dense({ units: 2 });
    layer.addLoss(null as never);
    layer.addLoss([]);
    expect(layer.losses).toHaveLength(0);
    expect(() => layer.addLoss(rl.scalar(1) as never)).toThrow(/addLoss takes a function returning a scalar tensor.*activityRegularizer/);
    expect(() => layer.addLoss([() => rl.scalar(1), 3] as never)).toThrow(/addLoss: losses\[1\] takes a function/);
  });

  it('a function that does not return a scalar is named when fit computes the loss', async () => {
    const layer = rl.layers.dense({ units: 2, inputShape: [3] });
    layer.addLoss(() => rl.zeros([2]));
    const m = rl.sequential({ layers: [layer] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await expect(m.fit(rl.tensor(xs, [4, 3]), rl.tensor(ys, [4, 2]), { epochs: 1, verbose: 0 }))
      .rejects.toThrow(/addLoss: the function must return a scalar rl.Tensor, got shape \[2\]/);
  });

  it('is refused inside call() (each call would add one more) and on wrappers whose penalties are their inner layers\'', () => {
    class Adding extends rl.layers.Layer {
      static override readonly className: string = 'Adding';
      call(x: rl.Tensor): rl.Tensor { this.addLoss(() => rl.sum(x)); return x; }
    }
    expect(() => new Adding().apply(rl.zeros([1, 2]))).toThrow(/addLoss inside call\(\) would add another function on every call/);
    const bi = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2 }) });
    expect(() => bi.addLoss(() => rl.scalar(1))).toThrow(/addLoss is not supported on this layer class/);
  });
});
