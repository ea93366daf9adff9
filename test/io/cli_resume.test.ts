/**
 * `rnnlab imdb … --resume DIR`: a run stopped after an epoch, or by Ctrl-C in the middle of one, and resumed
 * ends with the same weights as an uninterrupted run with the same seed, bit for bit. On a synthetic tarball.
 * The Ctrl-C case runs the built CLI (bin/rnnlab.js, dist/) in a child process and sends it real SIGINTs.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpointInfo } from '../../src/io/checkpoint.js';
import { run as cli, REPO_ROOT, syntheticImdb } from '../cli/helpers.js';

const fx = syntheticImdb('rnnlab-cli-resume-', { reviews: 150, bigReviews: 1500 });

const base = (epochs: number) => ['imdb', '--model', 'lstm', '--data', fx.tar, '--vocab', '60', '--maxlen', '24', '--units', '6', '--embedding-dim', '5',
  '--batch-size', '16', '--epochs', String(epochs), '--seed', '7', '--verbose', '0'];
const weights = (dir: string) => readFileSync(join(dir, 'model', 'weights.bin'));

describe('rnnlab imdb --resume', () => {
  let reference: Buffer;
  // The tarball's folder is made in beforeAll.
  const refDir = () => join(fx.root, 'ref');

  it('an uninterrupted run writes its model and keeps a checkpoint of the last epoch', async () => {
    const r = await cli([...base(3), '--out', refDir()]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    reference = weights(refDir());
    expect(readCheckpointInfo(join(refDir(), 'checkpoint')).state.nextEpoch).toBe(3);
  });

  it('a run stopped after epoch 1 and resumed to epoch 3 ends with the same weights, bit for bit', async () => {
    const dir = join(fx.root, 'short');
    expect((await cli([...base(1), '--out', dir])).code).toBe(0);
    const r = await cli([...base(3), '--resume', dir]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/restored the checkpoint in .*checkpoint; continuing at epoch 2/);
    expect(weights(dir).equals(reference)).toBe(true);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(results.models[0].history.loss).toHaveLength(3);
    // The checkpoint folder itself works as --resume DIR too (nothing left to train: the same weights again).
    const again = await cli([...base(3), '--resume', join(dir, 'checkpoint'), '--out', join(fx.root, 'again')]);
    expect(again.code).toBe(0);
    expect(weights(join(fx.root, 'again')).equals(reference)).toBe(true);
  });

  it('a --resume folder without a checkpoint, or from a different model, is a clear error', async () => {
    const empty = join(fx.root, 'cache');
    const r = await cli([...base(3), '--resume', empty]);
    // A folder without a checkpoint is a bad flag value: exit 2 with the pointer to --help, as a missing folder.
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/rnnlab imdb: error: --resume: no checkpoint in .*cache \(looked for checkpoint\.json there and in .*cache\/checkpoint\)/);
    expect(r.err).toMatch(/rnnlab imdb --help/);
    const g = await cli([...base(4).map((a) => (a === 'lstm' ? 'gru' : a)), '--resume', refDir(), '--out', join(fx.root, 'gru')]);
    // Another model is a bad --resume too, found before the reviews are read (exit 2, nothing loaded or written).
    expect(g.code).toBe(2);
    expect(g.err).toMatch(/rnnlab imdb: error: --resume: the checkpoint in .* was written for a different model: layer 1 is LSTM\(units=6.*\) in the checkpoint but GRU\(units=6/);
    expect(g.out).not.toMatch(/Loading IMDb/);
    expect(existsSync(join(fx.root, 'gru'))).toBe(false);
    const u = await cli([...base(4).map((a) => (a === '6' ? '7' : a)), '--resume', refDir(), '--out', join(fx.root, 'units')]);
    expect(u.code).toBe(2);
    expect(u.err).toMatch(/different model: .*units: 6 there, 7 here/);
    const sgd = await cli([...base(4), '--optimizer', 'sgd', '--resume', refDir(), '--out', join(fx.root, 'sgd')]);
    expect(sgd.code).toBe(2);
    expect(sgd.err).toMatch(/--resume: the checkpoint in .* holds Adam state, but the model is compiled with SGD; give the model flags of the run it continues/);
    const m = await cli([...base(3), '--resume', join(fx.root, 'nope')]);
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/--resume: no such file or folder/);
  });

  it('--epochs fewer than the checkpoint has run is refused naming it, and the run stays as it was', async () => {
    const before = readFileSync(join(refDir(), 'results.json'));
    for (const epochs of [1, 2]) {
      const r = await cli([...base(epochs), '--resume', refDir()]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`rnnlab imdb: error: --epochs ${epochs}: the checkpoint in .*ref holds 3 finished epochs; give --epochs 3 or more to continue it`));
    }
    expect(readFileSync(join(refDir(), 'results.json')).equals(before)).toBe(true);
    expect(weights(refDir()).equals(reference)).toBe(true);
  });

  // The child runs the built CLI: only when dist/ is newer than every source file (CI builds it first).
  const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true })
    .reduce((m, e) => Math.max(m, e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs), 0);
  const built = existsSync(join(REPO_ROOT, 'dist/cli/main.js')) && existsSync(join(REPO_ROOT, 'dist/cli/run_checkpoint.js')) &&
    statSync(join(REPO_ROOT, 'dist/cli/main.js')).mtimeMs >= newest(join(REPO_ROOT, 'src'));

  it.skipIf(!built)('Ctrl-C mid-run saves a checkpoint, prints how to resume and exits 130; resuming gives the same weights', async () => {
    // Longer epochs (3000 reviews, 750 batches) than above, so that the signal lands inside one.
    const args = ['imdb', '--model', 'lstm', '--data', fx.bigTar, '--vocab', '60', '--maxlen', '100', '--units', '16', '--embedding-dim', '8',
      '--batch-size', '4', '--epochs', '4', '--seed', '7', '--verbose', '0'];
    const ref = join(fx.root, 'ref4');
    expect((await cli([...args, '--out', ref])).code).toBe(0);
    const dir = join(fx.root, 'interrupted');
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/rnnlab.js'), ...args.slice(0, -1), '2', '--out', dir],
      { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    let sent = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (!sent && /Epoch 2\/4/.test(out)) { sent = true; setTimeout(() => child.kill('SIGINT'), 30); }
    });
    child.stderr.on('data', (d) => { err += d; });
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    expect(sent).toBe(true);
    expect(code).toBe(130);
    expect(err).toMatch(/finishing the current batch/);
    expect(err).toMatch(/interrupted; checkpoint saved to .*interrupted\/checkpoint \((in epoch 2 after batch \d+|after epoch \d)\)/);
    const hint = /to resume: (rnnlab imdb .* --resume \S+)/.exec(err);
    expect(hint).not.toBeNull();
    expect(hint![1]).toContain(`--resume ${dir}`);
    const resumed = await cli([...args, '--resume', dir]);
    expect(resumed.code).toBe(0);
    expect(weights(dir).equals(weights(ref))).toBe(true);
  });

  it.skipIf(!built)('a second Ctrl-C exits at once', async () => {
    const dir = join(fx.root, 'twice');
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/rnnlab.js'), 'imdb', '--model', 'lstm', '--data', fx.bigTar, '--maxlen', '100', '--units', '16',
      '--batch-size', '4', '--epochs', '50', '--verbose', '2', '--out', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (/Epoch 2\/50/.test(out) && !child.killed) { child.kill('SIGINT'); setTimeout(() => child.kill('SIGINT'), 5); }
    });
    child.stderr.on('data', (d) => { err += d; });
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    expect(code).toBe(130);
    expect(err).toMatch(/second Ctrl-C, exiting without waiting|checkpoint saved/);
  });
});
