/**
 * A stop signal that comes at the very end of rnnlab's loading: queued while the last module (dist/cli/main.js)
 * evaluates, dispatched only once the event loop next polls. It must not be dropped (the run going on to exit 0) nor
 * meet Node's default: exit code 130, the line docs/CLI.md gives, and nothing written.
 *
 * No timing: a module loader hook appends `process.kill(process.pid, SIG)` to dist/cli/main.js's source, so the signal
 * is sent synchronously at the last step of the loading, every time. Runs the compiled CLI (dist/ must be current).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-startup-race-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function hookSendingAtLoadEnd(sig: NodeJS.Signals): string {
  const hooks = join(root, `hooks-${sig}.mjs`);
  writeFileSync(hooks, [
    'export async function load(url, context, next) {',
    '  const loaded = await next(url, context);',
    "  if (!url.endsWith('/dist/cli/main.js')) return loaded;",
    `  return { ...loaded, source: String(loaded.source) + '\\nprocess.kill(process.pid, ${JSON.stringify(sig)});\\n' };`,
    '}',
  ].join('\n'));
  const register = join(root, `register-${sig}.mjs`);
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  return register;
}

function runCli(sig: NodeJS.Signals, args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  const proc = spawn(process.execPath, ['--import', pathToFileURL(hookSendingAtLoadEnd(sig)).href, join(REPO_ROOT, 'bin/rnnlab.js'), ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RNNLAB_THREADS: '1' } });
  let out = '', err = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  return new Promise((done) => proc.on('close', (code, signal) => done({ code, signal, out, err })));
}

describe.skipIf(process.platform !== 'linux')('a stop signal queued at the end of the loading', () => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig} before a training command runs: exit 130, the line, no run folder`, async () => {
      const out = join(root, `addition-${sig}`);
      const r = await runCli(sig, ['addition', '--digits', '1', '--training-size', '40', '--epochs', '1', '--hidden', '4', '--verbose', '0', '--samples', '0', '--out', out]);
      expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
      expect(r.err).toBe('rnnlab: stopped before anything was written\n');
      expect(r.out).toBe('');
      expect(existsSync(out)).toBe(false);
    }, 120_000);
  }

  it('SIGINT before a command with no stop handling of its own (--version): exit 130 and the line, nothing printed', async () => {
    const r = await runCli('SIGINT', ['--version']);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.err).toBe('rnnlab: stopped before anything was written\n');
    expect(r.out).toBe('');
  }, 120_000);
});
