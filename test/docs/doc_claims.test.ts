// Claims of docs/API.md (stateful and recurrent dropout on `rnn` cells), docs/PERSISTENCE.md (what loading accepts
// and refuses) and docs/ARCHITECTURE.md (the files it names), each checked against the code.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { REPO_ROOT } from '../helpers/imdb.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-doc-claims-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const L = rl.layers as unknown as Record<string, (args: Record<string, unknown>) => rl.layerClasses.Layer>;

function values(t: unknown): number[] {
  return Array.from((t as rl.Tensor).dataSync());
}

function sequence(seed: number): rl.Tensor {
  const r = new rl.Random(seed);
  return rl.tensor3d(Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => [r.uniform(-1, 1)])));
}

describe("docs/API.md: stateful and recurrentDropout on rnn's cells", () => {
  it('rnn({cell, stateful}) continues from the previous call, as its lstm twin does, until resetStates', () => {
    rl.setSeed(3);
    const cellModel = rl.sequential({ layers: [L.rnn({ cell: L.lstmCell({ units: 2 }), stateful: true, batchInputShape: [2, 3, 1] })] });
    const twin = rl.sequential({ layers: [L.lstm({ units: 2, stateful: true, batchInputShape: [2, 3, 1] })] });
    twin.setWeights(cellModel.getWeights());
    const [a, b] = [sequence(1), sequence(2)];
    const first = values(cellModel.predict(a));
    const second = values(cellModel.predict(b));
    expect(second).not.toEqual(values(rl.sequential({ layers: [L.lstm({ units: 2, batchInputShape: [2, 3, 1], weights: twin.getWeights() })] }).predict(b)));
    twin.predict(a);
    const twinSecond = values(twin.predict(b));
    for (let i = 0; i < second.length; i++) expect(second[i]).toBeCloseTo(twinSecond[i], 5);
    cellModel.resetStates();
    expect(values(cellModel.predict(a))).toEqual(first);
  });

  it("a cell's recurrentDropout changes training, the same way for the same seed; rnn's own is refused", async () => {
    const trained = async (rate: number) => {
      rl.setSeed(7);
      const m = rl.sequential({ layers: [L.rnn({ cell: L.lstmCell({ units: 3, recurrentDropout: rate }), inputShape: [3, 1] }), L.dense({ units: 1 })] });
      m.compile({ loss: 'mse', optimizer: 'sgd' });
      await m.fit(rl.concat([sequence(1), sequence(2)]), rl.ones([4, 1]), { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
      return values(m.getWeights()[1]);
    };
    const plain = await trained(0), dropped = await trained(0.5);
    expect(dropped).not.toEqual(plain);
    expect(await trained(0.5)).toEqual(dropped);
    expect(() => L.rnn({ cell: L.lstmCell({ units: 2 }), recurrentDropout: 0.2 })).toThrow(/recurrentDropout/);
  });
});

describe('docs/PERSISTENCE.md: what loading takes and refuses', () => {
  it('loads causal dilated Conv1D, an activity regularizer and a stateful LSTM back', async () => {
    const m = rl.sequential({ layers: [
      L.conv1d({ filters: 2, kernelSize: 2, padding: 'causal', dilationRate: 2, batchInputShape: [2, 6, 3] }),
      L.lstm({ units: 2, stateful: true, activityRegularizer: 'l2' }),
    ] });
    await m.save(`file://${root}/kinds`);
    const back = await rl.loadModel(`file://${root}/kinds`);
    const x = rl.ones([2, 6, 3]);
    expect(values(back.predict(x))).toEqual(values(m.predict(x)));
    const lstm = back.layers[1] as unknown as { stateful: boolean; activityRegularizer: unknown };
    expect(lstm.stateful).toBe(true);
    expect(lstm.activityRegularizer).not.toBeNull();
  });

  it('a functional file: rl.loadLayersModel loads it, rl.loadModel points there', async () => {
    const input = rl.input({ shape: [4, 3] });
    const out = L.bidirectional({ layer: L.lstm({ units: 2 }), mergeMode: null }).apply(input) as rl.SymbolicTensor[];
    await rl.model({ inputs: input, outputs: out }).save(`file://${root}/functional`);
    expect((await rl.loadLayersModel(`file://${root}/functional`)).outputs).toHaveLength(2);
    await expect(rl.loadModel(`file://${root}/functional`)).rejects.toThrow(/rl\.loadLayersModel/);
  });

  it("a Sequential file's merge_mode null or time_major is a ModelFormatError; a mixed_bfloat16 dtype loads", async () => {
    const m = rl.sequential({ layers: [L.bidirectional({ layer: L.lstm({ units: 2 }), inputShape: [4, 3] })] });
    await m.save(`file://${root}/bidi`);
    const json = JSON.parse(readFileSync(join(root, 'bidi/model.json'), 'utf8'));
    const layerConfig = (json.modelTopology.model_config ?? json.modelTopology).config.layers[0].config;
    const weightData = new Uint8Array(readFileSync(join(root, 'bidi/weights.bin'))).buffer;
    const load = () => rl.modelFromArtifacts({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData } as never);
    layerConfig.merge_mode = null;
    expect(load).toThrow(rl.ModelFormatError);
    layerConfig.merge_mode = 'concat';
    layerConfig.time_major = true;
    expect(load).toThrow(/time_major = true is not supported/);
    delete layerConfig.time_major;
    layerConfig.dtype = 'mixed_bfloat16';
    const x = rl.ones([1, 4, 3]);
    expect(values((await load()).predict(x))).toEqual(values(m.predict(x)));
  });

  it('model.toJSON() is the topology as a JSON string, toJSON(null, false) the object (tfjs)', () => {
    const m = rl.sequential({ layers: [L.dense({ units: 1, inputShape: [2] })] });
    const text = (m as unknown as { toJSON(u?: unknown, s?: boolean): unknown }).toJSON();
    expect(typeof text).toBe('string');
    expect(JSON.parse(text as string)).toEqual((m as unknown as { toJSON(u: unknown, s: boolean): unknown }).toJSON(null, false));
  });
});

/** Every path a doc names in backticks (`dir/file.ext` from the repo root, from src/ or from src/backend/; a bare file name anywhere in the code). */
function namedFiles(doc: string): string[] {
  const names = [...readFileSync(join(REPO_ROOT, doc), 'utf8').matchAll(/`([\w./-]+\.(?:ts|cc|h|mjs|js))`/g)].map((m) => m[1]);
  // `isa.h/.cc` names two files.
  const expanded = names.flatMap((n) => /\.h\/\.cc$/.test(n) ? [n.replace('/.cc', ''), n.replace('.h/', '')] : [n]);
  return [...new Set(expanded)].filter((n) => !n.includes('*') && !n.includes('<'));
}

function filesUnder(dir: string, out: Set<string> = new Set()): Set<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) filesUnder(p, out);
    else out.add(name);
  }
  return out;
}

describe('the files the docs name exist', () => {
  const bare = new Set([...filesUnder(join(REPO_ROOT, 'src')), ...filesUnder(join(REPO_ROOT, 'native')), ...filesUnder(join(REPO_ROOT, 'test'))]);
  for (const doc of ['docs/ARCHITECTURE.md', 'docs/PERSISTENCE.md', 'docs/SCALING.md', 'docs/ENVIRONMENT.md']) {
    it(doc, () => {
      const missing = namedFiles(doc).filter((n) => n.includes('/')
        ? !['', 'src', 'src/backend'].some((base) => existsSync(join(REPO_ROOT, base, n)))
        : !bare.has(n));
      expect(missing).toEqual([]);
    });
  }
});
