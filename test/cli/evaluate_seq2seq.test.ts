/**
 * `rnnlab evaluate` with a model from `rnnlab seq2seq`: a tiny adder trained here is scored on its own held-out pairs
 * (rebuilt with the training run's seeded split) and must give exactly the validation numbers its run recorded;
 * pairs files are read as seq2seq reads them, flags for the other kind of model are refused, results.json has its shape.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairsTsv, readPairs, tokenize } from '../../src/seq2seq/index.js';
import { splitPairs } from '../../src/seq2seq/train.js';
import { readRecord } from '../../src/report/record.js';
import { cleanup, expectRefused, run, tempDir } from './helpers.js';

const dir = tempDir('rnnlab-eval-seq2seq-');
afterAll(cleanup);

const trained = path.join(dir, 'adder');
const heldOut = path.join(dir, 'held-out.tsv');
const classifier = path.join(dir, 'classifier');
const reviews = path.join(dir, 'reviews.csv');
// One epoch of small batches at a high rate: the adder gets some digits right (a score of 0 would prove little).
const ADDER = ['seq2seq', '--generate', 'addition', '--count', '300', '--epochs', '1', '--units', '16', '--embedding-dim', '8',
  '--batch-size', '8', '--lr', '0.01', '--beam', '2', '--threads', '1', '--verbose', '0', '--samples', '0'];

function metricsOf(out: string): Record<string, number> {
  return JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')).metrics;
}

beforeAll(async () => {
  const t = await run([...ADDER, '--out', trained]);
  expect(t.code, t.err).toBe(0);
  // The run's held-out pairs: its pairs.tsv split as trainSeq2Seq splits it (seed 1, 10%), less the pairs beyond the
  // model's length limits, which training leaves out too.
  const pairs = await readPairs(path.join(trained, 'pairs.tsv'), 'pairs.tsv');
  const spec = JSON.parse(readFileSync(path.join(trained, 'model', 'rnnlab-seq2seq.json'), 'utf8'));
  const { validation } = splitPairs(pairs, Math.round(pairs.length * 0.1), 1);
  const kept = validation.filter((p) => tokenize(p.source, 'char').length <= spec.maxSourceLen && tokenize(p.target, 'char').length <= spec.maxTargetLen);
  writeFileSync(heldOut, pairsTsv(kept));
  writeFileSync(reviews, `text,label\n${Array.from({ length: 20 }, (_, i) => (i % 2 ? `great film ${i},pos` : `dull film ${i},neg`)).join('\n')}\n`);
  const c = await run(['train', '--data', reviews, '--units', '4', '--embedding-dim', '4', '--epochs', '1', '--out', classifier]);
  expect(c.code, c.err).toBe(0);
}, 120_000);

describe('evaluate on the training run\'s own held-out pairs', () => {
  it('gives exactly the validation numbers the run recorded, greedy and beam', async () => {
    const out = path.join(dir, 'eval-held');
    const r = await run(['evaluate', '--model', trained, '--data', heldOut, '--beam', '2', '--threads', '1', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const train = metricsOf(trained), m = metricsOf(out);
    expect(train.validationPerToken).toBeGreaterThan(0);
    expect(m).toEqual({ testPerToken: train.validationPerToken, testExact: train.validationExact, beamPerToken: train.beamPerToken, beamExact: train.beamExact });
    expect(r.out).toMatch(/^30 pairs from .*held-out\.tsv; model /);
    expect(r.out).toContain(`Per-token accuracy (greedy): ${(train.validationPerToken * 100).toFixed(2)}%`);
    expect(r.out).toMatch(/Exact-match accuracy \(beam 2\): /);
  });

  it('writes results.json with the evaluate record\'s shape, and the report', async () => {
    const out = path.join(dir, 'eval-shape');
    const r = await run(['evaluate', '--model', trained, '--data', heldOut, '--samples', '3', '--threads', '1', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const rec = readRecord(path.join(out, 'results.json'));
    expect(rec.command).toBe('evaluate');
    expect(rec.models).toEqual([]);
    expect(Object.keys(rec.metrics).sort()).toEqual(['testExact', 'testPerToken']);
    expect(rec.config).toEqual({ model: path.join(trained, 'model'), beam: 0 });
    expect(rec.data).toMatchObject({ path: heldOut, pairs: 30, unknownSourcePairs: 0, longSourcePairs: 0, longTargetPairs: 0 });
    expect(rec.samples).toHaveLength(3);
    const lines = r.out.split('\n').filter((l) => l.startsWith('Question '));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^Question ${rec.samples![0].question.replace('+', '\\+')} +True ${rec.samples![0].truth} +Guess `));
    expect((rec.details as { attention?: { source: string[] } }).attention?.source.join('')).toBe(rec.samples![0].question);
    expect(existsSync(path.join(out, 'report.html'))).toBe(true);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('Evaluation of a seq2seq model');
  });
});

describe('pairs read as rnnlab seq2seq reads them', () => {
  it('reads CSV and JSON Lines by name or --pairs-format, scoring the same pairs alike', async () => {
    const pairs = await readPairs(heldOut, 'held-out.tsv');
    const csv = path.join(dir, 'held.csv');
    writeFileSync(csv, `source,target\n${pairs.map((p) => `${p.source},${p.target}`).join('\n')}\n`);
    const jsonl = path.join(dir, 'held.txt');
    writeFileSync(jsonl, pairs.map((p) => JSON.stringify({ source: p.source, target: p.target })).join('\n') + '\n');
    const a = await run(['evaluate', '--model', trained, '--data', csv, '--threads', '1', '--out', path.join(dir, 'eval-csv')]);
    const b = await run(['evaluate', '--model', trained, '--data', jsonl, '--pairs-format', 'jsonl', '--threads', '1', '--out', path.join(dir, 'eval-jsonl')]);
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    const train = metricsOf(trained);
    expect(metricsOf(path.join(dir, 'eval-csv')).testPerToken).toBe(train.validationPerToken);
    expect(metricsOf(path.join(dir, 'eval-jsonl')).testPerToken).toBe(train.validationPerToken);
  });

  it('a line without a tab stops the run naming the file and line, exit code 2, nothing written', async () => {
    const bad = path.join(dir, 'bad.tsv');
    writeFileSync(bad, '1+2\t3\n4+5 9\n');
    const out = path.join(dir, 'eval-bad');
    expectRefused(await run(['evaluate', '--model', trained, '--data', bad, '--out', out]), 'evaluate', /--data: .*bad\.tsv:2: .*tab/, out);
  });

  it('a JSON Lines row whose target is a number names its line, as seq2seq does', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"source": "1+2", "target": "3"}\n{"source": "4+5", "target": 9}\n');
    const out = path.join(dir, 'eval-bad-jsonl');
    const r = await run(['evaluate', '--model', trained, '--data', bad, '--out', out]);
    const s = await run(['seq2seq', '--data', bad, '--epochs', '1', '--out', path.join(dir, 'train-bad-jsonl')]);
    expectRefused(r, 'evaluate', /--data: .*bad\.jsonl:2: /, out);
    // The same words after the flag.
    expect(r.err.split('\n')[0].replace(/^rnnlab evaluate: /, '')).toBe(s.err.split('\n')[0].replace(/^rnnlab seq2seq: /, ''));
  });

  it('a missing --data exits 2 naming it', async () => {
    expectRefused(await run(['evaluate', '--model', trained, '--data', path.join(dir, 'nope.tsv')]), 'evaluate', /--data: no such file: .*nope\.tsv/);
  });

  it('notes sources with unknown tokens or beyond the trained length on stderr, naming file and line, and still scores them', async () => {
    const odd = path.join(dir, 'odd.tsv');
    writeFileSync(odd, '1+2\t3\n12x+4\t16\n1234+5678\t12345\n');
    const r = await run(['evaluate', '--model', trained, '--data', odd, '--threads', '1', '--out', path.join(dir, 'eval-odd')]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^rnnlab evaluate: .*odd\.tsv:2: 1 distinct source token\(s\) not in the model's vocabulary \("x": /m);
    expect(r.err).toMatch(/^rnnlab evaluate: .*odd\.tsv:3: 9 source tokens, more than the 7 the model was trained for/m);
    const rec = JSON.parse(readFileSync(path.join(dir, 'eval-odd', 'results.json'), 'utf8'));
    expect(rec.data).toMatchObject({ pairs: 3, unknownSourcePairs: 1, longSourcePairs: 1 });
    // 12345 is five digits, longer than any training sum (at most 1998): never an exact match.
    expect(rec.data.longTargetPairs).toBe(1);
  });
});

describe('flags for the other kind of model', () => {
  for (const [flag, ...value] of [['--label-map', '0=neg'], ['--worst', '3'], ['--text-column', 'text'], ['--classes', 'pos,neg'], ['--skip-bad-rows'], ['--format', 'tsv']]) {
    it(`${flag} with a seq2seq model is a usage error naming it`, async () => {
      const out = path.join(dir, `flag-${flag.slice(2)}`);
      expectRefused(await run(['evaluate', '--model', trained, '--data', heldOut, flag, ...value, '--out', out]), 'evaluate',
        new RegExp(`^rnnlab evaluate: error: ${flag} applies to a text classifier, but .* holds a seq2seq model`), out);
    });
  }

  for (const [flag, value] of [['--beam', '2'], ['--pairs-format', 'tsv'], ['--samples', '3']]) {
    it(`${flag} with a classifier is a usage error naming it`, async () => {
      const out = path.join(dir, `flag-${flag.slice(2)}-classifier`);
      expectRefused(await run(['evaluate', '--model', classifier, '--data', reviews, flag, value, '--out', out]), 'evaluate',
        new RegExp(`^rnnlab evaluate: error: ${flag} applies to a seq2seq model \\(rnnlab seq2seq\\), but .* holds a text classifier`), out);
    });
  }

  it('a --beam out of range names it', async () => {
    expectRefused(await run(['evaluate', '--model', trained, '--data', heldOut, '--beam', '65']), 'evaluate', /--beam /);
  });
});

describe('--out with a seq2seq model', () => {
  it("refuses the model's own folder and the training run's folder", async () => {
    expectRefused(await run(['evaluate', '--model', trained, '--data', heldOut, '--out', path.join(trained, 'model')]), 'evaluate', /--out: .* is the folder of the model being evaluated/);
    expectRefused(await run(['evaluate', '--model', trained, '--data', heldOut, '--out', trained]), 'evaluate', /--out: .* holds the results\.json of an earlier 'rnnlab seq2seq' run/);
  });
});
