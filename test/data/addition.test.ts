import { describe, expect, it } from 'vitest';
import { addition, ADDITION_CHARS, maxAdditionPairs } from '../../src/data/addition.js';
import { CharacterTable } from '../../src/data/char_table.js';
import { DataError } from '../../src/data/errors.js';
import * as rl from '../../src/index.js';

const parse = (q: string) => q.trim().split('+').map(Number) as [number, number];

describe('CharacterTable', () => {
  const table = new CharacterTable(ADDITION_CHARS);

  it('sorts the unique characters, as the lab does', () => {
    expect(table.chars.join('')).toBe(' +0123456789');
    expect(new CharacterTable('abca').chars).toEqual(['a', 'b', 'c']);
    expect(table.size).toBe(12);
  });

  it('encodes one-hot rows, leaving rows past the text zero, and decodes back', () => {
    const { data, shape } = table.encode('12+3', 7);
    expect(shape).toEqual([7, 12]);
    expect(data).toBeInstanceOf(Float32Array);
    expect(Array.from(data.subarray(0, 12))).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(data.subarray(4 * 12))).toEqual(new Array(36).fill(0));
    expect(table.decode(table.encode('12+3   ', 7).data)).toBe('12+3   ');
    expect(table.decode([2, 3, 1, 4], { argmax: false })).toBe('01+2');
    const scores = new Float32Array(24);
    scores[5] = 0.9;
    scores[12 + 11] = 0.2;
    expect(table.decode(scores)).toBe('39');
  });

  it('rejects unknown characters, overlong text and bad shapes', () => {
    expect(() => table.encode('1-2', 5)).toThrow(/character "-" is not in the table/);
    expect(() => table.encode('12345', 4)).toThrow(/more than numRows=4/);
    expect(() => table.decode(new Float32Array(13))).toThrow(/rows of 12/);
    expect(() => table.decode([12], { argmax: false })).toThrow(DataError);
    expect(() => table.decode('0+1' as never)).toThrow('CharacterTable.decode: x must be numbers (an array, a typed array or a tensor), got the string "0+1"');
  });

  it('decodes a tensor, as the lab decodes a NumPy array (a tensor used to give "")', () => {
    expect(table.decode(rl.tensor1d([2, 3, 1, 4]), { argmax: false })).toBe('01+2');
    const scores = rl.tensor2d([[0, 0, 0, 0, 0, 0.9, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.2]]);
    expect(table.decode(scores)).toBe('39');
  });
});

describe('addition', () => {
  const data = addition({ seed: 1 });

  it("has the lab's shapes: (45000, 7, 12) and (45000, 4, 12), 5000 for validation", () => {
    expect(data.train.x.shape).toEqual([45_000, 7, 12]);
    expect(data.train.y.shape).toEqual([45_000, 4, 12]);
    expect(data.val.x.shape).toEqual([5_000, 7, 12]);
    expect(data.val.y.shape).toEqual([5_000, 4, 12]);
    expect(data.train.questions).toHaveLength(45_000);
    expect(data.maxlen).toBe(7);
    expect(data.outputLen).toBe(4);
  });

  it('pads queries to 2*digits+1 and answers to digits+1, with correct sums and unique unordered pairs', () => {
    const seen = new Set<string>();
    const lengths = new Set<number>();
    const bad: string[] = [];
    for (const split of [data.train, data.val]) {
      split.questions.forEach((q, i) => {
        const answer = split.answers[i];
        const [a, b] = parse(q);
        const key = `${Math.min(a, b)}+${Math.max(a, b)}`;
        const ok = /^\d{1,3}\+\d{1,3} *$/.test(q) && q.length === 7 && answer.length === 4 && /^\d+ *$/.test(answer);
        if (!ok || Number(answer) !== a + b || seen.has(key)) bad.push(`${q} -> ${answer}`);
        seen.add(key);
        lengths.add(String(a).length);
      });
    }
    expect(bad).toEqual([]);
    expect(seen.size).toBe(50_000);
    expect([...lengths].sort()).toEqual([1, 2, 3]);
  });

  it('one-hot encodes questions and answers in the same shuffled order', () => {
    for (const i of [0, 1, 44_999]) {
      const x = data.train.x.data.subarray(i * 84, (i + 1) * 84);
      const y = data.train.y.data.subarray(i * 48, (i + 1) * 48);
      expect(data.table.decode(x)).toBe(data.train.questions[i]);
      expect(data.table.decode(y)).toBe(data.train.answers[i]);
    }
    let ones = 0;
    for (const v of data.val.x.data) ones += v;
    expect(ones).toBe(5_000 * 7);
  });

  it('is deterministic per seed', () => {
    const again = addition({ seed: 1, trainingSize: 50_000 });
    expect(again.val.questions).toEqual(data.val.questions);
    expect(addition({ seed: 2 }).val.questions).not.toEqual(data.val.questions);
  });

  it('reverses the padded query when asked, as Keras does', () => {
    const r = addition({ seed: 1, reverse: true, trainingSize: 1000 });
    const f = addition({ seed: 1, trainingSize: 1000 });
    r.train.questions.forEach((q, i) => expect(q).toBe([...f.train.questions[i]].reverse().join('')));
    expect(r.train.answers).toEqual(f.train.answers);
  });

  it('supports other digits and validation splits', () => {
    const d = addition({ digits: 2, trainingSize: 1000, validationSplit: 0.25, seed: 3 });
    expect(d.train.x.shape).toEqual([750, 5, 12]);
    expect(d.val.y.shape).toEqual([250, 3, 12]);
    const n = addition({ trainingSize: 15, validationSplit: 0.1 });
    expect(n.val.questions).toHaveLength(1); // 15 // 10
  });

  it('can produce every pair, and refuses more with the maximum in the message', () => {
    expect(maxAdditionPairs(1)).toBe(55);
    expect(maxAdditionPairs(3)).toBe(500_500);
    const all = addition({ digits: 1, trainingSize: 55, validationSplit: 0 });
    expect(new Set(all.train.questions.map((q) => parse(q).sort().join('+'))).size).toBe(55);
    expect(() => addition({ digits: 1, trainingSize: 56 })).toThrow(/with digits=1 the maximum is 55/);
    expect(() => addition({ digits: 3, trainingSize: 500_501 })).toThrow(/the maximum is 500500/);
    // Every pair of a full set is distinct, so the generator enumerates rather than retrying until lucky.
    const full = addition({ digits: 2, trainingSize: 5_050, seed: 9 });
    const pairs = [...full.train.questions, ...full.val.questions].map((q) => parse(q).sort((a, b) => a - b).join('+'));
    expect(new Set(pairs).size).toBe(5_050);
  });

  it('rejects bad options', () => {
    expect(() => addition({ digits: 0 })).toThrow(DataError);
    expect(() => addition({ trainingSize: 0 })).toThrow(/trainingSize/);
    expect(() => addition({ validationSplit: 1 })).toThrow(/validationSplit/);
  });
});
