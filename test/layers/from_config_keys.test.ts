/**
 * rl.layerClasses.X.fromConfig reads a config as Keras's get_config writes it (snake_case keys, at any depth) and as
 * tfjs's getConfig does (camelCase): every key either sets its option or is an error naming it (with the nearest
 * known key); one option in both spellings is an error naming both. The recurrent classes (cells, rnn, stacks),
 * exported as their own classes, read configs the same way.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { convertKeys } from '../../src/io/keras_config.js';

const C = rl.layerClasses;

describe('Keras snake_case keys are read as the camelCase options', () => {
  it('GRU, LSTM, SimpleRNN, Dense', () => {
    expect(C.GRU.fromConfig({ units: 3, reset_after: false }).getConfig().resetAfter).toBe(false);
    const lstm = C.LSTM.fromConfig({ units: 3, return_sequences: true, recurrent_activation: 'hard_sigmoid', go_backwards: true, use_bias: false }).getConfig();
    expect(lstm).toMatchObject({ returnSequences: true, recurrentActivation: 'hardSigmoid', goBackwards: true, useBias: false });
    expect(C.SimpleRNN.fromConfig({ units: 2, return_state: true, zero_output_for_mask: true }).getConfig()).toMatchObject({ returnState: true, zeroOutputForMask: true });
    expect(C.Dense.fromConfig({ units: 2, use_bias: false, kernel_initializer: { class_name: 'Ones', config: {} } }).getConfig()).toMatchObject({ useBias: false, kernelInitializer: { className: 'Ones' } });
  });

  it('Bidirectional and its wrapped layer, TimeDistributed, rnn over a cell, cells, stacks', () => {
    const bi = C.Bidirectional.fromConfig({ merge_mode: 'sum', layer: { class_name: 'LSTM', config: { units: 2, return_sequences: true } } }) as rl.layerClasses.Bidirectional;
    expect(bi.getConfig().mergeMode).toBe('sum');
    expect(bi.forwardLayer.returnSequences).toBe(true);
    const td = C.TimeDistributed.fromConfig({ layer: { class_name: 'Dense', config: { units: 2, use_bias: false } } }) as rl.layerClasses.TimeDistributed;
    expect(td.layer.getConfig().useBias).toBe(false);
    const rnn = C.CellRNN.fromConfig({ return_sequences: true, cell: { class_name: 'GRUCell', config: { units: 2, reset_after: false } } });
    expect(rnn.getConfig()).toMatchObject({ returnSequences: true });
    expect((rnn.getConfig().cell as { config: Record<string, unknown> }).config.resetAfter).toBe(false);
    expect(C.LSTMCell.fromConfig({ units: 2, recurrent_activation: 'relu', unit_forget_bias: false }).getConfig()).toMatchObject({ recurrentActivation: 'relu', unitForgetBias: false });
    const stack = C.StackedRNNCells.fromConfig({ cells: [{ class_name: 'SimpleRNNCell', config: { units: 2, use_bias: false } }] }) as rl.layerClasses.StackedRNNCells;
    expect(stack.cells[0].getConfig().useBias).toBe(false);
    expect(C.InputLayer.fromConfig({ batch_shape: [null, 3], dtype: 'float32', name: 'x_in' }).getConfig().batchInputShape).toEqual([null, 3]);
  });

  it("Keras 3's own get_config of Embedding, LSTM and Dense (a converted model's) builds the same layers", () => {
    const topo = JSON.parse(readFileSync('test/fixtures/converter_files/keras3_lstm/model.json', 'utf8')).modelTopology.model_config.config.layers as { class_name: string; config: Record<string, unknown> }[];
    for (const { class_name: cls, config } of topo.filter((l) => l.class_name !== 'InputLayer')) {
      const layer = (C as unknown as Record<string, { fromConfig(c: unknown): rl.layerClasses.Layer }>)[cls].fromConfig(config);
      expect(layer.className).toBe(cls);
      expect(layer.name).toBe(config.name);
    }
  });

  it('option objects among the values (an rl.regularizers object, an initializer) are passed as given', () => {
    const d = C.Dense.fromConfig({ units: 2, kernel_regularizer: rl.regularizers.l2({ l2: 0.3 }), bias_initializer: rl.initializers.ones() });
    expect(d.getConfig()).toMatchObject({ kernelRegularizer: { className: 'L1L2', config: { l1: 0, l2: 0.3 } }, biasInitializer: { className: 'Ones' } });
  });

  it("tfjs's fromConfig(cls, config) form, and getConfig round trips in both spellings", () => {
    expect(C.Dense.fromConfig(C.Dense, { units: 2, use_bias: false }).getConfig().useBias).toBe(false);
    const layers = [
      rl.layers.lstm({ units: 3, returnSequences: true, dropout: 0.1, kernelRegularizer: 'l2' }),
      rl.layers.gru({ units: 2, resetAfter: false, goBackwards: true }),
      rl.layers.bidirectional({ layer: rl.layers.simpleRNN({ units: 2 }), mergeMode: 'ave' }),
      rl.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }),
      rl.layers.conv1d({ filters: 2, kernelSize: 3, padding: 'causal' }),
      rl.layers.embedding({ inputDim: 10, outputDim: 3, maskZero: true }),
    ];
    for (const layer of layers) {
      const cls = (C as unknown as Record<string, { fromConfig(c: unknown): rl.layerClasses.Layer }>)[layer.className];
      const config = layer.getConfig();
      expect(cls.fromConfig(config).getConfig()).toEqual(config);
      expect(cls.fromConfig(convertKeys(config, 'snake')).getConfig()).toEqual(config);
    }
  });
});

describe('keys that would be dropped are errors', () => {
  it('an unknown key names itself and the nearest known one, in the spelling given', () => {
    expect(() => C.SimpleRNN.fromConfig({ units: 3, returnSequencs: true })).toThrow(/rl\.layerClasses\.SimpleRNN\.fromConfig: unknown key 'returnSequencs' in the SimpleRNN config \(did you mean 'returnSequences'\?\)/);
    expect(() => C.GRU.fromConfig({ units: 3, reset_afte: false })).toThrow(/unknown key 'reset_afte' .*did you mean 'reset_after'\?/);
    expect(() => C.Dense.fromConfig({ units: 3, flavour: 'x' })).toThrow(/rl\.layerClasses\.Dense\.fromConfig: unknown key 'flavour'/);
    expect(() => C.InputLayer.fromConfig({ batch_input_shape: [null, 3], input_dim: 3 })).toThrow(/unknown key 'input_dim' in the InputLayer config/);
  });

  it('inside a wrapped layer, a cell and a stack', () => {
    expect(() => C.Bidirectional.fromConfig({ layer: { class_name: 'LSTM', config: { units: 2, return_sequencs: true } } })).toThrow(/Bidirectional\.fromConfig \(wrapped layer\): unknown key 'returnSequencs'/);
    // The cells' constructors check their own options.
    expect(() => C.CellRNN.fromConfig({ cell: { class_name: 'LSTMCell', config: { units: 2, untis: 3 } } })).toThrow(/^rl\.layerClasses\.CellRNN\.fromConfig: .*unknown option 'untis' \(did you mean 'units'\?\)/);
    expect(() => C.CellRNN.fromConfig({ cell: { class_name: 'LSTMCell', config: { units: 2 } }, retrun_sequences: true })).toThrow(/^rl\.layerClasses\.CellRNN\.fromConfig: unknown option 'retrunSequences'/);
    expect(() => C.StackedRNNCells.fromConfig({ cells: [{ class_name: 'GRUCell', config: { units: 2, reset_afte: true } }] })).toThrow(/unknown option 'resetAfte' \(did you mean 'resetAfter'\?\)/);
  });

  it('one option in both spellings', () => {
    expect(() => C.GRU.fromConfig({ units: 3, reset_after: false, resetAfter: true })).toThrow(/rl\.layerClasses\.GRU\.fromConfig: the config gives both 'reset_after' and 'resetAfter'/);
    expect(() => C.Bidirectional.fromConfig({ layer: { className: 'LSTM', config: { units: 2, go_backwards: true, goBackwards: true } } })).toThrow(/the config\.layer\.config gives both 'go_backwards' and 'goBackwards'/);
    expect(() => C.InputLayer.fromConfig({ batchInputShape: [null, 3], batch_shape: [null, 3] })).toThrow(/batchInputShape or Keras 3's batchShape, not both/);
  });

  it('a config that is not an object', () => {
    expect(() => C.LSTM.fromConfig('units' as never)).toThrow(/rl\.layerClasses\.LSTM\.fromConfig: expected a config object/);
  });

  it('instanceof, statics and a subclass\'s own fromConfig are the classes\' own', () => {
    const cell = rl.layers.lstmCell({ units: 2 });
    expect(cell).toBeInstanceOf(C.LSTMCell);
    expect(C.LSTMCell.className).toBe('LSTMCell');
    class MyGRU extends C.GRU { static override className = 'MyGRU'; }
    expect(MyGRU.fromConfig({ units: 2, anything: 1 } as never)).toBeInstanceOf(MyGRU);
  });
});
