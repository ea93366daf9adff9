// The options of the ONNX entry points: exportONNX / toOnnx take opset 17 (the one written) and refuse any other
// opset or option by name, writing nothing; loadONNX / modelFromOnnx take none and refuse them by name, as
// rl.loadModel does on an ONNX file; rl.loadLayersModel reads an .onnx path or onnx:// URL as rl.loadModel does.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { onnxSchema } from '../../src/onnx/proto.js';
import { maxAbsDiff, randomize } from './helpers.js';

const L = rl.layers;
const dir = mkdtempSync(join(tmpdir(), 'rnnlab-onnx-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function denseModel(): rl.Sequential {
  const m = rl.sequential({ layers: [L.dense({ units: 2, inputShape: [3] })] });
  randomize(m, 1);
  return m;
}

const opsetOf = (bytes: Uint8Array) => Number(onnxSchema().ModelProto.decode(bytes).opsetImport![0].version);
const x = rl.tensor([[1, -2, 0.5], [0, 3, -1]], [2, 3]);

describe('export options', () => {
  it('opset 17 is taken and written; any other opset is refused naming it, leaving an existing file as it was', async () => {
    const m = denseModel();
    expect(opsetOf(rl.toOnnx(m, { opset: 17 }))).toBe(17);
    const path = join(dir, 'opset.onnx');
    await rl.exportONNX(m, path, { opset: 17 });
    expect(opsetOf(readFileSync(path))).toBe(17);
    for (const opset of [11, 18, '17']) {
      expect(() => rl.toOnnx(m, { opset: opset as number })).toThrow(new RegExp(`toOnnx\\): opset ${JSON.stringify(opset)} is not written; rnnlab writes ONNX opset 17 only`));
    }
    writeFileSync(path, 'old');
    await expect(rl.exportONNX(m, path, { opset: 11 })).rejects.toThrow(/exportONNX\): opset 11 is not written/);
    expect(readFileSync(path, 'utf8')).toBe('old');
  });

  it('an unknown option is refused by name; a non-object options argument too', async () => {
    const m = denseModel();
    expect(() => rl.toOnnx(m, { dynamicAxes: {} } as never)).toThrow(/ONNX export \(toOnnx\): unknown option 'dynamicAxes'; options: opset/);
    expect(() => rl.toOnnx(m, { opest: 17 } as never)).toThrow(/unknown option 'opest' \(did you mean 'opset'\?\)/);
    expect(() => rl.toOnnx(m, 17 as never)).toThrow(/options argument must be an object/);
    const path = join(dir, 'unknown.onnx');
    await expect(rl.exportONNX(m, path, { inputNames: ['x'] } as never)).rejects.toThrow(/exportONNX\): unknown option 'inputNames'/);
    expect(existsSync(path)).toBe(false);
  });
});

describe('import options', () => {
  it('loadONNX and modelFromOnnx refuse any option by name, as rl.loadModel does', async () => {
    const m = denseModel();
    const path = join(dir, 'm.onnx');
    await rl.exportONNX(m, path);
    await expect(rl.loadONNX(path, { maxParams: 1 })).rejects.toThrow(/loadONNX: option 'maxParams' does not apply to an ONNX file/);
    await expect(rl.loadModel(path, { maxParams: 1 })).rejects.toThrow(/option 'maxParams' does not apply to an ONNX file/);
    expect(() => rl.modelFromOnnx(readFileSync(path), { strict: false } as never)).toThrow(/modelFromOnnx: option 'strict' does not apply to an ONNX file/);
    expect(() => rl.modelFromOnnx(readFileSync(path), 5 as never)).toThrow(/modelFromOnnx: the options argument must be an object, got 5/);
    // No options (or empty ones) load, predicting as the model.
    for (const back of [await rl.loadONNX(path), await rl.loadONNX(path, {}), rl.modelFromOnnx(readFileSync(path), 'm.onnx')]) {
      expect(maxAbsDiff(back.predict(x).values, m.predict(x).values)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('a string second argument of modelFromOnnx names the bytes in errors', () => {
    expect(() => rl.modelFromOnnx(new Uint8Array([1, 2, 3]), 'upload.onnx')).toThrow(/^upload\.onnx: not an ONNX model/);
  });
});

describe('rl.loadLayersModel on an ONNX file', () => {
  it('loads an .onnx path and an onnx:// URL as rl.loadModel does, and refuses options by name', async () => {
    const m = denseModel();
    const path = join(dir, 'layers.onnx');
    await rl.exportONNX(m, path);
    for (const url of [path, `onnx://${path}`]) {
      const back = await rl.loadLayersModel(url);
      expect(back.layers.map((l) => l.className)).toEqual(['Dense']);
      expect(maxAbsDiff((back.predict(x) as rl.Tensor).values, m.predict(x).values)).toBeLessThanOrEqual(1e-6);
    }
    await expect(rl.loadLayersModel(path, { strict: false })).rejects.toThrow(/loadLayersModel: option 'strict' does not apply to an ONNX file/);
    await expect(rl.loadLayersModel(join(dir, 'missing.onnx'))).rejects.toThrow(/cannot read ONNX file '.*missing\.onnx'/);
  });
});
