// save's weightsFileName and includeTrainingConfig are used only when they are values that work, and a save never
// overwrites or removes the weights another model file in the same folder reads; in-memory weightData is read by
// its bytes whatever view holds them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { folderBytes, maxAbsDiff, removeDir, tempDir } from './helpers.js';

const root = tempDir('rnnlab-save-names-');
afterAll(() => removeDir(root));

function model(units: number, seed: number): rl.Sequential {
  rl.setSeed(seed);
  const m = rl.sequential({ layers: [rl.layers.dense({ units, inputShape: [3] })] });
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return m;
}
const x = rl.tensor([1, 2, 3], [1, 3]);
const predicts = async (path: string, m: rl.Sequential) =>
  maxAbsDiff((await rl.loadModel(path)).predict(x).dataSync(), m.predict(x).dataSync());

describe('weightsFileName', () => {
  const cases: [string, unknown, RegExp][] = [
    ["the model file's own name", 'model.json', /weightsFileName "model\.json" is the model file's own name/],
    ['another .json name', 'other.json', /weightsFileName "other\.json" ends in \.json.*"other\.bin"/],
    ['a path out of the folder', '../outside.bin', /weightsFileName "\.\.\/outside\.bin" must be a plain file name/],
    ['a path into a subfolder', 'sub/w.bin', /weightsFileName "sub\/w\.bin" must be a plain file name/],
    ['an absolute path', join(root, 'abs.bin'), /must be a plain file name/],
    ['an empty string', '', /weightsFileName must be a non-empty file name, got ""/],
    ['a number', 5, /weightsFileName must be a non-empty file name, got 5/],
  ];
  for (const [label, name, error] of cases) {
    it(`refuses ${label} by name, before writing anything over the model there`, async () => {
      const dir = join(root, `wfn-${label.replace(/\W+/g, '-')}`);
      const old = model(2, 1);
      await old.save(`file://${dir}`);
      const before = folderBytes(dir);
      await expect(model(2, 2).save(`file://${dir}`, { weightsFileName: name as string })).rejects.toThrow(error);
      expect(folderBytes(dir)).toEqual(before);
      expect(readdirSync(root).some((n) => n === 'outside.bin' || n === 'abs.bin')).toBe(false);
      expect(await predicts(dir, old)).toBe(0);
    });
  }

  it('names the single file and, when sharded, the shards; a re-save removes the files it no longer lists', async () => {
    const dir = join(root, 'wfn-shards');
    const m = model(4, 3);
    await m.save(`file://${dir}`, { weightsFileName: 'w.bin', shardSizeBytes: 16 });
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'w-shard1of4.bin', 'w-shard2of4.bin', 'w-shard3of4.bin', 'w-shard4of4.bin']);
    expect(await predicts(dir, m)).toBe(0);
    await m.save(`file://${dir}`, { weightsFileName: 'w.bin' });
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'w.bin']);
    expect(await predicts(dir, m)).toBe(0);
  });
});

describe('several model files in one folder', () => {
  it("refuses to overwrite the weights another .json reads, naming it; with weightsFileName both load", async () => {
    const dir = join(root, 'two-models');
    const a = model(2, 1), b = model(2, 2);
    await a.save(`file://${join(dir, 'model.json')}`);
    const before = folderBytes(dir);
    await expect(b.save(`file://${join(dir, 'b.json')}`)).rejects.toThrow(/model\.json reads its weights from weights\.bin, which saving b\.json there would overwrite.*weightsFileName: 'b\.bin'/);
    expect(folderBytes(dir)).toEqual(before);
    await b.save(`file://${join(dir, 'b.json')}`, { weightsFileName: 'b.bin' });
    expect(await predicts(join(dir, 'model.json'), a)).toBe(0);
    expect(await predicts(join(dir, 'b.json'), b)).toBe(0);
    // The other way round, and for tfjs's shard names too.
    await expect(a.save(`file://${join(dir, 'c.json')}`, { weightsFileName: 'b.bin' })).rejects.toThrow(/b\.json reads its weights from b\.bin/);
    await a.save(`file://${join(dir, 'c.json')}`, { shardSizeBytes: 8 });
    await expect(b.save(`file://${join(dir, 'model.json')}`, { shardSizeBytes: 8 })).rejects.toThrow(/c\.json reads its weights from group1-shard1of4\.bin/);
  });

  it("re-saving model.json keeps the shards another .json reads (model.json's cleanup removed them)", async () => {
    const dir = join(root, 'cleanup');
    const a = model(2, 1), c = model(2, 4);
    await c.save(`file://${join(dir, 'c.json')}`, { shardSizeBytes: 8 });
    await a.save(`file://${join(dir, 'model.json')}`, { weightsFileName: 'a.bin' });
    expect(await predicts(join(dir, 'c.json'), c)).toBe(0);
    expect(await predicts(join(dir, 'model.json'), a)).toBe(0);
  });
});

describe('includeTrainingConfig', () => {
  for (const value of [0, 'no', 1]) {
    it(`refuses ${JSON.stringify(value)} by name, writing nothing`, async () => {
      const dir = join(root, `itc-${String(value)}`);
      await expect(model(2, 1).save(`file://${dir}`, { includeTrainingConfig: value as never })).rejects.toThrow(`save: includeTrainingConfig must be true or false, got ${JSON.stringify(value)}`);
      expect(existsSync(dir)).toBe(false);
    });
  }
  it('false leaves the training config out and true keeps it', async () => {
    const m = model(2, 1);
    await m.save(`file://${join(root, 'itc-false')}`, { includeTrainingConfig: false });
    await m.save(`file://${join(root, 'itc-true')}`, { includeTrainingConfig: true });
    expect('trainingConfig' in JSON.parse(readFileSync(join(root, 'itc-false', 'model.json'), 'utf8'))).toBe(false);
    expect('trainingConfig' in JSON.parse(readFileSync(join(root, 'itc-true', 'model.json'), 'utf8'))).toBe(true);
  });
});

describe('in-memory weightData', () => {
  it('is read by its bytes from any typed array or DataView (and lists of them), as tfjs reads a Float32Array', async () => {
    rl.setSeed(4);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [2] }), rl.layers.dense({ units: 2 })] });
    const xs = rl.tensor([0.5, -1], [1, 2]);
    let art!: rl.io.ModelArtifacts;
    await m.save(rl.io.withSaveHandler((a) => { art = a; return {}; }));
    const buf = art.weightData as ArrayBuffer;
    expect(buf.byteLength).toBe(68);
    const padded = new Uint8Array(buf.byteLength + 8);
    padded.set(new Uint8Array(buf), 4);
    const forms: [string, unknown][] = [
      ['Float32Array', new Float32Array(buf)],
      ['DataView', new DataView(buf)],
      ['DataView at an offset', new DataView(padded.buffer, 4, buf.byteLength)],
      ['Float32Array list', [new Float32Array(buf.slice(0, 20)), new Float32Array(buf.slice(20))]],
    ];
    for (const [label, weightData] of forms) {
      const loaded = await rl.loadLayersModel(rl.io.fromMemory({ ...art, weightData } as rl.io.ModelArtifacts));
      expect(maxAbsDiff((loaded.predict(xs) as rl.Tensor).dataSync(), m.predict(xs).dataSync()), label).toBe(0);
    }
    // A wrong byte count names weightData, not a weights.bin the artifacts do not have.
    await expect(rl.loadLayersModel(rl.io.fromMemory({ ...art, weightData: new Float32Array(buf.slice(4)) }))).rejects.toThrow('artifacts: weightData holds 64 bytes but weightSpecs describe 68 (truncated or missing data)');
    await expect(rl.loadLayersModel(rl.io.fromMemory({ ...art, weightData: 'bytes' as never }))).rejects.toThrow('artifacts: weightData must be an ArrayBuffer, a typed array or a DataView, got the string "bytes"');
  });
});
