/**
 * A user's apply() override is what a model runs (tfjs's executor calls layer.apply), a recurrent layer's cell is a
 * view that neither disposes nor reports the layer's state as its own, MultiHeadAttention refuses kwargs that are no
 * object by name, and Keras's fromConfig(config, customObjects) reads its custom objects.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { evaluated } from '../io/helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const L = (rl as Any).layerClasses;

/** A Dense whose apply() counts its calls, records their training mode and doubles real outputs. */
function scaledDenseClass(scale: number) {
  const seen = { calls: 0, training: [] as unknown[] };
  class ScaledDense extends (L.Dense as new (args: Any) => Any) {
    static className = 'ScaledDenseR46';
    apply(x: Any, kwargs?: Any): Any {
      const y = super.apply(x, kwargs);
      if (!(y instanceof rl.Tensor)) return y;
      seen.calls++;
      seen.training.push(kwargs?.training);
      return scale === 1 ? y : rl.mul(y, scale);
    }
  }
  return { ScaledDense: ScaledDense as Any, seen };
}

describe('a user layer overriding apply() inside a model', () => {
  it('is reached by Sequential predict and fit, its output scaled', async () => {
    const { ScaledDense, seen } = scaledDenseClass(2);
    const m = rl.sequential({ layers: [new ScaledDense({ units: 2, inputShape: [3], kernelInitializer: 'ones' })] });
    seen.calls = 0;
    const out = m.predict(rl.ones([2, 3])) as rl.Tensor;
    expect(seen.calls).toBeGreaterThan(0);
    expect(Array.from(out.dataSync())).toEqual([6, 6, 6, 6]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    seen.calls = 0;
    seen.training = [];
    const h = await m.fit(rl.ones([2, 3]), rl.zeros([2, 2]), { epochs: 1, batchSize: 2, verbose: 0 });
    expect(seen.calls).toBeGreaterThan(0);
    expect(seen.training).toContain(true);
    // The first batch's loss is before the update: (2 * 3)^2.
    expect(h.history.loss[0] as number).toBeCloseTo(36, 4);
  });

  it('is reached by a functional model predict', () => {
    const { ScaledDense, seen } = scaledDenseClass(2);
    const inp = rl.input({ shape: [3] });
    const m = rl.model({ inputs: inp, outputs: new ScaledDense({ units: 2, kernelInitializer: 'ones' }).apply(inp) as rl.SymbolicTensor });
    seen.calls = 0;
    const out = m.predict(rl.ones([1, 3])) as rl.Tensor;
    expect(seen.calls).toBe(1);
    expect(Array.from(out.dataSync())).toEqual([6, 6]);
  });

  it('keeps the loss on its activated output (no logits folded past the override)', () => {
    const { ScaledDense, seen } = scaledDenseClass(1);
    const args = { units: 3, inputShape: [4], activation: 'softmax', kernelInitializer: rl.initializers.glorotUniform({ seed: 3 }) } as Any;
    const custom = rl.sequential({ layers: [new ScaledDense(args)] });
    const plain = rl.sequential({ layers: [rl.layers.dense(args)] });
    for (const m of [custom, plain]) m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    plain.setWeights(custom.getWeights());
    const x = rl.randomNormal([5, 4], 0, 1, 'float32', 2);
    const y = rl.oneHot(rl.tensor1d([0, 1, 2, 1, 0], 'int32'), 3);
    seen.calls = 0;
    expect(evaluated(custom.evaluate(x, y))[0]).toBeCloseTo(evaluated(plain.evaluate(x, y))[0], 5);
    expect(seen.calls).toBeGreaterThan(0);
  });

  it('passes the padding mask on to the next layer', () => {
    const { ScaledDense, seen } = scaledDenseClass(1);
    const m = rl.sequential({
      layers: [
        rl.layers.embedding({ inputDim: 5, outputDim: 3, maskZero: true, inputShape: [null] } as Any),
        new ScaledDense({ units: 3 }),
        rl.layers.lstm({ units: 2 }),
      ],
    });
    seen.calls = 0;
    const padded = (m.predict(rl.tensor2d([[1, 2, 0, 0]], [1, 4], 'int32')) as rl.Tensor).dataSync();
    const short = (m.predict(rl.tensor2d([[1, 2]], [1, 2], 'int32')) as rl.Tensor).dataSync();
    expect(seen.calls).toBe(2);
    Array.from(short).forEach((v, i) => expect(padded[i]).toBeCloseTo(v, 6));
  });
});

describe('a recurrent layer\'s cell (a view on its weights)', () => {
  it('refuses dispose, naming the layer, and leaves the model whole', () => {
    const before = rl.memory().numTensors;
    const m = rl.sequential({ layers: [rl.layers.lstm({ units: 2, inputShape: [3, 2] }), rl.layers.dense({ units: 1 })] });
    const cell = (m.layers[0] as Any).cell;
    expect(() => cell.dispose()).toThrow(/the cell computes with layer lstm\w*'s weights; dispose the layer, or the model holding it/);
    expect((m.layers[0] as Any).disposed).toBe(false);
    expect(cell.disposed).toBe(false);
    expect(Number.isFinite((m.predict(rl.ones([1, 3, 2])) as rl.Tensor).dataSync()[0])).toBe(true);
    // Each weight once: the lstm's kernel, recurrent kernel and bias, the dense's kernel and bias.
    expect(m.dispose().numDisposedVariables).toBe(5);
    expect(cell.disposed).toBe(true);
    expect(rl.memory().numTensors - before).toBeLessThanOrEqual(1);
  });

  it('reads as disposed once its layer is', () => {
    const layer = rl.layers.gru({ units: 2 });
    layer.apply(rl.ones([1, 3, 2]));
    const cell = (layer as Any).cell;
    layer.dispose();
    expect(cell.disposed).toBe(true);
    expect(() => cell.dispose()).toThrow(/dispose the layer, or the model holding it/);
  });

  it('says it has no output shape of its own on a built layer', () => {
    const layer = rl.layers.lstm({ units: 2 });
    layer.apply(rl.ones([1, 3, 2]));
    const cell = (layer as Any).cell;
    expect(cell.built).toBe(true);
    expect(() => cell.outputShape).toThrow(/lstm\w* \(LSTMCell\): the cell of layer lstm\w* has no call of its own, so no output shape; read the layer's outputShape/);
  });
});

describe('MultiHeadAttention.apply kwargs', () => {
  it('refuses kwargs that are no object with Layer\'s message', () => {
    const x = rl.randomNormal([1, 2, 4]);
    const mha = rl.layers.multiHeadAttention({ numHeads: 1, keyDim: 2 } as Any);
    for (const [bad, shown] of [[5, 'number 5'], ['training', 'the string "training"'], [[], 'an array']] as const) {
      expect(() => (mha as Any).apply([x, x], bad)).toThrow('multi_head_attention (MultiHeadAttention)');
      expect(() => (mha as Any).apply([x, x], bad)).toThrow(`apply(inputs, kwargs) takes kwargs as an object such as {training: true}, got ${shown}`);
    }
    expect(((mha as Any).apply([x, x], null) as rl.Tensor).shape).toEqual([1, 2, 4]);
  });
});

describe('Keras\'s fromConfig(config, customObjects)', () => {
  /** A cell with one kernel: h' = tanh(x W + h). Registered nowhere. */
  class OneKernelCell extends rl.layers.Layer {
    static className = 'OneKernelCellR46';
    stateSize: number;
    units: number;
    kernel: Any;
    constructor(args: Any) {
      super(args);
      this.units = args.units;
      this.stateSize = args.units;
    }
    build(shape: Any) {
      this.kernel = this.addWeight('kernel', [shape[shape.length - 1], this.units], 'float32', rl.initializers.glorotUniform({ seed: 4 }));
      this.built = true;
    }
    call(inputs: Any) {
      const [x, h] = inputs as rl.Tensor[];
      const out = rl.tanh(rl.add(rl.matMul(x, this.kernel.read()), h));
      return [out, out];
    }
    getConfig() { return { ...super.getConfig(), units: this.units }; }
  }

  it('finds an unregistered cell there and computes as the original', () => {
    rl.setSeed(7);
    const rnn = rl.layers.rnn({ cell: new OneKernelCell({ units: 3 }) as never, returnSequences: true });
    const x = rl.randomNormal([2, 4, 2]);
    const want = (rnn.apply(x) as rl.Tensor).dataSync();
    const copy = L.RNN.fromConfig(rnn.getConfig(), { OneKernelCellR46: OneKernelCell });
    expect(copy.cell.className).toBe('OneKernelCellR46');
    copy.apply(x);
    copy.setWeights(rnn.getWeights());
    const got = (copy.apply(x) as rl.Tensor).dataSync();
    Array.from(want).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    // Scoped to the call: the class is not registered afterwards.
    expect(() => L.RNN.fromConfig(rnn.getConfig())).toThrow(/unknown layer class 'OneKernelCellR46'/);
  });

  it('refuses customObjects that are no object, naming them', () => {
    expect(() => L.Dense.fromConfig(rl.layers.dense({ units: 2 }).getConfig(), 5)).toThrow(/customObjects must be an object/);
  });
});
