// `rnnlab export --out` and a run folder: the guard used to protect only the model folder's own files, so
// `--model runs/x --out runs/x/results.json` replaced the run's record with ONNX bytes. Now any existing file that is
// not an .onnx file, anywhere in the run folder, is refused with exit code 2 naming --out, and nothing changes;
// .onnx files there, and files outside the run, are still written.
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { main } from '../../src/cli/main.js';

let dir = '', runDir = '';
const RECORD = JSON.stringify({ command: 'imdb', startedAt: '2026-01-01T00:00:00Z', environment: { node: 'v22' } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rnnlab-export-run-'));
  runDir = join(dir, 'run');
  rl.setSeed(1);
  await rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] }).save(join(runDir, 'model'));
  writeFileSync(join(runDir, 'results.json'), RECORD);
  writeFileSync(join(runDir, 'report.html'), '<html></html>');
  mkdirSync(join(runDir, 'checkpoint'));
  writeFileSync(join(runDir, 'checkpoint', 'checkpoint.json'), '{}');
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(['export', ...args], { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

/** Every file below folder with its bytes. */
function snapshot(folder: string, prefix = ''): Record<string, string> {
  const all: Record<string, string> = {};
  for (const f of readdirSync(folder)) {
    const p = join(folder, f);
    if (statSync(p).isDirectory()) Object.assign(all, snapshot(p, `${prefix}${f}/`));
    else all[prefix + f] = readFileSync(p, 'hex');
  }
  return all;
}

describe('rnnlab export --out inside a run folder', () => {
  it("the run's results.json, report and checkpoint are refused, however --model names the model", async () => {
    const before = snapshot(runDir);
    const models = [runDir, join(runDir, 'model'), join(runDir, 'model', 'model.json')];
    for (const model of models) {
      for (const file of ['results.json', 'report.html', join('checkpoint', 'checkpoint.json')]) {
        const r = await run(['--model', model, '--out', join(runDir, file)]);
        expect(r.code, `${model} ${file}`).toBe(2);
        expect(r.out).toBe('');
        expect(r.err, `${model} ${file}`).toMatch(/--out: .* is a file of the run folder of the model being exported .*only an \.onnx file may be written there/);
      }
    }
    expect(snapshot(runDir)).toEqual(before);
    expect(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'))).toMatchObject({ command: 'imdb' });
  });

  it('an .onnx file in the run folder, and a file outside it, are written', async () => {
    const inRun = join(runDir, 'model.onnx');
    expect(await run(['--model', runDir, '--out', inRun])).toMatchObject({ code: 0, err: '' });
    expect(await run(['--model', runDir, '--out', inRun])).toMatchObject({ code: 0, err: '' });
    const outside = join(dir, 'exported.bin');
    writeFileSync(outside, 'old');
    expect(await run(['--model', runDir, '--out', outside])).toMatchObject({ code: 0, err: '' });
    expect(readFileSync(outside).equals(readFileSync(inRun))).toBe(true);
  });

  it('a model/ folder whose parent holds no run record leaves the parent writable', async () => {
    const plain = join(dir, 'plain');
    await rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] }).save(join(plain, 'model'));
    writeFileSync(join(plain, 'notes.txt'), 'old');
    expect(await run(['--model', join(plain, 'model'), '--out', join(plain, 'notes.txt')])).toMatchObject({ code: 0, err: '' });
    expect(readFileSync(join(plain, 'notes.txt'), 'utf8')).not.toBe('old');
  });
});
