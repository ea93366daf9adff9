/** Every name of tfjs 4.22's tf.io and tf.test_util exists in rnnlab's: working, or throwing 'not supported by rnnlab'. */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

describe('rl.io against tfjs\'s tf.io', () => {
  it('has every name of tf.io and tf.test_util', () => {
    expect(Object.keys(tf.io).filter((k) => !(k in rl.io))).toEqual([]);
    expect(Object.keys(tf.test_util).filter((k) => !(k in rl.test_util))).toEqual([]);
  });

  it('fileSystem turns a path into the file:// URL and refuses a URL', () => {
    expect(rl.io.fileSystem('models/m')).toBe(pathToFileURL(resolve('models/m')).href);
    expect(() => rl.io.fileSystem('file://models/m')).toThrow("io.fileSystem: expected a path, got the URL 'file://models/m'; pass the URL itself to model.save or loadLayersModel, or its path to io.fileSystem");
  });

  it('the weight-format helpers are refused by name, called or constructed', () => {
    for (const name of ['decodeWeightsStream', 'getWeightSpecs', 'getModelArtifactsForJSON', 'getModelArtifactsForJSONSync',
      'getModelArtifactsInfoForJSON', 'CompositeArrayBuffer'] as const) {
      expect(() => (rl.io[name] as (...a: unknown[]) => unknown)({})).toThrow(new RegExp(`^io\\.${name}: not supported by rnnlab: `));
    }
    expect(() => new (rl.io.CompositeArrayBuffer as unknown as new () => unknown)()).toThrow(/^io\.CompositeArrayBuffer: not supported by rnnlab: /);
  });

  it('concatenateArrayBuffers joins the bytes as tfjs\'s does', () => {
    const a = new Uint8Array([1, 2]).buffer, b = new Uint8Array([3]).buffer;
    const ours = new Uint8Array(rl.io.concatenateArrayBuffers([a, b]));
    expect(Array.from(ours)).toEqual(Array.from(new Uint8Array(tf.io.concatenateArrayBuffers([a, b]))));
    expect(Array.from(ours)).toEqual([1, 2, 3]);
    expect(() => rl.io.concatenateArrayBuffers([a, [4] as unknown as ArrayBuffer])).toThrow('io.concatenateArrayBuffers: item 1 is not an ArrayBuffer');
  });

  it('fromMemorySync and withSaveHandlerSync round-trip a model', async () => {
    rl.setSeed(5);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 2, inputShape: [3] })] });
    let saved: unknown;
    await m.save(rl.io.withSaveHandlerSync((artifacts) => { saved = artifacts; return {}; }));
    const back = await rl.loadLayersModel(rl.io.fromMemorySync(saved as object));
    const x = rl.tensor([[1, 2, 3]]);
    expect(Array.from((back.predict(x) as rl.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as rl.Tensor).dataSync()));
  });
});
