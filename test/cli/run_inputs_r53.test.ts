/**
 * A run never replaces a file it reads (docs/CLI.md, "Output files"): a --data or --validation file that is one of
 * the files the run writes into its folder (results.json, the reports, seq2seq's heldout.jsonl, anything in model/),
 * by its path or through links, is a usage error naming --out (or --resume) and the input flag, before anything is
 * read or trained, and the file keeps its bytes. `seq2seq --data runs/x/heldout.jsonl --out runs/x` replaced the
 * pairs it trained on with the tenth it held out.
 */
import { cpSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envForFile } from '../helpers/env.js';
import { syntheticImdbTarball } from '../helpers/imdb.js';
import { cleanup, expectRefused, run, tempDir, TRAIN_FAST } from './helpers.js';

let root = '';
beforeAll(() => { root = tempDir('rnnlab-run-inputs-'); });
envForFile(() => ({ RNNLAB_CACHE: path.join(root, 'cache'), RNNLAB_OFFLINE: '1', RNNLAB_THREADS: '1' }));
afterAll(cleanup);

const SEQ2SEQ_FLAGS = ['seq2seq', '--units', '8', '--embedding-dim', '4', '--batch-size', '16', '--verbose', '0', '--samples', '1'];
const SEQ2SEQ = [...SEQ2SEQ_FLAGS, '--epochs', '1'];
const bytes = (f: string) => readFileSync(f);

/** A pairs file of n sums (source 'a+b', target the sum), enough for a 10% held-out part of several pairs. */
function pairsFile(file: string, n = 120): string {
  writeFileSync(file, Array.from({ length: n }, (_, i) => `${i}+${i % 7}\t${i + (i % 7)}\n`).join(''));
  return file;
}

/** A labelled CSV for train and evaluate. */
function reviewsCsv(file: string): string {
  const rows = Array.from({ length: 24 }, (_, i) => (i % 2 ? 'great fine lovely film,pos' : 'awful dull bad film,neg'));
  writeFileSync(file, `text,label\n${rows.join('\n')}\n`);
  return file;
}

/** A folder holding an earlier run of `command` as far as the --out rules go: its results.json is a run record. */
function earlierRun(dir: string, command: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'results.json'), `${JSON.stringify({ schemaVersion: 1, command, status: 'completed', startedAt: '2026-01-01T00:00:00.000Z', environment: {} })}\n`);
  return dir;
}

describe('seq2seq: --data is the heldout.jsonl the run writes', () => {
  let first = '';
  beforeAll(async () => {
    first = path.join(root, 's2s');
    const r = await run([...SEQ2SEQ, '--data', pairsFile(path.join(root, 'pairs.tsv')), '--out', first]);
    expect(r.code, r.err).toBe(0);
  });
  /** A copy of the first run (its record, model, checkpoint and heldout.jsonl) for one test, and its held-out pairs. */
  const copyOfRun = (name: string) => {
    const dir = path.join(root, name);
    cpSync(first, dir, { recursive: true });
    const heldOut = path.join(dir, 'heldout.jsonl');
    return { dir, heldOut, pairs: bytes(heldOut), record: bytes(path.join(dir, 'results.json')) };
  };

  it('refuses --data RUN/heldout.jsonl --out RUN, keeping the pairs and the earlier run', async () => {
    const { dir, heldOut, pairs, record } = copyOfRun('direct');
    const r = await run([...SEQ2SEQ, '--data', heldOut, '--out', dir]);
    expect(r.code, r.err).toBe(2);
    expectRefused(r, 'seq2seq', new RegExp(`--out: this run would replace ${heldOut}, the --data file it reads; nothing was changed\\. Give --out another folder`));
    expect(bytes(heldOut)).toEqual(pairs);
    expect(bytes(path.join(dir, 'results.json'))).toEqual(record);
  });

  it('refuses it reached through a link to the file, or through a linked folder, naming the path given', async () => {
    const { dir, heldOut, pairs } = copyOfRun('linked');
    const link = path.join(root, 'held.jsonl');
    symlinkSync(heldOut, link);
    const r = await run([...SEQ2SEQ, '--data', link, '--out', dir]);
    expect(r.code, r.err).toBe(2);
    expectRefused(r, 'seq2seq', new RegExp(`--out: this run would replace ${heldOut}, the file that --data ${link} leads to`));
    const folder = path.join(root, 'linked-folder');
    symlinkSync(dir, folder);
    expectRefused(await run([...SEQ2SEQ, '--data', path.join(folder, 'heldout.jsonl'), '--out', dir]), 'seq2seq', /the file that --data \S*linked-folder\/heldout\.jsonl leads to/);
    expect(bytes(heldOut)).toEqual(pairs);
  });

  it('refuses it on --resume RUN without --out, which writes the rest of the run into RUN', async () => {
    // A run on a copy of RUN's held-out pairs, whose copy is then put back as RUN/heldout.jsonl: --resume on that file
    // continues the run on the very pairs it trained on, and would have written its own held-out tenth over them.
    const { dir, heldOut, pairs } = copyOfRun('resumed');
    const copy = path.join(root, 'resumed-pairs.jsonl');
    cpSync(heldOut, copy);
    const second = await run([...SEQ2SEQ, '--data', copy, '--out', dir]);
    expect(second.code, second.err).toBe(0);
    cpSync(copy, heldOut);
    const r = await run([...SEQ2SEQ_FLAGS, '--epochs', '2', '--data', heldOut, '--resume', dir]);
    expect(r.code, r.err).toBe(2);
    expectRefused(r, 'seq2seq', /--resume: this run would replace \S*resumed\/heldout\.jsonl, the --data file it reads; nothing was changed\. Give --out another folder/);
    expect(bytes(heldOut)).toEqual(pairs);
  });

  it('takes a hard link to it: the run renames a new heldout.jsonl into RUN, and the link keeps the pairs read', async () => {
    const { dir, heldOut, pairs } = copyOfRun('hard');
    const hard = path.join(root, 'hard.jsonl');
    linkSync(heldOut, hard);
    const r = await run([...SEQ2SEQ, '--data', hard, '--out', dir]);
    expect(r.code, r.err).toBe(0);
    expect(bytes(hard)).toEqual(pairs);
    expect(bytes(heldOut)).not.toEqual(pairs);
  });
});

describe('train and evaluate: --data or --validation is a file of --out', () => {
  it('train refuses --data or --validation that is the report.html of the earlier run it would replace', async () => {
    const csv = reviewsCsv(path.join(root, 'reviews.csv'));
    const runDir = path.join(root, 'train-run');
    const first = await run(['train', '--data', csv, ...TRAIN_FAST, '--out', runDir]);
    expect(first.code, first.err).toBe(0);
    const report = path.join(runDir, 'report.html');
    cpSync(csv, report);
    const r = await run(['train', '--data', report, '--format', 'csv', ...TRAIN_FAST, '--out', runDir]);
    expect(r.code, r.err).toBe(2);
    expectRefused(r, 'train',
      /--out: this run would replace \S*train-run\/report\.html, the --data file it reads/);
    expectRefused(await run(['train', '--data', csv, '--validation', report, '--format', 'csv', ...TRAIN_FAST, '--out', runDir]), 'train',
      /--out: this run would replace \S*train-run\/report\.html, the --validation file it reads.*copy the --validation file out of/);
    expect(bytes(report)).toEqual(bytes(csv));
  });

  it('evaluate refuses --data that is the report.png of the earlier evaluate run in --out', async () => {
    const csv = reviewsCsv(path.join(root, 'eval.csv'));
    const model = path.join(root, 'eval-model');
    expect((await run(['train', '--data', csv, ...TRAIN_FAST, '--out', model])).code).toBe(0);
    const runDir = path.join(root, 'eval-run');
    const first = await run(['evaluate', '--model', model, '--data', csv, '--out', runDir]);
    expect(first.code, first.err).toBe(0);
    const png = path.join(runDir, 'report.png');
    cpSync(csv, png);
    const r = await run(['evaluate', '--model', model, '--data', png, '--format', 'csv', '--out', runDir]);
    expect(r.code, r.err).toBe(2);
    expectRefused(r, 'evaluate',
      /--out: this run would replace \S*eval-run\/report\.png, the --data file it reads/);
    expect(bytes(png)).toEqual(bytes(csv));
  });
});

describe('the IMDb commands: --data is a file of --out', () => {
  // The tarball where an earlier run's report.png is: the run would read the reviews and then write its chart over them.
  const cases: [string, string, string[]][] = [
    ['imdb', 'imdb', ['imdb', '--model', 'lstm', '--limit', '20', '--epochs', '1', '--maxlen', '12', '--units', '4', '--embedding-dim', '4', '--verbose', '0']],
    ['compare', 'compare', ['compare', '--models', 'lstm', '--limit', '20', '--epochs', '1', '--maxlen', '12', '--units', '4', '--embedding-dim', '4', '--verbose', '0']],
    ['experiment gradients', 'experiment gradients', ['experiment', 'gradients', '--models', 'lstm', '--limit', '8', '--maxlen', '12', '--batches', '1', '--batch-size', '4',
      '--units', '4', '--embedding-dim', '4']],
  ];
  for (const [name, command, args] of cases) {
    it(`${name} refuses --data RUN/report.png --out RUN, keeping the tarball`, async () => {
      const runDir = earlierRun(path.join(root, name.replace(' ', '-')), command);
      const tar = path.join(runDir, 'report.png');
      // The small synthetic reviews: the old code's run on them (which wrote its chart over them) took seconds.
      const data = syntheticImdbTarball();
      cpSync(data, tar);
      const r = await run([...args, '--data', tar, '--out', runDir]);
      expect(r.code, r.err).toBe(2);
      expectRefused(r, name, /--out: this run would replace \S*\/report\.png, the --data file it reads; nothing was changed/);
      expect(bytes(tar).equals(bytes(data))).toBe(true);
    });
  }
});
