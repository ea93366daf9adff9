/**
 * `rnnlab tokenize --out DIR` prints and writes its run in one synchronous stretch: a stop signal that came meanwhile
 * exits 130 with a line naming the folder, which holds the run whole, as evaluate's does. Without --out nothing is
 * written and the early-stop line says the output is whole.
 *
 * No timing: a module given to node with --import sends the CLI's process the signal right after its first stdout
 * write, so the signal is pending during the synchronous stretch every time. Runs the compiled CLI (dist/ must be current).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { REPO_ROOT } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-tokenize-stop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const killer = join(root, 'kill-after-write.mjs');
writeFileSync(killer, [
  "if (process.argv[1]?.endsWith('rnnlab.js')) {",
  '  const write = process.stdout.write;',
  '  let sent = false;',
  '  process.stdout.write = function (chunk, ...rest) {',
  '    const wrote = write.call(this, chunk, ...rest);',
  "    if (!sent && String(chunk).length > 0) { sent = true; process.kill(process.pid, 'SIGINT'); }",
  '    return wrote;',
  '  };',
  '}',
].join('\n'));

function run(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  const proc = spawn(process.execPath, ['--import', pathToFileURL(killer).href, join(REPO_ROOT, 'bin/rnnlab.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RNNLAB_THREADS: '1' },
  });
  let out = '', err = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  return new Promise((done) => proc.on('close', (code, signal) => done({ code, signal, out, err })));
}

beforeAll(() => assertDistFresh('cli/main.ts'));

describe.skipIf(process.platform !== 'linux')('tokenize stopped during its synchronous printing and writing', () => {
  it('with --out: 130, the line naming the folder, which holds the run whole', async () => {
    const out = join(root, 'tok');
    const r = await run(['tokenize', '--out', out, 'a lovely film']);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.err).toBe(`rnnlab tokenize: stopped after its run was written; ${out} holds it whole\n`);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).status).toBe('completed');
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    // The lock is given back: no dot-files left.
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  }, 120_000);

  it('without --out: 130, the output said to be whole, no folder named', async () => {
    const r = await run(['tokenize', 'a lovely film']);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.err).toBe('rnnlab: stopped after the command had finished; the output above is whole\n');
    expect(r.out).toMatch(/^Text: {4}"a lovely film"$/m);
  }, 120_000);
});
