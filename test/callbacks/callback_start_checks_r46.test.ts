/**
 * fit's start checks: the built-ins' precondition hook is the library's own (a user's method that happens to be
 * called checkTrainBegin is not called), and backupAndRestore reads its backup as the restore will, so a damaged
 * one is refused before any other callback's onTrainBegin acts, and is left as it was.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { model, values, x, y } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-start-checks-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a user's callback method named checkTrainBegin", () => {
  it('is not called by fit; its hooks run as usual', async () => {
    const calls: string[] = [];
    class Mine extends rl.Callback {
      checkTrainBegin(): void { calls.push('checkTrainBegin'); }
      override async onTrainBegin(): Promise<void> { calls.push('onTrainBegin'); }
    }
    await model().fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [new Mine()] });
    expect(calls).toEqual(['onTrainBegin']);
  });

  it('a built-in listed after it still refuses before any onTrainBegin', async () => {
    const calls: string[] = [];
    class Mine extends rl.Callback {
      checkTrainBegin(): void { calls.push('checkTrainBegin'); }
      override async onTrainBegin(): Promise<void> { calls.push('onTrainBegin'); }
    }
    const file = join(root, 'afile');
    writeFileSync(file, 'x');
    const run = model().fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [new Mine(), rl.callbacks.modelCheckpoint({ filepath: join(file, 'ckpt') })] });
    await expect(run).rejects.toThrow(`modelCheckpoint: cannot write the checkpoint folder ${join(file, 'ckpt')}: a part of its path is a file`);
    expect(calls).toEqual([]);
  });
});

/** The backup a fit stopped by an error after its 2nd of 3 epochs leaves behind. */
async function interruptedBackup(name: string): Promise<string> {
  const dir = join(root, name);
  const stop = { onEpochEnd: (epoch: number) => { if (epoch === 1) throw new Error('stopped'); } };
  const run = model().fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0 }), stop] });
  await expect(run).rejects.toThrow('stopped');
  return dir;
}

const files = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n)).toString('base64')]));
const fileRefs = (dir: string) => JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')).files as Record<'weights' | 'optimizer', { path: string; bytes: number }>;

describe('backupAndRestore with a damaged backup', () => {
  const cases: [string, (dir: string) => string | RegExp][] = [
    ['a truncated weights file', (dir) => {
      const w = fileRefs(dir).weights;
      truncateSync(join(dir, w.path), w.bytes - 4);
      return `checkpoint in ${dir}: the weights file ${w.path} has ${w.bytes - 4} bytes, expected ${w.bytes} (truncated or replaced)`;
    }],
    ['a weights file with a changed byte', (dir) => {
      const w = fileRefs(dir).weights;
      const b = readFileSync(join(dir, w.path));
      b[0] ^= 0xff;
      writeFileSync(join(dir, w.path), b);
      return `checkpoint in ${dir}: the weights file ${w.path} is corrupt (SHA-256 mismatch)`;
    }],
    ['a truncated optimizer file', (dir) => {
      const o = fileRefs(dir).optimizer;
      truncateSync(join(dir, o.path), 0);
      return `checkpoint in ${dir}: the optimizer file ${o.path} has 0 bytes, expected ${o.bytes} (truncated or replaced)`;
    }],
    ['a missing weights file', (dir) => {
      const w = fileRefs(dir).weights;
      rmSync(join(dir, w.path));
      return `checkpoint in ${dir}: the weights file ${w.path} is missing or unreadable`;
    }],
  ];

  it.each(cases)('%s is refused before a callback listed first begins, and is left as it was', async (what, damage) => {
    const dir = await interruptedBackup(what.replace(/ /g, '-'));
    const message = damage(dir);
    const before = files(dir);
    const m = model();
    const weights = values(m);
    let began = false;
    const br = rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0 });
    const run = m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [{ onTrainBegin: () => { began = true; } }, br] });
    await expect(run).rejects.toThrow(message);
    expect(began).toBe(false);
    expect(br.restoredFrom).toBeNull();
    expect(values(m)).toEqual(weights);
    expect(m.optimizer!.iterations).toBe(0);
    // Not deleted, not overwritten: the user may still repair or inspect it.
    expect(files(dir)).toEqual(before);
  });

  it('the undamaged backup of the same interrupted run resumes (the check refuses only a damaged one)', async () => {
    const dir = await interruptedBackup('intact');
    const m = model();
    const br = rl.callbacks.backupAndRestore({ backupDir: dir, verbose: 0 });
    const h = await m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: [br] });
    expect(br.restoredFrom).toEqual({ epoch: 2, batch: 0 });
    expect(h.epoch).toEqual([0, 1, 2]);
    // The same weights as a run never interrupted.
    const whole = model();
    await whole.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
    expect(values(m)).toEqual(values(whole));
  });
});
