/** The lab's adder as one configuration of `rnnlab seq2seq`: the same questions as src/data/addition.ts, as pairs. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addition, maxAdditionPairs } from '../../src/data/addition.js';
import { generatePairs } from '../../src/seq2seq/generate.js';
import { cleanup, readResults, run, tempDir } from '../cli/helpers.js';

afterAll(cleanup);

describe('--generate addition', () => {
  it("makes the lab's questions, unpadded, with their sums, the same for the same seed", () => {
    const pairs = generatePairs('addition', 500, 7);
    const lab = addition({ trainingSize: 500, digits: 3, seed: 7, validationSplit: 0 }).train;
    expect(pairs.map((p) => p.source)).toEqual(lab.questions.map((q) => q.trimEnd()));
    for (const p of pairs) {
      const m = /^(\d{1,3})\+(\d{1,3})$/.exec(p.source);
      expect(m, p.source).not.toBeNull();
      expect(p.target).toBe(String(Number(m![1]) + Number(m![2])));
    }
    expect(new Set(pairs.map((p) => p.source)).size).toBe(500);
    expect(generatePairs('addition', 500, 7)).toEqual(pairs);
    expect(generatePairs('addition', 500, 8)).not.toEqual(pairs);
  });

  it('refuses more pairs than there are distinct sums', () => {
    expect(() => generatePairs('addition', maxAdditionPairs(3) + 1, 1)).toThrow(/count: 500501 is more than the 500500 distinct questions/);
  });

  it('runs through rnnlab seq2seq: character tokens, pairs.tsv of sums, and --count checked', async () => {
    const root = tempDir('rnnlab-s2s-add-');
    const out = path.join(root, 'add');
    const r = await run(['seq2seq', '--generate', 'addition', '--count', '300', '--units', '8', '--embedding-dim', '4', '--epochs', '1', '--samples', '2', '--out', out, '--verbose', '0']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Question \d+\+\d+ +True \d+ +Guess/m);
    const lines = readFileSync(path.join(out, 'pairs.tsv'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(300);
    for (const l of lines) {
      const [src, tgt] = l.split('\t');
      const [a, b] = src.split('+').map(Number);
      expect(tgt).toBe(String(a + b));
    }
    const rec = readResults(out);
    expect(rec.config.tokens).toBe('char');
    expect(rec.data).toMatchObject({ generated: 'addition', pairs: 300 });
    const never = path.join(root, 'never');
    const bad = await run(['seq2seq', '--generate', 'addition', '--count', '600000', '--out', never, '--verbose', '0']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--count: 600000 is more than the 500500 distinct questions a\+b of numbers of up to 3 digits/);
    expect(existsSync(never)).toBe(false);
  }, 60_000);
});
