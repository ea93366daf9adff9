/**
 * rnnlab train / predict / evaluate end to end on files shaped as public datasets come: a Kaggle CSV written by
 * pandas (index columns, BOM, CRLF, quoted newlines, string labels), its test file with the label column left
 * blank, and a Hugging Face JSON Lines export with 0/1 labels. Runs the CLI in-process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, run, tempDir } from '../cli/helpers.js';
import { topicTexts } from './helpers.js';

const dir = tempDir('rnnlab-real-');
afterAll(cleanup);

// Two topics stand in for sentiment: their words give the class away, so a trained model must get them right.
const SENTIMENT: Record<string, string> = { arts: 'positive', sports: 'negative' };
const rows = (n: number, seed: number) => topicTexts(n, seed, ['arts', 'sports']).map((r) => ({ text: r.text, label: SENTIMENT[r.label] }));
const quote = (t: string) => `"${t.replace(/"/g, '""')}"`;

/** pandas's df.to_csv() of a frame read with its own index, saved from Windows with Excel's BOM and a blank row. */
function kaggleCsv(file: string, data: { text: string; label: string }[]): string {
  const body = data.map((r, i) => `${i},${i},${quote(i % 5 === 0 ? `${r.text}\r\nShe said "so".` : r.text)},${r.label}`);
  writeFileSync(file, `\ufeff,Unnamed: 0,review,sentiment\r\n${body.join('\r\n')}\r\n,,,\r\n\r\n`);
  return file;
}

const model = path.join(dir, 'kaggle');
const probe = rows(15, 77);

beforeAll(async () => {
  const r = await run(['train', '--data', kaggleCsv(path.join(dir, 'IMDB Dataset.csv'), rows(100, 5)), '--model', 'gru', '--units', '16',
    '--embedding-dim', '16', '--epochs', '6', '--batch-size', '16', '--seed', '2', '--out', model]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
}, 120_000);

describe('a model trained on a Kaggle CSV', () => {
  it('trained on every row (the blank spreadsheet row is no example) with the string labels as classes', () => {
    const results = JSON.parse(readFileSync(path.join(model, 'results.json'), 'utf8'));
    expect(results.data).toMatchObject({ classes: ['negative', 'positive'], train: 180, validation: 20, skipped: 0 });
    const spec = JSON.parse(readFileSync(path.join(model, 'model', 'rnnlab-text.json'), 'utf8'));
    expect(spec.classes).toEqual(['negative', 'positive']);
    // The quoted newline's second line is part of its text: its words are in the vocabulary.
    expect(spec.vectorizer.vocabulary).toContain('she');
  });

  it("scores the test CSV whose label column is blank, in order (such a file was refused for its 'blank label')", async () => {
    const file = path.join(dir, 'test.csv');
    writeFileSync(file, `id,review,sentiment\r\n${probe.map((p, i) => `${i},${quote(p.text)},`).join('\r\n')}\r\n`);
    const r = await run(['predict', '--model', model, '--file', file, '--format', 'jsonl']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const recs = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(recs.map((x) => x.text)).toEqual(probe.map((p) => p.text));
    // Chance is one half; trained 12 batches an epoch for 6 epochs the model gets all 30 right (seeds 2, 3 and 4).
    expect(recs.filter((x, i) => x.label === probe[i].label).length).toBeGreaterThanOrEqual(27);
  });

  it('is measured on a Hugging Face export with 0/1 labels, matched to negative/positive by polarity', async () => {
    const file = path.join(dir, 'test.json');
    writeFileSync(file, probe.map((p, idx) => JSON.stringify({ text: p.text, label: p.label === 'positive' ? 1 : 0, idx })).join('\n') + '\n');
    const r = await run(['evaluate', '--model', model, '--data', file, '--out', path.join(dir, 'eval')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const accuracy = Number(/^Accuracy: ([\d.]+)%/.exec(r.out)![1]);
    expect(accuracy).toBeGreaterThanOrEqual(90);
  });

  it("refuses an export whose rows change their text field, naming the line and the field the file's first row chose", async () => {
    const file = path.join(dir, 'drift.jsonl');
    writeFileSync(file, `${JSON.stringify({ text: probe[0].text, label: 1 })}\n${JSON.stringify({ sentence: probe[1].text, label: 0 })}\n`);
    const r = await run(['evaluate', '--model', model, '--data', file, '--out', path.join(dir, 'eval-drift')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/drift\.jsonl:2: no text field 'text' \(line 1 chose the file's fields\): every row needs it; its fields are "sentence", "label" \(skip such rows with --skip-bad-rows\)/);
    expect(r.out).toBe('');
  });

  it('scores JSON Lines rows whose label is absent or null after a first row that has one', async () => {
    const file = path.join(dir, 'score.jsonl');
    writeFileSync(file, `{"text":"a museum","label":1}\n{"text":"the stadium"}\n{"text":"opera","label":null}\n`);
    const r = await run(['predict', '--model', model, '--file', file, '--format', 'jsonl']);
    expect(r.err).toBe('');
    expect(r.out.trim().split('\n').map((l) => JSON.parse(l).text)).toEqual(['a museum', 'the stadium', 'opera']);
  });
});
