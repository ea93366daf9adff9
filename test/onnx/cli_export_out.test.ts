// `rnnlab export --out`: a descriptor that is not open and the saved model's own files are refused with exit
// code 2 naming --out, and nothing is written or replaced.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { main } from '../../src/cli/main.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rnnlab-onnx-cli-out-'));
  rl.setSeed(1);
  await rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] }).save(join(dir, 'saved'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(['export', ...args], { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

const snapshot = (folder: string) => Object.fromEntries(readdirSync(folder).map((f) => [f, readFileSync(join(folder, f), 'hex')]));

describe('rnnlab export --out refusals', () => {
  it("a descriptor that is not open is refused ('-', /dev/stdout and /dev/fd/N: test/cli/cli_small_faults_r54.test.ts)", async () => {
    // Not open as a descriptor here, so refused before anything is written.
    const r = await run(['--model', join(dir, 'saved'), '--out', '/dev/fd/987654']);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(/--out \/dev\/fd\/987654: descriptor 987654 is not open/);
  });

  it("the saved model's model.json or weights are refused, the model left as it was", async () => {
    const saved = join(dir, 'saved');
    const before = snapshot(saved);
    for (const file of readdirSync(saved)) {
      const r = await run(['--model', saved, '--out', join(saved, file)]);
      expect(r.code, file).toBe(2);
      expect(r.err, file).toMatch(new RegExp(`--out: .*${file.replace('.', '\\.')} is a file of the saved model being exported`));
    }
    // Through the model.json path too.
    expect((await run(['--model', join(saved, 'model.json'), '--out', join(saved, 'model.json')])).code).toBe(2);
    expect(snapshot(saved)).toEqual(before);
  });

  it('a new .onnx file inside the model folder, and an existing .onnx there, are written', async () => {
    const saved = join(dir, 'saved');
    const target = join(saved, 'model.onnx');
    expect(await run(['--model', saved, '--out', target])).toMatchObject({ code: 0, err: '' });
    expect(await run(['--model', saved, '--out', target])).toMatchObject({ code: 0, err: '' });
    expect(readFileSync(target).length).toBeGreaterThan(100);
  });
});
