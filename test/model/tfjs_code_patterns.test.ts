/**
 * tfjs and Keras code patterns around custom training and custom layers: a weight's .val (tfjs's LayerVariable),
 * Keras's per-output list of metric lists, and a custom call() that returns something other than a tensor.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as rl from '../../src/index.js';

describe("a layer weight's .val", () => {
  it('is the weight itself, so minimize and variableGrads over layer.trainableWeights.map(w => w.val) train that layer as tfjs', () => {
    const make = (lib: typeof rl | typeof tf) => {
      const m = lib.sequential();
      m.add(lib.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones', name: 'd1' }) as never);
      m.add(lib.layers.dense({ units: 1, kernelInitializer: 'ones', name: 'd2' }) as never);
      return m;
    };
    const x = [[1, 2, 3], [0.5, -1, 2]], y = [[1], [0]];
    const step = (lib: typeof rl | typeof tf) => {
      const m = make(lib);
      const opt = lib.train.sgd(0.01);
      const vars = (m.layers[0].trainableWeights as unknown as { val: unknown }[]).map((w) => w.val);
      const loss = () => lib.losses.meanSquaredError(lib.tensor(y) as never, m.predict(lib.tensor(x) as never) as never) as never;
      opt.minimize(loss as never, false, vars as never);
      return m.getWeights().map((w) => Array.from((w as { dataSync(): ArrayLike<number> }).dataSync()));
    };
    const ours = step(rl), theirs = step(tf);
    ours.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(theirs[i][j], 5)));
    // Only d1 trained: d2's kernel is still ones.
    expect(ours[2]).toEqual([1, 1]);
    const m = make(rl);
    const w = m.layers[0].trainableWeights[0] as unknown as { val: unknown };
    expect(w.val).toBe(w);
  });

  it('a varList entry that is not a variable is named with its index', () => {
    const v = rl.variable(rl.tensor([1, 2]));
    expect(() => rl.train.sgd(0.1).minimize(() => rl.sum(v) as never, false, [v, undefined] as never)).toThrow(/varList must hold rl\.variable\(\)s \(a layer's weights are\), got undefined at index 1/);
  });
});

describe("compile's metrics as one list per output (Keras's list of lists)", () => {
  const twoOutputs = () => {
    const input = rl.input({ shape: [2] });
    const a = rl.layers.dense({ units: 1, name: 'a' }).apply(input) as rl.SymbolicTensor;
    const b = rl.layers.dense({ units: 1, name: 'b' }).apply(input) as rl.SymbolicTensor;
    return rl.model({ inputs: input, outputs: [a, b] });
  };

  it('gives each output its own metrics, as the {outputName: metrics} form does', () => {
    const listed = twoOutputs(), named = twoOutputs();
    listed.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: [['mae'], ['mse']] });
    named.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: { a: ['mae'], b: ['mse'] } });
    expect(listed.metricsNames).toEqual(named.metricsNames);
  });

  it('refuses a list of lists that does not give one list per output, or mixes lists with metrics', () => {
    expect(() => twoOutputs().compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: [['mae']] })).toThrow(/metrics as a list of lists gives one list per output \(Keras's form\), but it has 1 for the model's 2 output\(s\)/);
    expect(() => twoOutputs().compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: [['mae'], 'mse'] as never })).toThrow(/it mixes lists with single metrics/);
  });
});

describe('a custom layer whose call() returns something other than a tensor', () => {
  class Broken extends rl.layers.Layer {
    static className = 'Broken';
    constructor(private readonly give: unknown) { super({}); }
    call(): rl.Tensor { return this.give as rl.Tensor; }
  }

  it('is refused at the call, naming the layer, for a number and for nothing', () => {
    for (const give of [3, undefined]) {
      const layer = new Broken(give);
      expect(() => layer.apply(rl.tensor([[1, 2]]))).toThrow(new RegExp(`${layer.name} \\(Broken\\): call\\(\\) returned .*; expected a tensor or a list of tensors`));
    }
  });
});

describe('a custom layer class without a static className', () => {
  class Nameless extends rl.layers.Layer {
    computeOutputShape(s: (number | null)[]) { return s; }
    call(x: rl.Tensor) { return x; }
  }

  it('is refused when its model is saved, naming the class (it would be saved as the unloadable Layer)', async () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] }), new Nameless({})] });
    await expect(m.save(rl.io.withSaveHandler((async () => ({})) as never) as never))
      .rejects.toThrow(/\(class Nameless\) cannot be saved: it has no static className, so it would be saved as 'Layer'.*static className = 'Nameless'/);
  });
});
