/**
 * tfjs 4.22's Layer.outputShape on a shared layer (one shape when every call agrees, an error when they differ), and wrappers' dispose: the layers inside a disposed Bidirectional or TimeDistributed say they are
 * disposed, naming themselves, and the counts are tfjs's.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tfjsReady } from './tfjs_twin.js';

/** What a getter gives, or the error it throws, for comparing with tfjs. */
function outcome(get: () => unknown): { value?: unknown; error?: string } {
  try { return { value: get() }; } catch (e) { return { error: (e as Error).message }; }
}

describe('outputShape of a shared layer', () => {
  it('agree with tfjs when both calls have one shape', async () => {
    await tfjsReady();
    const ours = rl.layers.dense({ units: 2 });
    ours.apply(rl.input({ shape: [3] }));
    ours.apply(rl.input({ shape: [3] }));
    const theirs = tf.layers.dense({ units: 2 });
    theirs.apply(tf.input({ shape: [3] }));
    theirs.apply(tf.input({ shape: [3] }));
    expect(ours.outputShape).toEqual(theirs.outputShape);
  });

  it('are errors, as in tfjs, when the calls have different shapes', async () => {
    await tfjsReady();
    const ours = rl.layers.dense({ units: 2, name: 'shared_d' });
    ours.apply(rl.input({ shape: [3] }));
    ours.apply(rl.input({ shape: [5, 3] }));
    const theirs = tf.layers.dense({ units: 2 });
    theirs.apply(tf.input({ shape: [3] }));
    theirs.apply(tf.input({ shape: [5, 3] }));
    expect(outcome(() => theirs.outputShape).error).toMatch(/ill-defined/);
    expect(outcome(() => ours.outputShape).error).toBe('shared_d (Dense): the layer has 2 inbound nodes with different output shapes ([null,2] and [null,5,2]), ' +
      'so the notion of "output shape" is ill-defined for it (as in tfjs and Keras); read one call\'s with getOutputAt(nodeIndex).shape');
    expect((ours.getOutputAt(1) as rl.SymbolicTensor).shape).toEqual([null, 5, 2]);
  });
});

describe('dispose of a wrapper', () => {
  it('Bidirectional: its forward and backward layers say they are disposed; counts as tfjs', async () => {
    await tfjsReady();
    const bi = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, name: 'bl' }) });
    bi.apply(rl.input({ shape: [4, 3] }));
    const tbi = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2 }) as tf.RNN });
    tbi.apply(tf.input({ shape: [4, 3] }));
    expect(bi.dispose()).toEqual(tbi.dispose());
    for (const inner of [bi.forwardLayer, bi.backwardLayer]) {
      expect(inner.disposed).toBe(true);
      expect(() => inner.apply(rl.zeros([1, 4, 3]))).toThrow(new RegExp(`^${inner.name} \\(LSTM\\): the layer has been disposed$`));
    }
  });

  it('TimeDistributed over a model: the model is disposed with it; counts as tfjs', async () => {
    await tfjsReady();
    const enc = rl.sequential({ name: 'enc_disposed', layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
    const td = rl.layers.timeDistributed({ layer: enc as never });
    td.apply(rl.input({ shape: [4, 3] }));
    const tenc = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const ttd = tf.layers.timeDistributed({ layer: tenc });
    ttd.apply(tf.input({ shape: [4, 3] }));
    expect(td.dispose()).toEqual(ttd.dispose());
    expect(enc.disposed).toBe(true);
    expect(() => enc.predict(rl.zeros([1, 3]))).toThrow(/enc_disposed.*disposed/);
  });
});
