// ONNX import of the activations written out of elementary operators: PyTorch's GELU (exact and tanh), SiLU, Mish and
// Hardswish as torch.onnx.export (1.13, opsets 11-17) writes them, from test/fixtures/torch_activations/make.py, are
// read as rnnlab's gelu, gelu_new, silu, mish and hard_silu and predict what PyTorch computed and ONNX Runtime
// computes (<= 1e-5); rnnlab's own exports of these re-import as the same activation. A constant off by a little, or
// a tensor inside the pattern feeding another node, stays refused naming the pattern.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import type { Activation } from '../../src/autograd/ops.js';
import { loadOnnx, modelFromOnnx, toOnnx } from '../../src/onnx/index.js';
import { GraphBuilder } from '../../src/onnx/graph.js';
import { onnxSchema } from '../../src/onnx/proto.js';
import { Random } from '../../src/random.js';
import { bytesOf, maxAbsDiff, ortPredict, ortSession } from './helpers.js';

const L = rl.layers;
const DIR = join(__dirname, '..', 'fixtures', 'torch_activations');
const TOL = 1e-5;

interface Fixture { torch: string; cases: { input: number[]; shape: number[]; torch_output: number[]; output_shape: number[] }[] }
const fixture = (name: string) => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Fixture;
const bytes = (name: string) => new Uint8Array(readFileSync(join(DIR, `${name}.onnx`)));

const OPSETS = [11, 13, 14, 17];
/** What each torch module is in rnnlab: the first Linear's activation. */
const MODULES: Record<string, string> = { gelu: 'gelu', gelu_tanh: 'gelu_new', silu: 'silu', mish: 'mish', hardswish: 'hard_silu' };
const IMPORTED: Record<string, { layers: string[]; activation: string }> = {
  ...Object.fromEntries(Object.entries(MODULES).flatMap(([m, activation]) => OPSETS.map((o) => [`${m}_o${o}`, { layers: ['Dense', 'Dense'], activation }]))),
  softplus_o13: { layers: ['Dense', 'Dense'], activation: 'softplus' },
  conv_gelu_o13: { layers: ['Conv1D'], activation: 'gelu' },
};

async function expectAsTorchAndOrt(name: string, file: Uint8Array, m: rl.Sequential): Promise<void> {
  const session = await ortSession(file);
  for (const c of fixture(name).cases) {
    const x = rl.tensor(Float32Array.from(c.input), c.shape);
    const ours = m.predict(x);
    expect(ours.shape).toEqual(c.output_shape);
    expect(maxAbsDiff(ours.values, c.torch_output)).toBeLessThanOrEqual(TOL);
    expect(maxAbsDiff(ours.values, await ortPredict(session, x))).toBeLessThanOrEqual(TOL);
  }
}

describe('torch.onnx.export activations import as rnnlab activations, predicting what PyTorch computed', () => {
  for (const [name, want] of Object.entries(IMPORTED)) {
    it(`${name}: ${want.activation}`, async () => {
      const m = await loadOnnx(join(DIR, `${name}.onnx`));
      expect(m.layers.map((l) => l.className)).toEqual(want.layers);
      expect(m.layers[0].getConfig()).toMatchObject({ activation: want.activation });
      await expectAsTorchAndOrt(name, bytes(name), m);
    });
  }

  it('Hardswish is x · HardSigmoid(x, alpha 1/6) before opset 14 and one HardSwish node from it', () => {
    const ops = (name: string) => (onnxSchema().ModelProto.decode(bytes(name)).graph!.node ?? []).map((n) => n.opType);
    expect(ops('hardswish_o13')).toContain('HardSigmoid');
    expect(ops('hardswish_o14')).toContain('HardSwish');
    expect(ops('hardswish_o14')).not.toContain('Mul');
  });

  it('Softplus(beta=2) stays refused naming beta (Keras has none)', async () => {
    await expect(loadOnnx(join(DIR, 'softplus_beta2_o13.onnx')))
      .rejects.toThrow(/softplus_beta2_o13\.onnx: node '\/1\/Mul' \(Mul\): this Mul starts PyTorch's Softplus\(beta=2\), .*Keras's softplus has no beta/);
  });

  it('every fixture make.py wrote is read above and records torch 1.13', () => {
    const names = readdirSync(DIR).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -'.onnx'.length));
    expect(names.sort()).toEqual([...Object.keys(IMPORTED), 'softplus_beta2_o13'].sort());
    for (const name of names) expect(fixture(name).torch).toMatch(/^1\.13\./);
  });
});

type Nodes = NonNullable<NonNullable<ReturnType<ReturnType<typeof onnxSchema>['ModelProto']['decode']>['graph']>['node']>;

/** The fixture with edit applied to its nodes. */
function edited(name: string, edit: (nodes: Nodes) => void): Uint8Array {
  const schema = onnxSchema();
  const model = schema.ModelProto.decode(bytes(name));
  edit(model.graph!.node!);
  return schema.ModelProto.encode(model).finish();
}

/** The fixture with its one Constant node of value `from` (float32) set to `to`. */
function withConstant(name: string, from: number, to: number): Uint8Array {
  return edited(name, (nodes) => {
    const hits = nodes.filter((n) => n.opType === 'Constant' && new Float32Array(Uint8Array.from(n.attribute![0].t!.rawData!).buffer)[0] === Math.fround(from));
    expect(hits.length).toBe(1);
    hits[0].attribute![0].t!.rawData = new Uint8Array(Float32Array.of(to).buffer);
  });
}

describe('a pattern that is not exactly the activation stays refused, naming it', () => {
  const GELU = /node '\/1\/Mul' \(Mul\): this Mul starts PyTorch's GELU, x · \(1 \+ Erf\(x \/ √2\)\) \/ 2, written as several operators but not exactly as torch\.onnx\.export writes it/;
  const TANH = /node '\/1\/Mul_4' \(Mul\): this Mul starts PyTorch's GELU's tanh approximation, .* but not exactly as torch\.onnx\.export writes it/;

  it('the fixtures as written import (the edits below are what is refused)', () => {
    for (const name of ['gelu_o13', 'gelu_tanh_o13', 'hardswish_o13']) expect(() => modelFromOnnx(bytes(name), name)).not.toThrow();
  });

  it("GELU with 0.5, √2 or the 1 changed", () => {
    expect(() => modelFromOnnx(withConstant('gelu_o13', 0.5, 0.6), 'g.onnx')).toThrow(GELU);
    expect(() => modelFromOnnx(withConstant('gelu_o13', Math.SQRT2, 1.5), 'g.onnx')).toThrow(GELU);
    expect(() => modelFromOnnx(withConstant('gelu_o13', 1, 1.001), 'g.onnx')).toThrow(GELU);
    // One float32 step off √2 is still torch's constant; a part in a million is not.
    expect(() => modelFromOnnx(withConstant('gelu_o13', Math.SQRT2, Math.SQRT2 * (1 + 1e-6)), 'g.onnx')).toThrow(GELU);
  });

  it("GELU's tanh form with 0.044715, √(2/π), 0.5 or the 1 changed", () => {
    expect(() => modelFromOnnx(withConstant('gelu_tanh_o13', 0.044715, 0.05), 't.onnx')).toThrow(TANH);
    expect(() => modelFromOnnx(withConstant('gelu_tanh_o13', Math.sqrt(2 / Math.PI), 0.8), 't.onnx')).toThrow(TANH);
    expect(() => modelFromOnnx(withConstant('gelu_tanh_o13', 0.5, 0.6), 't.onnx')).toThrow(TANH);
    expect(() => modelFromOnnx(withConstant('gelu_tanh_o13', 1, 2), 't.onnx')).toThrow(TANH);
  });

  it("Hardswish's HardSigmoid with Keras's alpha 0.2 or another beta", () => {
    const attr = (name: string, value: number) => edited('hardswish_o13', (nodes) => {
      const hs = nodes.find((n) => n.opType === 'HardSigmoid')!;
      hs.attribute = [...(hs.attribute ?? []).filter((a) => a.name !== name), { name, type: 1, f: value }];
    });
    const HS = /node '\/1\/Mul' \(Mul\): this Mul starts PyTorch's Hardswish, x · HardSigmoid\(x\), written as several operators but not exactly/;
    expect(() => modelFromOnnx(attr('alpha', 0.2), 'h.onnx')).toThrow(HS);
    expect(() => modelFromOnnx(attr('beta', 0.6), 'h.onnx')).toThrow(HS);
  });

  it('a HardSwish node at an opset before 14 names the opset', () => {
    const bytes13 = edited('hardswish_o14', () => undefined);
    const model = onnxSchema().ModelProto.decode(bytes13);
    model.opsetImport = [{ domain: '', version: 13 }];
    expect(() => modelFromOnnx(onnxSchema().ModelProto.encode(model).finish(), 'h.onnx')).toThrow(/node '\/1\/HardSwish' \(HardSwish\): HardSwish exists from opset 14, but the model declares opset 13/);
  });

  const dense = (g: GraphBuilder) => g.node('Gemm', ['x', g.floats('W', values(15, 1), [5, 3]), g.floats('b', values(5, 2), [5])], { transB: 1 });
  const build = (f: (g: GraphBuilder, d: string) => string, opset = 13) => {
    const g = new GraphBuilder();
    return bytesOf(g, f(g, dense(g)), ['batch', 3], ['batch', 5], opset);
  };

  it('SiLU or GELU with a tensor inside also feeding another node', () => {
    const silu = build((g, d) => {
      const s = g.node('Sigmoid', [d]);
      return g.node('Mul', [g.node('Mul', [d, s], {}, 'silu'), s]);
    });
    expect(() => modelFromOnnx(silu, 's.onnx')).toThrow(/node 'silu_node' \(Mul\): this Mul starts PyTorch's SiLU \(swish\), x · Sigmoid\(x\), written as several operators but not exactly/);
    const gelu = build((g, d) => {
      const erf = g.node('Erf', [g.node('Div', [d, g.scalar(Math.SQRT2)])]);
      const y = g.node('Mul', [g.node('Mul', [d, g.node('Add', [erf, g.scalar(1)])], {}, 'gelu'), g.scalar(0.5)]);
      return g.node('Add', [y, erf]);
    });
    expect(() => modelFromOnnx(gelu, 'g.onnx')).toThrow(/node 'gelu_node' \(Mul\): this Mul starts PyTorch's GELU, .*not exactly/);
  });

  it("exportOnnx's GELU form, (x · 0.5) · (1 + Erf(x · 1/√2)), with 0.6 for 0.5 names GELU", () => {
    const y = build((g, d) => {
      const erf = g.node('Erf', [g.node('Mul', [d, g.scalar(Math.SQRT1_2)])]);
      return g.node('Mul', [g.node('Mul', [d, g.scalar(0.6)], {}, 'half'), g.node('Add', [erf, g.scalar(1)])]);
    });
    expect(() => modelFromOnnx(y, 'g.onnx')).toThrow(/node 'half_node' \(Mul\): this Mul starts PyTorch's GELU, .*not exactly/);
  });

  it("the tanh form with the cube as Pow(x, 3) (Hugging Face's gelu_new) imports; Pow(x, 2.9) does not", async () => {
    const withPow = (power: number) => build((g, d) => {
      const cubic = g.node('Mul', [g.node('Pow', [d, g.scalar(power)]), g.scalar(0.044715)]);
      const inner = g.node('Mul', [g.node('Add', [d, cubic]), g.scalar(Math.sqrt(2 / Math.PI))]);
      return g.node('Mul', [g.node('Mul', [d, g.scalar(0.5)], {}, 'half'), g.node('Add', [g.node('Tanh', [inner]), g.scalar(1)])]);
    });
    const m = modelFromOnnx(withPow(3), 'pow.onnx');
    expect(m.layers[0].getConfig()).toMatchObject({ activation: 'gelu_new' });
    const x = rl.tensor(values(4 * 3, 5, 8), [4, 3]);
    expect(maxAbsDiff(m.predict(x).values, await ortPredict(await ortSession(withPow(3)), x))).toBeLessThanOrEqual(TOL);
    expect(() => modelFromOnnx(withPow(2.9), 'pow.onnx')).toThrow(/node 'half_node' \(Mul\): this Mul starts PyTorch's GELU's tanh approximation/);
  });
});

function values(n: number, seed: number, scale = 2.4): Float32Array {
  const r = new Random(seed);
  return Float32Array.from({ length: n }, () => (r.next() - 0.5) * scale);
}

describe("rnnlab's own ONNX export of these activations imports back as the same activation", () => {
  // swish and hard_swish are aliases: they come back under the names Keras 3 gives the functions.
  const BACK: Record<string, string> = { gelu: 'gelu', gelu_new: 'gelu_new', silu: 'silu', swish: 'silu', mish: 'mish', hard_silu: 'hard_silu', hard_swish: 'hard_silu' };
  for (const [activation, back] of Object.entries(BACK)) {
    it(`${activation} in Conv1D, TimeDistributed(Dense), Dense and an Activation layer`, async () => {
      rl.setSeed(8);
      const act = activation as Activation;
      const m = rl.sequential({ layers: [
        L.conv1d({ filters: 3, kernelSize: 2, activation: act, inputShape: [5, 2] }),
        L.timeDistributed({ layer: L.dense({ units: 3, activation: act }) }),
        L.flatten(), L.dense({ units: 4, activation: act }), L.activation({ activation: act }),
      ] });
      const file = toOnnx(m);
      const imported = modelFromOnnx(file, 'own.onnx');
      expect(imported.layers.map((l) => l.className)).toEqual(['Conv1D', 'TimeDistributed', 'Flatten', 'Dense', 'Activation']);
      const activations = imported.layers.map((l) => (l.getConfig() as { activation?: string; layer?: { config: { activation: string } } }));
      expect([activations[0].activation, activations[1].layer?.config.activation, activations[3].activation, activations[4].activation]).toEqual([back, back, back, back]);
      const x = rl.tensor(values(4 * 5 * 2, 9, 8), [4, 5, 2]);
      const want = m.predict(x).values;
      expect(maxAbsDiff(imported.predict(x).values, want)).toBeLessThanOrEqual(TOL);
      expect(maxAbsDiff(await ortPredict(await ortSession(file), x), want)).toBeLessThanOrEqual(TOL);
    });
  }
});
