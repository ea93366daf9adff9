import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imdbModel } from '../../src/experiments/lab_models.js';
import { saveImdbModel } from '../../src/experiments/model_store.js';
import { loadTextClassifier, TEXT_SPEC_FILE } from '../../src/tasks/text_classifier_file.js';
import { formatPredictions } from '../../src/tasks/text_format.js';
import { predictTexts, readTexts, type PredictionRecord } from '../../src/tasks/text_predict.js';
import { trainTextClassifier } from '../../src/tasks/text_train.js';
import { topicTexts, writeJsonl } from './helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-text-predict-'));
const modelDir = path.join(root, 'run', 'model');
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await trainTextClassifier({ data: writeJsonl(root, 'topics.jsonl', topicTexts(150, 1)), model: 'gru', epochs: 6, batchSize: 32, units: 16, embeddingDim: 16, saveTo: modelDir, seed: 3 });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('predictTexts', () => {
  it('keeps input order across batches and gives the same scores whatever the batch size', async () => {
    const texts = topicTexts(7, 3).map((t) => t.text);
    async function* lazily() { for (const t of texts) yield t; }
    const a = await collect(predictTexts(path.join(root, 'run'), lazily(), { batchSize: 4 }));
    const b = await collect(predictTexts(modelDir, texts, { batchSize: 1000 }));
    expect(a.map((r) => r.text)).toEqual(texts);
    expect(a.map((r) => r.index)).toEqual(texts.map((_, i) => i));
    a.forEach((r, i) => {
      expect(r.label).toBe(b[i].label);
      expect(r.probability).toBeCloseTo(b[i].probability!, 5);
      expect(r.probability).toBe(Math.max(...Object.values(r.probabilities)));
    });
  });

  it('a failing read still yields every text read before it (the part of a batch it held), then throws', async () => {
    const texts = topicTexts(6, 5).map((t) => t.text);
    async function* failsAfterSix() { yield* texts; throw new Error('in.txt:7: line is longer than 10 characters'); }
    const got: string[] = [];
    await expect((async () => { for await (const r of predictTexts(modelDir, failsAfterSix(), { batchSize: 4 })) got.push(r.text); })())
      .rejects.toThrow(/in\.txt:7: line is longer/);
    expect(got).toEqual(texts);
  });

  it('checks topK and batchSize', async () => {
    await expect(collect(predictTexts(modelDir, ['x'], { topK: 4 }))).rejects.toThrow(/topK must be an integer in \[1, 3\]/);
    await expect(collect(predictTexts(modelDir, ['x'], { batchSize: 0 }))).rejects.toThrow(/batchSize must be a positive integer/);
  });

  it('formats records as CSV (RFC 4180), JSON Lines and a table', async () => {
    const recs = await collect(predictTexts(modelDir, ['plain text', 'with, comma and "quotes"\nand a newline'], { topK: 2 }));
    async function* again() { yield* recs; }
    const csv = await collect(formatPredictions(again(), 'csv', ['arts', 'science', 'sports']));
    expect(csv[0]).toBe('text,label,probability,p_arts,p_science,p_sports');
    expect(csv[2].startsWith('"with, comma and ""quotes""\nand a newline",')).toBe(true);
    expect(csv[1].split(',')).toHaveLength(6);
    const jsonl = (await collect(formatPredictions(again(), 'jsonl', ['arts', 'science', 'sports']))).map((l) => JSON.parse(l) as PredictionRecord);
    expect(jsonl.map((r) => r.text)).toEqual(['plain text', 'with, comma and "quotes"\nand a newline']);
    expect(Object.keys(jsonl[0].probabilities)).toEqual(['arts', 'science', 'sports']);
    expect(jsonl[0].top).toHaveLength(2);
    const table = await collect(formatPredictions(again(), 'table', ['arts', 'science', 'sports']));
    expect(table[0]).toMatch(/^prob\s+label\s+text$/);
    expect(table[1]).toMatch(/^\d\.\d{4} {2}\w+\s+"plain text" {2}\[\w+ \d\.\d{3}, \w+ \d\.\d{3}\]$/);
    await expect(collect(formatPredictions(again(), 'xml' as never, []))).rejects.toThrow(/format must be one of table, csv, jsonl/);
  });
});

describe('reading, scoring and formatting a file (what rnnlab predict --file does)', () => {
  it('reads a CSV text column or stdin lines and gives one formatted line per input, in order', async () => {
    const csv = path.join(root, 'score.csv');
    writeFileSync(csv, 'id,body\n1,the referee and the football coach\n2,"a quantum physics laboratory, at night"\n');
    const classes = ['arts', 'science', 'sports'];
    const lines = await collect(formatPredictions(predictTexts(modelDir, readTexts(csv, 'csv', csv, { textColumn: 'body' })), 'jsonl', classes));
    expect(lines.map((l) => JSON.parse(l).text)).toEqual(['the referee and the football coach', 'a quantum physics laboratory, at night']);
    expect(lines.map((l) => JSON.parse(l).label)).toEqual(['sports', 'science']);
    const stdin = readTexts(Readable.from([Buffer.from('-starts with a dash\nopera and museum\n')]), 'lines', 'stdin');
    const table = await collect(formatPredictions(predictTexts(modelDir, stdin, { topK: 3 }), 'table', classes));
    expect(table).toHaveLength(3);
    expect(table[1]).toMatch(/"-starts with a dash"/);
    const bad = readTexts(Readable.from([Buffer.from([0x61, 0xfe, 0x0a])]), 'lines', 'stdin');
    await expect(collect(predictTexts(modelDir, bad))).rejects.toThrow(/stdin:1: byte 0xfe is not UTF-8/);
  });
});

describe('readTexts', () => {
  it('reads lines from a stream (blank lines kept, to keep outputs in line), and the text column of CSV / JSONL', async () => {
    expect(await collect(readTexts(Readable.from([Buffer.from('one\r\n\ntwo -- with dash\n-three')]), 'lines', 'stdin'))).toEqual(['one', '', 'two -- with dash', '-three']);
    const csv = path.join(root, 'in.csv');
    writeFileSync(csv, 'id,review\n1,"good, very"\n2,bad\n');
    expect(await collect(readTexts(csv, 'csv', csv))).toEqual(['good, very', 'bad']);
    expect(await collect(readTexts(Readable.from([Buffer.from('{"text": "a"}\n{"text": "b", "label": 1}\n')]), 'jsonl', 'stdin'))).toEqual(['a', 'b']);
    await expect(collect(readTexts(csv, 'csv', csv, { textColumn: 'body' }))).rejects.toThrow(/no text column 'body'.*"id", "review"/);
  });

  it('a CSV of a header alone, or an empty JSON Lines file, holds no texts (as an empty lines file); only bad rows is an error', async () => {
    const header = path.join(root, 'header.csv');
    writeFileSync(header, 'text,label\n');
    expect(await collect(readTexts(header, 'csv', header))).toEqual([]);
    expect(await collect(readTexts(Readable.from([Buffer.from('\n')]), 'jsonl', 'stdin'))).toEqual([]);
    const broken = path.join(root, 'broken.jsonl');
    writeFileSync(broken, '{"text": \n[1]\n');
    await expect(collect(readTexts(broken, 'jsonl', broken))).rejects.toThrow(/broken\.jsonl:1: /);
    await expect(collect(readTexts(broken, 'jsonl', broken, { skipBadRows: true }))).rejects.toThrow(/broken\.jsonl: every row was bad \(2 skipped; first: .*broken\.jsonl:1: /);
  });
});

describe('loading a classifier', () => {
  it('rejects a broken rnnlab-text.json naming the file and field', async () => {
    const dir = path.join(root, 'broken');
    const { cpSync } = await import('node:fs');
    cpSync(modelDir, dir, { recursive: true });
    const spec = JSON.parse(readFileSync(path.join(dir, TEXT_SPEC_FILE), 'utf8'));
    writeFileSync(path.join(dir, TEXT_SPEC_FILE), JSON.stringify({ ...spec, classes: ['a', 'b'] }));
    await expect(loadTextClassifier(dir)).rejects.toThrow(/rnnlab-text\.json: 2 classes need 1 output unit\(s\) but the model has 3/);
    writeFileSync(path.join(dir, TEXT_SPEC_FILE), JSON.stringify({ ...spec, vectorizer: { ...spec.vectorizer, maxlen: 'long' } }));
    await expect(loadTextClassifier(dir)).rejects.toThrow(/rnnlab-text\.json: vectorizer: field 'maxlen' must be a positive integer/);
    writeFileSync(path.join(dir, TEXT_SPEC_FILE), '{"format": ');
    await expect(loadTextClassifier(dir)).rejects.toThrow(/rnnlab-text\.json: not valid JSON/);
    await expect(loadTextClassifier(root)).rejects.toThrow(/no saved model here/);
  });

  it('scores with an IMDb model saved by rnnlab imdb (rnnlab-input.json) as negative / positive', async () => {
    const dir = path.join(root, 'imdb');
    const m = imdbModel('lstm', { vocab: 100, maxlen: 20, embeddingDim: 4, units: 4 });
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await saveImdbModel(dir, m, 'lstm', { vocab: 100, maxlen: 20 }, {});
    const recs = await collect(predictTexts(dir, ['a great film', 'awful']));
    expect(Object.keys(recs[0].probabilities)).toEqual(['negative', 'positive']);
    expect(recs[0].probabilities.negative + recs[0].probabilities.positive).toBeCloseTo(1, 6);
    // Its rnnlab-input.json is checked as predict's command checks it: a vocab beyond the Embedding is refused.
    const spec = JSON.parse(readFileSync(path.join(dir, 'rnnlab-input.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path.join(dir, 'rnnlab-input.json'), JSON.stringify({ ...spec, vocab: 101 }));
    await expect(loadTextClassifier(dir)).rejects.toThrow(/rnnlab-input\.json: field 'vocab' must be an integer from 4 to 100, got 101/);
  });
});

describe('class names that are Object.prototype keys', () => {
  it("a class named '__proto__' has its own entry in probabilities, which sum to 1", async () => {
    const dir = path.join(root, 'proto', 'model');
    const rows = topicTexts(40, 9, ['arts', 'sports']).map((r) => ({ text: r.text, label: r.label === 'arts' ? '__proto__' : 'constructor' }));
    await trainTextClassifier({ data: writeJsonl(root, 'proto.jsonl', rows), model: 'gru', epochs: 1, batchSize: 32, units: 8, embeddingDim: 8, saveTo: dir, seed: 1 });
    const [rec] = await collect(predictTexts(dir, [rows[0].text], { topK: 2 }));
    expect(Object.keys(rec.probabilities).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.hasOwn(rec.probabilities, '__proto__')).toBe(true);
    const p = (c: string) => rec.probabilities[c];
    expect(p('__proto__') + p('constructor')).toBeCloseTo(1, 6);
    expect(rec.probabilities[rec.label!]).toBe(rec.probability);
    expect(JSON.parse(JSON.stringify(rec)).probabilities).toHaveProperty(['__proto__']);
  });
});
