// bench/run.mjs --vs-torch takes its interpreter from RNNLAB_TORCH_PYTHON (default /usr/bin/python3), refusing a
// value that names no interpreter; a failure that is not about the command line prints one line and exits 1, with
// the stack trace only under RNNLAB_DEBUG=1.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../bench/flags.mjs';
import { PYTHON, torchPython } from '../../bench/vs_torch.mjs';
import { checkEnv, ENV_VARS } from '../../src/env.js';
import { REPO_ROOT } from '../helpers/imdb.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-torchpy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in interpreter: `-c ...` (the torch check) prints a version; running the reference script fails. */
function fakePython(name: string): string {
  const file = join(dir, name);
  writeFileSync(file, "#!/bin/sh\nif [ \"$1\" = \"-c\" ]; then printf '9.9.9'; exit 0; fi\nprintf 'reference exploded' >&2\nexit 3\n");
  chmodSync(file, 0o755);
  return file;
}

function bench(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [join('bench', 'run.mjs'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, RNNLAB_DEBUG: '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.trim() };
}

describe('RNNLAB_TORCH_PYTHON', () => {
  it('is a registered variable; unset or empty means /usr/bin/python3', () => {
    expect(ENV_VARS.RNNLAB_TORCH_PYTHON.kind).toBe('path');
    expect(checkEnv({ RNNLAB_TORCH_PYTHON: 'python3' })).toEqual([]);
    expect(torchPython({})).toBe(PYTHON);
    expect(torchPython({ RNNLAB_TORCH_PYTHON: '  ' })).toBe(PYTHON);
  });

  it('takes a path or a command on PATH, and refuses one that names no executable file, naming the variable', () => {
    const py = fakePython('py-ok');
    expect(torchPython({ RNNLAB_TORCH_PYTHON: py })).toBe(py);
    expect(torchPython({ RNNLAB_TORCH_PYTHON: 'py-ok', PATH: dir })).toBe(py);
    const refused = (value: string, env: Record<string, string> = {}): string => {
      try { torchPython({ RNNLAB_TORCH_PYTHON: value, ...env }); } catch (e) { expect(e).toBeInstanceOf(UsageError); return (e as Error).message; }
      throw new Error(`accepted ${value}`);
    };
    expect(refused(join(dir, 'nope'))).toMatch(/^bench\/run\.mjs: RNNLAB_TORCH_PYTHON=".*nope" is not valid: there is no file at that path \(RNNLAB_TORCH_PYTHON names the Python interpreter .*default \/usr\/bin\/python3\)/);
    expect(refused('no-such-python', { PATH: dir })).toMatch(/RNNLAB_TORCH_PYTHON="no-such-python" is not valid: no such command on PATH/);
    mkdirSync(join(dir, 'afolder'));
    expect(refused(join(dir, 'afolder'))).toMatch(/is a folder, not an interpreter/);
    const plain = join(dir, 'not-executable');
    writeFileSync(plain, '');
    chmodSync(plain, 0o644);
    expect(refused(plain)).toMatch(/not-executable is not executable/);
  });

  it('run.mjs --vs-torch with a bad value exits 2 naming the variable, before timing anything', () => {
    const script = join(dir, 'torch_reference.py');
    writeFileSync(script, '');
    const r = bench(['--vs-torch', '--torch-script', script], { RNNLAB_TORCH_PYTHON: join(dir, 'missing-python') });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^bench\/run\.mjs: RNNLAB_TORCH_PYTHON=".*missing-python" is not valid/);
  });

  it('run.mjs runs the reference with that interpreter; its failure is one line and exit 1, the stack only with RNNLAB_DEBUG=1', () => {
    const script = join(dir, 'torch_reference.py');
    writeFileSync(script, '');
    const args = ['--vs-torch', '--torch-script', script, '--models', 'ff_raw', '--steps', '1', '--budget', '0.001', '--fit-seconds', '0.001', '--no-gemm', '--no-recurrent'];
    const env = { RNNLAB_TORCH_PYTHON: fakePython('py-fails') };
    const r = bench(args, env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.trim().split('\n')[0])).toMatchObject({ model: 'ff_raw' }); // rnnlab's figures came first
    expect(r.stderr).toMatch(/^bench\/run\.mjs: the PyTorch reference .*torch_reference\.py failed \(exit 3\):\nreference exploded$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const debug = bench(args, { ...env, RNNLAB_DEBUG: '1' });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at runTorch \(/);
  }, 120_000);
});
