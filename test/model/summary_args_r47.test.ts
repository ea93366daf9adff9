/**
 * Keras's summary arguments after print_fn (expand_nested, show_trainable, layer_range) and a second argument to
 * predictOnBatch would be dropped without a word; both are refused saying what to write.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function models() {
  const seq = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones' })] });
  const x = rl.input({ shape: [3] });
  const fn = rl.model({ inputs: x, outputs: rl.layers.dense({ units: 2, kernelInitializer: 'ones' }).apply(x) as never });
  return { seq, fn };
}

describe('summary past printFn', () => {
  for (const kind of ['seq', 'fn'] as const) {
    it(`${kind}: a fourth and later argument is refused naming Keras's argument at its place`, () => {
      const m = models()[kind];
      const lines: string[] = [];
      const sink = (l: string) => { lines.push(l); };
      const summary = m.summary.bind(m) as (...a: unknown[]) => void;
      expect(() => summary(undefined, undefined, sink, true)).toThrow(/summary: takes \(lineLength, positions, printFn\).*expand_nested/);
      expect(() => summary(undefined, undefined, sink, true, true)).toThrow(/expand_nested, show_trainable/);
      expect(() => summary(undefined, undefined, sink, false, false, [0, 1])).toThrow(/expand_nested, show_trainable, layer_range/);
      expect(() => summary(undefined, undefined, sink, { expand_nested: true })).toThrow(/expand_nested/);
      expect(() => summary(undefined, undefined, sink, undefined, true)).toThrow(/got Keras's show_trainable \(/);
      expect(lines).toEqual([]);
      summary(undefined, undefined, sink, undefined, null);
      expect(lines.some((l) => l.includes('Total params: 8'))).toBe(true);
    });
  }
});

describe('predictOnBatch takes x only', () => {
  for (const kind of ['seq', 'fn'] as const) {
    it(`${kind}: a second argument is refused naming predict(x, {batchSize})`, () => {
      const m = models()[kind];
      const pob = m.predictOnBatch.bind(m) as (...a: unknown[]) => unknown;
      expect(() => pob(rl.ones([4, 3]), { batch_size: 1 })).toThrow(/predictOnBatch: takes one argument, x.*predict\(x, \{batchSize\}\)/);
      const y = m.predictOnBatch(rl.ones([4, 3])) as rl.Tensor;
      expect(y.shape).toEqual([4, 2]);
      expect(Array.from(y.dataSync())).toEqual(new Array(8).fill(3));
    });
  }
});
