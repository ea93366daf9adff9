// A benchmark script that fails at run time (not over a flag) prints one line naming the script and exits 1, with
// the stack trace only under RNNLAB_DEBUG: through runMain, and for scripts that run at the top level.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/imdb.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-bench-fail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function node(file: string, args: string[], debug: string | undefined) {
  const env: Record<string, string | undefined> = { ...process.env, RNNLAB_DEBUG: debug };
  if (debug === undefined) delete env.RNNLAB_DEBUG;
  const r = spawnSync(process.execPath, [file, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env });
  return { code: r.status, stderr: r.stderr.trim(), stdout: r.stdout };
}

/** A script (in the temp folder) that parses an empty flag table, then fails at the top level as bf16_gradients.mjs can. */
function topLevelScript(): string {
  const file = join(dir, 'top_level.mjs');
  const flags = pathToFileURL(join(REPO_ROOT, 'bench', 'flags.mjs')).href;
  writeFileSync(file, `import { parseOrExit } from '${flags}';\n`
    + `parseOrExit({ name: 'bench/top_level.mjs', usage: '', summary: '', flags: {} }, process.argv.slice(2));\n`
    + `await new Promise((r) => setTimeout(r, 1));\n`
    + `throw new Error('no model.json in the folder given');\n`);
  return file;
}

describe('bench scripts end a run-time failure with one line and exit 1', () => {
  const gemm = [join('bench', 'gemm.mjs'), ['--shapes', '100000x100000x100000']] as const;
  it('through runMain (gemm.mjs with a shape too large to allocate)', () => {
    const r = node(gemm[0], [...gemm[1]], undefined);
    expect(r.stderr).toBe('bench/gemm.mjs: Invalid typed array length: 10000000000');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
  });

  it('a script failing at the top level after parseOrExit', () => {
    const r = node(topLevelScript(), [], undefined);
    expect(r.stderr).toBe('bench/top_level.mjs: no model.json in the folder given');
    expect(r.code).toBe(1);
  });

  it('RNNLAB_DEBUG=1 adds the stack trace; RNNLAB_DEBUG=0 does not', () => {
    const r = node(gemm[0], [...gemm[1]], '1');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('bench/gemm.mjs: Invalid typed array length: 10000000000');
    expect(lines[1]).toBe('RangeError: Invalid typed array length: 10000000000');
    expect(lines.some((l) => /at .*gemm\.mjs:\d+/.test(l))).toBe(true);
    expect(r.code).toBe(1);
    const top = node(topLevelScript(), [], '1');
    expect(top.stderr).toMatch(/^bench\/top_level\.mjs: no model\.json in the folder given\nError: no model\.json/);
    expect(top.code).toBe(1);
    expect(node(gemm[0], [...gemm[1]], '0').stderr.split('\n')).toHaveLength(1);
  });
});
