/**
 * A JSON Lines pairs file is worded as pairs, not as a classifier's texts and labels: a target that is no string says
 * so (not "a string or a number", nor multi-label data), a field spelt in another case than the first line chose is
 * named as the file spells it, with why, and a number beyond float64 (1e400, which JSON reads as Infinity) is named
 * as such, not as null; so is a classifier's label.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTextDataset } from '../../src/data/text_dataset.js';
import { readPairs } from '../../src/seq2seq/pairs.js';
import { cleanup, expectRefused, run, tempDir } from '../cli/helpers.js';

afterAll(cleanup);

const dir = tempDir('rnnlab-jsonl-pairs-');
const file = (name: string, lines: string[]) => {
  const p = path.join(dir, name);
  writeFileSync(p, `${lines.join('\n')}\n`);
  return p;
};
const message = async (p: string) => (await readPairs(p, 'pairs.jsonl').then(() => null, (e: Error) => e.message));

describe('JSON Lines pairs: what a bad target or field says', () => {
  it.each([
    ['a list', '{"source": "cd", "target": ["d", "c"]}', `pairs.jsonl:1: field 'target' must be a string, got ["d","c"] (a list: write it as one string, e.g. its words joined by spaces)`],
    ['an object', '{"source": "cd", "target": {"a": 1}}', `pairs.jsonl:1: field 'target' must be a string, got {"a":1}`],
    ['null', '{"source": "cd", "target": null}', `pairs.jsonl:1: field 'target' must be a string, got null`],
    ['1e400', '{"source": "cd", "target": 1e400}', `pairs.jsonl:1: field 'target' must be a string, got a number too large for float64 (JSON reads it as Infinity); write it in quotes`],
    ['a number', '{"source": "cd", "target": 2.0}', `pairs.jsonl:1: field 'target' must be a string, got 2 (JSON keeps no number's or true/false's text as written: 2.0 reads as 2); write it in quotes`],
    ['a number beyond 2^53', '{"source": "cd", "target": 12345678901234567890}', `pairs.jsonl:1: field 'target' must be a string, got 12345678901234567000 (JSON keeps no number's or true/false's text as written: 2.0 reads as 2); write it in quotes`],
  ])('a target that is %s', async (_what, line, want) => {
    const msg = await message(file('t.jsonl', [line]));
    expect(msg).toBe(want);
    expect(msg).not.toMatch(/label|a string or a number/);
  });

  it('a field in another case than line 1 wrote it: named as the file spells it, with why', async () => {
    expect(await message(file('s.jsonl', ['{"SOURCE": "ab", "target": "ba"}', '{"source": "cd", "target": "dc"}'])))
      .toBe(`pairs.jsonl:2: no 'SOURCE' field (line 1 writes 'source' as 'SOURCE', which holds for the whole file): every row needs it; its fields are "source", "target"`);
    expect(await message(file('t2.jsonl', ['{"source": "ab", "Target": "ba"}', '{"source": "cd", "target": "dc"}'])))
      .toBe(`pairs.jsonl:2: no 'Target' field (line 1 writes 'target' as 'Target', which holds for the whole file): every row needs it; its fields are "source", "target"`);
  });

  it('rnnlab seq2seq says the same, naming --data', async () => {
    const p = file('cli.jsonl', ['{"source": "ab", "target": "ba"}', '{"source": "cd", "target": ["d", "c"]}']);
    expectRefused(await run(['seq2seq', '--data', p, '--epochs', '1', '--out', path.join(dir, 'run')]), 'seq2seq',
      new RegExp(`--data: ${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: field 'target' must be a string, got \\["d","c"\\] \\(a list: `), path.join(dir, 'run'));
  });
});

describe('a classifier\'s JSON Lines label beyond float64', () => {
  it('is named as a number too large, not as null', async () => {
    const p = file('labels.jsonl', ['{"text": "good film", "label": 1e400}']);
    await expect(loadTextDataset(p)).rejects.toThrow(`${p}:1: field 'label' is a number too large for float64 (JSON reads it as Infinity); write the labels as strings (skip such rows with skipBadRows)`);
    const n = file('neg.jsonl', ['{"text": "good film", "label": -1e400}']);
    await expect(loadTextDataset(n)).rejects.toThrow(/field 'label' is a number too large for float64 \(JSON reads it as Infinity\)/);
  });
});
