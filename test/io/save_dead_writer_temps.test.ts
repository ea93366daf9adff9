/**
 * A save killed mid-write leaves full-size temp files (.rnnlab-tmp-<file>-<pid>-<hex>@<host>) in the model's folder,
 * and a killed model-folder save its staging folder beside it. The next save there removes those whose writer is
 * gone, of this host and of the files it writes itself; anything else (a live writer's, another file's) stays.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { TEMP_HOST } from '../../src/io/atomic.js';
import { saveModelFolder } from '../../src/tasks/text_output.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const newDir = () => { const d = mkdtempSync(path.join(tmpdir(), 'rnnlab-dead-temps-')); dirs.push(d); return d; };

/** A pid no process has now: that of a child that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;
const temp = (target: string, pid: number, host = TEMP_HOST) => `.rnnlab-tmp-${target}-${pid}-0123abcd@${host}`;
const model = () => rl.sequential({ layers: [rl.layers.dense({ units: 3, inputDim: 2 }), rl.layers.dense({ units: 1 })] });

describe('a save removes the temp files that killed saves of the same files left', () => {
  it("model.save('file://DIR'): a dead writer's temp files of model.json and its weights go; others stay", async () => {
    const dir = newDir();
    await model().save(`file://${dir}`);
    const dead = deadPid();
    const gone = [temp('model.json', dead), temp('weights.bin', dead), temp('group1-shard1of7.bin', dead)];
    const stay = [temp('weights.bin', process.ppid), temp('notes.txt', dead), temp('weights.bin', dead, 'elsewhere')];
    for (const n of [...gone, ...stay]) writeFileSync(path.join(dir, n), Buffer.alloc(1000));
    await model().save(`file://${dir}`);
    expect(readdirSync(dir).filter((n) => n.startsWith('.rnnlab-tmp-')).sort()).toEqual([...stay].sort());
    expect((await rl.loadLayersModel(`file://${dir}/model.json`)).countParams()).toBe(13);
  });

  it("saveModelFolder: a dead writer's staging and old-model folders beside the model go; a live one's stays", async () => {
    const parent = newDir(), dir = path.join(parent, 'model');
    const dead = deadPid();
    const deadOnes = [temp('model', dead), temp('model-old', dead)];
    const live = temp('model', process.ppid);
    for (const n of [...deadOnes, live]) { mkdirSync(path.join(parent, n)); writeFileSync(path.join(parent, n, 'weights.bin'), 'x'); }
    await saveModelFolder(dir, model(), {});
    expect(readdirSync(parent).sort()).toEqual([live, 'model'].sort());
  });

  it('a failed write names the model folder, not its temp staging folder', async () => {
    const parent = newDir(), dir = path.join(parent, 'model');
    const full = { save: async () => { throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }); } };
    await expect(saveModelFolder(dir, full, {})).rejects.toThrow(`cannot write ${dir}: no space left on the device; nothing was replaced`);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('a model-folder save from the library', () => {
  it("touches no run record beside it: an earlier run's finished results.json stays completed through two saves", async () => {
    const { finishRecord, startRecord, writeRun } = await import('../../src/report/run.js');
    const dir = newDir();
    const start = startRecord({ command: 'seq2seq', argv: [], source: 'cli', runName: 's', startedAt: new Date(), config: {} });
    writeRun(dir, finishRecord(start, { config: {}, data: null, models: [], metrics: {}, finding: '' }), { title: 'earlier', sections: [] } as never);
    for (let i = 0; i < 2; i++) await saveModelFolder(path.join(dir, 'model'), model(), { 'rnnlab-seq2seq.json': '{}\n' });
    const record = JSON.parse((await import('node:fs')).readFileSync(path.join(dir, 'results.json'), 'utf8'));
    expect(record.status).toBe('completed');
    expect(record.finishedAt).not.toBeNull();
  });
});
