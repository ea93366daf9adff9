/** Bad arrays and options handed to fit / evaluate / predict: each is an Error whose message says what is wrong. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { expectClean } from './helpers.js';

function mlp(loss = 'binaryCrossentropy', units = 1): rl.Sequential {
  rl.setSeed(1);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 4, inputDim: 3, activation: 'relu' }),
    rl.layers.dense({ units, activation: units === 1 ? 'sigmoid' : 'softmax' })] });
  m.compile({ optimizer: 'adam', loss });
  return m;
}

function embedModel(): rl.Sequential {
  rl.setSeed(1);
  const m = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 10, outputDim: 3, inputLength: 4 }), rl.layers.lstm({ units: 2 }),
    rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
  m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  return m;
}

const X = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]];
const Y = [[1], [0]];
const quiet = { verbose: 0 as const };

describe('NaN and Inf in features', () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    it(`${bad} in x is refused by fit, evaluate and predict, naming its index`, async () => {
      const m = mlp();
      const x = [[0.1, 0.2, 0.3], [0.4, bad, 0.6]];
      await expectClean(() => m.fit(x, Y, quiet), Error, new RegExp(`fit: x: value ${bad} at flat index 4 is not finite \\(NaN or Inf in features\\)`));
      await expectClean(() => m.evaluate(x, Y), Error, /evaluate: x: value .* at flat index 4 is not finite/);
      await expectClean(() => m.predict(x), Error, /predict: x: value .* at flat index 4 is not finite/);
      await expectClean(() => m.fit(X, Y, { ...quiet, validationData: [x, Y] }), Error, /validationData: x: value .* is not finite/);
      await expectClean(() => m.fit(rl.tensor(Float32Array.from([0, 0, 0, 1, bad, 1]), [2, 3]), Y, quiet), Error, /flat index 4 is not finite/);
    });
  }
});

describe('labels a loss cannot use', () => {
  it('binary crossentropy: labels outside [0, 1] (soft labels inside are fine)', async () => {
    const m = mlp();
    await expectClean(() => m.fit(X, [[1], [2]], quiet), Error, /fit: y: binaryCrossentropy needs targets in \[0, 1\], found 2 at index 1/);
    await expectClean(() => m.fit(X, [[-1], [0]], quiet), Error, /found -1 at index 0/);
    await expectClean(() => m.fit(X, [[NaN], [0]], quiet), Error, /fit: y: value NaN at flat index 0 is not finite/);
    await expectClean(() => m.evaluate(X, [[1], [5]]), Error, /needs targets in \[0, 1\], found 5/);
    const h = await m.fit(X, [[0.3], [1]], quiet);
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
  });

  it('sparse categorical crossentropy: class ids outside [0, classes) or not integers', async () => {
    const m = mlp('sparseCategoricalCrossentropy', 3);
    await expectClean(() => m.fit(X, [0, 3], quiet), Error, /integer class ids in \[0, 3\), found 3 at index 1/);
    await expectClean(() => m.fit(X, [-1, 0], quiet), Error, /found -1 at index 0/);
    await expectClean(() => m.fit(X, [0.5, 1], quiet), Error, /found 0.5 at index 0/);
  });

  it('labels whose count or shape does not fit the model', async () => {
    const m = mlp();
    await expectClean(() => m.fit(X, [[1], [0], [1]], quiet), Error, /x has 2 samples but y has 3/);
    await expectClean(() => m.fit(X, [[1, 0], [0, 1]], quiet), Error, /y has shape \[2, 2\], which does not fit the model's output \[null, 1\]/);
  });
});

describe('token ids outside the vocabulary', () => {
  it('ids >= inputDim, negative ids and fractional ids name the position and the vocabulary', async () => {
    const m = embedModel();
    const y = [[1], [0]];
    await expectClean(() => m.fit(rl.tensor(Int32Array.from([1, 2, 3, 4, 5, 6, 7, 10]), [2, 4], 'int32'), y, quiet), Error,
      /fit: x: embedding\w* \(Embedding\): token id 10 at position \[1, 3\] \(row 1 of x\) is outside \[0, 10\) \(inputDim 10\)/);
    await expectClean(() => m.fit(rl.tensor(Int32Array.from([1, -2, 3, 4, 5, 6, 7, 8]), [2, 4], 'int32'), y, quiet), Error,
      /token id -2 at position \[0, 1\] .* is outside \[0, 10\)/);
    await expectClean(() => m.predict([[1, 2, 3, 1e6]]), Error, /token id 1000000 at position \[0, 3\]/);
    await expectClean(() => m.predict([[1, 2, 3.5, 1]]), Error, /token id 3.5 at position \[0, 2\]/);
    await expectClean(() => { m.evaluate([[1, 2, 3, 4]], [[1]]); return m.predict([[99, 0, 0, 0]]); }, Error, /token id 99/);
  });
});

describe('ragged arrays and wrong dtypes passed to fit', () => {
  const m = mlp();
  const cases: [string, unknown, unknown, RegExp][] = [
    ['a ragged x', [[1, 2, 3], [4, 5]], Y, /fit: x: tensor: ragged nested array: expected length 3 at depth 1, got 2/],
    ['x deeper than its first row', [[1, 2, 3], [4, 5, [6]]], Y, /fit: x: tensor: ragged nested array \(deeper than its first element\)/],
    ['a ragged y', X, [[1], [0, 1]], /fit: y: tensor: ragged nested array: expected length 1 at depth 1, got 2/],
    ['a hole in x', (() => { const a: number[][] = [[1, 2, 3]]; a[2] = [1, 2, 3]; return a; })(), [1, 0, 1], /fit: x: tensor: ragged nested array/],
    ['strings', [['a', 'b', 'c'], ['d', 'e', 'f']], Y, /fit: x: tensor: expected numbers, found string/],
    ['null', null, Y, /fit: needs x \(the inputs\), found null/],
    ['undefined', undefined, Y, /fit: x: tensor: expected numbers, found undefined/],
    ['a plain object', { data: [1, 2, 3] }, Y, /fit: x: tensor: expected numbers, found object/],
    ['nulls inside', [[1, null, 3], [4, 5, 6]], Y, /fit: x: tensor: expected numbers, found object/],
    ['a BigInt64Array', new BigInt64Array(6), Y, /fit: x: .*BigInt/],
    ['a string y', X, 'positive', /fit: y: tensor: expected numbers, found string/],
    ['a flat x for a 2-D model', [1, 2, 3], [1, 0, 1], /fit: x has shape \[3\] but .* expects \[null, 3\]/],
    ['the wrong feature count', [[1, 2], [3, 4]], Y, /fit: x has shape \[2, 2\] but .* expects \[null, 3\]/],
    ['no samples', [], [], /fit: x: expected at least one sample, got shape \[0\]/],
    ['a scalar', 7, [1], /fit: x: expected at least one sample, got shape \[\]/],
  ];
  for (const [what, x, y, message] of cases) {
    it(what, async () => { await expectClean(() => m.fit(x as never, y as never, quiet), Error, message); });
  }
});

describe('batch sizes and epochs', () => {
  const m = mlp();
  const bad: [string, unknown][] = [['zero', 0], ['negative', -4], ['fractional', 2.5], ['NaN', NaN], ['Infinity', Infinity], ['a string', '32'], ['null', null], ['an array', [8]]];
  for (const [what, v] of bad) {
    it(`batchSize ${what}`, async () => {
      if (v === null) {
        // null means "the default", as undefined does (Keras's batch_size=None).
        await expect(m.fit(X, Y, { ...quiet, batchSize: v as never })).resolves.toBeDefined();
        return;
      }
      await expectClean(() => m.fit(X, Y, { ...quiet, batchSize: v as never }), Error, /fit: batchSize must be a positive integer, got /);
      await expectClean(() => m.evaluate(X, Y, { batchSize: v as never }), Error, /evaluate: batchSize must be a positive integer/);
      await expectClean(() => m.predict(X, { batchSize: v as never }), Error, /batchSize must be a positive integer/);
    });
    it(`epochs ${what}`, async () => {
      if (v === null) return;
      // 0 trains nothing and returns an empty History, as tfjs (test/model/fit_stop_epochs.test.ts).
      if (v === 0) {
        expect((await m.fit(X, Y, { ...quiet, epochs: 0 })).epoch).toEqual([]);
        return;
      }
      await expectClean(() => m.fit(X, Y, { ...quiet, epochs: v as never }), Error, /fit: epochs must be a non-negative integer, got /);
    });
  }
  it('a string epoch count is quoted in the message', async () => {
    await expectClean(() => m.fit(X, Y, { ...quiet, epochs: 'ten' as never }), Error, /got "ten"/);
    await expectClean(() => m.fit(X, Y, { ...quiet, batchSize: '32' as never }), Error, /got "32"/);
    await expectClean(() => m.fit(X, Y, { ...quiet, initialEpoch: -1 }), Error, /fit: initialEpoch must be a non-negative integer, got -1/);
  });
  it('other bad fit options', async () => {
    await expectClean(() => m.fit(X, Y, null as never), Error, /fit: the options argument must be an object/);
    await expectClean(() => m.fit(X, Y, { ...quiet, callbacks: [5 as never] }), Error, /fit: callbacks\[0\] must be a callback object/);
    await expectClean(() => m.fit(X, Y, { ...quiet, validationSplit: 1.5 }), Error, /validationSplit must be in \[0, 1\)/);
    await expectClean(() => m.fit(X, Y, { ...quiet, validationSplit: -0.1 }), Error, /validationSplit must be in \[0, 1\), got -0.1/);
    // 0 is the default of Keras and tfjs (tfjs-examples' lstm-text-generation passes it): no validation.
    expect(Object.keys((await m.fit(X, Y, { ...quiet, validationSplit: 0 })).history)).toEqual(['loss']);
    await expectClean(() => m.fit(X, Y, { ...quiet, verbose: 3 as never }), Error, /verbose must be 0, 1 or 2/);
    await expectClean(() => m.fit(X, Y, { ...quiet, validationData: [X] as never }), Error, /validationData must be \[x, y\]/);
    await expectClean(() => mlp().fit(X, Y, { ...quiet, validationSplit: 0.6 }), Error, /leaves no training or no validation samples out of 2/);
    const un = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputDim: 3 })] });
    await expectClean(() => un.fit(X, Y, quiet), Error, /call compile\(\) before fit\(\)/);
  });
});
