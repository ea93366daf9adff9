/**
 * planStack counts a stack of layers' parameters from each layer's weightSpecs and computeOutputShape, building
 * nothing: the numbers must be the built Sequential's countParams(), layer by layer, and a 10-billion-parameter
 * Embedding must be counted without its 40 GB being allocated.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { additionLayers, additionModel, IMDB_MODELS, imdbLayers, imdbModel } from '../../src/experiments/lab_models.js';
import { kerasShape, withNamesGivenBack, type Layer, type SymbolicShape } from '../../src/layers/layer.js';
import { nestedLayer } from '../../src/models/nested.js';
import { planStack } from '../../src/models/param_plan.js';
import type { Tensor } from '../../src/tensor.js';

const L = rl.layers;

/** Stacks of rnnlab's layers with weights of every kind: biases off, GRU's two bias layouts, wrappers, non-trainable statistics. */
const STACKS: Record<string, { input: SymbolicShape; make: () => Layer[] }> = {
  'embedding, conv, pooling, dense': { input: [null, 9], make: () => [L.embedding({ inputDim: 30, outputDim: 4, inputLength: 9 }), L.conv1d({ filters: 5, kernelSize: 3, padding: 'same' }), L.maxPooling1d({ poolSize: 2 }), L.flatten(), L.dense({ units: 3, useBias: false })] },
  'recurrent cells': { input: [null, 6, 4], make: () => [L.lstm({ units: 3, returnSequences: true }), L.gru({ units: 5, returnSequences: true, resetAfter: false }), L.gru({ units: 2, returnSequences: true }), L.simpleRNN({ units: 7, useBias: false })] },
  'wrappers': { input: [null, 5, 3], make: () => [L.bidirectional({ layer: L.lstm({ units: 4, returnSequences: true }) }), L.bidirectional({ layer: L.gru({ units: 2, returnSequences: true }), mergeMode: 'sum' }), L.timeDistributed({ layer: L.dense({ units: 6 }) })] },
  'tfjs cells in rnn': { input: [null, 4, 3], make: () => [L.rnn({ cell: [L.lstmCell({ units: 3 }), L.gruCell({ units: 2 })], returnSequences: true }), L.rnn({ cell: L.stackedRNNCells({ cells: [L.simpleRNNCell({ units: 4 }), L.simpleRNNCell({ units: 5 })] }) })] },
  'normalization and prelu': { input: [null, 4, 6], make: () => [L.batchNormalization(), L.layerNormalization(), L.prelu(), L.globalAveragePooling1d(), L.repeatVector({ n: 2 }), L.conv1d({ filters: 3, kernelSize: 2 })] },
};

describe('planStack', () => {
  for (const [what, { input, make }] of Object.entries(STACKS)) {
    it(`counts what the built model counts, layer by layer, building nothing: ${what}`, () => {
      const layers = make();
      const plan = planStack(layers, input);
      expect(layers.every((l) => !l.built && l.weights.length === 0)).toBe(true);
      const model = rl.sequential({ layers });
      model.build(input);
      expect(plan.params).toBe(model.countParams());
      expect(plan.params).toBeGreaterThan(0);
      expect(plan.layers.map((p) => p.params)).toEqual(layers.map((l) => l.countParams()));
      expect(plan.layers.map((p) => p.outputShape)).toEqual(layers.map((l) => l.outputShape));
      // Planning a built stack again gives the same answer.
      expect(planStack(layers, input).params).toBe(plan.params);
    });
  }

  it('counts a 10-billion-parameter embedding at once, allocating nothing', () => {
    const layers = [L.embedding({ inputDim: 100_000_000, outputDim: 100, inputLength: 20 }), L.lstm({ units: 8 }), L.dense({ units: 1 })];
    global.gc?.();
    const before = process.memoryUsage();
    const plan = planStack(layers);
    const after = process.memoryUsage();
    expect(plan.params).toBe(10_000_000_000 + 4 * 8 * (100 + 8) + 4 * 8 + 9);
    expect(plan.layers[0]).toMatchObject({ inputShape: [null, 20], outputShape: [null, 20, 100], params: 10_000_000_000 });
    expect(layers.every((l) => !l.built && l.weights.length === 0)).toBe(true);
    // Allocating even a 1/100 of it would be 400 MB of buffers.
    const grew = (k: 'heapUsed' | 'external' | 'arrayBuffers') => after[k] - before[k];
    expect(grew('heapUsed') + grew('external') + grew('arrayBuffers')).toBeLessThan(64 * 2 ** 20);
  });

  it('takes the first layer\'s own input shape, and refuses a stack without one', () => {
    expect(planStack([L.dense({ units: 2, inputDim: 3 })]).params).toBe(8);
    // A given shape may fill in the batch axis the layer left free.
    expect(planStack([L.dense({ units: 2, inputShape: [3] })], [4, 3]).params).toBe(8);
    expect(() => planStack([L.dense({ units: 2, name: 'no_shape' })])).toThrow(/^planStack: the first layer, no_shape \(Dense\), has no input shape; give it inputShape/);
    expect(() => planStack([])).toThrow(/no layers/);
  });

  it('refuses a layer that cannot take its input, as the Sequential would, and a layer twice', () => {
    expect(() => planStack([L.dense({ units: 2, inputDim: 3 }), L.lstm({ units: 2, name: 'flat_lstm' })])).toThrow(/^planStack: cannot connect flat_lstm \(LSTM\) to input \(None, 2\): .*needs input \(batch, steps, features\)/);
    const d = L.dense({ units: 3 });
    expect(() => planStack([d, d], [null, 3])).toThrow(/appears twice/);
    const built = L.dense({ units: 2, name: 'built_for_4' });
    built.build([null, 4]);
    expect(() => planStack([built], [null, 5])).toThrow(/cannot connect built_for_4 \(Dense\) to input \(None, 5\): it was built for input \(None, 4\)/);
  });

  it('refuses a batch shape that contradicts the first layer\'s own input shape, as the Sequential does', () => {
    // The Sequential builds such a layer for its own shape at once, then refuses the other.
    const refusals: [() => Layer, SymbolicShape, string, string][] = [
      [() => L.dense({ units: 2, inputShape: [3], name: 'takes_3' }), [null, 5], 'takes_3 \\(Dense\\)', '\\(None, 3\\)'],
      [() => L.embedding({ inputDim: 5, outputDim: 2, inputLength: 4, name: 'takes_4' }), [null, 7], 'takes_4 \\(Embedding\\)', '\\(None, 4\\)'],
      [() => L.dense({ units: 2, batchInputShape: [8, 3], name: 'batch_8' }), [4, 3], 'batch_8 \\(Dense\\)', '\\(8, 3\\)'],
    ];
    for (const [make, shape, layer, declared] of refusals) {
      const given = kerasShape(shape).replace(/[()]/g, '\\$&');
      expect(() => planStack([make()], shape)).toThrow(new RegExp(`^planStack: cannot connect ${layer} to input ${given}: it takes input ${declared} \\(its inputShape`));
      expect(() => rl.sequential({ layers: [make()] }).build(shape)).toThrow(new RegExp(`${layer} was built for input ${declared} but receives ${given}`));
    }
    // Of another rank, the same.
    expect(() => planStack([L.lstm({ units: 2, inputShape: [5, 3], name: 'rank_3' })], [null, 3])).toThrow(/^planStack: cannot connect rank_3 \(LSTM\) to input \(None, 3\): it takes input \(None, 5, 3\)/);
  });

  it('refuses what Sequential.add refuses, in its words: a nested model, a name twice, a disposed layer, a model', () => {
    const x = rl.input({ shape: [4] });
    const m = rl.model({ inputs: x, outputs: L.dense({ units: 3 }).apply(x) as never, name: 'inner_model' });
    // Its weights come from its layers, not weightSpecs: counted that way it would be 0, where the model counts 15.
    expect(m.countParams()).toBe(15);
    expect(() => planStack([nestedLayer(m as never)], [null, 4])).toThrow(/^planStack: inner_model \(Model\): a nested model is not supported in a Sequential model/);
    expect(() => rl.sequential({ layers: [nestedLayer(m as never)] })).toThrow(/inner_model \(Model\): a nested model is not supported in a Sequential model/);
    expect(() => planStack([m as never], [null, 4])).toThrow(/^planStack: model 'inner_model' is a model, not a layer/);

    const twice = () => [L.dense({ units: 2, inputDim: 3, name: 'same' }), L.dense({ units: 1, name: 'same' })];
    expect(() => planStack(twice())).toThrow(/^planStack: a layer named 'same' is already in the model$/);
    expect(() => rl.sequential({ layers: twice() })).toThrow(/a layer named 'same' is already in the model$/);

    const gone = () => { const d = L.dense({ units: 2, name: 'gone' }); d.dispose(); return d; };
    expect(() => planStack([L.dense({ units: 2, inputDim: 3 }), gone()])).toThrow(/^gone \(Dense\): the layer has been disposed$/);
    expect(() => rl.sequential({ layers: [L.dense({ units: 2, inputDim: 3 }), gone()] })).toThrow(/^gone \(Dense\): the layer has been disposed$/);
  });

  it('refuses to guess a custom layer\'s weights before it is built, and counts them once it is', () => {
    class Scale extends L.Layer {
      static override readonly className = 'Scale';
      build(shape: SymbolicShape): void { this.addWeight('w', [shape[shape.length - 1] as number], undefined, 'ones'); }
      call(x: Tensor): Tensor { return x; }
    }
    const custom = new Scale({ name: 'my_scale' });
    expect(() => planStack([custom], [null, 4])).toThrow(/^planStack: my_scale \(Scale\) creates its weights in its own build\(\).*cannot be counted without building it/);
    // Wrapped, it is found too: the wrapper's weightSpecs would miss its weights.
    const wrapped = L.timeDistributed({ layer: new Scale({ name: 'inner_scale' }) });
    expect(() => planStack([wrapped], [null, 2, 4])).toThrow(/inner_scale \(Scale\) creates its weights/);
    custom.apply(rl.ones([1, 4]));
    expect(planStack([custom, L.dense({ units: 1 })], [null, 4]).params).toBe(4 + 5);
  });
});

describe('withNamesGivenBack', () => {
  it('refuses an async fn: the names would be given back at its first await, not when it ends', async () => {
    let made: Promise<string> | null = null;
    expect(() => withNamesGivenBack(() => (made = (async () => { await null; return L.dense({ units: 1 }).name; })()))).toThrow(/^withNamesGivenBack: fn returned a promise, but it must be synchronous/);
    // The layer made after the await kept its name: the reason for refusing.
    const name = await made!;
    const n = Number(name.split('_')[1] ?? 0);
    expect(L.dense({ units: 1 }).name).toBe(`dense_${n + 1}`);
    // A synchronous fn's result, whatever it is, comes back.
    expect(withNamesGivenBack(() => ({ then: 'not a function' }))).toEqual({ then: 'not a function' });
  });
});

describe('the lab models, planned from their own layers', () => {
  it('are what the built models count, with dropout, maskZero and free-length inputs', () => {
    for (const name of IMDB_MODELS) {
      const o = { vocab: 40, maxlen: 8, embeddingDim: 3, units: 5, dropout: 0.2, maskZero: false };
      expect(planStack(imdbLayers(name, o)).params, name).toBe(imdbModel(name, o).countParams());
    }
    // Without inputLength the Embedding has no shape of its own: the caller gives the (batch, steps) it will get.
    expect(() => planStack(imdbLayers('lstm', { freeLength: true }))).toThrow(/has no input shape/);
    expect(planStack(imdbLayers('lstm', { freeLength: true, maskZero: true }), [null, null]).params).toBe(imdbModel('lstm').countParams());
    expect(planStack(additionLayers({ rnn: 'gru', hidden: 6, layers: 2 })).params).toBe(additionModel({ rnn: 'gru', hidden: 6, layers: 2 }).countParams());
  });

  it('leave the names of the layers made after them alone when planned inside withNamesGivenBack', () => {
    const next = () => { const l = L.lstm({ units: 1 }); return l.name; };
    const first = next();
    withNamesGivenBack(() => planStack(imdbLayers('lstm', { vocab: 20, maxlen: 4 })));
    const n = Number(first.split('_')[1] ?? 0);
    expect(next()).toBe(`lstm_${n + 1}`);
    // Without it, the planned model's LSTM takes a name.
    planStack(imdbLayers('lstm', { vocab: 20, maxlen: 4 }));
    expect(next()).toBe(`lstm_${n + 3}`);
  });
});
