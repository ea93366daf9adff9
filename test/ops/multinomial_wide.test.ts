/** multinomial over a vocabulary-sized row: its max was Math.max(...row), which overflowed the stack past ~120k classes. */
import { describe, expect, it } from 'vitest';
import { multinomial } from '../../src/ops/random.js';
import { tensor } from '../../src/ops/creation.js';

describe('multinomial on wide rows', () => {
  it('samples from 200,000 logits, all mass on one class', () => {
    const n = 200_000, logits = new Float32Array(n).fill(-1e4);
    logits[123_456] = 50;
    const draws = multinomial(tensor(logits, [1, n]), 5, 3);
    expect(Array.from(draws.values)).toEqual([123_456, 123_456, 123_456, 123_456, 123_456]);
  });
});
