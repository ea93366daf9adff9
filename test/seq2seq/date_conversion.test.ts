/**
 * tfjs-examples' date-conversion-attention task on rnnlab: dates written in that example's thirteen formats
 * ('20JAN2019', '012019', 'JAN 20, 19', '2019.01.20', ...) to ISO YYYY-MM-DD, from a users' pairs file through
 * `rnnlab seq2seq --data` and through rl.seq2seq. It learns (held-out and fresh dates), the CLI and the API train the
 * same model, `rnnlab translate` agrees with translateTexts, a save and load decodes identically, and the attention
 * matrices are well formed and look where the digits are.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/random.js';
import { attentionHeatmap, displayWidth } from '../../src/seq2seq/heatmap.js';
import type { Pair } from '../../src/seq2seq/pairs.js';
import { loadSeq2Seq, saveSeq2Seq, seq2seqModelOf, type Seq2SeqModel } from '../../src/seq2seq/store.js';
import { trainSeq2Seq, type Seq2SeqTrainResult } from '../../src/seq2seq/train.js';
import { translateTexts } from '../../src/seq2seq/translate.js';
import { readResults, run } from '../cli/helpers.js';
import { scratchFolder } from './helpers.js';

const { dir, file } = scratchFolder();

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const two = (n: number) => String(n).padStart(2, '0');
const yy = (y: number) => String(y).slice(2);

/** The example's input formats (date_format.js's INPUT_FNS), written anew: y, m 1-12, d -> text. */
const FORMATS: ((y: number, m: number, d: number) => string)[] = [
  (y, m, d) => `${two(d)}${MONTHS[m - 1]}${y}`,
  (y, m, d) => `${two(m)}${two(d)}${yy(y)}`,
  (y, m, d) => `${two(m)}/${two(d)}/${yy(y)}`,
  (y, m, d) => `${two(m)}/${two(d)}/${y}`,
  (y, m, d) => `${two(d)}-${two(m)}-${y}`,
  (y, m, d) => `${MONTHS[m - 1]} ${two(d)} ${yy(y)}`,
  (y, m, d) => `${MONTHS[m - 1]} ${two(d)} ${y}`,
  (y, m, d) => `${MONTHS[m - 1]} ${two(d)}, ${yy(y)}`,
  (y, m, d) => `${MONTHS[m - 1]} ${two(d)}, ${y}`,
  (y, m, d) => `${two(d)}.${two(m)}.${y}`,
  (y, m, d) => `${y}.${two(m)}.${two(d)}`,
  (y, m, d) => `${y}${two(m)}${two(d)}`,
  (y, m, d) => `${y}-${two(m)}-${two(d)}`,
];
const YEAR_FIRST_DOTS = 10; // '2019.01.20': the day is the last two characters, the year the first four

/** n dates from 1950-01-01 to 2049-12-31 (two-digit years are unambiguous there), each in a random format. */
function dates(n: number, seed: number, format?: number): Pair[] {
  const rng = new Random(seed);
  const start = Date.UTC(1950, 0, 1), days = (Date.UTC(2050, 0, 1) - start) / 86_400_000;
  return Array.from({ length: n }, (_, i) => {
    const t = new Date(start + rng.int(days) * 86_400_000);
    const y = t.getUTCFullYear(), m = t.getUTCMonth() + 1, d = t.getUTCDate();
    return { source: FORMATS[format ?? rng.int(FORMATS.length)](y, m, d), target: `${y}-${two(m)}-${two(d)}`, where: `dates:${i + 1}` };
  });
}

const OPTIONS = { units: 32, embeddingDim: 16, epochs: 10, lr: 0.01, batchSize: 64, seed: 1, samples: 5, verbose: 0 as const };
const pairs = dates(3000, 1);
const seen = new Set(pairs.map((p) => p.source));
/** Dates written as no training pair writes them. */
const fresh = dates(400, 99).filter((p) => !seen.has(p.source)).slice(0, 200);

let api: Seq2SeqTrainResult;
let trained: Seq2SeqModel;

beforeAll(async () => {
  api = await trainSeq2Seq(pairs, OPTIONS);
  trained = seq2seqModelOf(api.net, api.spec);
}, 120_000);

const exactShare = (outputs: readonly string[], truths: readonly Pair[]) => outputs.filter((o, i) => o === truths[i].target).length / truths.length;

describe('date conversion (tfjs-examples formats) with Luong attention', () => {
  it('learns: held-out pairs and fresh dates come out right, greedily and by beam search', () => {
    // Chance is nil: ten characters, each one of eleven.
    expect(api.greedy.exact).toBeGreaterThan(0.9);
    expect(api.greedy.perToken).toBeGreaterThan(0.97);
    expect(api.counts).toMatchObject({ train: 2700, validation: 300, skippedLong: 0 });
    expect(api.heldOutUnknown).toEqual({ source: 0, target: 0 });
    expect(fresh.length).toBe(200);
    const sources = fresh.map((p) => p.source);
    expect(exactShare(translateTexts(trained, sources).map((t) => t.output), fresh)).toBeGreaterThan(0.9);
    expect(exactShare(translateTexts(trained, sources, { beam: 3 }).map((t) => t.output), fresh)).toBeGreaterThan(0.9);
  });

  it('a saved and loaded model translates identically: outputs, scores and attention, greedy and beam', async () => {
    await saveSeq2Seq(path.join(dir, 'dates'), api.net, api.spec);
    const loaded = await loadSeq2Seq(path.join(dir, 'dates'));
    const sources = fresh.slice(0, 60).map((p) => p.source);
    for (const beam of [0, 3]) expect(translateTexts(loaded, sources, { beam })).toEqual(translateTexts(trained, sources, { beam }));
  });

  it('attention: a row per output token and <end>, a column per source character, each row summing to 1; the day digits look at the day', () => {
    const year = [0, 1, 2, 3], day = [8, 9];
    let yearOnDay = 0, dayOnDay = 0;
    const inputs = dates(50, 7, YEAR_FIRST_DOTS);
    for (const t of translateTexts(trained, inputs.map((p) => p.source))) {
      expect(t.sourceTokens).toEqual([...t.input]);
      expect(t.outputTokens).toEqual([...t.output, '<end>']);
      expect(t.weights).toHaveLength(t.outputTokens.length);
      for (const row of t.weights) {
        expect(row).toHaveLength(t.sourceTokens.length);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      }
      // The share of each output row's weight on the source's last two characters (the day in 'YYYY.MM.DD').
      const onDay = (r: number) => t.weights[r][8] + t.weights[r][9];
      yearOnDay += year.reduce((s, r) => s + onDay(r), 0) / year.length;
      dayOnDay += day.reduce((s, r) => s + onDay(r), 0) / day.length;
      const lines = attentionHeatmap(t.sourceTokens, t.outputTokens, t.weights);
      expect(lines).toHaveLength(t.outputTokens.length + 2);
      for (const l of lines) expect(displayWidth(l)).toBe(displayWidth(lines[0]));
    }
    expect(dayOnDay / inputs.length).toBeGreaterThan(yearOnDay / inputs.length + 0.3);
  });
});

describe('the same pairs as a users\' file through the CLI', () => {
  it('rnnlab seq2seq --data trains the model the API trains; rnnlab translate writes what translateTexts gives', async () => {
    const tsv = file('dates.tsv', `source\ttarget\n${pairs.map((p) => `${p.source}\t${p.target}`).join('\n')}\n`);
    const out = path.join(dir, 'run');
    const r = await run(['seq2seq', '--data', tsv, '--out', out, '--units', '32', '--embedding-dim', '16', '--epochs', '10', '--lr', '0.01',
      '--batch-size', '64', '--seed', '1', '--samples', '5', '--verbose', '0']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('3,000 pairs from');
    expect(r.out).toContain('(line 1 read as a header)');
    const rec = readResults(out);
    expect(rec.metrics.validationExact).toBe(api.greedy.exact);
    expect(rec.models[0].history.loss).toEqual(api.history.loss);
    expect(rec.data.heldOutUnknown).toEqual({ source: 0, target: 0 });

    const inputs = fresh.slice(0, 20).map((p) => p.source);
    const want = translateTexts(trained, inputs);
    const list = file('fresh.txt', `${inputs.join('\n')}\n`);
    const jsonl = await run(['translate', '--model', out, '--file', list, '--format', 'jsonl', '--show-attention']);
    expect(jsonl.code).toBe(0);
    const got = jsonl.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(got.map((g) => g.output)).toEqual(want.map((t) => t.output));
    got.forEach((g, i) => {
      expect(g.attention.source).toEqual(want[i].sourceTokens);
      g.attention.weights.forEach((row: number[], k: number) => row.forEach((w, j) => expect(w).toBeCloseTo(want[i].weights[k][j], 6)));
    });
    const text = await run(['translate', '--model', out, '--show-attention', inputs[0]]);
    expect(text.out.split('\n').slice(0, want[0].outputTokens.length + 3)).toEqual([
      want[0].output, ...attentionHeatmap(want[0].sourceTokens, want[0].outputTokens, want[0].weights)]);
    expect(readFileSync(path.join(out, 'model', 'rnnlab-seq2seq.json'), 'utf8')).toContain('"maxSourceLen": 12');
  }, 120_000);
});
