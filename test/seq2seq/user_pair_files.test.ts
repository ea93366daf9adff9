/**
 * Translation files as users have them: Tatoeba/Anki's fra.txt (its attribution column refused by line; the two
 * columns it leaves train, narrow no-break spaces and all), Chinese with character or word tokens (word tokens on
 * text without spaces make every held-out sentence unknown, which the run now says), emoji (never split inside a
 * surrogate pair; a lone surrogate from a JSON escape is refused by line), inputs longer than any training pair, a
 * single pair, and a file whose targets are all one text.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPairs, type Pair } from '../../src/seq2seq/pairs.js';
import { resultLines } from '../../src/seq2seq/result.js';
import { seq2seqModelOf } from '../../src/seq2seq/store.js';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';
import { translateTexts } from '../../src/seq2seq/translate.js';
import { expectRefused, readResults, run } from '../cli/helpers.js';
import { scratchFolder } from './helpers.js';

const { dir, file } = scratchFolder();
const TINY = ['--units', '8', '--embedding-dim', '4', '--epochs', '1', '--samples', '0', '--verbose', '0'];
const NNBSP = '\u202f'; // Tatoeba's French puts a narrow no-break space before ! and ?

/** A Tatoeba-like line: English, French, attribution. */
const tatoeba = (en: string, fr: string, i: number) => `${en}\t${fr}\tCC-BY 2.0 (France) Attribution: tatoeba.org #${2877272 + i} (CM) & #${1158250 + i} (Wittydev)`;

describe("Tatoeba/Anki's fra.txt", () => {
  const rows: [string, string][] = [['Go.', 'Va !'], ['Hi.', 'Salut !'], ['Run!', 'Cours !'], ['Who?', 'Qui ?'], ['Wow!', 'Ça alors !'], ['Fire!', 'Au feu !']]
    .map(([en, fr]) => [en, fr.replace(' ', NNBSP)]);

  it('as downloaded (three columns) is refused naming the file and line; its first two columns train', async () => {
    const raw = file('fra.txt', rows.map(([en, fr], i) => `${tatoeba(en, fr, i)}\n`).join(''));
    const out = path.join(dir, 'fra-raw');
    const r = await run(['seq2seq', '--data', raw, '--out', out, ...TINY]);
    expectRefused(r, 'seq2seq', /--data: .*fra\.txt:1: more than one tab; .*cut -f1,2$/, out);

    const two = file('fra2.txt', rows.map(([en, fr]) => `${en}\t${fr}\n`).join(''));
    const pairs = await readPairs(two, 'fra2.txt');
    expect(pairs.map((p) => [p.source, p.target])).toEqual(rows);
    const ok = path.join(dir, 'fra');
    const t = await run(['seq2seq', '--data', two, '--out', ok, '--validation-split', '0.34', ...TINY]);
    expect(t.err).toBe('');
    expect(t.code).toBe(0);
    // With character tokens the narrow no-break space is a token of its own, kept as written.
    const spec = JSON.parse(readFileSync(path.join(ok, 'model', 'rnnlab-seq2seq.json'), 'utf8'));
    expect(spec.target.items).toContain(NNBSP);
    expect(readResults(ok).data).toMatchObject({ pairs: 6, train: 4, validation: 2 });
  });
});

/** Chinese numbers written out -> digits: no spaces in the source. */
const DIGITS = '零一二三四五六七八九';
function chinese(n: number): Pair[] {
  return Array.from({ length: n }, (_, i) => {
    const s = String(100 + i);
    return { source: [...s].map((d) => DIGITS[+d]).join(''), target: s, where: `zh:${i + 1}` };
  });
}

describe('a spreadsheet export', () => {
  it('a CSV saved without its header line is refused saying what line 1 must be', async () => {
    const f = file('nohdr.csv', 'Go.,Va !\nHi.,Salut !\n');
    await expect(readPairs(f, 'nohdr.csv')).rejects.toThrow(/^nohdr\.csv:1: no 'source' column; the columns are "Go\.", "Va !"; a CSV of pairs starts with the header line source,target$/);
  });
});

describe('CJK text', () => {
  it('character tokens read each character (a vocabulary of the ten numerals) and learn the task', async () => {
    const r = await trainSeq2Seq(chinese(400), { units: 32, embeddingDim: 16, epochs: 8, lr: 0.02, batchSize: 16, seed: 1, samples: 0 });
    expect(r.spec.source.items.slice(4).sort()).toEqual([...DIGITS].sort());
    expect(r.heldOutUnknown).toEqual({ source: 0, target: 0 });
    expect(r.greedy.exact).toBeGreaterThan(0.9);
    const m = seq2seqModelOf(r.net, r.spec);
    expect(translateTexts(m, ['一二三', '四五六'], { beam: 2 }).map((t) => t.output)).toEqual(['123', '456']);
  });

  it('word tokens make each sentence one word: every held-out one is unknown, and the run says so with what to use', async () => {
    const f = file('zh.tsv', chinese(60).map((p) => `${p.source}\t${p.target}\n`).join(''));
    const out = path.join(dir, 'zh-word');
    const r = await run(['seq2seq', '--data', f, '--tokens', 'word', '--out', out, ...TINY]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Held-out tokens not in the training vocabulary (read as <unk>): source 100.00%, target 100.00%\n');
    expect(r.out).toContain('(with word tokens a text without spaces, such as Chinese or Japanese, is one word; --tokens char reads it character by character)\n');
    expect(readResults(out).data.heldOutUnknown).toEqual({ source: 1, target: 1 });
    // Character tokens on the same file: nothing unknown, nothing said.
    const chars = await run(['seq2seq', '--data', f, '--out', path.join(dir, 'zh-char'), ...TINY]);
    expect(chars.out).not.toContain('Held-out tokens not in the training vocabulary');
  });

  it('a capped vocabulary is counted too, without the word-token hint when most tokens are known', async () => {
    const r = await trainSeq2Seq(chinese(60), { units: 4, embeddingDim: 2, epochs: 1, seed: 1, samples: 0, maxVocab: 9 });
    expect(r.heldOutUnknown.source).toBeGreaterThan(0);
    expect(r.heldOutUnknown.source).toBeLessThan(0.5);
    expect(resultLines(r).join('\n')).toMatch(/^Held-out tokens not in the training vocabulary \(read as <unk>\): source \d+\.\d\d%, target \d+\.\d\d%$/m);
    expect(resultLines(r).join('\n')).not.toContain('with word tokens');
  });
});

describe('emoji and surrogates', () => {
  const emoji = ['👍', '🎉', '😀', '🚀', '🌍'];
  const pairs: Pair[] = Array.from({ length: 60 }, (_, i) => {
    const s = `${emoji[i % 5]}${emoji[(i >> 2) % 5]}${i % 3 ? '🏽' : ''}`;
    return { source: s, target: [...s].reverse().join(''), where: `emoji:${i + 1}` };
  });

  it('character tokens are whole code points: no vocabulary item, output or attention column is half a surrogate pair', async () => {
    const r = await trainSeq2Seq(pairs, { units: 8, embeddingDim: 4, epochs: 1, seed: 1, samples: 3 });
    const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    for (const item of [...r.spec.source.items, ...r.spec.target.items]) expect([...item]).toHaveLength(item.startsWith('<') ? [...item].length : 1);
    expect(r.spec.source.items).toContain('🏽'); // a skin tone is its own code point, as Keras reads it
    const m = seq2seqModelOf(r.net, r.spec);
    for (const t of translateTexts(m, ['👍🎉', '🚀🏽', '👍❤️'])) {
      expect(t.output).not.toMatch(lone);
      for (const tok of [...t.sourceTokens, ...t.outputTokens]) expect(tok).not.toMatch(lone);
    }
    for (const s of r.samples) expect(s.guess).not.toMatch(lone);
  });

  it('a lone surrogate (a JSON escape without its other half) is refused naming the line, side and character', async () => {
    const f = file('lone.jsonl', '{"source":"👍","target":"ok"}\n{"source":"a","target":"x\\ud83d"}\n');
    await expect(readPairs(f, 'lone.jsonl')).rejects.toThrow(/^lone\.jsonl:2: the target holds a lone surrogate U\+D83D at character 2 \(half of a surrogate pair, not a character\)/);
    const out = path.join(dir, 'lone');
    expectRefused(await run(['seq2seq', '--data', f, '--out', out, ...TINY]), 'seq2seq', /--data: .*lone\.jsonl:2: the target holds a lone surrogate/, out);
    await expect(trainSeq2Seq([...pairs, { source: '\udc00b', target: 'c', where: 'mine:7' }], { epochs: 1 })).rejects.toThrow(/^mine:7: the source holds a lone surrogate U\+DC00 at character 1/);
  });
});

describe('lengths and degenerate files', () => {
  it('an input longer than any training source still decodes, over all its tokens, and says when it ran out of steps', async () => {
    const r = await trainSeq2Seq(chinese(60), { units: 8, embeddingDim: 4, epochs: 1, seed: 1, samples: 0 });
    const m = seq2seqModelOf(r.net, r.spec);
    const long = '一二三四五六七八九零'.repeat(30);
    const [t] = translateTexts(m, [long]);
    expect(t.sourceTokens).toHaveLength(300);
    expect(t.weights.every((row) => row.length === 300)).toBe(true);
    expect(t.outputTokens.length).toBeLessThanOrEqual(r.spec.maxTargetLen + 1);
    expect(t.truncated).toBe(!t.outputTokens.includes('<end>'));
  });

  it('a single pair is refused as unsplittable; an empty target is refused by line', async () => {
    const one = file('one.tsv', 'Go.\tVa !\n');
    const out = path.join(dir, 'one');
    const r = await run(['seq2seq', '--data', one, '--out', out, ...TINY]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^rnnlab seq2seq: error: --data: .*one\.tsv: holds only one pair \(.*one\.tsv:1\); training and the held-out part \(--validation-split\) need at least one pair each: add pairs \(2 or more\)\n/);
    expect(existsSync(out)).toBe(false);
    const blank = file('blank.tsv', 'Go.\tVa !\nHi.\t\n');
    expectRefused(await run(['seq2seq', '--data', blank, '--out', out, ...TINY]), 'seq2seq', /--data: .*blank\.tsv:2: the target \(after the tab\) is empty/, out);
  });

  it('targets that are all one text train: the model learns to write it for anything', async () => {
    const same = chinese(80).map((p) => ({ ...p, target: 'oui' }));
    const r = await trainSeq2Seq(same, { units: 8, embeddingDim: 4, epochs: 6, lr: 0.05, batchSize: 8, seed: 1, samples: 0 });
    expect(r.spec.target.items.slice(4)).toEqual(['o', 'u', 'i']);
    expect(r.greedy.exact).toBe(1);
    expect(translateTexts(seq2seqModelOf(r.net, r.spec), ['九九九', 'hello']).map((t) => t.output)).toEqual(['oui', 'oui']);
  });
});
