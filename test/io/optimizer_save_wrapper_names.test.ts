// save({includeOptimizer: true}) of wrapper layers whose inner weights share an in-memory name (one layer in two
// Bidirectionals, inner layers given the same name): each weight's slots are written once, under the name the
// weights manifest gives the weight ('bidirectional/forward_lstm/kernel/m', 'bidirectional_1/...'), and load back
// onto that weight, so training continues as the in-memory model does.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxAbsDiff, removeDir, sameBits, tempDir } from './helpers.js';

const root = tempDir('rnnlab-optwrap-');
afterAll(() => removeDir(root));

const values = (m: rl.Functional) => m.getWeights().map((w) => Float32Array.from(w.dataSync()));
const slotsOf = (m: rl.Functional) => m.optimizer!.getSlots(m.trainableWeights).flat().map((a) => Float32Array.from(a));

const x = rl.tensor(Float32Array.from({ length: 4 * 3 * 2 }, (_, i) => Math.sin(i * 0.9)), [4, 3, 2]);

const cases: [string, () => rl.Functional, rl.Tensor][] = [
  ['one LSTM wrapped by two bidirectionals', () => {
    const inner = rl.layers.lstm({ units: 2, returnSequences: true });
    const inp = rl.input({ shape: [3, 2] });
    const a = rl.layers.bidirectional({ layer: inner }).apply(inp) as rl.SymbolicTensor;
    return rl.model({ inputs: inp, outputs: rl.layers.bidirectional({ layer: inner, mergeMode: 'sum' }).apply(a) as rl.SymbolicTensor });
  }, rl.tensor(Float32Array.from({ length: 4 * 3 * 2 }, (_, i) => Math.cos(i * 0.4)), [4, 3, 2])],
  ["two LSTMs both named 'enc', each in a bidirectional", () => {
    const inp = rl.input({ shape: [3, 2] });
    const a = rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, returnSequences: true, name: 'enc' }) }).apply(inp) as rl.SymbolicTensor;
    return rl.model({ inputs: inp, outputs: rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 1, returnSequences: true, name: 'enc' }) }).apply(a) as rl.SymbolicTensor });
  }, rl.tensor(Float32Array.from({ length: 4 * 3 * 2 }, (_, i) => Math.cos(i * 0.4)), [4, 3, 2])],
  ["two timeDistributed denses both named 'proj'", () => {
    const inp = rl.input({ shape: [3, 2] });
    const a = rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 4, name: 'proj' }) }).apply(inp) as rl.SymbolicTensor;
    return rl.model({ inputs: inp, outputs: rl.layers.timeDistributed({ layer: rl.layers.dense({ units: 1, name: 'proj' }) }).apply(a) as rl.SymbolicTensor });
  }, rl.tensor(Float32Array.from({ length: 4 * 3 }, (_, i) => Math.cos(i * 0.4)), [4, 3, 1])],
];

describe('includeOptimizer with wrapper weights that share an in-memory name', () => {
  cases.forEach(([label, make, y], k) => {
    it(`${label}: every slot is written once under its saved name, loads onto its weight, and training continues bit for bit`, async () => {
      rl.setSeed(11);
      const m = make();
      const names = m.weights.map((w) => w.name);
      expect(new Set(names).size).toBeLessThan(names.length);
      m.compile({ optimizer: rl.optimizers.adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
      await m.fit(x, y, { epochs: 2, verbose: 0, shuffle: false });
      const dir = join(root, `case${k}`);
      await m.save(dir, { includeOptimizer: true });

      const specs = (JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest as { weights: { name: string; group?: string }[] }[])
        .flatMap((g) => g.weights);
      const modelNames = specs.filter((s) => s.group !== 'optimizer').map((s) => s.name);
      expect(new Set(modelNames).size).toBe(modelNames.length);
      const slotNames = specs.filter((s) => s.group === 'optimizer').map((s) => s.name);
      expect(slotNames).toEqual(['iter', ...['m', 'v'].flatMap((kind) => modelNames.map((n) => `${n}/${kind}`))]);

      const back = await rl.loadLayersModel(dir) as rl.Functional;
      expect(sameBits(slotsOf(back), slotsOf(m))).toBe(true);
      expect(back.optimizer!.iterations).toBe(m.optimizer!.iterations);
      const bare = await rl.loadLayersModel(dir, { compile: false }) as rl.Functional;
      bare.compile({ optimizer: rl.optimizers.adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
      for (const mm of [m, back, bare]) await mm.fit(x, y, { epochs: 1, verbose: 0, shuffle: false });
      expect(sameBits(values(back), values(m))).toBe(true);
      // The restored state matters: a fresh optimizer takes another step.
      expect(Math.max(...values(bare).map((w, i) => maxAbsDiff(w, values(m)[i])))).toBeGreaterThan(1e-4);
    });
  });

  it('the two wrappers hold different state, each under its own name (the first is not written twice)', async () => {
    rl.setSeed(3);
    const m = cases[2][1]();
    m.compile({ optimizer: rl.optimizers.adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
    await m.fit(x, cases[2][2], { epochs: 1, verbose: 0 });
    const a = rl.io.modelArtifactsOf(m, { includeOptimizer: true });
    const shapes = Object.fromEntries((a.weightSpecs as { name: string; shape: number[]; group?: string }[])
      .filter((s) => s.group === 'optimizer').map((s) => [s.name, s.shape]));
    const [first, second] = m.layers.slice(1).map((l) => l.name);
    expect(shapes[`${first}/kernel/m`]).toEqual([2, 4]);
    expect(shapes[`${second}/kernel/m`]).toEqual([4, 1]);
  });

  it("slots whose shape is not their weight's are refused on loading, naming them", async () => {
    rl.setSeed(3);
    const m = cases[2][1]();
    m.compile({ optimizer: rl.optimizers.adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
    await m.fit(x, cases[2][2], { epochs: 1, verbose: 0 });
    const a = rl.io.modelArtifactsOf(m, { includeOptimizer: true });
    const first = m.layers[1].name;
    // The first wrapper's kernel and bias slots trade names: each weight's slots agree with each other, not with it.
    const swap = (n: string) => (n.startsWith(`${first}/kernel/`) ? n.replace('/kernel/', '/bias/') : n.startsWith(`${first}/bias/`) ? n.replace('/bias/', '/kernel/') : n);
    const swapped = { ...a, weightSpecs: (a.weightSpecs as { name: string; group?: string }[]).map((s) => (s.group === 'optimizer' ? { ...s, name: swap(s.name) } : s)) };
    await expect(rl.loadLayersModel(rl.io.fromMemory(swapped as never)))
      .rejects.toThrow(new RegExp(`do not fit the Adam optimizer of trainingConfig: the slots '${first}/(kernel/…' have shape \\[4\\], their weight \\[2, 4\\]|bias/…' have shape \\[2, 4\\], their weight \\[4\\])`));
  });
});
