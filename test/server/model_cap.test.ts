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

describe('the dashboard reads a run folder\'s model only from regular files inside it', () => {
  it('refuses a symlinked model.json and a model folder that leads outside, without saying where they lead', async () => {
    const { symlinkSync, mkdirSync, cpSync } = await import('node:fs');
    const model = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    const outside = path.join(root, 'outside');
    await model.save(`file://${outside}`);
    const linkedFile = path.join(root, 'linked-file');
    mkdirSync(path.join(linkedFile, 'model'), { recursive: true });
    cpSync(path.join(outside, 'weights.bin'), path.join(linkedFile, 'model', 'weights.bin'));
    symlinkSync(path.join(outside, 'model.json'), path.join(linkedFile, 'model', 'model.json'));
    await expect(loadSavedModel(linkedFile)).rejects.toThrow(/^model\.json in the model folder is not a regular file$/);
    const linkedDir = path.join(root, 'linked-dir');
    mkdirSync(linkedDir);
    symlinkSync(outside, path.join(linkedDir, 'model'));
    await expect(loadSavedModel(linkedDir)).rejects.toThrow(/^the model folder leads outside the run folder$/);
  });

  it('checks the sub-folders too: a weights manifest naming a symlink or a FIFO in one is refused before anything is read', async () => {
    const { symlinkSync, mkdirSync, readFileSync, writeFileSync, renameSync } = await import('node:fs');
    const { execFileSync } = await import('node:child_process');
    const model = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    const outside = path.join(root, 'outside-sub');
    await model.save(`file://${outside}`);
    // The manifest points into model/sub/, where the entry is a link out of the run folder, then a FIFO.
    const make = async (name: string, entry: (at: string) => void) => {
      const run = path.join(root, name);
      await model.save(`file://${path.join(run, 'model')}`);
      const json = JSON.parse(readFileSync(path.join(run, 'model', 'model.json'), 'utf8'));
      json.weightsManifest[0].paths = ['sub/weights.bin'];
      writeFileSync(path.join(run, 'model', 'model.json'), JSON.stringify(json));
      mkdirSync(path.join(run, 'model', 'sub'));
      renameSync(path.join(run, 'model', 'weights.bin'), path.join(run, 'model', 'kept.bin'));
      entry(path.join(run, 'model', 'sub', 'weights.bin'));
      return run;
    };
    const linked = await make('sub-link', (at) => symlinkSync(path.join(outside, 'weights.bin'), at));
    await expect(loadSavedModel(linked)).rejects.toThrow(/^sub\/weights\.bin in the model folder is not a regular file$/);
    const fifo = await make('sub-fifo', (at) => execFileSync('mkfifo', [at]));
    await expect(loadSavedModel(fifo)).rejects.toThrow(/^sub\/weights\.bin in the model folder is not a regular file$/);
  });
});

describe("a run's model over the dashboard's --max-model-params", () => {
  it('is not offered by GET /api/models, and asked for by id is a 422 naming the flag', async () => {
    const { startTestServer, finished, post, get } = await import('./helpers.js');
    const { startDashboard } = await import('../../src/server/index.js');
    const first = await startTestServer();
    let runId = '';
    try {
      const job = (await post(first.base, '/api/jobs', { task: 'addition', digits: 2, trainingSize: 100, hidden: 8, epochs: 1, batchSize: 50, name: 'capped' })).body.job;
      const done = await finished(first.base, job.id);
      expect(done.status, done.error ?? '').toBe('completed');
      runId = done.runId;
      const capped = await startDashboard({ port: 0, runsDir: first.runsDir, maxModelParams: 1000 });
      try {
        const base = `http://127.0.0.1:${capped.port}`;
        expect((await get(base, '/api/models')).body.models.map((m: { id: string }) => m.id)).not.toContain(runId);
        const r = await post(base, '/api/predict/sum', { model: runId, query: '1+2' });
        expect(r.status).toBe(422);
        expect(r.body.error).toBe(`the model saved in run '${runId}' has 1,324 parameters, over this dashboard's limit of 1,000 (rnnlab serve --max-model-params)`);
      } finally {
        await capped.close();
      }
      expect((await get(first.base, '/api/models')).body.models.map((m: { id: string }) => m.id)).toContain(runId);
    } finally {
      await first.close();
    }
  });
});
