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

/** Counts the runs of a layer's computation: what the engine's call of it reaches, whichever apply led there. */
function countRuns(layer: Any): { n: number } {
  const runs = { n: 0 };
  const own = layer.callTensors.bind(layer);
  layer.callTensors = (...a: Any[]) => { runs.n++; return own(...a); };
  return runs;
}

describe('an apply() override that calls super.apply, inside a model', () => {
  for (const [name, args] of [
    ['Dense', { units: 2, inputShape: [3] }],
    ['Dropout', { rate: 0.5, inputShape: [3] }],
    ['BatchNormalization', { inputShape: [3] }],
  ] as const) {
    it(`runs a ${name} subclass once per batch in predict`, () => {
      class Passing extends (L[name] as new (a: Any) => Any) {
        static className = `Passing${name}R46`;
        apply(x: Any, k?: Any): Any { return super.apply(x, k); }
      }
      const layer = new Passing({ ...args }) as Any;
      const m = rl.sequential({ layers: [layer] });
      const runs = countRuns(layer);
      m.predict(rl.ones([6, 3]), { batchSize: 2 });
      expect(runs.n).toBe(3);
    });
  }

  it('hands the LSTM the mask of an Embedding and a Dense subclass, running each once', () => {
    class PassingEmbedding extends (L.Embedding as new (a: Any) => Any) {
      static className = 'PassingEmbeddingR46';
      apply(x: Any, k?: Any): Any { return super.apply(x, k); }
    }
    class PassingDense extends (L.Dense as new (a: Any) => Any) {
      static className = 'PassingMaskedDenseR46';
      apply(x: Any, k?: Any): Any { return super.apply(x, k); }
    }
    const denseArgs = { units: 3, kernelInitializer: rl.initializers.glorotUniform({ seed: 7 }) } as Any;
    const embArgs = { inputDim: 5, outputDim: 3, maskZero: true, inputShape: [null], embeddingsInitializer: rl.initializers.glorotUniform({ seed: 5 }) } as Any;
    const lstmArgs = { units: 2, kernelInitializer: rl.initializers.glorotUniform({ seed: 6 }) } as Any;
    const emb = new PassingEmbedding(embArgs) as Any, dense = new PassingDense(denseArgs) as Any;
    const custom = rl.sequential({ layers: [emb, dense, rl.layers.lstm(lstmArgs)] });
    const plain = rl.sequential({ layers: [rl.layers.embedding(embArgs), rl.layers.dense(denseArgs), rl.layers.lstm(lstmArgs)] });
    plain.setWeights(custom.getWeights());
    const runs = [countRuns(emb), countRuns(dense)];
    const padded = rl.tensor2d([[1, 2, 0, 0], [3, 0, 0, 0]], [2, 4], 'int32');
    const got = (custom.predict(padded) as rl.Tensor).dataSync();
    expect(runs.map((r) => r.n)).toEqual([1, 1]);
    const want = (plain.predict(padded) as rl.Tensor).dataSync();
    Array.from(want).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    // Masked: the padded row computes as its unpadded steps.
    const short = (custom.predict(rl.tensor2d([[1, 2]], [1, 2], 'int32')) as rl.Tensor).dataSync();
    Array.from(short).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
  });
});

describe('an apply set on the instance (this.apply = ... in the constructor)', () => {
  /** A Dense whose instance apply scales real outputs and counts its calls. */
  function scalingDense(args: Any, scale: number) {
    const seen = { calls: 0 };
    class InstanceApplyDense extends (L.Dense as new (a: Any) => Any) {
      static className = 'InstanceApplyDenseR46';
      constructor(a: Any) {
        super(a);
        const base = this.apply.bind(this);
        this.apply = (x: Any, k?: Any) => {
          const y = base(x, k);
          if (!(y instanceof rl.Tensor)) return y;
          seen.calls++;
          return rl.mul(y, scale);
        };
      }
    }
    return { layer: new InstanceApplyDense(args) as Any, seen };
  }

  it('is what Sequential and functional models run', () => {
    const { layer, seen } = scalingDense({ units: 1, inputShape: [2], kernelInitializer: 'ones' }, 2);
    const m = rl.sequential({ layers: [layer] });
    expect((m.predict(rl.ones([1, 2])) as rl.Tensor).dataSync()[0]).toBe(4);
    const inp = rl.input({ shape: [2] });
    const f = rl.model({ inputs: inp, outputs: layer.apply(inp) as rl.SymbolicTensor });
    seen.calls = 0;
    expect((f.predict(rl.ones([1, 2])) as rl.Tensor).dataSync()[0]).toBe(4);
    expect(seen.calls).toBe(1);
  });

  it('keeps the loss on its activated output (no logits folded past it)', () => {
    const args = { units: 1, inputShape: [2], activation: 'sigmoid', kernelInitializer: rl.initializers.glorotUniform({ seed: 8 }) } as Any;
    const { layer, seen } = scalingDense(args, 0.5);
    const custom = rl.sequential({ layers: [layer] });
    // binaryCrossentropy would fold a sigmoid's logits: the loss must read the halved probabilities instead.
    custom.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const x = rl.randomNormal([4, 2], 0, 1, 'float32', 9);
    const y = [0, 1, 1, 0];
    const p = Array.from((custom.predict(x) as rl.Tensor).dataSync());
    p.forEach((v) => expect(v).toBeLessThan(0.5));
    const want = p.reduce((s, v, i) => s - (y[i] * Math.log(v) + (1 - y[i]) * Math.log(1 - v)), 0) / 4;
    seen.calls = 0;
    expect(evaluated(custom.evaluate(x, rl.tensor2d(y, [4, 1])))[0]).toBeCloseTo(want, 4);
    expect(seen.calls).toBeGreaterThan(0);
  });
});

describe('a recurrent layer\'s cell applied on its own in a model', () => {
  /** b2's model: lstm.cell on rl.input()s (one step), then a Dense; the lstm itself first used on real tensors. */
  function cellModel() {
    const lstm = rl.layers.lstm({ units: 2 });
    lstm.apply(rl.ones([1, 3, 2]));
    const cell = (lstm as Any).cell;
    const xt = rl.input({ shape: [2] }), h = rl.input({ shape: [2] }), c = rl.input({ shape: [2] });
    const [y] = cell.apply([xt, h, c]) as rl.SymbolicTensor[];
    const dense = rl.layers.dense({ units: 1 });
    const m = rl.model({ inputs: [xt, h, c], outputs: dense.apply(y) as rl.SymbolicTensor });
    return { lstm, cell, dense, m };
  }
  const stepInputs = () => [rl.ones([2, 2]), rl.zeros([2, 2]), rl.zeros([2, 2])];

  it('is let go by the model\'s dispose; the lstm\'s weights go with their last holder, once', async () => {
    const { lstm, cell, dense, m } = cellModel();
    m.compile({ optimizer: rl.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    await m.fit(stepInputs(), rl.zeros([2, 1]), { epochs: 1, verbose: 0 });
    // The dense's kernel and bias; the lstm's stay (its first use on tensors holds it).
    expect(m.dispose().numDisposedVariables).toBe(2);
    expect(m.disposed).toBe(true);
    expect(dense.disposed).toBe(true);
    expect(lstm.disposed).toBe(false);
    expect(Number.isFinite((lstm.apply(rl.ones([1, 3, 2])) as rl.Tensor).dataSync()[0])).toBe(true);
    expect(() => cell.dispose()).toThrow(/dispose the layer, or the model holding it/);
    expect(lstm.dispose().numDisposedVariables).toBe(3);
    expect(cell.disposed).toBe(true);
  });

  it('holds the lstm\'s weights while it lives, after a model of the lstm itself is disposed', () => {
    const { lstm, m } = cellModel();
    lstm.dispose();
    // Held by m through its cell: the lstm's own hold gone, its weights stay.
    expect(lstm.disposed).toBe(false);
    const inp = rl.input({ shape: [3, 2] });
    const seq = rl.model({ inputs: inp, outputs: lstm.apply(inp) as rl.SymbolicTensor });
    expect(seq.dispose().numDisposedVariables).toBe(0);
    expect(Number.isFinite((m.predict(stepInputs()) as rl.Tensor).dataSync()[0])).toBe(true);
    // The last holder frees them: the lstm's three and the dense's two.
    expect(m.dispose().numDisposedVariables).toBe(5);
    expect(lstm.disposed).toBe(true);
  });

  it('says the output shape a cell of its own says after the same call', () => {
    const lstm = rl.layers.lstm({ units: 3 });
    lstm.apply(rl.ones([1, 4, 2]));
    const view = (lstm as Any).cell;
    const own = rl.layers.lstmCell({ units: 3 });
    for (const cell of [view, own]) cell.apply([rl.input({ shape: [2] }), rl.input({ shape: [3] }), rl.input({ shape: [3] })]);
    expect(view.outputShape).toEqual(own.outputShape);
    // The step's outputs [output, h, c], each (batch, units), as apply([x, h, c]) gives them (not x's shape).
    expect(view.outputShape).toEqual([[null, 3], [null, 3], [null, 3]]);
  });
});
