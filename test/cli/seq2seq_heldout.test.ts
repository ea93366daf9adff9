/**
 * Every `rnnlab seq2seq` run writes the pairs it held out and scored as heldout.jsonl in its folder: `rnnlab evaluate
 * --data` on that file gives back the run's validation numbers exactly, and sides holding tabs, newlines, quotes or
 * characters beyond ASCII come back as they were.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPairs } from '../../src/seq2seq/index.js';
import { pairsJsonl, type Pair } from '../../src/seq2seq/pairs.js';
import { cleanup, expectRefused, run, tempDir } from './helpers.js';

afterAll(cleanup);

const metricsOf = (dir: string): Record<string, number> => JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')).metrics;
const sides = (ps: readonly Pair[]) => ps.map((p) => [p.source, p.target]);

// Sides that TSV cannot hold (a tab, a newline) or that trip a reader (quotes, a backslash, a first pair naming the
// columns, surrounding spaces, a CR, U+2028, an emoji beyond the BMP).
const ODD: Pair[] = [
  { source: 'source', target: 'target', where: '' },
  { source: 'a\tb', target: 'say "hi"', where: '' },
  { source: ' two\nlines ', target: 'back\\slash', where: '' },
  { source: 'crlf\r\nend', target: 'line\u2028sep', where: '' },
  { source: 'naïve 東京', target: '🙂 done', where: '' },
];

describe('pairsJsonl', () => {
  it('writes pairs that readPairs reads back exactly', async () => {
    const file = path.join(tempDir('rnnlab-heldout-'), 'odd.jsonl');
    writeFileSync(file, pairsJsonl(ODD));
    const back = await readPairs(file, file);
    expect(sides(back)).toEqual(sides(ODD));
    expect(back.map((p) => p.where)).toEqual(ODD.map((_, i) => `${file}:${i + 1}`));
  });
});

describe('rnnlab seq2seq writes heldout.jsonl', () => {
  const dir = tempDir('rnnlab-heldout-run-');
  // One epoch of small batches at a high rate: the adder gets some digits right (a score of 0 would prove little).
  const ADDER = ['seq2seq', '--generate', 'addition', '--count', '300', '--epochs', '1', '--units', '16', '--embedding-dim', '8',
    '--batch-size', '8', '--lr', '0.01', '--beam', '2', '--threads', '1', '--verbose', '0', '--samples', '0'];

  it('evaluate on it gives the run\'s validation numbers exactly, greedy and beam', async () => {
    const trained = path.join(dir, 'adder');
    const t = await run([...ADDER, '--out', trained]);
    expect(t.code, t.err).toBe(0);
    const rec = JSON.parse(readFileSync(path.join(trained, 'results.json'), 'utf8'));
    const held = await readPairs(path.join(trained, 'heldout.jsonl'), 'heldout.jsonl');
    expect(held).toHaveLength(rec.data.validation);
    expect(rec.data.validation).toBe(30);
    // The held-out pairs are among the generated ones, and none is a training pair's source twice over.
    const generated = new Set(readFileSync(path.join(trained, 'pairs.tsv'), 'utf8').trimEnd().split('\n'));
    for (const p of held) expect(generated.has(`${p.source}\t${p.target}`)).toBe(true);
    const out = path.join(dir, 'eval');
    const e = await run(['evaluate', '--model', trained, '--data', path.join(trained, 'heldout.jsonl'), '--beam', '2', '--threads', '1', '--out', out]);
    expect(e.code, e.err).toBe(0);
    const train = metricsOf(trained);
    expect(train.validationPerToken).toBeGreaterThan(0);
    expect(metricsOf(out)).toEqual({ testPerToken: train.validationPerToken, testExact: train.validationExact, beamPerToken: train.beamPerToken, beamExact: train.beamExact });
  }, 120_000);

  it('keeps a CSV\'s tabs, newlines, quotes and other scripts, and leaves out the pairs training left out', async () => {
    const root = path.join(dir, 'odd');
    mkdirSync(root);
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    // Every pair odd, so that whichever are held out the file must keep them; two too long for --max-target-len 12.
    const pairs = Array.from({ length: 24 }, (_, i) => ({ source: `${ODD[1 + (i % 4)].source} ${i}`, target: i % 12 === 5 ? 'a target far too long' : `${ODD[1 + ((i + 1) % 4)].target}` }));
    const csv = path.join(root, 'pairs.csv');
    writeFileSync(csv, `source,target\n${pairs.map((p) => `${quote(p.source)},${quote(p.target)}`).join('\n')}\n`);
    const trained = path.join(root, 'run');
    const t = await run(['seq2seq', '--data', csv, '--validation-split', '0.5', '--max-target-len', '12', '--epochs', '1', '--units', '8', '--embedding-dim', '4',
      '--threads', '1', '--verbose', '0', '--samples', '0', '--out', trained]);
    expect(t.code, t.err).toBe(0);
    const rec = JSON.parse(readFileSync(path.join(trained, 'results.json'), 'utf8'));
    const held = await readPairs(path.join(trained, 'heldout.jsonl'), 'heldout.jsonl');
    expect(held).toHaveLength(rec.data.validation);
    // As the CSV reader reads them (a quoted CRLF reads as LF), less the over-long targets training left out.
    const read = await readPairs(csv, csv);
    const written = new Set(read.filter((p) => !p.target.startsWith('a target far')).map((p) => JSON.stringify([p.source, p.target])));
    for (const p of held) expect(written.has(JSON.stringify([p.source, p.target])), JSON.stringify(p)).toBe(true);
    expect(held.some((p) => p.source.includes('\t')) || held.some((p) => p.source.includes('\n'))).toBe(true);
    const out = path.join(root, 'eval');
    const e = await run(['evaluate', '--model', trained, '--data', path.join(trained, 'heldout.jsonl'), '--threads', '1', '--out', out]);
    expect(e.code, e.err).toBe(0);
    expect(metricsOf(out)).toEqual({ testPerToken: rec.metrics.validationPerToken, testExact: rec.metrics.validationExact });
  }, 120_000);

  it('a heldout.jsonl in a --out that holds no earlier run is refused, and kept', async () => {
    const out = path.join(dir, 'mine');
    mkdirSync(out);
    writeFileSync(path.join(out, 'heldout.jsonl'), 'my own\n');
    const r = await run([...ADDER, '--out', out]);
    expectRefused(r, 'seq2seq', /--out: .*mine already holds 'heldout\.jsonl', which is not an earlier rnnlab run's output/);
    expect(readFileSync(path.join(out, 'heldout.jsonl'), 'utf8')).toBe('my own\n');
  });
});
