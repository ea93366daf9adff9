/**
 * fit options that would do nothing, refused by name before training: validationSplit next to validationData
 * (Keras lets validation_data win and ignores the split), a validationFreq that validates after none of the epochs
 * trained; and fit's and evaluate's `out`, checked before any callback runs with the callbacks' writer message.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tempDirs } from '../helpers/tiny_linear.js';

const tempDir = tempDirs('rl-fit-conflicts-');

function dense(): rl.Sequential {
  rl.setSeed(5);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer: rl.train.sgd(0.1), loss: 'mse' });
  return m;
}

const X = rl.tensor([[1, 2], [0.5, -1], [3, 0], [-2, 1]]);
const Y = rl.tensor([[1], [0], [2], [-1]]);
const XV = rl.tensor([[1, 0], [0, 1]]), YV = rl.tensor([[0.5], [0.5]]);
const weightsOf = (m: rl.Sequential) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('validationSplit given with validationData', () => {
  it('is refused by name, whatever its value, saying validationData takes precedence; the weights do not move', async () => {
    for (const split of [0.2, 'abc', 5, -1]) {
      const m = dense();
      const before = weightsOf(m);
      await expect(m.fit(X, Y, { epochs: 1, verbose: 0, validationData: [XV, YV], validationSplit: split } as never))
        .rejects.toThrow(new RegExp(`^fit: validationSplit ${JSON.stringify(split).replace('.', '\\.')} and validationData are both given; validationData takes precedence \\(Keras then ignores validation_split\\), so the split would hold out nothing: give one of them`));
      expect(weightsOf(m)).toEqual(before);
    }
    await expect(dense().fit(X, Y, { epochs: 1, verbose: 0, validation_data: [XV, YV], validation_split: 0.5 })).rejects.toThrow(/^fit: validationSplit 0\.5 and validationData are both given/);
  });

  it('0, the default meaning no split, is taken: validation then runs on validationData', async () => {
    const m = dense();
    const h = await m.fit(X, Y, { epochs: 1, verbose: 0, validationData: [XV, YV], validationSplit: 0 });
    expect(h.history.val_loss[0]).toBeCloseTo((m.evaluate(XV, YV, { returnDict: true }) as Record<string, number>).loss, 5);
  });
});

describe('a validationFreq that validates after none of the epochs trained', () => {
  it('is refused, naming the value and the epochs the run trains (counted from 1)', async () => {
    const cases: [rl.FitArgs, string][] = [
      [{ epochs: 3, validationFreq: [] }, 'fit: validationFreq [] validates after none of the epochs this fit trains (1 to 3, counted from 1)'],
      [{ epochs: 3, validationFreq: [10] }, 'fit: validationFreq [10] validates after none of the epochs this fit trains (1 to 3, counted from 1)'],
      [{ epochs: 3, validationFreq: 5 }, 'fit: validationFreq 5 validates after none'],
      [{ epochs: 4, initialEpoch: 2, validationFreq: [1, 2] }, 'fit: validationFreq [1,2] validates after none of the epochs this fit trains (3 to 4, counted from 1)'],
      [{ epochs: 3, validationSplit: 0.5, validationFreq: [4] }, 'fit: validationFreq [4] validates after none'],
      [{ epochs: 5, initialEpoch: 3, validationFreq: 3 }, 'fit: validationFreq 3 validates after none of the epochs this fit trains (4 to 5, counted from 1)'],
    ];
    for (const [args, message] of cases) {
      const m = dense();
      const before = weightsOf(m);
      const withData = args.validationSplit === undefined ? { validationData: [XV, YV] as [rl.Tensor, rl.Tensor] } : {};
      await expect(m.fit(X, Y, { verbose: 0, ...withData, ...args })).rejects.toThrow(message);
      expect(weightsOf(m)).toEqual(before);
    }
  });

  it('one epoch in range is enough; a run of no epochs is left alone', async () => {
    const h = await dense().fit(X, Y, { epochs: 3, verbose: 0, validationData: [XV, YV], validationFreq: [3, 10] });
    expect(h.history.val_loss).toHaveLength(1);
    const n = await dense().fit(X, Y, { epochs: 4, initialEpoch: 2, verbose: 0, validationData: [XV, YV], validationFreq: 3 });
    expect(n.history.val_loss).toHaveLength(1);
    const none = await dense().fit(X, Y, { epochs: 0, verbose: 0, validationData: [XV, YV], validationFreq: [5] });
    expect(none.epoch).toEqual([]);
  });
});

describe("fit's and evaluate's out", () => {
  it('fit: anything but a writer is refused before any callback runs (a csvLogger file stays as it was)', async () => {
    const dir = tempDir();
    const csv = join(dir, 'log.csv');
    writeFileSync(csv, 'kept\n');
    let began = 0;
    for (const [out, verbose] of [['file.txt', 1], [123, 0], [{ log: () => {} }, 1]] as const) {
      await expect(dense().fit(X, Y, { epochs: 1, verbose, out, callbacks: [{ onTrainBegin: () => { began++; } }, rl.callbacks.csvLogger(csv)] } as never))
        .rejects.toThrow(/^fit: out must be a writer, an object with a write\(text\) method such as process\.stdout, got /);
    }
    expect(began).toBe(0);
    expect(readFileSync(csv, 'utf8')).toBe('kept\n');
  });

  it('fit: a writer receives the progress lines', async () => {
    const lines: string[] = [];
    await dense().fit(X, Y, { epochs: 2, verbose: 2, out: { write: (s: string) => { lines.push(s); } } });
    expect(lines.join('')).toMatch(/^Epoch 1\/2\n.*loss: .*\nEpoch 2\/2\n/s);
  });

  it('evaluate: anything but a writer is refused (verbose or not); a writer receives the final line', () => {
    expect(() => dense().evaluate(X, Y, { verbose: 1, out: 123 } as never)).toThrow(/^evaluate: out must be a writer, an object with a write\(text\) method such as process\.stdout, got 123/);
    expect(() => dense().evaluate(X, Y, { verbose: 0, out: 'x' } as never)).toThrow(/^evaluate: out must be a writer/);
    const lines: string[] = [];
    dense().evaluate(X, Y, { verbose: 1, out: { write: (s: string) => { lines.push(s); } } });
    expect(lines.join('')).toMatch(/loss: \d/);
  });
});
