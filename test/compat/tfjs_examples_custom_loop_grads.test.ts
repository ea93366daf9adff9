/**
 * Custom training loops as tfjs programs write them (cart-pole, snake-dqn): tf.losses.* inside tf.grad /
 * tf.variableGrads carry gradients, and variableGrads / minimize without a varList reach layers' weights (tfjs
 * registers them as variables); plus the tf.util helpers the examples' data code calls. Checked against tfjs.
 */
import { describe, expect, it } from 'vitest';
import { expectAllClose, rl, seedMathRandomPerTest, setWeightValues, tfjs, weightValues } from './tfjs_examples_harness.js';

seedMathRandomPerTest();

const labels = [[1, 0, 0], [0, 1, 0]], logits = [[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]], weights = [[1, 0.5, 0], [2, 1, 1]];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loss = (tf: any, y: any, p: any) => any;
const LOSSES: Record<string, Loss> = {
  sigmoidCrossEntropy: (tf, y, p) => tf.losses.sigmoidCrossEntropy(y, p),
  'sigmoidCrossEntropy smoothed, weighted': (tf, y, p) => tf.losses.sigmoidCrossEntropy(y, p, tf.tensor2d(weights), 0.2),
  softmaxCrossEntropy: (tf, y, p) => tf.losses.softmaxCrossEntropy(y, p),
  'softmaxCrossEntropy weighted per row': (tf, y, p) => tf.losses.softmaxCrossEntropy(y, p, tf.tensor1d([0.3, 2])),
  'absoluteDifference weighted, MEAN': (tf, y, p) => tf.losses.absoluteDifference(y, p, tf.tensor2d(weights), tf.Reduction.MEAN),
  'meanSquaredError weighted': (tf, y, p) => tf.losses.meanSquaredError(y, p, tf.tensor2d(weights)),
  'huberLoss delta 0.5, SUM': (tf, y, p) => tf.losses.huberLoss(y, p, undefined, 0.5, tf.Reduction.SUM),
  logLoss: (tf, y, p) => tf.losses.logLoss(y, tf.sigmoid(p)),
  hingeLoss: (tf, y, p) => tf.losses.hingeLoss(y, p),
  cosineDistance: (tf, y, p) => tf.losses.cosineDistance(y, p, 1),
};

describe('tf.losses.* differentiate inside tf.grad, as in tfjs', () => {
  for (const [name, loss] of Object.entries(LOSSES)) {
    it(name, () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const run = (tf: any) => {
        const y = tf.tensor2d(labels);
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const g = tf.grad((p: any) => loss(tf, y, p))(tf.tensor2d(logits));
        return { value: loss(tf, y, tf.tensor2d(logits)).dataSync()[0] as number, grad: Array.from(g.dataSync() as ArrayLike<number>) };
      };
      const theirs = run(tfjs), ours = run(rl);
      expectAllClose([ours.value], [theirs.value], 1e-6, 'value');
      expectAllClose(ours.grad, theirs.grad, 1e-6, 'gradient');
      expect(ours.grad.some((v) => v !== 0)).toBe(true);
    });
  }
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function policy(tf: any) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 3, activation: 'elu', inputShape: [4] }));
  model.add(tf.layers.dense({ units: 1 }));
  return model;
}

describe('variableGrads and minimize without a varList reach layers\' weights, as in tfjs', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const cost = (tf: any, model: any) => () => tf.losses.sigmoidCrossEntropy(tf.tensor2d([[1], [0]]),
    model.layers.reduce((h: unknown, l: { apply(x: unknown): unknown }) => l.apply(h), tf.tensor2d([[0.1, -0.3, 0.5, 0.2], [0.4, 0.1, -0.2, 0.7]]))).asScalar();

  it('variableGrads: one gradient per trainable weight, named by the weight, equal to tfjs\'s', () => {
    for (const frozenFirst of [false, true]) {
      const a = policy(tfjs), b = policy(rl);
      setWeightValues(b, weightValues(a));
      // Frozen after the copy: tfjs's getWeights() lists trainable weights first, rnnlab's layer by layer.
      a.layers[0].trainable = !frozenFirst;
      b.layers[0].trainable = !frozenFirst;
      const ga = tfjs.variableGrads(cost(tfjs, a)), gb = rl.variableGrads(cost(rl, b));
      expect(gb.value.dataSync()[0]).toBeCloseTo(ga.value.dataSync()[0], 6);
      const names = b.trainableWeights.map((w: { name: string }) => w.name);
      expect(Object.keys(gb.grads).sort()).toEqual([...names].sort());
      expect(Object.keys(gb.grads)).toHaveLength(Object.keys(ga.grads).length);
      expect(Object.keys(gb.grads)).toHaveLength(frozenFirst ? 2 : 4);
      const theirByOrder = a.trainableWeights.map((w: { originalName: string; val?: { name: string } }) => Object.entries(ga.grads).find(([k]) => k.startsWith(w.originalName))![1]);
      names.forEach((n: string, i: number) => expectAllClose(gb.grads[n].dataSync(), theirByOrder[i].dataSync(), 1e-6, n));
    }
  });

  it('optimizer.minimize(f) updates the layers\' weights as tfjs\'s does', () => {
    const a = policy(tfjs), b = policy(rl);
    setWeightValues(b, weightValues(a));
    const oa = tfjs.train.sgd(0.5), ob = rl.train.sgd(0.5);
    for (let i = 0; i < 3; i++) { oa.minimize(cost(tfjs, a)); ob.minimize(cost(rl, b)); }
    weightValues(b).forEach((w, i) => expectAllClose(w, weightValues(a)[i], 1e-6, `weight ${i}`));
  });

  it('two used weights with the same name are an error naming it', () => {
    const a = policy(rl), b = rl.sequential();
    b.add(rl.layers.dense({ units: 1, inputShape: [4], name: a.layers[0].name + '_twin' }));
    // The same layer name in two models (a loaded copy, say) makes the gradient keys ambiguous.
    const twin = rl.sequential();
    twin.add(rl.layers.dense({ units: 3, inputShape: [4], name: a.layers[0].name }));
    const x = rl.tensor2d([[0.1, 0.2, 0.3, 0.4]]);
    expect(() => rl.variableGrads(() => rl.add(rl.sum(a.layers[0].apply(x) as rl.Tensor), rl.sum(twin.layers[0].apply(x) as rl.Tensor))))
      .toThrow(new RegExp(`both named '${a.layers[0].name}/kernel'`));
  });
});

describe('tf.util helpers of the examples\' data code', () => {
  it('createShuffledIndices is a Uint32Array permutation of 0..n-1, as tfjs\'s', () => {
    for (const lib of [tfjs, rl]) {
      const idx = lib.util.createShuffledIndices(50);
      expect(idx).toBeInstanceOf(Uint32Array);
      expect(Array.from(idx).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    }
    rl.setSeed(3);
    const first = Array.from(rl.util.createShuffledIndices(20));
    rl.setSeed(3);
    expect(Array.from(rl.util.createShuffledIndices(20))).toEqual(first);
    expect(first).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(() => rl.util.createShuffledIndices(-1)).toThrow(/non-negative integer/);
  });

  it('assertShapesMatch, arraysEqual, isTypedArray and clamp behave as tfjs\'s', () => {
    const message = (lib: typeof rl | typeof tfjs) => { try { lib.util.assertShapesMatch([2, 3], [3, 2], 'xs:'); return 'no error'; } catch (e) { return (e as Error).message; } };
    expect(message(rl)).toBe(message(tfjs));
    expect(() => rl.util.assertShapesMatch([2, 3], [2, 3])).not.toThrow();
    for (const [a, b] of [[[1, 2], [1, 2]], [[1, 2], [1, 2, 3]], [[1, 2], [2, 1]], [[], []]] as number[][][]) {
      expect(rl.util.arraysEqual(a, b)).toBe(tfjs.util.arraysEqual(a, b));
    }
    for (const v of [new Float32Array(1), new Int32Array(1), new Uint8Array(1), [1], 'x', new Float64Array(1)]) {
      expect(rl.util.isTypedArray(v)).toBe(tfjs.util.isTypedArray(v as never));
    }
    expect([rl.util.clamp(0, -1, 5), rl.util.clamp(0, 7, 5), rl.util.clamp(0, 3, 5)]).toEqual([0, 5, 3]);
  });
});

describe('variables flipped trainable, and named gradients', () => {
  it('v.trainable = true after creation makes variableGrads see it, as tfjs', () => {
    const v = rl.variable(rl.scalar(3), false);
    expect(() => rl.variableGrads(() => rl.square(v))).toThrow();
    v.trainable = true;
    const { grads } = rl.variableGrads(() => rl.square(v));
    expect(grads[v.name]!.dataSync()[0]).toBeCloseTo(6, 6);
  });

  it('applyGradients finds the variable a gradient came from even when another live weight has its name', () => {
    const make = () => rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'ones', useBias: false, name: 'same_name' })] });
    const a = make(), b = make();
    const { grads } = rl.variableGrads(() => rl.sum(a.predict(rl.tensor([[2]])) as rl.Tensor), a.trainableWeights);
    rl.train.sgd(0.5).applyGradients(grads);
    expect(a.getWeights()[0]!.dataSync()[0]).toBeCloseTo(0, 6);
    expect(b.getWeights()[0]!.dataSync()[0]).toBe(1);
  });

  it('a refused named applyGradients sets no gradient at all', () => {
    const v = rl.variable(rl.tensor([1, 2]), true, 'refused_v');
    const w = rl.variable(rl.tensor([1]), true, 'refused_w');
    expect(() => rl.train.sgd(0.1).applyGradients({ refused_v: rl.tensor([1, 1]), refused_w: rl.tensor([1, 1]) })).toThrow(/'refused_w' has shape \[2\], the variable \[1\]/);
    expect(v.grad ?? null).toBeNull();
    expect(w.grad ?? null).toBeNull();
  });
});
