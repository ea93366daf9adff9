// The arguments of the ONNX file entries: rl.exportONNX / rl.loadONNX name files as model.save and rl.loadModel do
// (a path, a file:// URL or an onnx:// URL; another scheme is refused naming it), and the export entries refuse
// anything that is not a model by what it is, never with a TypeError from deep inside the exporter.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxAbsDiff, randomize } from './helpers.js';

const L = rl.layers;
const root = mkdtempSync(join(tmpdir(), 'rnnlab-onnx-entry-'));
// A space in the folder: file:// URLs carry it as %20, which must be decoded to find the file.
const dir = join(root, 'with space');
mkdirSync(dir);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function lstmModel(): rl.Sequential {
  const m = rl.sequential({ layers: [L.lstm({ units: 3, inputShape: [4, 2] }), L.dense({ units: 2 })] });
  randomize(m, 7);
  return m;
}

const x = rl.tensor(Array.from({ length: 3 * 4 * 2 }, (_, i) => Math.sin(i)), [3, 4, 2]);

describe('rl.exportONNX / rl.loadONNX take the URLs model.save and rl.loadModel take', () => {
  const model = lstmModel();
  const expected = model.predict(x).values;

  it('a file:// URL and an onnx:// URL, absolute or relative, write the file and read it back', async () => {
    const asFile = join(dir, 'by-file-url.onnx');
    const asOnnx = join(dir, 'by-onnx-url.onnx');
    const asRelative = join(dir, 'relative.onnx');
    const written = [
      await rl.exportONNX(model, pathToFileURL(asFile).href),
      await rl.exportONNX(model, `onnx://${asOnnx}`),
      await rl.exportONNX(model, `onnx://${relative(process.cwd(), asRelative)}`),
    ];
    // The result names the file written, not the URL.
    expect(written.map((w) => w.path)).toEqual([asFile, asOnnx, relative(process.cwd(), asRelative)]);
    for (const url of [`onnx://${asFile}`, pathToFileURL(asOnnx).href, asRelative, `file://${relative(process.cwd(), asRelative)}`]) {
      const back = await rl.loadONNX(url);
      expect(maxAbsDiff(back.predict(x).values, expected), url).toBeLessThanOrEqual(1e-5);
    }
    // The same files through the model loaders' own URLs.
    expect(maxAbsDiff((await rl.loadModel(pathToFileURL(asFile).href)).predict(x).values, expected)).toBeLessThanOrEqual(1e-5);
  });

  it('loadONNX / exportONNX take any file name, not only .onnx, through a URL too', async () => {
    const file = join(dir, 'model.bin');
    await rl.exportONNX(model, pathToFileURL(file).href);
    const back = await rl.loadONNX(`onnx://${file}`);
    expect(maxAbsDiff(back.predict(x).values, expected)).toBeLessThanOrEqual(1e-5);
  });

  it('another scheme is refused naming it and what is taken, writing nothing', async () => {
    const before = readdirSync(dir).sort();
    for (const url of ['http://example.com/m.onnx', 'indexeddb://m', 'localstorage://m.onnx']) {
      const scheme = url.slice(0, url.indexOf('://') + 3);
      const exported = rl.exportONNX(model, url);
      await expect(exported).rejects.toThrow(rl.OnnxExportError);
      await expect(exported).rejects.toThrow(`ONNX export: cannot write '${url}': unsupported URL scheme '${scheme}'; ONNX files are named by a path, a file:// URL or an onnx:// URL`);
      const loaded = rl.loadONNX(url);
      await expect(loaded).rejects.toThrow(rl.OnnxImportError);
      await expect(loaded).rejects.toThrow(`loadONNX: cannot read '${url}': unsupported URL scheme '${scheme}'`);
    }
    // An .onnx file behind another scheme is no ONNX path for the model loaders either: they refuse the scheme.
    await expect(rl.loadModel('http://example.com/m.onnx')).rejects.toThrow("unsupported URL scheme 'http://'");
    await expect(model.save('https://example.com/m.onnx')).rejects.toThrow("unsupported URL scheme 'https://'");
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('errors name the URL given, and the file it names', async () => {
    const missing = join(dir, 'missing.onnx');
    await expect(rl.loadONNX(`onnx://${missing}`)).rejects.toThrow(`cannot read ONNX file 'onnx://${missing}' (${missing}): no such file`);
    await expect(rl.loadONNX(missing)).rejects.toThrow(`cannot read ONNX file '${missing}': no such file`);
    await expect(rl.loadONNX(pathToFileURL(dir).href)).rejects.toThrow(`(${dir}): it is a folder, not a file`);
    const noFolder = join(dir, 'no', 'm.onnx');
    await expect(rl.exportONNX(model, `onnx://${noFolder}`)).rejects.toThrow(`ONNX export: cannot write 'onnx://${noFolder}': the folder ${join(dir, 'no')} does not exist`);
    await expect(rl.exportONNX(model, 'onnx://')).rejects.toThrow(rl.OnnxExportError);
    await expect(rl.exportONNX(model, 'onnx://')).rejects.toThrow("ONNX export: 'onnx://': an onnx:// URL needs a file path");
    await expect(rl.loadONNX('onnx://')).rejects.toThrow(rl.OnnxImportError);
    await expect(rl.loadONNX('file://')).rejects.toThrow("loadONNX: cannot read 'file://': the URL names no file");
    await expect(rl.exportONNX(model, 'file://')).rejects.toThrow("ONNX export: cannot write 'file://': the URL names no file");
    await expect(rl.loadONNX(42 as never)).rejects.toThrow('loadONNX: the file path must be a non-empty string, got number 42');
    await expect(rl.exportONNX(model, '')).rejects.toThrow('ONNX export: the file path must be a non-empty string, got ""');
  });
});

describe('the export entries refuse what is not a model, by what it is', () => {
  const dense = L.dense({ units: 2, name: 'not_a_model' });
  const embedding = L.embedding({ inputDim: 5, outputDim: 2, name: 'emb' });
  const cases: [string, unknown, string][] = [
    ['undefined', undefined, 'got undefined'],
    ['null', null, 'got null'],
    ['a plain object', {}, 'got an object'],
    ['a layer', dense, "got a Dense layer ('not_a_model')"],
    ['a layer starting with a vowel', embedding, "got an Embedding layer ('emb')"],
    ['a number', 3, 'got number 3'],
    ['a list of layers', [dense], 'got an array'],
    ['an object whose layers are not layers', { name: 'fake', layers: [1, 2] }, 'got an object'],
  ];

  for (const [what, arg, got] of cases) {
    it(`${what}: toOnnx and exportONNX throw OnnxExportError saying ${got}`, async () => {
      const message = 'the model (first argument) must be a Sequential or functional model (rl.sequential, rl.model), ' + got;
      expect(() => rl.toOnnx(arg as never)).toThrow(rl.OnnxExportError);
      expect(() => rl.toOnnx(arg as never)).toThrow(`ONNX export (toOnnx): ${message}`);
      const path = join(dir, 'refused.onnx');
      const exported = rl.exportONNX(arg as never, path);
      await expect(exported).rejects.toThrow(rl.OnnxExportError);
      await expect(exported).rejects.toThrow(`ONNX export (exportONNX): ${message}`);
      expect(existsSync(path)).toBe(false);
    });
  }

  it('a model, Sequential or functional, still exports', () => {
    const input = rl.input({ shape: [4, 2] });
    const functional = rl.model({ inputs: input, outputs: L.dense({ units: 2 }).apply(L.gru({ units: 3 }).apply(input)) as rl.SymbolicTensor });
    for (const m of [lstmModel(), functional]) expect(rl.toOnnx(m as never).length).toBeGreaterThan(100);
  });
});
