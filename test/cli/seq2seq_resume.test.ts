/**
 * `rnnlab seq2seq --resume DIR`, as `rnnlab imdb --resume`: a checkpoint after every epoch in <out>/checkpoint, a run
 * stopped after an epoch (or by Ctrl-C) and resumed ends with the results of an uninterrupted run with the same
 * seed, and an option that would change the rest of the run is refused naming its flag, nothing changed.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpointInfo } from '../../src/io/checkpoint.js';
import { RUN_LOCK_FILE } from '../../src/report/run_lock.js';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { cleanup, expectRefused, IMDB_TINY, REPO_ROOT, run, spawnCli, syntheticImdb, tempDir } from './helpers.js';

afterAll(cleanup);

const dir = tempDir('rnnlab-seq2seq-resume-');
const fx = syntheticImdb('rnnlab-seq2seq-resume-imdb-');
const ADDER = ['seq2seq', '--generate', 'addition', '--count', '300', '--units', '16', '--embedding-dim', '8', '--batch-size', '8', '--lr', '0.01',
  '--beam', '2', '--threads', '1', '--verbose', '0', '--samples', '3'];
const args = (epochs: number, ...more: string[]) => [...ADDER, '--epochs', String(epochs), ...more];
const read = (d: string, f: string) => readFileSync(path.join(d, f));
const record = (d: string) => JSON.parse(read(d, 'results.json').toString());

/** What an uninterrupted run and a resumed one must share: everything but the times and the command line. */
function outcome(d: string) {
  const r = record(d);
  return { metrics: r.metrics, history: r.models[0].history, data: r.data, config: r.config, samples: r.samples, attention: r.details.attention,
    weights: read(d, 'model/weights.bin'), spec: read(d, 'model/rnnlab-seq2seq.json').toString(), heldOut: read(d, 'heldout.jsonl').toString() };
}

describe('rnnlab seq2seq --resume', () => {
  const ref = path.join(dir, 'ref'), short = path.join(dir, 'short');

  it('3 epochs straight, and 2 epochs resumed to 3, give the same results.json numbers and weights, bit for bit', async () => {
    const r = await run([...args(3), '--out', ref]);
    expect(r.code, r.err).toBe(0);
    expect(readCheckpointInfo(path.join(ref, 'checkpoint')).state.nextEpoch).toBe(3);
    const s = await run([...args(2), '--out', short]);
    expect(s.code, s.err).toBe(0);
    expect(readCheckpointInfo(path.join(short, 'checkpoint')).state.nextEpoch).toBe(2);
    expect(record(short).metrics).not.toEqual(record(ref).metrics);
    const resumed = await run([...args(3), '--resume', short]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toMatch(/^rnnlab: restored the checkpoint in .*short\/checkpoint; continuing at epoch 3\n$/);
    expect(outcome(short)).toEqual(outcome(ref));
    expect(record(short).metrics.validationPerToken).toBeGreaterThan(0);
    // One time per epoch, those of the first process included.
    expect(record(short).models[0].secondsPerEpoch).toHaveLength(3);
    expect(record(short).models[0].secondsPerEpoch.every((x: number) => x > 0)).toBe(true);
  }, 120_000);

  it('--resume of the checkpoint/ folder with --out elsewhere writes the same run there', async () => {
    const again = path.join(dir, 'again');
    const r = await run([...args(3), '--resume', path.join(ref, 'checkpoint'), '--out', again]);
    expect(r.code, r.err).toBe(0);
    expect(outcome(again)).toEqual(outcome(ref));
  }, 60_000);

  it.each([
    [['--lr', '0.02'], /^rnnlab seq2seq: error: --lr 0\.02: the checkpoint in .*ref is of a run with --lr 0\.01; .*give --lr 0\.01/],
    [['--units', '12'], /^rnnlab seq2seq: error: --units 12: the checkpoint in .*ref is of a run with --units 16;/],
    [['--seed', '2'], /^rnnlab seq2seq: error: --seed 2: the checkpoint in .*ref is of a run with --seed 1;/],
    [['--attention', 'none'], /^rnnlab seq2seq: error: --attention none: .* of a run with --attention luong;/],
    [['--count', '400'], /^rnnlab seq2seq: error: --count 400: .* of a run with --count 300;/],
    [['--validation-split', '0.2'], /^rnnlab seq2seq: error: --validation-split 0\.2: .* of a run with --validation-split 0\.1;/],
    [['--max-vocab', '8'], /^rnnlab seq2seq: error: --max-vocab 8: .* of a run with no --max-vocab;/],
    [['--bidirectional-encoder'], /^rnnlab seq2seq: error: --bidirectional-encoder: .* of a run with --no-bidirectional-encoder;/],
  ])('%s changed is refused naming the flag, and nothing changes', async (change, message) => {
    const before = read(ref, 'checkpoint/checkpoint.json'), rec = read(ref, 'results.json');
    const argv = args(4, '--resume', ref);
    const at = argv.indexOf(change[0]);
    if (at >= 0) argv.splice(at, 2);
    const r = await run([...argv, ...change]);
    expectRefused(r, 'seq2seq', message);
    expect(read(ref, 'checkpoint/checkpoint.json').equals(before)).toBe(true);
    expect(read(ref, 'results.json').equals(rec)).toBe(true);
  });

  it('fewer --epochs than the checkpoint ran, a folder without a checkpoint, or another command\'s checkpoint are refused', async () => {
    expectRefused(await run([...args(2), '--resume', ref]), 'seq2seq', /--epochs 2: the checkpoint in .*ref holds 3 finished epochs; give --epochs 3 or more/);
    expectRefused(await run([...args(4), '--resume', dir]), 'seq2seq', /--resume: no checkpoint in .*rnnlab-seq2seq-resume-\S+ \(looked for checkpoint\.json there/);
    const imdb = path.join(fx.root, 'imdb');
    const i = await run([...IMDB_TINY, '--data', fx.tar, '--epochs', '1', '--out', imdb]);
    expect(i.code, i.err).toBe(0);
    const out = path.join(dir, 'from-imdb');
    expectRefused(await run([...args(4), '--resume', path.join(imdb, 'checkpoint'), '--out', out]), 'seq2seq',
      /--resume: the checkpoint in .*imdb\/checkpoint is not of an rnnlab seq2seq run/, out);
  }, 60_000);

  it('a --data file changed since is refused, though every flag agrees', async () => {
    const data = path.join(dir, 'pairs.tsv');
    writeFileSync(data, read(ref, 'pairs.tsv'));
    const flags = ['seq2seq', '--data', data, '--units', '8', '--embedding-dim', '4', '--threads', '1', '--verbose', '0', '--samples', '0'];
    const out = path.join(dir, 'data-run');
    expect((await run([...flags, '--epochs', '1', '--out', out])).code).toBe(0);
    writeFileSync(data, read(ref, 'pairs.tsv').toString().replace(/^[^\n]*\n/, '1+1\t2\n'));
    expectRefused(await run([...flags, '--epochs', '2', '--resume', out]), 'seq2seq', /--resume: --data .*pairs\.tsv holds other pairs than the run the checkpoint in .*data-run trained on/);
  }, 60_000);

  it('Ctrl-C saves a checkpoint and prints the resume command, which ends as an uninterrupted run', async () => {
    assertDistFresh('cli/main.ts');
    const flags = [...ADDER.filter((a) => a !== '--verbose' && a !== '0'), '--verbose', '2', '--epochs', '4'];
    const whole = path.join(dir, 'whole');
    expect((await run([...flags, '--out', whole])).code).toBe(0);
    const cut = path.join(dir, 'cut');
    const r = await spawnCli([...flags, '--out', cut], /^Epoch 2\//m);
    expect(r.sent, r.err).toBe(true);
    expect([r.code, r.signal]).toEqual([130, null]);
    expect(r.err).toMatch(/interrupted; checkpoint saved to .*cut\/checkpoint \((in epoch \d after batch \d+|after epoch \d)\)/);
    const hint = /to resume: (rnnlab seq2seq .* --resume \S+)\n/.exec(r.err);
    expect(hint?.[1]).toContain(`--out ${cut} --resume ${cut}`);
    expect(existsSync(path.join(cut, 'results.json'))).toBe(false);
    const resumed = await run([...flags, '--resume', cut]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(outcome(cut)).toEqual(outcome(whole));
  }, 120_000);

  it('SIGTERM while it trains is Ctrl-C: a checkpoint, the resume command, exit 130 and the lock given back', async () => {
    assertDistFresh('cli/main.ts');
    const cut = path.join(dir, 'term');
    const flags = [...ADDER.filter((a) => a !== '--verbose' && a !== '0'), '--verbose', '2', '--epochs', '500', '--out', cut];
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/rnnlab.js'), ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', sent = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!sent && /^Epoch 2\//m.test(out)) { sent = true; child.kill('SIGTERM'); }
    });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])));
    expect(sent, err).toBe(true);
    expect([code, signal]).toEqual([130, null]);
    expect(err).toMatch(/rnnlab: SIGTERM: finishing the current batch, then saving a checkpoint/);
    expect(err).toMatch(/interrupted; checkpoint saved to .*term\/checkpoint \((in epoch \d+ after batch \d+|after epoch \d+)\)/);
    expect(err).toMatch(/to resume: rnnlab seq2seq .* --resume \S*term\n/);
    expect(readCheckpointInfo(path.join(cut, 'checkpoint')).state.nextEpoch).toBeGreaterThanOrEqual(1);
    expect(existsSync(path.join(cut, RUN_LOCK_FILE))).toBe(false);
  }, 120_000);
});
