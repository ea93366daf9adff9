/**
 * inputDim/inputLength on recurrent layers: rl.layers.rnn({cell}) and lstm/gru/simpleRNN read them by one rule
 * (tfjs's input shape [inputLength, inputDim]) with the same checks; and an RNN's computeOutputShape with
 * returnState is its computeOutputShapes list.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const L = rl.layers;
type Make = (extra: Record<string, unknown>) => { batchInputShape: unknown };
const makers: [string, Make][] = [
  ['rnn', (extra) => L.rnn({ cell: L.lstmCell({ units: 2 }), ...extra } as never)],
  ['lstm', (extra) => L.lstm({ units: 2, ...extra } as never)],
  ['gru', (extra) => L.gru({ units: 2, ...extra } as never)],
  ['simpleRNN', (extra) => L.simpleRNN({ units: 2, ...extra } as never)],
];

describe.each(makers)('%s: inputDim and inputLength', (_kind, make) => {
  it('give the input shape [inputLength, inputDim] (any length without inputLength)', () => {
    expect(make({ inputDim: 3, inputLength: 4 }).batchInputShape).toEqual([null, 4, 3]);
    expect(make({ inputDim: 3 }).batchInputShape).toEqual([null, null, 3]);
    expect(make({ inputDim: 3, inputLength: null }).batchInputShape).toEqual([null, null, 3]);
  });

  it('refuse an inputLength that is not a positive integer', () => {
    expect(() => make({ inputDim: 3, inputLength: -3 })).toThrow(/inputLength must be a positive integer, got -3/);
    expect(() => make({ inputDim: 3, inputLength: 2.5 })).toThrow(/inputLength must be a positive integer, got 2\.5/);
    expect(() => make({ inputDim: 3, inputLength: 0 })).toThrow(/inputLength must be a positive integer, got 0/);
    expect(() => make({ inputDim: 3, inputLength: '4' })).toThrow(/inputLength must be a positive integer/);
  });

  it('refuse inputLength beside a shape that already gives the steps, and without inputDim', () => {
    expect(() => make({ inputShape: [5, 3], inputLength: 7 })).toThrow(/inputLength needs inputDim, not inputShape/);
    expect(() => make({ batchInputShape: [null, 5, 3], inputLength: 7 })).toThrow(/inputLength needs inputDim, not batchInputShape/);
    expect(() => make({ inputLength: 4 })).toThrow(/inputLength needs inputDim/);
  });
});

describe('computeOutputShape with returnState', () => {
  it('is the list computeOutputShapes gives, for RNN layers and the generic rnn', () => {
    const layers = [
      L.lstm({ units: 4, returnState: true, returnSequences: true }),
      L.gru({ units: 4, returnState: true }),
      L.rnn({ cell: [L.lstmCell({ units: 3 }), L.gruCell({ units: 4 })], returnState: true }),
    ];
    for (const layer of layers) {
      expect(layer.computeOutputShape([2, 5, 3])).toEqual(layer.computeOutputShapes([[2, 5, 3]]));
    }
    expect(layers[0].computeOutputShape([2, 5, 3])).toEqual([[2, 5, 4], [2, 4], [2, 4]]);
    expect(layers[1].computeOutputShape([null, 5, 3])).toEqual([[null, 4], [null, 4]]);
    expect(L.lstm({ units: 4 }).computeOutputShape([2, 5, 3])).toEqual([2, 4]);
  });
});

describe.each(makers)('%s on a sequence of no steps', (_kind, make) => {
  it('is refused naming the layer, not by the kernel', () => {
    const layer = make({}) as unknown as { apply(x: rl.Tensor): unknown; name: string };
    expect(() => layer.apply(rl.zeros([1, 0, 2]))).toThrow(new RegExp(`^${layer.name} \\((RNN|LSTM|GRU|SimpleRNN)\\): the input has 0 steps \\(\\[1, 0, 2\\]\\); a recurrent layer needs at least one$`));
  });

  it('is refused inside Bidirectional too', () => {
    const bi = L.bidirectional({ layer: make({}) as never });
    expect(() => bi.apply(rl.zeros([1, 0, 2]))).toThrow(/the input has 0 steps/);
  });
});
