/**
 * CharacterTable.decode given rows as a JS array (tensor.arraySync()[i], the lab's ctable.decode(x[0])): read row by
 * row, as numpy's argmax(axis=-1) reads them, where the rows used to be read as flat numbers (a wrong text, silently).
 */
import { describe, expect, it } from 'vitest';
import { CharacterTable } from '../../src/data/char_table.js';
import { DataError } from '../../src/data/errors.js';
import * as rl from '../../src/index.js';

const table = new CharacterTable('0123456789+ ');

describe('CharacterTable.decode of nested rows', () => {
  it('decodes [steps][chars] one-hot rows as the flat data and the 2-D tensor decode', () => {
    for (const text of ['123+456     ', '7+8         ', '99+1        ']) {
      const e = table.encode(text, 12);
      const t = rl.tensor(e.data, e.shape);
      const nested = t.arraySync() as number[][];
      expect(table.decode(nested)).toBe(text);
      expect(table.decode(nested)).toBe(table.decode(t));
    }
  });

  it('takes each row\'s largest score (probabilities, typed-array rows)', () => {
    const rows = [[0.1, 0.2, 0.7, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.6, 0.4]];
    // Sorted table: ' ', '+', '0', ..., '9': index 2 is '0', index 10 is '8'.
    expect(table.decode(rows)).toBe('08');
    expect(table.decode(rows.map((r) => Float32Array.from(r)))).toBe('08');
    expect(table.decode([])).toBe('');
  });

  it('refuses ragged rows, non-numbers, deeper nesting and mixed rows, naming the element', () => {
    const row = (k: number) => Array.from({ length: 12 }, (_, i) => (i === k ? 1 : 0));
    expect(() => table.decode([row(1), [1, 0]])).toThrow(new DataError('CharacterTable.decode: each row of x must hold 12 scores (one per character), x[1] has 2'));
    expect(() => table.decode([[1, 0], [0, 1]])).toThrow('CharacterTable.decode: each row of x must hold 12 scores (one per character), x[0] has 2');
    const bad = row(3) as unknown[];
    bad[4] = 'a';
    expect(() => table.decode([row(1), bad] as never)).toThrow('CharacterTable.decode: x[1][4] must be a number, got the string "a"');
    expect(() => table.decode([[row(1), row(2)]] as never)).toThrow("CharacterTable.decode: each row of x must hold 12 scores (one per character), x[0] has 2");
    const deep = Array.from({ length: 12 }, () => row(0));
    expect(() => table.decode([deep] as never)).toThrow("CharacterTable.decode: x[0][0] is an array: x must be one sequence's rows ([steps][12]); decode a batch one sample at a time");
    expect(() => table.decode([row(1), 3] as never)).toThrow('CharacterTable.decode: x[1] must be a row of 12 scores like x[0], got number 3');
    expect(() => table.decode([3, row(1)] as never)).toThrow('CharacterTable.decode: x[1] must be a number, got an array (x[0] is a number, so x must be flat numbers, not rows)');
    expect(() => table.decode([1, null] as never)).toThrow('CharacterTable.decode: x[1] must be a number, got null');
  });

  it('refuses rows with argmax: false, which takes flat indices', () => {
    expect(() => table.decode([[2, 3]] as never, { argmax: false })).toThrow('CharacterTable.decode: with argmax: false, x must hold indices (flat numbers), got rows of scores');
    expect(table.decode([2, 3], { argmax: false })).toBe('01');
  });
});
