// tf.keras 2 writes every loss function kwarg into a loss object's config, so Huber() is saved as
// {class_name: 'Huber', config: {delta: 1.0, ...}}: that is rnnlab's huber and compiles; another delta is refused.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { removeDir, tempDir } from './helpers.js';

const root = tempDir('rnnlab-huber-');
afterAll(() => removeDir(root));

const x = rl.tensor([[1, 2], [-3, 0.5], [2, -2]]);
// Targets far from the predictions, so most errors lie on Huber's linear part and mse would differ.
const y = rl.tensor([[4], [-5], [0.2]]);

/** A Dense model saved by rnnlab, its model.json rewritten into the converter's Keras 2 layout with this loss. */
async function keras2File(loss: unknown): Promise<string> {
  const dir = join(root, `m${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir);
  rl.setSeed(5);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  await m.save(`file://${dir}`);
  const j = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  delete j.trainingConfig;
  j.modelTopology = {
    keras_version: '2.12.0', backend: 'tensorflow', model_config: j.modelTopology,
    training_config: {
      loss, metrics: [], weighted_metrics: null, loss_weights: null,
      optimizer_config: { class_name: 'Adam', config: { name: 'Adam', learning_rate: 0.001, decay: 0, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false } },
    },
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(j));
  return dir;
}

type Loaded = Awaited<ReturnType<typeof rl.loadModel>>;

async function loadWarned(dir: string): Promise<{ m: Loaded; warnings: string }> {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    const m = await rl.loadModel(`file://${dir}`);
    return { m, warnings: warn.mock.calls.map((c) => c.join(' ')).join('\n') };
  } finally { warn.mockRestore(); }
}

/** Keras's huber (delta 1) by hand from the model's predictions. */
function huberByHand(m: Loaded): number {
  const p = (m.predict(x) as rl.Tensor).dataSync(), t = y.dataSync();
  let s = 0;
  for (let i = 0; i < t.length; i++) {
    const e = Math.abs(p[i] - t[i]);
    s += e <= 1 ? 0.5 * e * e : e - 0.5;
  }
  return s / t.length;
}

const huber = (delta: number) => ({ class_name: 'Huber', config: { reduction: 'auto', name: 'huber_loss', delta } });

describe('a Keras 2 Huber loss object in training_config', () => {
  it('delta 1.0 (the default Keras writes) compiles the model with huber', async () => {
    const { m, warnings } = await loadWarned(await keras2File(huber(1.0)));
    expect(warnings).toBe('');
    expect(m.optimizer).toBeTruthy();
    const loss = (m.evaluate(x, y) as rl.Tensor).dataSync()[0];
    expect(loss).toBeCloseTo(huberByHand(m), 5);
  });

  it('another delta is refused naming it, and the model loads uncompiled', async () => {
    const { m, warnings } = await loadWarned(await keras2File(huber(2)));
    expect(m.optimizer).toBeFalsy();
    expect(warnings).toMatch(/model\.json: modelTopology\.training_config not read, so the model loads uncompiled .*: modelTopology\.training_config\.loss: Huber with delta = 2 is not a loss rnnlab has/);
    expect(() => m.evaluate(x, y)).toThrow(/compile/);
  });
});
