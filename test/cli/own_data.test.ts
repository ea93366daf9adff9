/**
 * rnnlab train / predict / evaluate on a user's own awkward files: a BOM, CRLF, quoted fields, a header in other
 * case, numeric labels written 1.0. Runs the CLI in-process (no dist needed).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, readResults, run, tempDir } from './helpers.js';

const WORDS: Record<string, string[]> = {
  arts: ['painting', 'museum', 'opera', 'gallery'],
  science: ['atom', 'genome', 'telescope', 'physics'],
  sports: ['football', 'tennis', 'league', 'stadium'],
};

/** n rows per class, each two topic words and a filler, in a fixed order. */
function rows(n: number, classes = Object.keys(WORDS)): { text: string; label: string }[] {
  const out: { text: string; label: string }[] = [];
  for (let i = 0; i < n; i++) for (const c of classes) out.push({ text: `${WORDS[c][i % 4]}, "the" ${WORDS[c][(i + 1) % 4]}`, label: c });
  return out;
}

/** A spreadsheet's export: BOM, CRLF, header in other case, every text quoted (it holds a comma and quotes). */
function spreadsheetCsv(file: string, data: { text: string; label: string }[]): string {
  const body = data.map((r) => `"${r.text.replace(/"/g, '""')}",${r.label}`).join('\r\n');
  writeFileSync(file, `\ufeffText,Label\r\n${body}`);
  return file;
}

const dir = tempDir('rnnlab-own-');
afterAll(cleanup);

describe('a three-class model trained on a spreadsheet CSV', () => {
  const model = path.join(dir, 'topics');
  beforeAll(async () => {
    const r = await run(['train', '--data', spreadsheetCsv(path.join(dir, 'topics.csv'), rows(30)), '--model', 'gru', '--units', '8',
      '--embedding-dim', '8', '--epochs', '40', '--seed', '1', '--out', model]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  }, 120_000);

  it('learns the topics and names the classes from the labels', () => {
    const results = readResults(model);
    expect(results.data.classes).toEqual(['arts', 'science', 'sports']);
    expect(results.metrics.validationAccuracy).toBeGreaterThan(0.8);
  });

  it('predict --format csv --top-k K adds the K best classes as columns, in order', async () => {
    const r = await run(['predict', '--model', model, '--format', 'csv', '--top-k', '2', 'opera gallery', 'atom, "genome"', '--', ' ']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe('text,label,probability,p_arts,p_science,p_sports,top1_label,top1_probability,top2_label,top2_probability');
    for (const line of lines.slice(1, 3)) {
      // Commas outside quotes separate the cells (RFC 4180).
      const cells = line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
      expect(cells).toHaveLength(10);
      const p = { arts: Number(cells[3]), science: Number(cells[4]), sports: Number(cells[5]) };
      const ranked = Object.entries(p).sort((a, b) => b[1] - a[1]);
      expect([cells[6], Number(cells[7])]).toEqual(ranked[0]);
      expect([cells[8], Number(cells[9])]).toEqual(ranked[1]);
      expect(cells[1]).toBe(cells[6]);
    }
    expect(lines[1].split(',')[1]).toBe('arts');
    expect(lines[2]).toMatch(/^"atom, ""genome""",science,/);
    // A blank text: an empty output, with every column there.
    expect(lines[3]).toBe(' ,,,,,,,,,');
  });
});

describe('evaluate on labels written as numbers (1.0 / 0)', () => {
  const model = path.join(dir, 'sentiment');
  const POS = ['good', 'great', 'love', 'fine'], NEG = ['bad', 'awful', 'hate', 'poor'];
  const sentiment = (n: number, pos: string, neg: string) => Array.from({ length: n }, (_, i) => (i % 2
    ? { text: `${NEG[i % 4]} ${NEG[(i + 1) % 4]}`, label: neg } : { text: `${POS[i % 4]} ${POS[(i + 3) % 4]}`, label: pos }));
  beforeAll(async () => {
    const r = await run(['train', '--data', spreadsheetCsv(path.join(dir, 'reviews.csv'), sentiment(60, 'pos', 'neg')), '--units', '8',
      '--embedding-dim', '8', '--epochs', '30', '--seed', '2', '--out', model]);
    expect(r.code).toBe(0);
  }, 120_000);

  it('matches 1.0 / 0.0 to pos / neg by polarity, as it does 1 / 0', async () => {
    const data = spreadsheetCsv(path.join(dir, 'numeric.csv'), sentiment(20, '1.0', '0.0'));
    const r = await run(['evaluate', '--model', model, '--data', data, '--out', path.join(dir, 'ev-polarity')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Labels mapped: 1\.0 -> pos, 0\.0 -> neg/);
    expect(r.out).toMatch(/^Accuracy: 100\.00%/);
  });

  it('--label-map 0=neg,1=pos maps labels written 0.0 and 1.0 (a numeric label matches by value)', async () => {
    const data = spreadsheetCsv(path.join(dir, 'numeric2.csv'), sentiment(20, '1.0', '0.0'));
    const r = await run(['evaluate', '--model', model, '--data', data, '--label-map', '0=neg,1=pos', '--out', path.join(dir, 'ev-map')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(readResults(path.join(dir, 'ev-map')).metrics.testAccuracy).toBe(1);
  });
});

describe('rnnlab tokenize --fit follows Keras\'s Tokenizer for any num_words', () => {
  const texts = ['The cat sat on the mat.', 'The dog ate my homework.'];

  it('--vocab 3 --oov keeps ids below 3 (the oov token and "the") and turns the rest into the oov id, as Keras does', async () => {
    const r = await run(['tokenize', '--fit', '--vocab', '3', '--oov', '<OOV>', '--maxlen', '6', ...texts]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // Keras: Tokenizer(num_words=3, oov_token='<OOV>') gives [[2, 1, 1, 1, 2, 1], [2, 1, 1, 1, 1]].
    expect(r.out).toContain('Ids:     [2, 1, 1, 1, 2, 1]');
    expect(r.out).toContain('Ids:     [2, 1, 1, 1, 1]');
  });

  it('--vocab 2 without an oov token keeps only "the"; the IMDb index still needs 4 (ids 0-2 reserved)', async () => {
    const r = await run(['tokenize', '--fit', '--vocab', '2', '--maxlen', '3', ...texts]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Ids:     [1, 1]');
    expect(r.out).toContain('Ids:     [1]');
    const imdb = await run(['tokenize', '--vocab', '3', 'great film']);
    expect(imdb.code).toBe(2);
    expect(imdb.err).toMatch(/--vocab must be an integer from 4 to 1000000, got '3' \(ids 0 to 2 are the IMDb index's/);
  });
});
