// Each fit / evaluate / predict / trainOnBatch step leaves rl.memory().numTensors flat (tfjs runs each batch in
// tidy), and a tensor disposed after a recorded op used it becomes unreadable once backward has run.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import type { Variable } from '../../src/variable.js';

/** y = tanh(x K + b) * scale, with rl ops; `tidy` wraps the call as tfjs users often write it. */
class ScaledTanh extends rl.layers.Layer {
  static override readonly className: string = 'R12ScaledTanh';
  kernel!: Variable;
  bias!: Variable;
  constructor(readonly units: number, readonly useTidy: boolean) { super({}); }
  build(inputShape: (number | null)[]): void {
    this.kernel = this.addWeight('kernel', [inputShape[inputShape.length - 1] as number, this.units], 'float32', 'glorotUniform');
    this.bias = this.addWeight('bias', [this.units], undefined, 'zeros');
  }
  computeOutputShape(inputShape: (number | null)[]): (number | null)[] { return [...inputShape.slice(0, -1), this.units]; }
  call(x: Tensor): Tensor {
    const f = () => rl.mul(rl.tanh(rl.add(rl.matMul(x, this.kernel), this.bias)), 0.5);
    return this.useTidy ? rl.tidy(f) : f();
  }
}

function model(useTidy: boolean): rl.Sequential {
  rl.setSeed(2);
  const m = rl.sequential();
  m.add(rl.layers.dense({ units: 4, inputShape: [3] }));
  m.add(new ScaledTanh(2, useTidy));
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
  return m;
}

const x = rl.tensor2d([[1, 0, -1], [0.5, 2, 1], [0, 1, 1], [-1, -1, 0]]);
const y = rl.tensor2d([[0.1, -0.2], [0.3, 0.1], [-0.1, 0], [0.2, 0.2]]);

describe.each([true, false])('numTensors stays flat per step (custom layer with tidy: %s)', (useTidy) => {
  it('over 50 fit steps', async () => {
    const m = model(useTidy);
    const counts: number[] = [];
    const h = await m.fit(x, y, { epochs: 50, batchSize: 4, verbose: 0, callbacks: { onBatchEnd: async () => { counts.push(rl.memory().numTensors); } } });
    expect(counts).toHaveLength(50);
    expect(counts[49]).toBe(counts[4]);
    // It still trains: the loss falls.
    expect(h.history.loss[49]).toBeLessThan(h.history.loss[0]);
  });

  it('over 50 trainOnBatch, evaluate and predict calls', () => {
    const m = model(useTidy);
    const at = (i: number, c: number[]) => c[i];
    const counts: number[] = [];
    for (let i = 0; i < 50; i++) {
      m.trainOnBatch(x, y);
      rl.dispose(m.evaluate(x, y) as rl.Scalar[]);
      m.predict(x, { batchSize: 2 }).dispose();
      counts.push(rl.memory().numTensors);
    }
    expect(at(49, counts)).toBe(at(4, counts));
  });
});

describe('disposed tensors after a recorded op', () => {
  it('become unreadable once rl.grad has run backward', () => {
    const a = rl.tensor([1, 2, 3]);
    const g = rl.grad((v) => rl.sum(rl.mul(v, a)))(rl.tensor([1, 1, 1]));
    expect(Array.from(g.dataSync())).toEqual([1, 2, 3]);
    a.dispose();
    expect(() => a.dataSync()).toThrow('Tensor is disposed.');
  });

  it('disposed inside the function stay readable for its backward, then are unreadable', () => {
    let inner: rl.Tensor | null = null;
    const g = rl.grad((v) => {
      inner = rl.mul(v, 3);
      const out = rl.sum(rl.square(inner));
      inner.dispose();
      return out;
    })(rl.tensor([1, 2]));
    // d/dv sum((3v)^2) = 18 v
    expect(Array.from(g.dataSync())).toEqual([18, 36]);
    expect(() => inner!.dataSync()).toThrow('Tensor is disposed.');
  });
});
