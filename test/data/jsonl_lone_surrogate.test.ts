/**
 * A JSON escape can hold half a character (`"\ud83d"` without its low half), which UTF-8 files cannot: train,
 * evaluate and predict refuse such a row naming its line and field, as seq2seq refuses it in a pair.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRAIN_OPTION_NAMES } from '../../src/cli/text_cli.js';
import { loadTextDataset } from '../../src/data/text_dataset.js';
import { loneSurrogateProblem } from '../../src/data/text_surrogates.js';
import { readPairs } from '../../src/seq2seq/pairs.js';
import { readTexts } from '../../src/tasks/text_predict.js';
import { cleanup, tempDir } from '../cli/helpers.js';

afterAll(cleanup);
const dir = tempDir('rnnlab-lone-surrogate-');
const GOOD = Array.from({ length: 4 }, (_, i) => JSON.stringify({ text: `film number ${i}`, label: i % 2 ? 'pos' : 'neg' }));

function file(name: string, lines: string[]): string {
  const f = path.join(dir, name);
  writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}

const read = (f: string, o: Record<string, unknown> = {}) => loadTextDataset(f, { optionNames: TRAIN_OPTION_NAMES, ...o });

describe('a lone surrogate in a JSON Lines file of texts', () => {
  it('in the text is a bad row naming the line, field, code unit and character (train, evaluate)', async () => {
    // The escape as written in the file (as Python's json.dumps writes a string cut inside an emoji).
    const f = file('text.jsonl', [...GOOD, '{"text": "bad \\ud83d x", "label": "pos"}']);
    await expect(read(f)).rejects.toThrow(/^.*text\.jsonl:5: field 'text' holds a lone surrogate U\+D83D at character 5 \(half of a surrogate pair, not a character\); write the whole character \(skip such rows with --skip-bad-rows\)$/);
  });

  it('a whole pair (an emoji escaped as two halves) is a character and reads as it is', async () => {
    const ds = await read(file('pair.jsonl', [...GOOD, '{"text": "good \\ud83d\\ude00 x", "label": "pos"}']));
    expect(ds.texts[4]).toBe('good \u{1F600} x');
  });

  it('a low half alone, in a field named by --text-column, is named with that field', async () => {
    const f = file('low.jsonl', ['{"body": "\\ude00b", "label": "neg"}', ...GOOD.map((l) => l.replace('"text"', '"body"'))]);
    await expect(read(f, { textColumn: 'body' })).rejects.toThrow(/low\.jsonl:1: field 'body' holds a lone surrogate U\+DE00 at character 1 /);
  });

  it('in a label (which would become a class) is a bad row too', async () => {
    const f = file('label.jsonl', [...GOOD, '{"text": "fine", "label": "po\\ud83ds"}']);
    await expect(read(f)).rejects.toThrow(/label\.jsonl:5: field 'label' holds a lone surrogate U\+D83D at character 3 /);
  });

  it('--skip-bad-rows skips and counts the row', async () => {
    const ds = await read(file('skip.jsonl', [...GOOD, '{"text": "bad \\ud83d x", "label": "pos"}']), { skipBadRows: true });
    expect(ds.texts).toEqual(['film number 0', 'film number 1', 'film number 2', 'film number 3']);
    expect(ds.skipped).toBe(1);
    expect(ds.skippedRows[0]).toMatchObject({ where: expect.stringMatching(/skip\.jsonl:5$/), problem: expect.stringMatching(/^field 'text' holds a lone surrogate U\+D83D/) });
  });

  it("predict's JSON Lines texts refuse it in the text, and ignore labels as they ignore any label", async () => {
    const collect = async (f: string) => { const out: string[] = []; for await (const t of readTexts(f, 'jsonl', f)) out.push(t); return out; };
    await expect(collect(file('score.jsonl', ['{"text": "ok"}', '{"text": "bad \\ud83d x"}']))).rejects.toThrow(/score\.jsonl:2: field 'text' holds a lone surrogate U\+D83D at character 5/);
    expect(await collect(file('score_label.jsonl', ['{"text": "ok", "label": "\\ud83d"}']))).toEqual(['ok']);
  });

  it('seq2seq keeps its wording for the same escape (the check is shared)', async () => {
    const f = file('pairs.jsonl', ['{"source": "a", "target": "b"}', '{"source": "c", "target": "d\\ud83d"}']);
    await expect(readPairs(f, 'pairs.jsonl')).rejects.toThrow(/^pairs\.jsonl:2: the target holds a lone surrogate U\+D83D at character 2 \(half of a surrogate pair, not a character\); write the whole character$/);
  });

  it('the helper counts characters, not UTF-16 units, before the half', () => {
    expect(loneSurrogateProblem('\u{1F600}a\ud800', 'the text')).toMatch(/^the text holds a lone surrogate U\+D800 at character 3 /);
    expect(loneSurrogateProblem('\u{1F600} fine', 'the text')).toBeNull();
  });
});
