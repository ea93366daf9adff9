/** tf.io's members beyond rnnlab's handlers: tfjs-node's fileSystem works as file://, the browser's and HTTP's are refused by name. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-io-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rl.io as tfjs-node programs call it', () => {
  it('fileSystem(path) saves to a folder and loads back from its model.json or the folder, relative paths too', async () => {
    rl.setSeed(3);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
    const x = rl.tensor([[1, 2, 3]]);
    const out = join(dir, 'm');
    await m.save(rl.io.fileSystem(relative(process.cwd(), out)));
    const want = Array.from((m.predict(x) as rl.Tensor).dataSync());
    for (const from of [join(out, 'model.json'), out]) {
      const back = await rl.loadLayersModel(rl.io.fileSystem(from));
      expect(Array.from((back.predict(x) as rl.Tensor).dataSync())).toEqual(want);
    }
    expect(() => rl.io.fileSystem([join(out, 'model.json'), join(out, 'weights.bin')])).toThrow(/io\.fileSystem: expected one path.*give its path/);
    expect(() => rl.io.fileSystem('')).toThrow(/io\.fileSystem: expected one path/);
  });

  it('the browser stores, HTTP, routers and weight loaders are refused naming the member', () => {
    for (const name of ['listModels', 'removeModel', 'copyModel', 'moveModel', 'browserFiles', 'browserDownloads', 'http',
      'browserHTTPRequest', 'isHTTPScheme', 'registerSaveRouter', 'registerLoadRouter', 'getSaveHandlers', 'getLoadHandlers',
      'loadWeights', 'weightsLoaderFactory', 'encodeWeights', 'decodeWeights'] as const) {
      expect(() => (rl.io[name] as (...a: unknown[]) => unknown)('x')).toThrow(new RegExp(`^io\\.${name}: not supported by rnnlab: `));
    }
  });
});
