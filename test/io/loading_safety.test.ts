/**
 * Loading trusts nothing it does not need: initializers are skipped when saved weights will overwrite them (a
 * tiny LSTM-1024 model.json must not spend seconds drawing an orthogonal matrix), the declared size is capped
 * before anything is allocated, and absurdly nested JSON is a model-format error, not a stack overflow.
 */
import { truncateSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { INITIALIZERS } from '../../src/layers/initializers.js';
import { removeDir, tempDir } from './helpers.js';

const root = tempDir('rnnlab-safety-');
afterAll(() => removeDir(root));

const UNITS = 1024, FEATURES = 8;

/** model.json for Input(5, 8) -> LSTM(1024), with a sparse (all-zero, unallocated on disk) weights file. */
function sparseLstmModel(name: string, layerConfig: Record<string, unknown> = {}): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const shapes: [string, number[]][] = [['lstm/kernel', [FEATURES, 4 * UNITS]], ['lstm/recurrent_kernel', [UNITS, 4 * UNITS]], ['lstm/bias', [4 * UNITS]]];
  const json = {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: 'big', layers: [
      { class_name: 'LSTM', config: { name: 'lstm', units: UNITS, batch_input_shape: [null, 5, FEATURES], ...layerConfig } },
    ] } },
    weightsManifest: [{ paths: ['weights.bin'], weights: shapes.map(([n, shape]) => ({ name: n, shape, dtype: 'float32' })) }],
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  const floats = shapes.reduce((s, [, shape]) => s + shape.reduce((a, b) => a * b, 1), 0);
  writeFileSync(join(dir, 'weights.bin'), '');
  truncateSync(join(dir, 'weights.bin'), floats * 4);
  return dir;
}

/** Counts calls of the orthogonal initializer while fn runs. */
async function countOrthogonal(fn: () => unknown): Promise<number> {
  const real = INITIALIZERS.orthogonal;
  let calls = 0;
  INITIALIZERS.orthogonal = (shape, out) => { calls++; real(shape, out); };
  try { await fn(); } finally { INITIALIZERS.orthogonal = real; }
  return calls;
}

describe('loading a model', () => {
  afterEach(() => rl.setSeed(1));

  it('runs no initializer: a small model.json declaring an LSTM-1024 loads without drawing its orthogonal kernel', async () => {
    const dir = sparseLstmModel('sparse');
    expect(statSync(join(dir, 'model.json')).size).toBeLessThan(8192);
    // The counter is real: building the same layer by hand does draw it.
    expect(await countOrthogonal(() => rl.sequential({ layers: [rl.layers.lstm({ units: 4, inputShape: [5, FEATURES] })] }))).toBe(1);
    let model: rl.Sequential | null = null;
    expect(await countOrthogonal(async () => { model = await rl.loadModel(dir); })).toBe(0);
    const m = model as unknown as rl.Sequential;
    expect(m.countParams()).toBe(4 * UNITS * (FEATURES + UNITS + 1));
    // The saved (zero) values are what the model holds, not leftovers of an initializer.
    expect(m.getWeights().map((w) => w.dataSync() as Float32Array).every((w) => w.every((v) => v === 0))).toBe(true);
  });

  it('caps the parameters a model may declare, before reading weights', async () => {
    const dir = sparseLstmModel('capped');
    await expect(rl.loadModel(dir, { maxParams: 1_000_000 })).rejects.toThrow(
      new RegExp(`declares ${4 * UNITS * (FEATURES + UNITS + 1)} parameters, over the limit of 1000000 \\(raise it with the maxParams load option\\)`));
    await expect(rl.loadModel(dir, { maxParams: -5 })).rejects.toThrow(/maxParams must be a positive integer, got -5/);
    await expect(rl.loadModel(dir, { maxParams: 5e6 })).resolves.toBeInstanceOf(rl.Sequential);
  });

  it('refuses JSON nested 20,000 levels deep with a ModelFormatError', async () => {
    // Built as text: JSON.stringify itself would overflow on such values.
    const N = 20_000;
    const wrappers = `${'{"class_name":"TimeDistributed","config":{"layer":'.repeat(N)}{"class_name":"Dense","config":{"units":1}}${'}}'.repeat(N)}`;
    const lstm = (extra: string) => `{"class_name":"LSTM","config":{"name":"lstm","units":2,"batch_input_shape":[null,3,2]${extra}}}`;
    const cases: Record<string, string> = {
      wrappers: `{"class_name":"InputLayer","config":{"batch_input_shape":[null,3,2]}},${wrappers}`,
      value: lstm(`,"dropout":${'['.repeat(N)}0${']'.repeat(N)}`),
      object: lstm(`,"kernel_regularizer":${'{"l2":'.repeat(N)}null${'}'.repeat(N)}`),
    };
    for (const [name, layers] of Object.entries(cases)) {
      const dir = join(root, `deep-${name}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'model.json'), `{"format":"layers-model","modelTopology":{"class_name":"Sequential","config":{"layers":[${layers}]}},"weightsManifest":[]}`);
      const err = await rl.loadModel(dir).then(() => null, (e: Error) => e);
      expect(err, name).toBeInstanceOf(rl.ModelFormatError);
      expect(err!.message, name).toMatch(/nested more than 64 levels deep; this is not a model configuration/);
    }
  });
});
