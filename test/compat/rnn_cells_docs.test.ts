// The tfjs-layers API docs' examples for simpleRNNCell, lstmCell, gruCell and rnn with a list of cells, run
// unchanged on TensorFlow.js and on rnnlab (only the library differs): both print the same lines.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';

// Typed loosely on purpose: the snippets are the docs' JavaScript, run against either library.
type Lib = any;

const SNIPPETS: Record<string, (tf: Lib) => void> = {};
for (const factory of ['simpleRNNCell', 'lstmCell', 'gruCell']) {
  SNIPPETS[`${factory}: a cell applied to one step`] = (tf) => {
    const cell = tf.layers[factory]({ units: 2 });
    const input = tf.input({ shape: [10] });
    const output = cell.apply(input);

    console.log(JSON.stringify(output.shape));
  };
  SNIPPETS[`${factory}: cells stacked in tf.layers.rnn`] = (tf) => {
    const cells = [
      tf.layers[factory]({ units: 4 }),
      tf.layers[factory]({ units: 8 }),
    ];
    const rnn = tf.layers.rnn({ cell: cells, returnSequences: true });

    // Create an input with 10 time steps and a length-20 vector at each step.
    const input = tf.input({ shape: [10, 20] });
    const output = rnn.apply(input);

    console.log(JSON.stringify(output.shape));
  };
}

function printed(lib: Lib, snippet: (tf: Lib) => void): string[] {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { lines.push(a.join(' ')); });
  try { snippet(lib); } finally { spy.mockRestore(); }
  return lines;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});
afterEach(() => vi.restoreAllMocks());

describe('tfjs-layers docs examples for recurrent cells', () => {
  for (const [name, snippet] of Object.entries(SNIPPETS)) {
    it(name, () => {
      const theirs = printed(tf, snippet);
      expect(theirs.length).toBe(1);
      expect(printed(rl, snippet)).toEqual(theirs);
    });
  }

  it('prints what the docs say: [null,10] for a cell on one step (tfjs reports the input shape), [null,10,8] for the stack', () => {
    expect(printed(rl, SNIPPETS['lstmCell: a cell applied to one step'])).toEqual(['[null,10]']);
    expect(printed(rl, SNIPPETS['gruCell: cells stacked in tf.layers.rnn'])).toEqual(['[null,10,8]']);
  });
});
