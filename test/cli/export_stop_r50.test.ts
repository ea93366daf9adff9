/**
 * `rnnlab export` stopped by a signal: one during the write waits for it (a temp file synced and renamed over --out)
 * and then exits 130 saying the file was written whole, as evaluate and tokenize --out do for their run folders; one
 * before the write began exits 130 with nothing written. Either way no temp file is left beside --out, and an earlier
 * file there is the old one or the new one whole, as the line says.
 *
 * No timing: a module given to node with --import sends the CLI's own process SIGINT at a chosen point of the export
 * (the temp file just opened, the rename about to run, model.json being read), and notes that it did. Runs the
 * compiled CLI (dist/ must be current).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { imdbModel } from '../../src/experiments/lab_models.js';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { REPO_ROOT } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-export-stop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const saved = join(root, 'saved');
const OLD = 'an earlier export, to be replaced whole or kept whole';

// STOP_TEST_AT picks the point; STOP_TEST_MARK is the file the hook writes, naming what it saw, once it sent the signal.
const killer = join(root, 'kill-at.mjs');
writeFileSync(killer, `
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';
const at = process.env.STOP_TEST_AT;
let sent = false;
const send = (what) => {
  if (sent) return;
  sent = true;
  fs.writeFileSync(process.env.STOP_TEST_MARK, what);
  process.kill(process.pid, 'SIGINT');
};
if (process.argv[1]?.endsWith('rnnlab.js')) {
  const open = fsp.open, rename = fsp.rename, readFileSync = fs.readFileSync;
  if (at === 'temp-open') fsp.open = async function (p, ...rest) {
    const fh = await open.call(this, p, ...rest);
    if (basename(String(p)).startsWith('.rnnlab-tmp-')) send(basename(String(p)));
    return fh;
  };
  if (at === 'rename') fsp.rename = async function (from, to) { send(basename(String(from))); return rename.call(this, from, to); };
  if (at === 'model-read') fs.readFileSync = function (p, ...rest) {
    if (basename(String(p)) === 'model.json') send('model.json');
    return readFileSync.call(this, p, ...rest);
  };
  syncBuiltinESMExports();
}
`);

function exportStopped(at: string, out: string, mark: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  const proc = spawn(process.execPath, ['--import', pathToFileURL(killer).href, join(REPO_ROOT, 'bin/rnnlab.js'), 'export', '--model', saved, '--out', out], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RNNLAB_THREADS: '1', STOP_TEST_AT: at, STOP_TEST_MARK: mark },
  });
  let stdout = '', stderr = '';
  proc.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((done) => proc.on('close', (code, signal) => done({ code, signal, out: stdout, err: stderr })));
}

beforeAll(async () => {
  assertDistFresh('cli/main.ts');
  rl.setSeed(3);
  await imdbModel('gru', { vocab: 30, maxlen: 6, embeddingDim: 4, units: 3 }).save(saved);
});

describe.skipIf(process.platform !== 'linux')('export stopped by SIGINT', () => {
  for (const at of ['temp-open', 'rename']) {
    it(`during the write (${at}): the write finishes, 130, the line says the file holds the model whole, no temp file left`, async () => {
      const folder = join(root, at);
      mkdirSync(folder);
      const out = join(folder, 'm.onnx');
      writeFileSync(out, OLD);
      const mark = join(root, `${at}.mark`);
      const r = await exportStopped(at, out, mark);
      // The signal was sent while the temp file beside --out existed.
      expect(readFileSync(mark, 'utf8')).toMatch(/^\.rnnlab-tmp-m\.onnx-/);
      expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
      expect(r.err).toBe(`rnnlab export: stopped after ${out} was written; it holds the model whole\n`);
      const bytes = Number(/^wrote .* \((\d+) bytes, ONNX opset 17\)/.exec(r.out)?.[1]);
      const written = readFileSync(out);
      expect(written.length).toBe(bytes);
      expect(written.toString('latin1')).toContain('rnnlab Sequential');
      expect(readdirSync(folder)).toEqual(['m.onnx']);
    }, 120_000);
  }

  it('before the write began (model.json being read): 130, nothing written, the old file as it was, no temp file', async () => {
    const folder = join(root, 'model-read');
    mkdirSync(folder);
    const out = join(folder, 'm.onnx');
    writeFileSync(out, OLD);
    const mark = join(root, 'model-read.mark');
    const r = await exportStopped('model-read', out, mark);
    expect(existsSync(mark)).toBe(true);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.err).toBe('rnnlab: stopped before anything was written\n');
    expect(r.out).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(OLD);
    expect(readdirSync(folder)).toEqual(['m.onnx']);
  }, 120_000);
});
