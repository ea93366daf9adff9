/**
 * A JSON Lines problem of the whole file (its shape, or the field its first row chose) is said without "skip such
 * rows with --skip-bad-rows": skipping cannot help when every row is bad. A problem of one row keeps the hint. Also
 * pinned here, as docs/CLI.md says them: how numeric labels name their classes, and where the vectorizer pads.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TRAIN_OPTION_NAMES } from '../../src/cli/text_cli.js';
import { loadTextDataset } from '../../src/data/text_dataset.js';
import { encodeLabels } from '../../src/data/text_labels.js';
import { TextVectorizer } from '../../src/data/text_vectorizer.js';
import { cleanup, tempDir } from '../cli/helpers.js';

afterAll(cleanup);

const dir = tempDir('rnnlab-jsonl-shape-');
const ROWS = Array.from({ length: 6 }, (_, i) => ({ text: `film number ${i}`, label: i % 2 ? 'pos' : 'neg' }));

function file(name: string, body: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, body);
  return f;
}

const read = (f: string, o: Record<string, unknown> = {}) => loadTextDataset(f, { optionNames: TRAIN_OPTION_NAMES, ...o });

describe('JSON Lines: the file, not a row', () => {
  it('a nested record where the first row chose the text field: no skip hint, even with --skip-bad-rows', async () => {
    const f = file('nested.jsonl', ROWS.map((r) => JSON.stringify({ review: { body: r.text }, label: r.label })).join('\n'));
    for (const skip of [false, true]) {
      const e = await read(f, { skipBadRows: skip }).then(() => null, (x: Error) => x.message);
      expect(e).toMatch(/^.*nested\.jsonl:1: field 'review' must be a non-empty string, got \{"body":"film number 0"\} \(a nested object: .*--text-column "review\.body"\)$/);
      expect(e).not.toMatch(/skip/);
    }
  });

  it("pandas's column-keyed to_json() output", async () => {
    const f = file('df.json', JSON.stringify({ text: Object.fromEntries(ROWS.map((r, i) => [i, r.text])), label: Object.fromEntries(ROWS.map((r, i) => [i, r.label])) }));
    await expect(read(f)).rejects.toThrow(/df\.json:1: .*orient='records', lines=True\)\)$/);
  });

  it('a CSV read as JSON Lines says so and names --format', async () => {
    const f = file('data.csv', `text,label\n${ROWS.map((r) => `${r.text},${r.label}`).join('\n')}\n`);
    await expect(read(f, { format: 'jsonl' })).rejects.toThrow(/^.*data\.csv:1: not valid JSON \(.*\): the file does not start with a JSON object, so it is not JSON Lines; it looks like a CSV header: read the file as csv \(--format csv\)$/);
    await expect(read(f, { format: 'jsonl', skipBadRows: true })).rejects.toThrow(/it looks like a CSV header/);
  });

  it('a pretty-printed object spread over lines', async () => {
    const f = file('pretty.json', JSON.stringify(ROWS[0], null, 2));
    await expect(read(f)).rejects.toThrow(/pretty\.json:1: not valid JSON \(.*\): the object goes on over the next lines; JSON Lines needs each object on one line, e\.g\. \{"text": "\.\.\.", "label": "\.\.\."\}$/);
  });

  it('one bad row among good ones keeps the hint, and --skip-bad-rows skips it', async () => {
    const lines = ROWS.map((r) => JSON.stringify(r));
    lines.splice(2, 0, '{"text": "cut off', JSON.stringify({ text: { body: 'x' }, label: 'pos' }));
    const f = file('rows.jsonl', lines.join('\n'));
    await expect(read(f)).rejects.toThrow(/rows\.jsonl:3: not valid JSON .* \(skip such rows with --skip-bad-rows\)$/);
    const ds = await read(f, { skipBadRows: true });
    expect(ds.texts).toHaveLength(ROWS.length);
    expect(ds.skippedRows.map((b) => b.where)).toEqual([`${f}:3`, `${f}:4`]);
  });
});

describe('numeric labels, as docs/CLI.md says', () => {
  it('one number written two ways is one class, named plainly when the data has the plain spelling', () => {
    const where = ['a:1', 'a:2', 'a:3', 'a:4'];
    expect(encodeLabels(['1', '1.0', '0', '0.0'], where, 'a').classNames).toEqual(['0', '1']);
    // Written only as floats (a pandas float column), the classes keep that spelling.
    expect(encodeLabels(['1.0', '0.0', '1.0', '0.0'], where, 'a').classNames).toEqual(['0.0', '1.0']);
    // A model of those classes matches 0 and 1 by value.
    expect(Array.from(encodeLabels(['1', '0', '1', '0'], where, 'b', ['0.0', '1.0']).ids)).toEqual([1, 0, 1, 0]);
  });
});

describe("the vectorizer pads and cuts at the front (the lab's pad_sequences, not TextVectorization's end)", () => {
  it('keeps the last maxlen words and puts the padding first', () => {
    const v = new TextVectorizer({ maxlen: 3 });
    v.adapt(['a b c d e']);
    const [long, short] = v.toSequences(['a b c d e', 'e']);
    const x = v.encode(['a b c d e', 'e']);
    expect(Array.from(x.data.subarray(0, 3))).toEqual(Array.from(long.slice(-3)));
    expect(Array.from(x.data.subarray(3, 6))).toEqual([0, 0, short[0]]);
    expect(v.toJSON()).toMatchObject({ padding: 'pre', truncating: 'pre' });
  });
});
