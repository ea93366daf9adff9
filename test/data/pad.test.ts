import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors.js';
import { batchRows, padSequences } from '../../src/data/pad.js';

const rows = (b: { data: ArrayLike<number>; shape: [number, number] }) =>
  Array.from({ length: b.shape[0] }, (_, i) => Array.from(b.data).slice(i * b.shape[1], (i + 1) * b.shape[1]));

describe('padSequences', () => {
  const seqs = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10]];

  it("pads and truncates at the front by default, the longest sequence setting maxlen", () => {
    const b = padSequences(seqs);
    expect(b.shape).toEqual([3, 5]);
    expect(b.dtype).toBe('int32');
    expect(b.data).toBeInstanceOf(Int32Array);
    expect(rows(b)).toEqual([[0, 0, 1, 2, 3], [0, 0, 0, 4, 5], [6, 7, 8, 9, 10]]);
    expect(rows(padSequences(seqs, { maxlen: 3 }))).toEqual([[1, 2, 3], [0, 4, 5], [8, 9, 10]]);
  });

  it("supports 'post' padding and truncating", () => {
    expect(rows(padSequences(seqs, { maxlen: 4, padding: 'post' }))).toEqual([[1, 2, 3, 0], [4, 5, 0, 0], [7, 8, 9, 10]]);
    expect(rows(padSequences(seqs, { maxlen: 4, truncating: 'post' }))).toEqual([[0, 1, 2, 3], [0, 0, 4, 5], [6, 7, 8, 9]]);
    expect(rows(padSequences(seqs, { maxlen: 4, padding: 'post', truncating: 'post' }))).toEqual([[1, 2, 3, 0], [4, 5, 0, 0], [6, 7, 8, 9]]);
  });

  it('handles empty sequences, an empty batch, maxlen 0 and 1', () => {
    expect(rows(padSequences([[], [1]]))).toEqual([[0], [1]]);
    expect(rows(padSequences([[], []]))).toEqual([[], []]);
    expect(padSequences([[], []]).shape).toEqual([2, 0]);
    expect(padSequences([]).shape).toEqual([0, 0]);
    expect(padSequences([], { maxlen: 4 }).shape).toEqual([0, 4]);
    const zero = padSequences(seqs, { maxlen: 0 });
    expect(zero.shape).toEqual([3, 0]);
    expect(zero.data.length).toBe(0);
    expect(rows(padSequences(seqs, { maxlen: 1 }))).toEqual([[3], [5], [10]]);
    expect(rows(padSequences(seqs, { maxlen: 1, truncating: 'post' }))).toEqual([[1], [4], [6]]);
    expect(rows(padSequences([[], [7]], { maxlen: 1, padding: 'post' }))).toEqual([[0], [7]]);
  });

  it('fills with a value other than 0, including in empty rows', () => {
    expect(rows(padSequences([[1], [], [2, 3]], { value: -1 }))).toEqual([[-1, 1], [-1, -1], [2, 3]]);
    expect(rows(padSequences([[1]], { maxlen: 3, value: 9, padding: 'post' }))).toEqual([[1, 9, 9]]);
  });

  it('returns float32 when asked, and accepts typed arrays', () => {
    const f = padSequences([Float32Array.of(0.5, 1.5), Int32Array.of(2)], { dtype: 'float32', value: Number.NaN });
    expect(f.data).toBeInstanceOf(Float32Array);
    expect(f.dtype).toBe('float32');
    expect(Array.from(f.data)).toEqual([0.5, 1.5, Number.NaN, 2]);
  });

  it('gives row views without copying', () => {
    const b = padSequences(seqs, { maxlen: 2 });
    const r = batchRows(b);
    expect(r.map((x) => [...x])).toEqual([[2, 3], [4, 5], [9, 10]]);
    expect(r[1].buffer).toBe(b.data.buffer);
  });

  it('rejects bad options, each message naming padSequences and the option', () => {
    expect(() => padSequences(seqs, { padding: 'middle' as 'pre' })).toThrow("padSequences: padding must be 'pre' or 'post', got 'middle'");
    expect(() => padSequences(seqs, { truncating: 'both' as 'pre' })).toThrow("padSequences: truncating must be 'pre' or 'post', got 'both'");
    expect(() => padSequences(seqs, { maxlen: -1 })).toThrow(DataError);
    expect(() => padSequences(seqs, { maxlen: 2.5 })).toThrow('padSequences: maxlen must be a non-negative integer, got 2.5');
    expect(() => padSequences(seqs, { maxlen: '3' as never })).toThrow("padSequences: maxlen must be a non-negative integer, got the string '3'");
    expect(() => padSequences(seqs, { value: 0.5 })).toThrow('padSequences: value 0.5 does not fit dtype int32');
    expect(() => padSequences(seqs, { dtype: 'int8' as 'int32' })).toThrow("padSequences: dtype must be 'int32' or 'float32', got 'int8'");
  });
});
