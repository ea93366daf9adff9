/**
 * `rnnlab imdb --resume` continues a run with the options it started with: an option that would make the rest of
 * the run differ from what results.json records for the whole run (learning rate, seed, precision, validation,
 * batch size, --limit, a --bucket run's --maxlen) is refused before any review is read; the record times every
 * epoch once across the resume; a damaged checkpoint is a data error. On a synthetic tarball, in-process.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, expectRefusedAlone, IMDB_TINY, readResults, run, schemaProblems, syntheticImdb } from './helpers.js';
import { backendInfo, getBackend, nativeKernels, setIsa } from '../../src/backend/index.js';
import { setGlobalPolicy } from '../../src/mixed_precision.js';

const startIsa = nativeKernels() ? backendInfo().isa : '';

const fx = syntheticImdb('rnnlab-resume-options-');

const args = (epochs: number, ...more: string[]) => [...IMDB_TINY, '--data', fx.tar, '--epochs', String(epochs), ...more];

/** Replaces a value in the argument list: flag's value, or the flag added. */
function withFlag(argv: string[], flag: string, value?: string): string[] {
  const i = argv.indexOf(flag);
  if (i < 0) return value === undefined ? [...argv, flag] : [...argv, flag, value];
  const out = [...argv];
  if (value !== undefined) out[i + 1] = value;
  return out;
}

const ckptFile = (dir: string) => join(dir, 'checkpoint', 'checkpoint.json');
const readCk = (dir: string) => JSON.parse(readFileSync(ckptFile(dir), 'utf8'));
const writeCk = (dir: string, c: unknown) => writeFileSync(ckptFile(dir), `${JSON.stringify(c, null, 1)}\n`);

/** The checkpoint moved inside the epoch after the last finished one, one batch in (as a Ctrl-C leaves it). */
function midEpoch(dir: string, partialSeconds?: number): void {
  const c = readCk(dir);
  const s = c.state;
  const order = Buffer.alloc(4 * s.samples);
  for (let i = 0; i < s.samples; i++) order.writeInt32LE(s.samples - 1 - i, 4 * i);
  s.progress = { epoch: s.nextEpoch, batch: 1, order: order.toString('base64'), lossSum: 0.69 * s.batchSize, seen: s.batchSize, correct: 1, total: s.batchSize };
  if (partialSeconds !== undefined) s.extra.epochSeconds.partial = partialSeconds;
  writeCk(dir, c);
}

function copyRun(from: string, name: string): string {
  const to = join(fx.root, name);
  cpSync(from, to, { recursive: true });
  return to;
}

describe('rnnlab imdb --resume with other options', () => {
  let done = '';
  beforeAll(async () => {
    done = join(fx.root, 'done');
    const r = await run([...args(1), '--out', done]);
    expect(r.code, r.err).toBe(0);
  }, 60_000);

  it.each([
    ['--lr', '0.01', /^rnnlab imdb: error: --lr 0\.01: the checkpoint in .* is of a run with --lr 0\.001; .*give --lr 0\.001/],
    ['--seed', '8', /^rnnlab imdb: error: --seed 8: the checkpoint in .* is of a run with --seed 7;/],
    ['--precision', 'mixed_bfloat16', /^rnnlab imdb: error: --precision mixed_bfloat16: the checkpoint in .* is of a run with --precision float32;/],
    ['--validate', undefined, /^rnnlab imdb: error: --validate: the checkpoint in .* is of a run with --no-validate;/],
    ['--limit', '50', /^rnnlab imdb: error: --limit 50: the checkpoint in .* is of a run with no --limit;/],
    ['--batch-size', '4', /^rnnlab imdb: error: --batch-size 4: the checkpoint in .* is of a run with --batch-size 8;/],
  ])('%s changed is refused naming it and both values, before any review is read, and nothing changes', async (flag, value, message) => {
    const before = readFileSync(ckptFile(done));
    const record = readFileSync(join(done, 'results.json'));
    const r = await run(withFlag(args(2, '--resume', done), flag, value));
    // Where mixed_bfloat16 falls back (no AVX512-BF16), its line is held until training begins: the refusal is alone.
    expectRefusedAlone(r, 'imdb', message);
    expect(readFileSync(ckptFile(done)).equals(before)).toBe(true);
    expect(readFileSync(join(done, 'results.json')).equals(record)).toBe(true);
  });

  it('a flag left out takes its default, which is compared too (and said to be the default)', async () => {
    const noSeed = args(2, '--resume', done);
    noSeed.splice(noSeed.indexOf('--seed'), 2);
    expectRefused(await run(noSeed), 'imdb', /^rnnlab imdb: error: --seed 1 \(the default\): the checkpoint in .* is of a run with --seed 7;/);
  });

  it('several changed flags are named together', async () => {
    const r = await run(withFlag(withFlag(args(2, '--resume', done), '--lr', '0.01'), '--seed', '9'));
    expectRefused(r, 'imdb', /--lr 0\.01, --seed 9: the checkpoint in .* is of a run with --lr 0\.001, --seed 7;/);
  });

  it('a --bucket run resumed with another --maxlen is refused (its model has no length to compare)', async () => {
    const bucket = join(fx.root, 'bucket');
    const first = await run([...args(1, '--bucket', '--mask-zero'), '--out', bucket]);
    expect(first.code, first.err).toBe(0);
    midEpoch(bucket);
    const r = await run(withFlag(args(2, '--bucket', '--mask-zero', '--resume', bucket), '--maxlen', '24'));
    expectRefused(r, 'imdb', /^rnnlab imdb: error: --maxlen 24: the checkpoint in .* is of a run with --maxlen 16;/);
  }, 60_000);

  it('a mid-epoch checkpoint of an earlier rnnlab (no recorded options) still refuses another --batch-size before loading', async () => {
    const old = copyRun(done, 'old-mid');
    midEpoch(old);
    const c = readCk(old);
    delete c.state.extra;
    writeCk(old, c);
    const r = await run(withFlag(args(2, '--resume', old), '--batch-size', '4'));
    expectRefused(r, 'imdb', /^rnnlab imdb: error: --batch-size 4: the checkpoint in .* is of a run with --batch-size 8;/);
  });

  it('a --precision mixed_bfloat16 run resumed where the precision in force differs (a fallback) is refused naming both', async () => {
    const inForceHere = setGlobalPolicy('mixed_bfloat16', { warn: () => {} }).name;
    setGlobalPolicy('float32');
    // A checkpoint whose --precision mixed_bfloat16 fell back to float32 (RNNLAB_ISA=avx2, an older CPU).
    const fellBack = copyRun(done, 'fell-back');
    const c = readCk(fellBack);
    c.state.extra.run['--precision'] = 'mixed_bfloat16';
    c.state.extra.run.precisionInForce = 'float32';
    writeCk(fellBack, c);
    try {
      const r = await run(args(1, '--resume', fellBack, '--precision', 'mixed_bfloat16'));
      if (inForceHere === 'mixed_bfloat16') {
        expectRefused(r, 'imdb', /^rnnlab imdb: error: --precision mixed_bfloat16 trains in mixed_bfloat16 here, but the checkpoint in .* is of a run that trained in float32; --resume continues a run in the precision it trained in, so resume it where mixed_bfloat16 falls back to float32 as it did/);
      } else expect(r.code, r.err).toBe(0);
      // A checkpoint that trained in bf16, resumed where mixed_bfloat16 falls back (here RNNLAB_ISA=avx2's setIsa).
      const bf16 = copyRun(done, 'bf16-run');
      const b = readCk(bf16);
      b.state.extra.run['--precision'] = 'mixed_bfloat16';
      b.state.extra.run.precisionInForce = 'mixed_bfloat16';
      writeCk(bf16, b);
      const avx2 = nativeKernels() !== null && getBackend() === 'native' && backendInfo().isas.includes('avx2');
      if (inForceHere === 'mixed_bfloat16' && !avx2) return;
      if (avx2) setIsa('avx2');
      const r2 = await run(args(2, '--resume', bf16, '--precision', 'mixed_bfloat16'));
      // The refusal alone (it says the fallback itself): the fallback's own line is held until training begins.
      expect(r2.err).not.toMatch(/running in float32 instead/);
      expectRefused(r2, 'imdb', /^rnnlab imdb: error: --precision mixed_bfloat16 trains in float32 here \(mixed_bfloat16 needs .* and falls back to float32\), but the checkpoint in .* is of a run that trained in mixed_bfloat16; .*resume it where mixed_bfloat16 runs/);
    } finally {
      if (startIsa) setIsa(startIsa);
      setGlobalPolicy('float32');
    }
  });

  it('the same options resume, and the record keeps one value per option for the run', async () => {
    const same = copyRun(done, 'same');
    const r = await run(args(2, '--resume', same));
    expect(r.code, r.err).toBe(0);
    const rec = readResults(same);
    expect(rec.config).toMatchObject({ lr: 0.001, seed: 7, batchSize: 8, validate: false, maxlen: 16 });
    expect(rec.models[0].history.loss).toHaveLength(2);
  }, 60_000);
});

describe('rnnlab imdb --resume: seconds per epoch', () => {
  let done = '';
  let first: number[] = [];
  beforeAll(async () => {
    done = join(fx.root, 'timed');
    const r = await run([...args(2), '--out', done]);
    expect(r.code, r.err).toBe(0);
    first = readResults(done).models[0].secondsPerEpoch;
    expect(first).toHaveLength(2);
  }, 60_000);

  it('a finished run resumed with the same --epochs keeps its epochs\' times, and prints their mean', async () => {
    const again = copyRun(done, 'timed-again');
    const r = await run(args(2, '--resume', again));
    expect(r.code, r.err).toBe(0);
    const rec = readResults(again);
    expect(rec.models[0].secondsPerEpoch).toEqual(first);
    expect(r.out).not.toMatch(/0\.000 s per epoch/);
    expect(rec.finding).not.toMatch(/0\.000 s per epoch/);
    expect(schemaProblems(rec)).toEqual([]);
  }, 60_000);

  it('a run resumed after an epoch has one time per epoch of its history', async () => {
    const one = join(fx.root, 'timed-one');
    expect((await run([...args(1), '--out', one])).code).toBe(0);
    const [t0] = readResults(one).models[0].secondsPerEpoch;
    const r = await run(args(3, '--resume', one));
    expect(r.code, r.err).toBe(0);
    const spe = readResults(one).models[0].secondsPerEpoch as number[];
    expect(spe).toHaveLength(3);
    expect(spe[0]).toBe(t0);
    for (const s of spe) expect(s).toBeGreaterThan(0);
  }, 60_000);

  it('an epoch cut by a Ctrl-C counts its time before the checkpoint too', async () => {
    const cut = copyRun(done, 'timed-cut');
    const c = readCk(cut);
    // Back to a checkpoint inside epoch 2, the first epoch's time kept, 5 s of epoch 2 already run.
    c.state.nextEpoch = 1;
    c.state.history = { epoch: [0], history: Object.fromEntries(Object.entries(c.state.history.history as Record<string, number[]>).map(([k, v]) => [k, v.slice(0, 1)])) };
    c.state.extra.epochSeconds = { done: [first[0]], partial: null };
    writeCk(cut, c);
    midEpoch(cut, 5);
    const r = await run(args(2, '--resume', cut));
    expect(r.code, r.err).toBe(0);
    const spe = readResults(cut).models[0].secondsPerEpoch as number[];
    expect(spe).toHaveLength(2);
    expect(spe[0]).toBe(first[0]);
    expect(spe[1]).toBeGreaterThan(5);
    expect(spe[1]).toBeLessThan(60);
  }, 60_000);

  it('a checkpoint that kept no times (an earlier rnnlab) records the epochs as untimed, not as 0 s', async () => {
    const old = copyRun(done, 'timed-old');
    const c = readCk(old);
    delete c.state.extra;
    writeCk(old, c);
    const r = await run(args(2, '--resume', old));
    expect(r.code, r.err).toBe(0);
    const rec = readResults(old);
    expect(rec.models[0].secondsPerEpoch).toEqual([null, null]);
    expect(r.out).toMatch(/no epoch timed/);
    expect(r.out).not.toMatch(/s per epoch/);
    expect(rec.finding).toMatch(/no epoch timed/);
    expect(schemaProblems(rec)).toEqual([]);
  }, 60_000);
});

describe('rnnlab imdb --resume from a damaged checkpoint', () => {
  let done = '';
  beforeAll(async () => {
    done = join(fx.root, 'intact');
    const r = await run([...args(1), '--out', done]);
    expect(r.code, r.err).toBe(0);
  }, 60_000);

  async function damaged(name: string, edit: (c: any, dir: string) => void): Promise<{ code: number; out: string; err: string }> {
    const dir = copyRun(done, name);
    const c = readCk(dir);
    edit(c, dir);
    writeCk(dir, c);
    return run(args(2, '--resume', dir));
  }

  it('is a data error (exit 1) naming the file and the field', async () => {
    const r = await damaged('bad-epoch', (c) => { c.state.nextEpoch = 'x'; });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^rnnlab imdb: data error: .*checkpoint\.json: state\.nextEpoch must be an integer >= 0/);
  });

  it('a corrupt weights file is a data error', async () => {
    const r = await damaged('bad-weights', (c, dir) => {
      const file = join(dir, 'checkpoint', c.files.weights.path);
      const b = readFileSync(file);
      b[0] ^= 0xff;
      writeFileSync(file, b);
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^rnnlab imdb: data error: checkpoint in .* the weights file weights-\d+\.bin is corrupt \(SHA-256 mismatch\)/);
  }, 60_000);

  it('a history written flat names what it holds, not a missing epoch list', async () => {
    const r = await damaged('flat-history', (c) => { c.state.history = { loss: 'x' }; });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/data error: .*state\.history must be a History's \{epoch: \[\.\.\.\], history: .*\}; it has "loss"/);
  });

  it('a mid-epoch checkpoint without the epoch\'s order is refused: the run shuffles, so the epoch cannot go on in its order', async () => {
    const dir = copyRun(done, 'no-order');
    midEpoch(dir);
    const c = readCk(dir);
    c.state.progress.order = null;
    writeCk(dir, c);
    const r = await run(args(2, '--resume', dir));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^rnnlab imdb: data error: checkpoint in .*: state\.progress\.order is missing, but this run shuffles its samples/);
    expect(r.out).not.toMatch(/Loading IMDb/);
  });
});

describe('rnnlab compare --out', () => {
  it('refuses an imdb run\'s folder, naming it, and leaves it as it was', async () => {
    const dir = join(fx.root, 'imdb-run');
    expect((await run([...args(1), '--out', dir])).code).toBe(0);
    const record = readFileSync(join(dir, 'results.json'));
    const r = await run(['compare', '--models', 'lstm', '--data', fx.tar, '--vocab', '60', '--maxlen', '16', '--units', '4', '--epochs', '1', '--verbose', '0', '--out', dir]);
    expectRefused(r, 'compare', /^rnnlab compare: error: --out: .*imdb-run holds an earlier 'rnnlab imdb' run/);
    expect(readFileSync(join(dir, 'results.json')).equals(record)).toBe(true);
    expect(existsSync(join(dir, 'model'))).toBe(true);
  }, 60_000);
});
