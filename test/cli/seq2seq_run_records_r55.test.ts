/**
 * seq2seq's reads of the run record in --out. A results.json that gives a key twice is never read as one of its values:
 * refused up front naming the file and the key, and also when it comes to repeat one after the up-front checks (here
 * while the run takes over a stale folder lock), where whether the earlier run generated pairs.tsv decides whether
 * this run may replace it. And a `--generate` run killed (SIGKILL) after writing pairs.tsv into the folder of an
 * earlier completed `--data` run leaves a running record that says it generated them, so a rerun with other generation
 * options replaces the run as a rerun into a finished --generate folder would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TEMP_HOST } from '../../src/io/atomic.js';
import { RUN_LOCK_FILE, setTakeOverHook } from '../../src/report/run_lock.js';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { cleanup, expectRefused, readResults, REPO_ROOT, run, snapshotFiles, tempDir } from './helpers.js';

afterAll(cleanup);

const FAST = ['--epochs', '1', '--units', '4', '--embedding-dim', '4', '--samples', '0', '--verbose', '0', '--threads', '1'];
const generate = (count: number) => ['seq2seq', '--generate', 'addition', '--count', String(count), ...FAST];

/** The compiled CLI in a process of its own that SIGKILLs itself as it is about to rename its record into `out`, pairs.tsv written. */
function cliKilledAfterPairs(dir: string, args: string[], out: string): ChildProcess {
  const script = path.join(dir, 'kill-after-pairs.mjs');
  writeFileSync(script, `import { existsSync } from 'node:fs';
import path from 'node:path';
const { setBeforeRenameHook } = await import(${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'dist/io/atomic.js')).href)});
const out = ${JSON.stringify(out)};
setBeforeRenameHook((_tmp, target) => {
  if (path.resolve(target) === path.join(out, 'results.json') && existsSync(path.join(out, 'pairs.tsv'))) process.kill(process.pid, 'SIGKILL');
});
await import(${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'bin/rnnlab.js')).href)});
`);
  return spawn(process.execPath, [script, ...args], { cwd: dir, stdio: 'ignore' });
}

const ended = (c: ChildProcess) => new Promise<NodeJS.Signals | null>((resolve) => c.on('exit', (_code, signal) => resolve(signal)));

describe('rnnlab seq2seq --generate killed after pairs.tsv, into an earlier --data run\'s folder', () => {
  it('leaves a record naming the generation; a rerun with other generation options replaces the run', async () => {
    assertDistFresh('cli/main.ts');
    const dir = tempDir('rnnlab-s2s-killed-r55-');
    const out = path.join(dir, 'run');
    const pairs = path.join(dir, 'mine.tsv');
    writeFileSync(pairs, Array.from({ length: 20 }, (_, i) => `${i}+${i}\t${2 * i}`).join('\n') + '\n');
    const first = await run(['seq2seq', '--data', pairs, ...FAST, '--out', out]);
    expect(first.code, first.err).toBe(0);
    expect(readResults(out)).toMatchObject({ status: 'completed', data: { path: pairs } });

    expect(await ended(cliKilledAfterPairs(dir, [...generate(60), '--out', out], out))).toBe('SIGKILL');
    const killed = readResults(out);
    expect(killed.status).toBe('running');
    expect(killed.data).toEqual({ generated: 'addition', pairs: 60 });
    expect(readFileSync(path.join(out, 'pairs.tsv'), 'utf8').trim().split('\n')).toHaveLength(60);

    const again = await run([...generate(70), '--out', out]);
    expect(again.code, again.err).toBe(0);
    expect(readResults(out)).toMatchObject({ status: 'completed', data: { generated: 'addition', pairs: 70 } });
    expect(readFileSync(path.join(out, 'pairs.tsv'), 'utf8').trim().split('\n')).toHaveLength(70);
  }, 120_000);
});

const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('rnnlab seq2seq --out holding a results.json that gives a key twice', () => {
  it('is refused up front naming the file and the key, nothing changed', async () => {
    const dir = tempDir('rnnlab-s2s-twice-r55-');
    const out = path.join(dir, 'run');
    const first = await run([...generate(60), '--out', out]);
    expect(first.code, first.err).toBe(0);
    const file = path.join(out, 'results.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^\{/, '{"status":"failed",'));
    const before = snapshotFiles(out);
    const again = await run([...generate(60), '--out', out]);
    expectRefused(again, 'seq2seq', new RegExp(`^rnnlab seq2seq: error: --out: ${escaped(out)} already holds 'results\\.json', which gives the key "status" more than once, ` +
      `so it is not read as an earlier rnnlab run's record, and which this run would replace; and 'report\\.html', 'report\\.png', 'heldout\\.jsonl', 'pairs\\.tsv', 'model/', ` +
      `which are not an earlier rnnlab run's outputs and which this run would replace; nothing was changed\\. Give --out a new or empty folder, fix results\\.json, or move them away$`));
    expect(snapshotFiles(out)).toEqual(before);
  }, 120_000);

  it('coming to give one twice after the up-front checks: refused naming the file and the key, pairs.tsv kept', async () => {
    const dir = tempDir('rnnlab-s2s-twice-late-r55-');
    const out = path.join(dir, 'run');
    const first = await run([...generate(60), '--out', out]);
    expect(first.code, first.err).toBe(0);
    // A lock left by a run killed outright: this run takes it over after its --out checks, before it reads the record
    // for pairs.tsv; the record is edited in between, its data given twice (the last says generated, the first not).
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(path.join(out, RUN_LOCK_FILE), JSON.stringify({ pid: dead, host: TEMP_HOST, command: 'rnnlab seq2seq', since: '2026-01-01T00:00:00.000Z', token: 'feedfacefeedface' }));
    const file = path.join(out, 'results.json');
    const pairsBefore = readFileSync(path.join(out, 'pairs.tsv'), 'utf8');
    let edited = '';
    setTakeOverHook((step) => {
      if (step !== 'found-stale' || edited) return;
      edited = readFileSync(file, 'utf8').replace(/^\{/, `{"data":{"path":${JSON.stringify(path.join(out, 'pairs.tsv'))},"pairs":60},`);
      writeFileSync(file, edited);
    });
    let again;
    try {
      again = await run([...generate(70), '--out', out]);
    } finally {
      setTakeOverHook(null);
    }
    expectRefused(again, 'seq2seq', new RegExp(`^rnnlab seq2seq: error: --out: ${escaped(file)} gives the key "data" more than once, so whether the earlier run there ` +
      `generated pairs\\.tsv \\(which this run would replace\\) cannot be told; nothing was changed\\. Fix results\\.json, or give --out another folder$`));
    expect(readFileSync(path.join(out, 'pairs.tsv'), 'utf8')).toBe(pairsBefore);
    expect(readFileSync(file, 'utf8')).toBe(edited);
  }, 120_000);
});
