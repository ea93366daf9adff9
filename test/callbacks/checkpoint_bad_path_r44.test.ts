/** modelCheckpoint to a folder that cannot be written is refused as training begins, in model.save's words. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

async function fitTo(filepath: string): Promise<{ error: string; batches: number; changed: boolean }> {
  rl.setSeed(1);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [4] })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const before = m.getWeights().map((w) => Array.from(w.dataSync()));
  let batches = 0;
  let error = 'no error';
  try {
    await m.fit(rl.ones([16, 4]), rl.ones([16, 1]), { epochs: 2, batchSize: 8, verbose: 0,
      callbacks: [rl.callbacks.modelCheckpoint({ filepath }), { onBatchEnd: async () => { batches++; } }] });
  } catch (e) { error = (e as Error).message; }
  const changed = m.getWeights().some((w, i) => Array.from(w.dataSync()).some((v, k) => v !== before[i][k]));
  return { error, batches, changed };
}

describe('modelCheckpoint: a path that cannot be written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-bad-'));
  const file = join(dir, 'afile');
  writeFileSync(file, 'x');

  it.each([
    ['under a file', join(file, 'ckpt'), 'a part of its path is a file'],
    ['a file', file, 'a file of that name is in the way'],
    // The folder a templated path's checkpoints go in is the part before its template.
    ['templated, in a file', join(file, 'epoch-{epoch}'), 'a file of that name is in the way'],
  ])('%s is refused before any batch trains', async (_what, p, why) => {
    const r = await fitTo(p);
    expect(r.error).toContain(`modelCheckpoint: cannot write the checkpoint folder ${p.replace(/[/\\]epoch-\{epoch\}$/, '')}: ${why}`);
    expect(r.batches).toBe(0);
    expect(r.changed).toBe(false);
  });

  it.runIf(process.platform === 'linux')('a folder under /proc says no folder can be made there, as model.save does', async () => {
    const r = await fitTo('/proc/rnnlab-nope/ckpt');
    expect(r.error).toBe('modelCheckpoint: cannot write the checkpoint folder /proc/rnnlab-nope/ckpt: no folder can be made in /proc');
    expect(r.batches).toBe(0);
  });
});
