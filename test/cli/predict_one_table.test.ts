/**
 * rnnlab predict on an IMDb model prints one table whatever the way it is asked: the default, an explicit
 * `--format table`, `--file`, `--top-k`; and its probability column is the predicted label's, as for a text
 * classifier. Before, the default printed P(positive) without a header while the others printed P(label)
 * without the Model line or the known-word counts, and a model saved without rnnlab-input.json failed with --file.
 */
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATA, isolatedCache, run, tempDir } from './helpers.js';

isolatedCache();

const TEXTS = ['A wonderful film, beautifully acted.', 'Dull, boring and far too long.', 'the worst qwzxv film'];
let run1: string;

beforeAll(async () => {
  run1 = tempDir();
  const r = await run(['imdb', '--model', 'lstm', '--limit', '40', '--epochs', '1', '--maxlen', '20', '--units', '4', '--embedding-dim', '4', '--verbose', '0', '--data', DATA, '--out', run1]);
  expect(r.code, r.err).toBe(0);
}, 180_000);

function rows(out: string): string[] {
  return out.trimEnd().split('\n').filter((l) => /^\d\.\d{4} /.test(l));
}

describe('rnnlab predict on an IMDb model: one table', () => {
  it('the default output is --format table\'s, with the Model line, a header and the known words', async () => {
    const plain = await run(['predict', '--model', run1, ...TEXTS]);
    const table = await run(['predict', '--model', run1, '--format', 'table', ...TEXTS]);
    expect(plain.code, plain.err).toBe(0);
    expect(table.out).toBe(plain.out);
    const lines = plain.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Model: lstm \(vocab 10000, maxlen 20, test accuracy \d+\.\d\d%\)$/);
    expect(lines[1]).toMatch(/^prob {4}label {5}text$/);
    expect(lines).toHaveLength(2 + TEXTS.length);
    expect(lines[4]).toMatch(/^\d\.\d{4} {2}(positive|negative) {2}"the worst qwzxv film" {2}\(3 known words\)$/);
  });

  it('--file and --top-k give the same rows as texts given as arguments', async () => {
    const file = path.join(tempDir(), 'reviews.txt');
    writeFileSync(file, `${TEXTS.join('\n')}\n`);
    const plain = await run(['predict', '--model', run1, ...TEXTS]);
    const fromFile = await run(['predict', '--model', run1, '--file', file]);
    expect(fromFile.code, fromFile.err).toBe(0);
    expect(fromFile.out).toBe(plain.out);
    const top = await run(['predict', '--model', run1, '--top-k', '1', ...TEXTS]);
    expect(rows(top.out).map((l) => l.slice(0, 16))).toEqual(rows(plain.out).map((l) => l.slice(0, 16)));
  });

  it("the probability column is the predicted label's, as CSV's probability column (and 1 - p_positive for negative)", async () => {
    const table = rows((await run(['predict', '--model', run1, ...TEXTS])).out);
    const csv = (await run(['predict', '--model', run1, '--format', 'csv', ...TEXTS])).out.trimEnd().split('\n');
    expect(csv[0]).toBe('text,label,probability,p_negative,p_positive');
    const recs = csv.slice(1).map((l) => { const f = l.split(','); return { label: f.at(-4)!, p: Number(f.at(-3)), neg: Number(f.at(-2)), pos: Number(f.at(-1)) }; });
    table.forEach((l, i) => {
      const [p, label] = l.split(/\s+/);
      expect(label).toBe(recs[i].label);
      expect(Number(p)).toBeCloseTo(recs[i].p, 4);
      expect(Number(p)).toBeCloseTo(label === 'positive' ? recs[i].pos : 1 - recs[i].pos, 4);
      expect(Number(p)).toBeGreaterThanOrEqual(0.5);
    });
  });

  it('a Layers model without rnnlab-input.json reads as an IMDb model in every output, --file included', async () => {
    const bare = path.join(tempDir(), 'bare');
    cpSync(path.join(run1, 'model'), bare, { recursive: true });
    rmSync(path.join(bare, 'rnnlab-input.json'));
    const file = path.join(tempDir(), 'reviews.txt');
    writeFileSync(file, `${TEXTS.join('\n')}\n`);
    const plain = await run(['predict', '--model', bare, ...TEXTS]);
    const fromFile = await run(['predict', '--model', bare, '--file', file]);
    expect(plain.code, plain.err).toBe(0);
    expect(fromFile.code, fromFile.err).toBe(0);
    expect(fromFile.out).toBe(plain.out);
    expect(plain.out.split('\n')[0]).toMatch(/^Model: sequential\S* \(vocab 10000, maxlen 20\)$/);
    expect(rows(plain.out)).toEqual(rows((await run(['predict', '--model', run1, ...TEXTS])).out));
  });

  it('a CSV --file is read whole before anything is printed: a bad row at its end stops the run with nothing out', async () => {
    const csv = path.join(tempDir(), 'reviews.csv');
    writeFileSync(csv, `text\n${TEXTS.map((t) => `"${t}"`).join('\n')}\n"never closed\n`);
    const r = await run(['predict', '--model', run1, '--file', csv]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/reviews\.csv:5: /);
    // A lines file streams: the lines before a bad one are scored and printed first.
    const lines = path.join(tempDir(), 'reviews.txt');
    writeFileSync(lines, Buffer.concat([Buffer.from(`${TEXTS.join('\n')}\n`), Buffer.from([0x61, 0xfe, 0x0a])]));
    const l = await run(['predict', '--model', run1, '--file', lines]);
    expect(l.code).toBe(1);
    expect(rows(l.out)).toHaveLength(TEXTS.length);
  });
});
