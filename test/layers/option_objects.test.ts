/**
 * tfjs-style layer options given as objects (rl.initializers / rl.regularizers / rl.constraints instances) on every
 * built-in layer that takes them: the calls below must type-check (tsc covers test/), and each object must take
 * effect: constant initial values, the l2 penalty in the evaluated loss, and the max-norm after one training step.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const C = 2;
const L2 = 0.001;
const MAX = 1;

interface Opts { init: rl.Initializer; reg?: rl.L1L2; con?: rl.Constraint }
interface Case {
  make(o: Opts): rl.layerClasses.Layer;
  x(): rl.Tensor;
  /** Indices (getWeights order) of the weights the regularizer and the constraint apply to. */
  penalized: number[];
}

const floats = (shape: number[]) => rl.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i + 1)), shape);
const ids = () => rl.tensor(Int32Array.from({ length: 20 }, (_, i) => (i * 3) % 7), [4, 5], 'int32');

// Each call spells every object option out, as tfjs code would, so a narrowed option type fails to compile.
// LSTM: unitForgetBias off, since on (the default, as Keras) it sets the forget gate's bias to 1 whatever the initializer.
const CASES: Record<string, Case> = {
  dense: {
    make: ({ init, reg, con }) => rl.layers.dense({ units: 2, inputShape: [3], kernelInitializer: init, biasInitializer: init, kernelRegularizer: reg, biasRegularizer: reg, kernelConstraint: con, biasConstraint: con }),
    x: () => floats([4, 3]), penalized: [0, 1],
  },
  conv1d: {
    make: ({ init, reg, con }) => rl.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [6, 3], kernelInitializer: init, biasInitializer: init, kernelRegularizer: reg, biasRegularizer: reg, kernelConstraint: con, biasConstraint: con }),
    x: () => floats([4, 6, 3]), penalized: [0, 1],
  },
  embedding: {
    make: ({ init, reg, con }) => rl.layers.embedding({ inputDim: 7, outputDim: 2, inputLength: 5, embeddingsInitializer: init, embeddingsRegularizer: reg, embeddingsConstraint: con }),
    x: ids, penalized: [0],
  },
  simpleRNN: {
    make: ({ init, reg, con }) => rl.layers.simpleRNN({ units: 2, inputShape: [5, 3], kernelInitializer: init, recurrentInitializer: init, biasInitializer: init, kernelRegularizer: reg, recurrentRegularizer: reg, biasRegularizer: reg, kernelConstraint: con, recurrentConstraint: con, biasConstraint: con }),
    x: () => floats([4, 5, 3]), penalized: [0, 1, 2],
  },
  lstm: {
    make: ({ init, reg, con }) => rl.layers.lstm({ units: 2, inputShape: [5, 3], unitForgetBias: false, recurrentActivation: 'hardSigmoid', kernelInitializer: init, recurrentInitializer: init, biasInitializer: init, kernelRegularizer: reg, recurrentRegularizer: reg, biasRegularizer: reg, kernelConstraint: con, recurrentConstraint: con, biasConstraint: con }),
    x: () => floats([4, 5, 3]), penalized: [0, 1, 2],
  },
  gru: {
    make: ({ init, reg, con }) => rl.layers.gru({ units: 2, inputShape: [5, 3], recurrentActivation: 'hardSigmoid', kernelInitializer: init, recurrentInitializer: init, biasInitializer: init, kernelRegularizer: reg, recurrentRegularizer: reg, biasRegularizer: reg, kernelConstraint: con, recurrentConstraint: con, biasConstraint: con }),
    x: () => floats([4, 5, 3]), penalized: [0, 1, 2],
  },
  simpleRNNCell: {
    make: ({ init, reg, con }) => rl.layers.rnn({ inputShape: [5, 3], cell: rl.layers.simpleRNNCell({ units: 2, kernelInitializer: init, recurrentInitializer: init, biasInitializer: init, kernelRegularizer: reg, recurrentRegularizer: reg, biasRegularizer: reg, kernelConstraint: con, recurrentConstraint: con, biasConstraint: con }) }),
    x: () => floats([4, 5, 3]), penalized: [0, 1, 2],
  },
  lstmCell: {
    make: ({ init, reg, con }) => rl.layers.rnn({ inputShape: [5, 3], cell: rl.layers.lstmCell({ units: 2, unitForgetBias: false, recurrentActivation: 'hardSigmoid', kernelInitializer: init, recurrentInitializer: init, biasInitializer: init, kernelRegularizer: reg, recurrentRegularizer: reg, biasRegularizer: reg, kernelConstraint: con, recurrentConstraint: con, biasConstraint: con }) }),
    x: () => floats([4, 5, 3]), penalized: [0, 1, 2],
  },
  gruCell: {
    make: ({ init, reg, con }) => rl.layers.rnn({ inputShape: [5, 3], cell: rl.layers.gruCell({ units: 2, recurrentActivation: 'hardSigmoid', kernelInitializer: init, recurrentInitializer: init, biasInitializer: init, kernelRegularizer: reg, recurrentRegularizer: reg, biasRegularizer: reg, kernelConstraint: con, recurrentConstraint: con, biasConstraint: con }) }),
    x: () => floats([4, 5, 3]), penalized: [0, 1, 2],
  },
  batchNormalization: {
    make: ({ init, reg, con }) => rl.layers.batchNormalization({ inputShape: [3], gammaInitializer: init, betaInitializer: init, movingMeanInitializer: init, movingVarianceInitializer: init, gammaRegularizer: reg, betaRegularizer: reg, gammaConstraint: con, betaConstraint: con }),
    x: () => floats([4, 3]), penalized: [0, 1],
  },
  layerNormalization: {
    make: ({ init, reg, con }) => rl.layers.layerNormalization({ inputShape: [3], gammaInitializer: init, betaInitializer: init, gammaRegularizer: reg, betaRegularizer: reg, gammaConstraint: con, betaConstraint: con }),
    x: () => floats([4, 3]), penalized: [0, 1],
  },
  prelu: {
    make: ({ init, reg, con }) => rl.layers.prelu({ inputShape: [3], alphaInitializer: init, alphaRegularizer: reg, alphaConstraint: con }),
    x: () => floats([4, 3]), penalized: [0],
  },
};

function model(c: Case, o: Opts): rl.Sequential {
  const m = rl.sequential({ layers: [c.make(o)] });
  m.compile({ optimizer: rl.train.sgd(0.01), loss: 'meanSquaredError' });
  return m;
}

const loss = (m: rl.Sequential, x: rl.Tensor, y: rl.Tensor) => (m.evaluate(x, y) as rl.Tensor).dataSync()[0];
const targetFor = (m: rl.Sequential, x: rl.Tensor) => rl.zeros((m.predict(x) as rl.Tensor).shape);

/** Keras's MaxNorm (axis 0): the norm over the first axis, for every index of the others. */
function axis0Norms(w: rl.Tensor): number[] {
  const v = w.dataSync(), rows = w.shape[0], cols = v.length / rows;
  return Array.from({ length: cols }, (_, j) => Math.hypot(...Array.from({ length: rows }, (_, i) => v[i * cols + j])));
}

describe('layer options given as rl.initializers / rl.regularizers / rl.constraints objects', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: a constant initializer fills every weight, an l2 object adds its penalty, a maxNorm object clips after a step`, () => {
      const init = rl.initializers.constant({ value: C });
      const plain = model(c, { init });
      for (const w of plain.getWeights()) expect(Array.from(w.dataSync())).toEqual(new Array(w.size).fill(C));

      const x = c.x(), y = targetFor(plain, x);
      const regularized = model(c, { init, reg: rl.regularizers.l2({ l2: L2 }) });
      const count = c.penalized.reduce((n, i) => n + regularized.getWeights()[i].size, 0);
      expect(loss(regularized, x, y) - loss(plain, x, y)).toBeCloseTo(L2 * C * C * count, 5);

      const constrained = model(c, { init, con: rl.constraints.maxNorm({ maxValue: MAX }) });
      constrained.trainOnBatch(x, y);
      const weights = constrained.getWeights();
      for (const i of c.penalized) {
        // Every column started at norm >= C > MAX, so after the step each is clipped to MAX, not left or zeroed.
        for (const n of axis0Norms(weights[i])) expect(n).toBeCloseTo(MAX, 4);
      }
      // Every weight but BatchNormalization's moving statistics (never penalized or constrained) is checked above.
      const unchecked = weights.map((_, i) => i).filter((i) => !c.penalized.includes(i));
      expect(unchecked).toEqual(name === 'batchNormalization' ? [2, 3] : []);
    });
  }

  it("tfjs's class-name and Keras's snake_case spellings of regularizers and constraints type-check and resolve as the camelCase ones", () => {
    const constraintSpellings = [['MaxNorm', 'MaxNorm'], ['max_norm', 'MaxNorm'], ['UnitNorm', 'UnitNorm'], ['unit_norm', 'UnitNorm'], ['MinMaxNorm', 'MinMaxNorm'], ['min_max_norm', 'MinMaxNorm'], ['NonNeg', 'NonNeg'], ['non_neg', 'NonNeg']] as const;
    for (const [kernelConstraint, className] of constraintSpellings) {
      expect((rl.layers.dense({ units: 1, kernelConstraint }).getConfig().kernelConstraint as { className: string }).className).toBe(className);
    }
    const regularizerSpellings = [['L1', { l1: 0.01, l2: 0 }], ['L2', { l1: 0, l2: 0.01 }], ['L1L2', { l1: 0.01, l2: 0.01 }]] as const;
    for (const [kernelRegularizer, config] of regularizerSpellings) {
      expect((rl.layers.dense({ units: 1, kernelRegularizer }).getConfig().kernelRegularizer as { config: unknown }).config).toEqual(config);
    }
    // And the string takes effect: 'MaxNorm' (maxValue 2 by default) clips a kernel whose columns start at norm 3 * sqrt(3).
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], kernelInitializer: rl.initializers.constant({ value: 3 }), kernelConstraint: 'MaxNorm' })] });
    m.compile({ optimizer: rl.train.sgd(0.01), loss: 'meanSquaredError' });
    m.trainOnBatch(floats([4, 3]), rl.zeros([4, 2]));
    for (const n of axis0Norms(m.getWeights()[0])) expect(n).toBeCloseTo(2, 4);
  });

  it("recurrentActivation 'hardSigmoid' (tfjs's spelling) computes Keras's hard_sigmoid, not sigmoid", () => {
    const x = floats([2, 4, 3]);
    const run = (recurrentActivation: 'hardSigmoid' | 'hard_sigmoid' | 'sigmoid') => {
      rl.setSeed(5);
      return Array.from((rl.layers.lstm({ units: 3, recurrentActivation }).apply(x) as rl.Tensor).dataSync());
    };
    const tfjsSpelling = run('hardSigmoid');
    expect(tfjsSpelling).toEqual(run('hard_sigmoid'));
    expect(Math.max(...tfjsSpelling.map((v, i) => Math.abs(v - run('sigmoid')[i])))).toBeGreaterThan(1e-3);
  });

  it("tfjs's inputShape with a free (null) size and dtype 'float32' type-check and build; dtype 'int32' is refused", () => {
    const m = rl.sequential({ layers: [rl.layers.lstm({ units: 2, inputShape: [null, 3] }), rl.layers.dense({ units: 1, dtype: 'float32' })] });
    expect(m.inputs[0].shape).toEqual([null, null, 3]);
    expect((m.predict(floats([2, 5, 3])) as rl.Tensor).shape).toEqual([2, 1]);
    expect(() => rl.layers.dense({ units: 1, inputShape: [3], dtype: 'int32' as never })).toThrow(/dtype/);
  });
});
