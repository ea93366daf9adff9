import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { loadSavedModel } from '../../src/server/model_io.js';
import { DEFAULT_MAX_MODEL_PARAMS } from '../../src/server/server.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-model-cap-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the dashboard caps the models it loads from run folders', () => {
  it('loads a model under the cap and refuses one over it, naming the cap', async () => {
    const model = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 50, outputDim: 4, inputLength: 6 }), rl.layers.lstm({ units: 3 }), rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
    const run = path.join(root, 'run');
    await model.save(`file://${path.join(run, 'model')}`);
    expect((await loadSavedModel(run, DEFAULT_MAX_MODEL_PARAMS))!.countParams()).toBe(model.countParams());
    await expect(loadSavedModel(run, 100)).rejects.toThrow(/over the limit of 100 /);
  });
});
