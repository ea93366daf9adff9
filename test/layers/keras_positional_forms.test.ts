/**
 * Keras's positional constructor forms (Dense(250), Bidirectional(LSTM(8)), RNN(LSTMCell(8)), l2(0.01)) are refused
 * with the options object to write instead. A layer read as the options object used to give errors about options
 * the user never wrote (implementation, id), and a refused dense(250) used to take the next automatic name.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const L = rl.layers;
const TAIL = " (tfjs takes one options object, not Keras's positional arguments)";

describe('a layer where a wrapper\'s options belong', () => {
  it('bidirectional(lstm(...)) names {layer}', () => {
    const inner = L.lstm({ units: 3, name: 'enc' });
    expect(() => L.bidirectional(inner as never))
      .toThrow(`rl.layers.bidirectional: the options argument must be an object, got the LSTM layer 'enc'; write rl.layers.bidirectional({layer: rl.layers.lstm(...)})${TAIL}`);
    expect(() => L.bidirectional(L.simpleRNN({ units: 3 }) as never)).toThrow(/write rl\.layers\.bidirectional\(\{layer: rl\.layers\.simpleRNN\(\.\.\.\)\}\)/);
    expect(() => L.bidirectional(L.gru({ units: 3 }) as never)).toThrow(/write rl\.layers\.bidirectional\(\{layer: rl\.layers\.gru\(\.\.\.\)\}\)/);
    expect(inner.name).toBe('enc');
    expect(L.bidirectional({ layer: inner }).name).toMatch(/^bidirectional/);
  });

  it('timeDistributed(dense(...)) names {layer}', () => {
    expect(() => L.timeDistributed(L.dense({ units: 3, name: 'd' }) as never))
      .toThrow(`rl.layers.timeDistributed: the options argument must be an object, got the Dense layer 'd'; write rl.layers.timeDistributed({layer: rl.layers.dense(...)})${TAIL}`);
    expect(() => new rl.layerClasses.TimeDistributed(L.dense({ units: 3, name: 'd2' }) as never))
      .toThrow(`rl.layerClasses.TimeDistributed: the options argument must be an object, got the Dense layer 'd2'; write new rl.layerClasses.TimeDistributed({layer: rl.layers.dense(...)})${TAIL}`);
  });

  it('rnn(lstmCell(...)) names {cell}', () => {
    expect(() => L.rnn(L.lstmCell({ units: 3, name: 'c' }) as never))
      .toThrow(`rl.layers.rnn: the options argument must be an object, got the LSTMCell layer 'c'; write rl.layers.rnn({cell: rl.layers.lstmCell(...)})${TAIL}`);
    expect(() => L.rnn(L.gruCell({ units: 3, name: 'g' }) as never)).toThrow(/write rl\.layers\.rnn\(\{cell: rl\.layers\.gruCell\(\.\.\.\)\}\)/);
    expect(L.rnn({ cell: L.lstmCell({ units: 3 }) }).cell.className).toBe('LSTMCell');
  });
});

describe('a size where the options belong', () => {
  it('dense(250), lstm(8), conv1d(32, 3), embedding(1000, 64), dropout(0.5) spell the object', () => {
    expect(() => L.dense(250 as never)).toThrow(`rl.layers.dense: the options argument must be an object, got 250; write rl.layers.dense({units: 250})${TAIL}`);
    expect(() => L.lstm(8 as never)).toThrow('write rl.layers.lstm({units: 8})');
    expect(() => (L.conv1d as (...a: unknown[]) => unknown)(32, 3)).toThrow('got 32; write rl.layers.conv1d({filters: 32, kernelSize: 3})');
    expect(() => (L.embedding as (...a: unknown[]) => unknown)(1000, 64)).toThrow('got 1000; write rl.layers.embedding({inputDim: 1000, outputDim: 64})');
    expect(() => L.dropout(0.5 as never)).toThrow('write rl.layers.dropout({rate: 0.5})');
    expect(() => L.reshape([3, 4] as never)).toThrow('got a list; write rl.layers.reshape({targetShape: [3,4]})');
    expect(() => L.activation('relu' as never)).toThrow('got "relu"; write rl.layers.activation({activation: "relu"})');
  });

  it('has no hint where the value does not fit the positional option', () => {
    expect(() => L.dense(L.lstm({ units: 3, name: 'x' }) as never)).toThrow(/^rl\.layers\.dense: the options argument must be an object, got the LSTM layer 'x'$/);
    expect(() => L.bidirectional(3 as never)).toThrow(/^rl\.layers\.bidirectional: the options argument must be an object, got 3$/);
    expect(() => L.flatten(3 as never)).toThrow(/^rl\.layers\.flatten: the options argument must be an object, got 3$/);
  });

  it('takes no automatic name when refused', () => {
    const first = L.dense({ units: 1 }).name;
    const next = (n: string) => (n === 'dense' ? 'dense_1' : n.replace(/_(\d+)$/, (_m, d: string) => `_${Number(d) + 1}`));
    expect(() => L.dense(250 as never)).toThrow();
    expect(() => L.bidirectional(L.lstm({ units: 3, name: 'kept' }) as never)).toThrow();
    expect(L.dense({ units: 1 }).name).toBe(next(first));
  });
});

describe('regularizers with a bare factor', () => {
  it('l1(0.01), l2(0.01), l1l2(0.01, 0.02) name the object', () => {
    expect(() => rl.regularizers.l2(0.01 as never)).toThrow("regularizers.l2: the options argument must be an object, got 0.01; write rl.regularizers.l2({l2: 0.01}) (tfjs's form of Keras's l2(0.01))");
    expect(() => rl.regularizers.l1(0.5 as never)).toThrow('write rl.regularizers.l1({l1: 0.5})');
    expect(() => (rl.regularizers.l1l2 as (...a: unknown[]) => unknown)(0.01, 0.02)).toThrow("write rl.regularizers.l1l2({l1: 0.01, l2: 0.02}) (tfjs's form of Keras's l1l2(0.01, 0.02))");
    expect(rl.regularizers.l2({ l2: 0.01 }).l2).toBe(0.01);
  });
});

describe('the factory a refusal names', () => {
  it('is the one rl.layers has for the class (prelu for PReLU); a custom layer is named as the layer', () => {
    expect(() => rl.layers.timeDistributed(rl.layers.prelu({}) as never)).toThrow('write rl.layers.timeDistributed({layer: rl.layers.prelu(...)})');
    class Mine extends rl.layers.Layer {
      static override className = 'Mine';
      call(x: rl.Tensor): rl.Tensor { return x; }
    }
    expect(() => rl.layers.timeDistributed(new Mine({}) as never)).toThrow('write rl.layers.timeDistributed({layer: your Mine layer})');
  });
});
