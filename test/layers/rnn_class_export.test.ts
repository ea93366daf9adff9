/**
 * rl.layerClasses.RNN is tfjs's tf.RNN: the class of rl.layers.rnn({cell}) layers (new, fromConfig, the class the
 * registry loads as 'RNN'), and, as in tfjs where SimpleRNN, LSTM and GRU extend tf.RNN, instanceof admits those too.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';

const x = rl.tensor(Float32Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(i)), [2, 5, 3]);

function out(layer: Layer): number[] {
  return Array.from((layer.apply(x) as rl.Tensor).dataSync());
}

describe('rl.layerClasses.RNN', () => {
  it('instanceof: true for rl.layers.rnn layers and the recurrent layers, as tf.RNN in tfjs', () => {
    const cellRnn = rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 2 }) });
    expect(cellRnn.getClassName()).toBe('RNN');
    expect(cellRnn instanceof rl.layerClasses.RNN).toBe(true);
    for (const kind of ['simpleRNN', 'lstm', 'gru'] as const) {
      expect(rl.layers[kind]({ units: 2 }) instanceof rl.layerClasses.RNN).toBe(true);
      expect((tf.layers[kind]({ units: 2 }) as unknown) instanceof tf.RNN).toBe(true);
    }
    expect(tf.layers.rnn({ cell: tf.layers.lstmCell({ units: 2 }) }) instanceof tf.RNN).toBe(true);
    expect(rl.layers.dense({ units: 2 }) instanceof rl.layerClasses.RNN).toBe(false);
    expect(rl.layers.lstmCell({ units: 2 }) instanceof rl.layerClasses.RNN).toBe(false);
  });

  it('new RNN({cell}) builds the layer rl.layers.rnn builds', () => {
    const made = new rl.layerClasses.RNN({ cell: rl.layers.gruCell({ units: 4 }), returnSequences: true });
    const factory = rl.layers.rnn({ cell: rl.layers.gruCell({ units: 4 }), returnSequences: true });
    expect(made.getClassName()).toBe('RNN');
    const unnamed = (l: Layer) => JSON.stringify(l.getConfig()).replace(/"name":"[^"]*"/g, '');
    expect(unnamed(made)).toBe(unnamed(factory));
    const expected = out(factory);
    made.apply(x);
    made.setWeights(factory.getWeights());
    expect(out(made)).toEqual(expected);
    expect(() => new rl.layerClasses.RNN({ units: 3 } as never)).toThrow(/unknown option 'units'/);
  });

  it('RNN.fromConfig(layer.getConfig()) and tfjs\'s fromConfig(cls, config) rebuild it, weights set alike', () => {
    const layer = rl.layers.rnn({ cell: [rl.layers.simpleRNNCell({ units: 3 }), rl.layers.lstmCell({ units: 2 })], returnSequences: true });
    const expected = out(layer);
    const byName = rl.layerClasses[layer.getClassName() as 'RNN'];
    for (const copy of [byName.fromConfig(layer.getConfig()), (rl.layerClasses.RNN.fromConfig as unknown as (c: unknown, cfg: unknown) => Layer)(rl.layerClasses.RNN, layer.getConfig())]) {
      expect(copy instanceof rl.layerClasses.CellRNN).toBe(true);
      copy.apply(x);
      copy.setWeights(layer.getWeights());
      expect(out(copy)).toEqual(expected);
    }
    // Keras's snake_case keys are read, and a key RNN does not read is named, as for the other classes.
    expect(rl.layerClasses.RNN.fromConfig({ return_sequences: true, cell: { class_name: 'GRUCell', config: { units: 2 } } }).getConfig()).toMatchObject({ returnSequences: true });
    expect(() => rl.layerClasses.RNN.fromConfig({ cell: { class_name: 'GRUCell', config: { units: 2 } }, retrun_sequences: true })).toThrow(/^rl\.layerClasses\.RNN\.fromConfig: unknown option 'retrunSequences'/);
  });

  it('is the class the registry loads as \'RNN\': registering it again is accepted, and a saved rnn model loads', async () => {
    expect(rl.serialization.registerClass(rl.layerClasses.RNN)).toBe(rl.layerClasses.RNN);
    const m = rl.sequential({ layers: [rl.layers.rnn({ cell: rl.layers.lstmCell({ units: 2 }), inputShape: [5, 3] })] });
    let saved: unknown;
    await m.save(rl.io.withSaveHandler(async (a) => { saved = a; return {}; }));
    const loaded = await rl.loadLayersModel(rl.io.fromMemory(saved as never));
    expect(loaded.layers[0] instanceof rl.layerClasses.RNN).toBe(true);
    expect(Array.from((loaded.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as rl.Tensor).dataSync()));
  });

  it('a subclass of it tests its own instances only', () => {
    class CountingRNN extends rl.layerClasses.RNN {
      static override readonly className = 'CountingRNN';
    }
    const mine = new CountingRNN({ cell: rl.layers.simpleRNNCell({ units: 2 }) });
    expect(mine instanceof CountingRNN).toBe(true);
    expect(mine instanceof rl.layerClasses.RNN).toBe(true);
    expect(rl.layers.rnn({ cell: rl.layers.simpleRNNCell({ units: 2 }) }) instanceof CountingRNN).toBe(false);
    expect(rl.layers.lstm({ units: 2 }) instanceof CountingRNN).toBe(false);
  });
});
