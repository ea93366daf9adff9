/**
 * `rnnlab seq2seq --generate` killed outright (SIGKILL) after it wrote pairs.tsv, before its record: the folder reads
 * as the interrupted run it is (docs/CLI.md), which a rerun into it replaces and `--resume` continues, never as a
 * pairs.tsv that "the earlier run there did not generate". And a second run into a folder a live run is writing is
 * refused naming that run's pid (the lock), not by the pairs.tsv the live run has just written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { cleanup, expectRefused, readResults, REPO_ROOT, run, tempDir } from './helpers.js';

afterAll(cleanup);

const S2S = ['seq2seq', '--generate', 'addition', '--count', '60', '--epochs', '1', '--units', '4', '--embedding-dim', '4', '--samples', '0', '--verbose', '0', '--threads', '1'];

/**
 * The compiled CLI in a process of its own that, as it is about to rename its run record into `out` with pairs.tsv
 * already there (the moment after pairs.tsv is written), SIGKILLs itself (`kill`) or holds still (`hold`, after writing
 * `out`/../held) until it is killed.
 */
function cliStoppedAfterPairs(dir: string, args: string[], out: string, mode: 'kill' | 'hold'): ChildProcess {
  const script = path.join(dir, `stop-${mode}.mjs`);
  writeFileSync(script, `import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const { setBeforeRenameHook } = await import(${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'dist/io/atomic.js')).href)});
const out = ${JSON.stringify(out)};
setBeforeRenameHook((_tmp, target) => {
  if (path.resolve(target) !== path.join(out, 'results.json') || !existsSync(path.join(out, 'pairs.tsv'))) return;
  ${mode === 'kill' ? "process.kill(process.pid, 'SIGKILL');" : "writeFileSync(path.join(out, '..', 'held'), ''); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000);"}
});
await import(${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'bin/rnnlab.js')).href)});
`);
  return spawn(process.execPath, [script, ...args], { cwd: dir, stdio: 'ignore' });
}

const ended = (c: ChildProcess) => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => c.on('exit', (code, signal) => resolve({ code, signal })));

describe('rnnlab seq2seq --generate killed after writing pairs.tsv', () => {
  it('leaves an interrupted run, which a rerun into --out replaces and --resume continues', async () => {
    assertDistFresh('cli/main.ts');
    const dir = tempDir('rnnlab-s2s-killed-r54-');
    const out = path.join(dir, 'kk');
    const killed = await ended(cliStoppedAfterPairs(dir, [...S2S, '--out', out], out, 'kill'));
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(path.join(out, 'pairs.tsv'))).toBe(true);
    expect(readResults(out).status).toBe('running');
    const copy = path.join(dir, 'kk-copy');
    cpSync(out, copy, { recursive: true });

    const again = await run([...S2S, '--out', out]);
    expect(again.code, again.err).toBe(0);
    expect(readResults(out)).toMatchObject({ status: 'completed', data: { generated: 'addition' } });

    const resumed = await run([...S2S, '--resume', copy]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(readResults(copy)).toMatchObject({ status: 'completed', data: { generated: 'addition' } });
  }, 120_000);

  it('into an earlier --data run\'s folder: the rerun with the same options replaces it', async () => {
    assertDistFresh('cli/main.ts');
    const dir = tempDir('rnnlab-s2s-killed-r54-data-');
    const out = path.join(dir, 'kk');
    const pairs = path.join(dir, 'mine.tsv');
    writeFileSync(pairs, Array.from({ length: 20 }, (_, i) => `${i}+${i}\t${2 * i}`).join('\n') + '\n');
    const first = await run(['seq2seq', '--data', pairs, ...S2S.slice(5), '--out', out]);
    expect(first.code, first.err).toBe(0);
    const killed = await ended(cliStoppedAfterPairs(dir, [...S2S, '--out', out], out, 'kill'));
    expect(killed.signal).toBe('SIGKILL');
    expect(readResults(out).status).toBe('running');

    const again = await run([...S2S, '--out', out]);
    expect(again.code, again.err).toBe(0);
    expect(readResults(out)).toMatchObject({ status: 'completed', data: { generated: 'addition' } });
  }, 120_000);

  it('a second run into the folder while the first still writes it is refused naming the first one\'s pid', async () => {
    assertDistFresh('cli/main.ts');
    const dir = tempDir('rnnlab-s2s-held-r54-');
    const out = path.join(dir, 'kk');
    const child = cliStoppedAfterPairs(dir, [...S2S, '--out', out], out, 'hold');
    const gone = ended(child);
    try {
      for (let i = 0; i < 1200 && !existsSync(path.join(dir, 'held')); i++) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(path.join(dir, 'held'))).toBe(true);
      const second = await run([...S2S, '--out', out]);
      expectRefused(second, 'seq2seq', new RegExp(`^rnnlab seq2seq: error: --out: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is being written by another rnnlab run \\(pid ${child.pid} on this host: .*\\); nothing was changed\\. Wait for that run to end, or give --out another folder$`));
    } finally {
      child.kill('SIGKILL');
      await gone;
    }
  }, 120_000);
});
