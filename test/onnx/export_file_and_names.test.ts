// exportOnnx's file (each call its own temporary file, so two exports to one path at once leave one whole model;
// errors name the path asked for and why, never the temporary file), the names of a shared layer's outputs in a
// functional export, and the Sequential output's symbolic sizes named apart from the input's.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as rl from '../../src/index.js';
import { exportOnnx, toOnnx } from '../../src/onnx/index.js';
import { onnxSchema } from '../../src/onnx/proto.js';
import { maxAbsDiff, ortSession, randomize } from './helpers.js';

const L = rl.layers;
const dir = mkdtempSync(join(tmpdir(), 'rnnlab-onnx-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lstmModel(units: number): rl.Sequential {
  const m = rl.sequential({ layers: [L.lstm({ units, inputShape: [5, 3] }), L.dense({ units: 2 })] });
  randomize(m, units);
  return m;
}

/** Each graph input's and output's dims (a number, or the symbolic name). */
function graphDims(bytes: Uint8Array): { inputs: (number | string)[][]; outputs: (number | string)[][] } {
  const g = onnxSchema().ModelProto.decode(bytes).graph!;
  const dims = (v: NonNullable<typeof g.input>[number]) =>
    (v.type!.tensorType!.shape!.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));
  return { inputs: (g.input ?? []).map(dims), outputs: (g.output ?? []).map(dims) };
}

describe('exportOnnx writes the file whole', () => {
  it('two exports to one path at once both succeed and leave one of the two models, whole, and no temporary file', async () => {
    const small = lstmModel(3), big = lstmModel(40);
    const path = join(dir, 'race.onnx');
    writeFileSync(path, 'old');
    const results = await Promise.all([exportOnnx(big, path), exportOnnx(small, path), exportOnnx(big, path)]);
    expect(results.map((r) => r.path)).toEqual([path, path, path]);
    const bytes = readFileSync(path);
    expect([toOnnx(small).length, toOnnx(big).length]).toContain(bytes.length);
    const session = await ortSession(new Uint8Array(bytes));
    expect(session.outputNames).toEqual(['output']);
    expect(readdirSync(dir).filter((n) => n.startsWith('race.onnx') || n.includes('tmp'))).toEqual(['race.onnx']);
  });

  it('a path below a file, a folder, a missing folder and an empty path are refused naming the path, writing nothing', async () => {
    const m = lstmModel(3);
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'keep');
    mkdirSync(join(dir, 'afolder'), { recursive: true });
    await expect(exportOnnx(m, join(file, 'm.onnx'))).rejects.toThrow(`ONNX export: cannot write '${join(file, 'm.onnx')}': ${file} is not a folder`);
    await expect(exportOnnx(m, join(dir, 'afolder'))).rejects.toThrow(`ONNX export: cannot write '${join(dir, 'afolder')}': it is a folder`);
    await expect(exportOnnx(m, join(dir, 'no', 'm.onnx'))).rejects.toThrow(`cannot write '${join(dir, 'no', 'm.onnx')}': the folder ${join(dir, 'no')} does not exist`);
    await expect(exportOnnx(m, '')).rejects.toThrow('ONNX export: the file path must be a non-empty string, got ""');
    expect(readFileSync(file, 'utf8')).toBe('keep');
    expect(readdirSync(join(dir, 'afolder'))).toEqual([]);
    expect(readdirSync(dir).some((n) => n.includes('tmp'))).toBe(false);
  });
});

describe('a functional export names every output apart', () => {
  it("a shared layer's second call gives '<layer>_call1' (its states '<layer>_call1_<i>'), equal to predict", async () => {
    const a = rl.input({ shape: [null, 3], name: 'a' }), b = rl.input({ shape: [null, 3], name: 'b' });
    const enc = L.lstm({ units: 4, name: 'encoder', returnState: true });
    const [ha, , ca] = enc.apply(a) as rl.SymbolicTensor[];
    const [hb, , cb] = enc.apply(b) as rl.SymbolicTensor[];
    const m = rl.model({ inputs: [a, b], outputs: [ha, hb, ca, cb] });
    randomize(m, 7);
    const session = await ortSession(toOnnx(m));
    expect(session.outputNames).toEqual(['encoder', 'encoder_call1', 'encoder_2', 'encoder_call1_2']);
    const xa = rl.randomUniform([2, 4, 3], -1, 1, 'float32', 1), xb = rl.randomUniform([2, 6, 3], -1, 1, 'float32', 2);
    const ours = m.predict([xa, xb]) as rl.Tensor[];
    const out = await session.run({ a: new ort.Tensor('float32', Float32Array.from(xa.values), xa.shape), b: new ort.Tensor('float32', Float32Array.from(xb.values), xb.shape) });
    session.outputNames.forEach((name, i) => expect(maxAbsDiff(out[name].data as Float32Array, ours[i].values), name).toBeLessThanOrEqual(1e-5));
  });

  it('a tensor listed twice is refused naming both places', () => {
    const x = rl.input({ shape: [3] });
    const y = L.dense({ units: 2, name: 'd' }).apply(x) as rl.SymbolicTensor;
    expect(() => toOnnx(rl.model({ inputs: x, outputs: [y, y] }))).toThrow(/output 1 is output 0 again; list each output once/);
  });
});

describe("a Sequential export's symbolic sizes", () => {
  it("name the output's unknown sizes apart from the input's (a strided Conv1D changes the steps)", () => {
    const m = rl.sequential({ layers: [L.conv1d({ filters: 2, kernelSize: 2, strides: 2, inputShape: [null, 3] })] });
    const { inputs, outputs } = graphDims(toOnnx(m));
    expect(inputs).toEqual([['batch', 'dim_1', 3]]);
    expect(outputs).toEqual([['batch', 'output_dim_1', 2]]);
  });
});
