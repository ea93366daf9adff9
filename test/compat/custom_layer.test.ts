// Custom layers as tfjs users write them: subclass rl.layers.Layer, addWeight in build, call with the public ops,
// getConfig, rl.serialization.registerClass; trained through the tape, saved and loaded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Tensor } from '../../src/tensor.js';
import type { Variable } from '../../src/variable.js';
import { gradCheck, maxDiff, randomTensor, removeDir, tempDir } from './functional_helpers.js';

type Sym = rl.SymbolicTensor;
const one = (v: Sym | Sym[]): Sym => v as Sym;

interface GatedArgs { units: number; name?: string }

/** y = tanh(x K) * sigmoid(gate): a layer tfjs's docs could show, written with rl.* ops only. */
class GatedProjection extends rl.layers.Layer {
  static override readonly className: string = 'GatedProjection';
  readonly units: number;
  kernel!: Variable;
  gate!: Variable;

  constructor(args: GatedArgs) {
    super(args);
    this.units = args.units;
  }

  build(inputShape: (number | null)[]): void {
    this.kernel = this.addWeight('kernel', [inputShape[inputShape.length - 1] as number, this.units], 'float32', 'glorotUniform');
    this.gate = this.addWeight('gate', [this.units], undefined, 'zeros');
  }

  computeOutputShape(inputShape: (number | null)[]): (number | null)[] {
    return [...inputShape.slice(0, -1), this.units];
  }

  call(x: Tensor): Tensor {
    return rl.mul(rl.tanh(rl.matMul(x, this.kernel)), rl.sigmoid(this.gate));
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units };
  }
}
rl.serialization.registerClass(GatedProjection);

describe('custom layers', () => {
  it('build with addWeight, call with rl ops, getConfig and fromConfig', () => {
    rl.setSeed(1);
    const l = new GatedProjection({ units: 3 });
    expect(l.name).toBe('gated_projection');
    const y = l.apply(rl.ones([2, 4])) as rl.Tensor;
    expect(y.shape).toEqual([2, 3]);
    expect(l.weights.map((w) => w.name)).toEqual(['gated_projection/kernel', 'gated_projection/gate']);
    expect(l.countParams()).toBe(15);
    const k = l.kernel.dataSync();
    expect(y.dataSync()[0]).toBeCloseTo(Math.tanh(k[0] + k[3] + k[6] + k[9]) * 0.5, 6);
    const back = GatedProjection.fromConfig(l.getConfig()) as GatedProjection;
    expect(back.units).toBe(3);
    expect(back.getConfig()).toEqual(l.getConfig());
  });

  it('trains inside a functional model, then saves and loads with the same predictions', async () => {
    rl.setSeed(7);
    const x = rl.input({ shape: [4] });
    const h = one(new GatedProjection({ units: 6, name: 'gated' }).apply(x));
    const m = rl.model({ inputs: x, outputs: one(rl.layers.dense({ units: 1, activation: 'sigmoid' }).apply(h)) });
    m.compile({ optimizer: rl.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const r = new rl.Random(2);
    const n = 128;
    const xs = Float32Array.from({ length: n * 4 }, () => r.uniform(-1, 1));
    const ys = Float32Array.from({ length: n }, (_, i) => (xs[i * 4] + xs[i * 4 + 1] > 0 ? 1 : 0));
    const X = rl.tensor(xs, [n, 4]), Y = rl.tensor(ys, [n, 1]);
    const gate0 = m.getLayer('gated').getWeightValues()[1].slice();
    const hist = await m.fit(X, Y, { epochs: 40, batchSize: 32, verbose: 0 });
    const loss = hist.history.loss as number[];
    expect(loss.at(-1)!).toBeLessThan(loss[0] * 0.6);
    // The custom layer's own weights moved: the gradient reached them through rl.mul/tanh/matMul/sigmoid.
    expect(maxDiff(m.getLayer('gated').getWeightValues()[1], gate0)).toBeGreaterThan(1e-3);
    const dir = tempDir('rnnlab-custom-');
    try {
      await m.save(`file://${dir}`);
      const back = await rl.loadLayersModel(`file://${dir}`) as rl.Functional;
      expect(back.getLayer('gated')).toBeInstanceOf(GatedProjection);
      expect(maxDiff((back.predict(X) as rl.Tensor).dataSync(), (m.predict(X) as rl.Tensor).dataSync())).toBe(0);
    } finally {
      removeDir(dir);
    }
  });

  it('a Sequential model with a custom layer saves and loads too', async () => {
    rl.setSeed(9);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 5, inputShape: [3] }), new GatedProjection({ units: 2, name: 'g' }), rl.layers.flatten()] });
    const x = rl.randomNormal([4, 3]);
    const dir = tempDir('rnnlab-custom-seq-');
    try {
      await m.save(`file://${dir}`);
      const back = await rl.loadModel(`file://${dir}`);
      expect(back.getLayer('g')).toBeInstanceOf(GatedProjection);
      expect(maxDiff(back.predict(x).dataSync(), m.predict(x).dataSync())).toBe(0);
    } finally {
      removeDir(dir);
    }
  });

  it('errors name the class, the weight or the option', () => {
    class Nameless extends rl.layers.Layer {
      computeOutputShape(s: (number | null)[]) { return s; }
      call(x: Tensor) { return x; }
    }
    expect(() => rl.serialization.registerClass(Nameless)).toThrow(/Nameless needs its own static className/);
    expect(() => rl.serialization.registerClass(Object as never)).toThrow(/expected a subclass of rl.layers.Layer/);
    class Regularized extends GatedProjection {
      static override readonly className = 'Regularized';
      build(s: (number | null)[]): void { this.addWeight('w', [s[1] as number, 2], 'float32', 'zeros', { l2: 0.1 }); }
    }
    expect(() => new Regularized({ units: 2 }).apply(rl.ones([1, 3]))).toThrow(/regularized \(Regularized\): addWeight 'w': regularizer an object is not a regularizer; use 'l1'/);
    class BadInit extends GatedProjection {
      static override readonly className = 'BadInit';
      build(): void { this.addWeight('w', [2], 'float32', 'fancy'); }
    }
    expect(() => new BadInit({ units: 2 }).apply(rl.ones([1, 3]))).toThrow(/addWeight 'w': unknown initializer 'fancy'/);
    class Twice extends GatedProjection {
      static override readonly className = 'Twice';
      build(): void { this.addWeight('w', [2]); this.addWeight('w', [2]); }
    }
    expect(() => new Twice({ units: 2 }).apply(rl.ones([1, 3]))).toThrow(/duplicate weight name 'w'/);
  });
});

describe('public ops record on the tape (float64 gradient checks)', () => {
  beforeAll(() => rl.setPrecision(64));
  afterAll(() => rl.setPrecision(32));
  const a = () => randomTensor([2, 3], 1), b = () => randomTensor([2, 3], 2), row = () => randomTensor([3], 3);
  const positive = () => rl.add(rl.abs(randomTensor([2, 3], 4)), 0.5) as Tensor;
  const cases: [string, () => Tensor[], (xs: Tensor[]) => Tensor][] = [
    ['add with broadcasting', () => [a(), row()], ([x, y]) => rl.add(x, y)],
    ['sub', () => [a(), b()], ([x, y]) => rl.sub(x, y)],
    ['mul with broadcasting', () => [a(), row()], ([x, y]) => rl.mul(x, y)],
    ['div', () => [a(), positive()], ([x, y]) => rl.div(x, y)],
    ['matMul', () => [a(), randomTensor([3, 4], 5)], ([x, y]) => rl.matMul(x, y)],
    ['matMul transposed', () => [randomTensor([3, 2], 6), randomTensor([4, 3], 7)], ([x, y]) => rl.matMul(x, y, true, true)],
    ['sigmoid, tanh, relu, exp', () => [a()], ([x]) => rl.add(rl.add(rl.sigmoid(x), rl.tanh(x)), rl.add(rl.relu(x), rl.exp(x)))],
    ['log, neg, square', () => [positive()], ([x]) => rl.neg(rl.add(rl.log(x), rl.square(x)))],
    ['sum and mean over axes', () => [randomTensor([2, 3, 2], 8)], ([x]) => rl.add(rl.sum(x, 1, true), rl.mean(x, [0, 2], true))],
    ['reshape and transpose', () => [randomTensor([2, 3, 2], 9)], ([x]) => rl.transpose(rl.reshape(x, [3, 4]))],
    ['softmax', () => [a()], ([x]) => rl.softmax(x)],
    ['concat and slice', () => [a(), b()], ([x, y]) => rl.slice(rl.concat([x, y], 1), [0, 2], [2, 3])],
  ];
  it.each(cases)('%s', (_name, make, f) => {
    gradCheck(f, make());
  });
});
