// `rnnlab export --model DIR --format onnx --out FILE`, and the onnx:// save/load hooks for src/io.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { loadOnnxUrl, onnxPath, saveOnnx } from '../../src/onnx/url.js';
import { imdbModel } from '../../src/experiments/lab_models.js';
import { maxAbsDiff, ortPredict, ortSession, tokenIds, trainBriefly } from './helpers.js';

let dir = '';
let model: rl.Sequential;
const x = tokenIds(6, 10, 40, 3, { pad: true });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rnnlab-onnx-cli-'));
  rl.setSeed(2);
  model = imdbModel('gru', { vocab: 40, maxlen: 10, embeddingDim: 4, units: 5, maskZero: true });
  await trainBriefly(model, x, 'binaryCrossentropy');
  await model.save(join(dir, 'saved'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(['export', ...args], { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('rnnlab export', () => {
  it('writes an ONNX file that ONNX Runtime runs to the saved model\'s predictions', async () => {
    const out = join(dir, 'gru.onnx');
    const r = await run(['--model', join(dir, 'saved'), '--format', 'onnx', '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote .*gru\.onnx \(\d+ bytes, ONNX opset 17\)/);
    const theirs = await ortPredict(await ortSession(readFileSync(out)), x);
    expect(maxAbsDiff(model.predict(x).values, theirs)).toBeLessThanOrEqual(1e-5);
  });

  it('takes the saved model\'s model.json as well as its folder', async () => {
    const out = join(dir, 'from-file.onnx');
    const r = await run(['--model', join(dir, 'saved', 'model.json'), '--out', out]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(maxAbsDiff(model.predict(x).values, await ortPredict(await ortSession(readFileSync(out)), x))).toBeLessThanOrEqual(1e-5);
  });

  it('usage errors (a missing model too) exit 2 naming the flag; an unwritable output exits 1 and writes nothing', async () => {
    const out = join(dir, 'never.onnx');
    expect(await run(['--model', join(dir, 'saved'), '--format', 'tflite', '--out', out])).toMatchObject({ code: 2, err: expect.stringMatching(/--format must be one of onnx, got 'tflite'/) });
    expect(await run(['--model', join(dir, 'saved')])).toMatchObject({ code: 2, err: expect.stringMatching(/--out FILE is required/) });
    expect(await run(['--out', out])).toMatchObject({ code: 2, err: expect.stringMatching(/--model DIR is required/) });
    expect(await run(['--model', join(dir, 'nothing'), '--out', out])).toMatchObject({ code: 2, err: expect.stringMatching(/--model .*nothing: no saved model there/) });
    expect(await run(['--model', join(dir, 'nothing', 'model.json'), '--out', out])).toMatchObject({ code: 2, err: expect.stringMatching(/no saved model there/) });
    const missing = join(dir, 'no', 'such', 'dir', 'm.onnx');
    const r = await run(['--model', join(dir, 'saved'), '--out', missing]);
    expect(r).toMatchObject({ code: 1, err: expect.stringContaining(`cannot write '${missing}': the folder ${join(dir, 'no', 'such', 'dir')} does not exist`) });
    expect(r.err).not.toMatch(/\.tmp-/);
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'mine');
    expect(await run(['--model', join(dir, 'saved'), '--out', join(file, 'm.onnx')])).toMatchObject({ code: 2, err: expect.stringContaining(`--out: cannot write ${join(file, 'm.onnx')}: ${file} is a file`) });
    expect(readFileSync(file, 'utf8')).toBe('mine');
    expect(existsSync(out)).toBe(false);
  });
});

describe('onnx:// hooks for model.save and rl.loadModel', () => {
  it('recognise onnx:// URLs and .onnx paths, and nothing else', () => {
    expect(onnxPath('onnx://models/m.onnx')).toBe('models/m.onnx');
    expect(onnxPath('file:///srv/models/m.onnx')).toBe('/srv/models/m.onnx');
    expect(onnxPath('runs/m.ONNX')).toBe('runs/m.ONNX');
    expect(onnxPath('file://runs/model')).toBeNull();
    expect(onnxPath('runs/model.json')).toBeNull();
    expect(() => onnxPath('onnx://')).toThrow(/an onnx:\/\/ URL needs a file path/);
  });

  it('save then load through onnx:// gives the same predictions', async () => {
    const url = `onnx://${join(dir, 'hook.onnx')}`;
    const saved = await saveOnnx(model, url);
    expect(saved.modelArtifactsInfo.modelTopologyType).toBe('ONNX');
    expect(saved.modelArtifactsInfo.modelTopologyBytes).toBe(readFileSync(join(dir, 'hook.onnx')).length);
    const back = await loadOnnxUrl(url);
    expect(maxAbsDiff(back.predict(x).values, model.predict(x).values)).toBeLessThanOrEqual(1e-5);
  });

  it('model.save and rl.loadModel speak ONNX for onnx:// URLs and .onnx paths', async () => {
    const saved = await model.save(`onnx://${join(dir, 'via-save.onnx')}`);
    expect(saved.modelArtifactsInfo.modelTopologyType).toBe('ONNX');
    for (const url of [`onnx://${join(dir, 'via-save.onnx')}`, join(dir, 'via-save.onnx')]) {
      const back = await rl.loadModel(url);
      expect(maxAbsDiff(back.predict(x).values, model.predict(x).values)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('rl.exportONNX and rl.loadONNX are the public names', async () => {
    const path = join(dir, 'public.onnx');
    await rl.exportONNX(model, path);
    const back = await rl.loadONNX(path);
    expect(maxAbsDiff(back.predict(x).values, model.predict(x).values)).toBeLessThanOrEqual(1e-5);
  });
});
