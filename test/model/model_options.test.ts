/** Options of Sequential's methods that used to be accepted and ignored now work: evaluate's verbose, summary's positions. */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { evaluated } from '../io/helpers.js';

function model(): rl.Sequential {
  rl.setSeed(2);
  const m = rl.sequential({ name: 'tiny', layers: [rl.layers.dense({ units: 3, inputDim: 2, name: 'hidden' }), rl.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' })] });
  m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('Sequential options', () => {
  const x = rl.tensor([[0, 1], [1, 0], [1, 1], [0, 0], [0.5, 0.5]]);
  const y = rl.tensor([[1], [1], [0], [0], [1]]);

  it('evaluate({verbose: 1}) prints Keras\'s final line with the same values it returns; 0 prints nothing', async () => {
    const lines: string[] = [];
    const out = { write: (s: string) => { lines.push(s); return true; } };
    const [loss, acc] = evaluated(model().evaluate(x, y, { batchSize: 2, verbose: 1, out }));
    expect(lines.join('')).toMatch(new RegExp(`^3/3 \\[=+\\] - .* - loss: ${loss.toFixed(4)} - accuracy: ${acc.toFixed(4)}\\n$`));
    lines.length = 0;
    model().evaluate(x, y, { verbose: 0, out });
    expect(lines).toEqual([]);
    expect(() => model().evaluate(x, y, { verbose: 2 as never })).toThrow(/evaluate: verbose must be 0 or 1, got 2/);
  });

  it('summary(lineLength, positions) places the columns as tfjs does (fractions or character counts)', () => {
    const at = (lineLength?: number, positions?: number[]) => {
      const lines: string[] = [];
      model().summary(lineLength, positions, (l) => lines.push(l));
      const row = lines.find((l) => l.startsWith('hidden (Dense)'))!;
      return [row.indexOf('(None, 3)'), row.indexOf('9')];
    };
    expect(at()).toEqual([29, 55]);
    expect(at(80, [0.5, 0.75, 1])).toEqual([40, 60]);
    expect(at(80, [20, 40, 80])).toEqual([20, 40]);
    expect(() => at(80, [0.5, 0.4, 1])).toThrow(/positions must be three increasing positive numbers/);
  });
});
