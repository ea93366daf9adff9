// rl.modelFromOnnx takes the file's bytes as ONNX Runtime does (a Uint8Array or an ArrayBuffer); a path or anything
// else is refused by what it is, not as "not an ONNX model (illegal buffer)". The ONNX entries refuse arguments past
// those they take, naming the entry and the count, instead of dropping them unread.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxAbsDiff, randomize } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-onnx-entry-r55-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function denseModel(): rl.Sequential {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 3, inputShape: [4], activation: 'tanh' }), rl.layers.dense({ units: 2 })] });
  randomize(m, 11);
  return m;
}
const x = rl.tensor(Array.from({ length: 8 }, (_, i) => Math.sin(i)), [2, 4]);

/** Calls fn with arguments TypeScript would not let through, as a JavaScript caller can. */
const loosely = <T>(fn: T) => fn as unknown as (...args: unknown[]) => unknown;

describe('rl.modelFromOnnx: the bytes it takes', () => {
  it('an ArrayBuffer reads as its Uint8Array does', () => {
    const m = denseModel();
    const bytes = rl.toOnnx(m);
    const buffer = new ArrayBuffer(bytes.byteLength);
    new Uint8Array(buffer).set(bytes);
    const back = rl.modelFromOnnx(buffer, 'buffer.onnx');
    expect(maxAbsDiff(back.predict(x).values, m.predict(x).values)).toBeLessThanOrEqual(1e-6);
  });

  it('a path, a number, a plain array and a Float32Array are refused, saying what was expected and what was given', () => {
    const expected = "modelFromOnnx: the model (first argument) must be the ONNX file's bytes, a Uint8Array (a Buffer) or an ArrayBuffer, got ";
    const refused = (v: unknown) => () => loosely(rl.modelFromOnnx)(v, 'm.onnx');
    expect(refused('/models/a.onnx')).toThrow(rl.OnnxImportError);
    expect(refused('/models/a.onnx')).toThrow(`${expected}the string "/models/a.onnx"; a path is not read here: rl.loadONNX(path) or rl.loadModel(path) reads an ONNX file`);
    expect(refused(42)).toThrow(`${expected}number 42`);
    expect(refused([8, 1])).toThrow(`${expected}an array`);
    expect(refused(new Float32Array(4))).toThrow(`${expected}a Float32Array`);
    expect(refused(undefined)).toThrow(`${expected}undefined`);
  });
});

describe('the ONNX entries refuse arguments past those they take', () => {
  const m = denseModel();

  it('rl.toOnnx(model, options, extra)', () => {
    expect(() => loosely(rl.toOnnx)(m, {}, {})).toThrow(rl.OnnxExportError);
    expect(() => loosely(rl.toOnnx)(m, {}, {})).toThrow('ONNX export: toOnnx takes at most 2 arguments (model, options), got 3');
    expect(() => loosely(rl.toOnnx)(m, undefined, undefined)).toThrow('got 3');
    // The arguments it takes still work.
    expect(rl.toOnnx(m, {}).length).toBeGreaterThan(0);
  });

  it('rl.exportONNX(model, path, options, extra) writes nothing', async () => {
    const file = join(dir, 'extra.onnx');
    await expect(loosely(rl.exportONNX)(m, file, {}, 5)).rejects.toThrow(rl.OnnxExportError);
    await expect(loosely(rl.exportONNX)(m, file, {}, 5)).rejects.toThrow('ONNX export: exportONNX takes at most 3 arguments (model, path, options), got 4');
    expect(existsSync(file)).toBe(false);
    await rl.exportONNX(m, file, {});
    expect(existsSync(file)).toBe(true);
  });

  it('rl.loadONNX(path, options, extra) and rl.modelFromOnnx(bytes, name, extra)', async () => {
    const file = join(dir, 'load.onnx');
    await rl.exportONNX(m, file);
    await expect(loosely(rl.loadONNX)(file, {}, 1)).rejects.toThrow('loadONNX takes at most 2 arguments (path, options), got 3');
    expect(() => loosely(rl.modelFromOnnx)(rl.toOnnx(m), 'm.onnx', {})).toThrow('modelFromOnnx takes at most 2 arguments (bytes, name), got 3');
    expect((await rl.loadONNX(file, {})).layers.length).toBe(2);
  });
});
