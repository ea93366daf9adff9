/**
 * summary() of a shared layer whose calls give different shapes prints 'multiple' (tfjs, Keras); one whose calls agree
 * prints the shape. An unbuilt layer's countParams() is an error (tfjs, Keras), not 0.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function summaryLines(m: rl.LayersModel): string[] {
  const lines: string[] = [];
  m.summary(undefined, undefined, (l: string) => lines.push(l));
  return lines;
}

describe('summary of a shared layer', () => {
  it('prints multiple when its calls give different shapes', () => {
    const a = rl.input({ shape: [4, 5], name: 'a' }), b = rl.input({ shape: [7, 5], name: 'b' });
    const shared = rl.layers.lstm({ units: 3, returnSequences: true, name: 'sh' });
    const out = rl.layers.concatenate({ axis: 1 }).apply([shared.apply(a), shared.apply(b)] as rl.SymbolicTensor[]) as rl.SymbolicTensor;
    const row = summaryLines(rl.model({ inputs: [a, b], outputs: out })).find((l) => l.startsWith('sh (LSTM)'));
    expect(row).toMatch(/^sh \(LSTM\) +multiple +108 +a\[0\]\[0\]/);
  });

  it('prints the shape when its calls agree', () => {
    const a = rl.input({ shape: [4, 5], name: 'a2' }), b = rl.input({ shape: [4, 5], name: 'b2' });
    const shared = rl.layers.dense({ units: 2, name: 'sd' });
    const out = rl.layers.add().apply([shared.apply(a), shared.apply(b)] as rl.SymbolicTensor[]) as rl.SymbolicTensor;
    const row = summaryLines(rl.model({ inputs: [a, b], outputs: out })).find((l) => l.startsWith('sd (Dense)'));
    expect(row).toMatch(/^sd \(Dense\) +\(None, 4, 2\) +12 /);
  });
});

describe('countParams of a layer', () => {
  it('is an error before the layer is built, and the weights\' sizes after', () => {
    const d = rl.layers.dense({ units: 3 });
    expect(() => d.countParams()).toThrow(/countParams\(\) needs the layer built/);
    d.apply(rl.ones([2, 4]));
    expect(d.countParams()).toBe(15);
  });
});
