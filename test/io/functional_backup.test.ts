// BackupAndRestore on a branching functional model (Concatenate): the checkpoint is written and a crashed fit
// resumes to the same weights and history as an uninterrupted one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function branching(seed: number): rl.Functional {
  rl.setSeed(seed);
  const input = rl.input({ shape: [3] });
  const a = rl.layers.dense({ units: 2, activation: 'tanh', name: 'a' }).apply(input) as rl.SymbolicTensor;
  const b = rl.layers.dense({ units: 3, activation: 'relu', name: 'b' }).apply(input) as rl.SymbolicTensor;
  const cat = rl.layers.concatenate({ name: 'cat' }).apply([a, b]) as rl.SymbolicTensor;
  const out = rl.layers.dense({ units: 1, name: 'out' }).apply(cat) as rl.SymbolicTensor;
  const m = rl.model({ inputs: input, outputs: out }) as rl.Functional;
  m.compile({ optimizer: rl.train.adam(0.05), loss: 'meanSquaredError' });
  return m;
}

class Crash extends Error {}
const x = rl.tensor2d([[1, 0, -1], [0.5, 2, 1], [0, 1, 1], [-1, -1, 0], [2, 0, 1], [1, 1, 1]]);
const y = rl.tensor2d([[0.5], [1], [-0.5], [0], [1.5], [0.2]]);
const FIT = { epochs: 4, batchSize: 2, verbose: 0 as const, shuffle: true };
const dir = mkdtempSync(join(tmpdir(), 'rnnlab-fbackup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('backupAndRestore on a functional model with Concatenate', () => {
  it('checkpoints and resumes bit-identically', async () => {
    const ref = branching(1);
    rl.setSeed(9);
    const hRef = await ref.fit(x, y, FIT);

    const backup = join(dir, 'b');
    const a = branching(1);
    rl.setSeed(9);
    const crash: rl.Callback = { onEpochEnd: (e) => { if (e === 1) throw new Crash(); } };
    await expect(a.fit(x, y, { ...FIT, callbacks: [rl.callbacks.backupAndRestore({ backupDir: backup, verbose: 0, handleInterrupt: false }), crash] }))
      .rejects.toBeInstanceOf(Crash);

    const b = branching(77);
    rl.setSeed(1234);
    const h = await b.fit(x, y, { ...FIT, callbacks: [rl.callbacks.backupAndRestore({ backupDir: backup, verbose: 0, handleInterrupt: false })] });
    expect(b.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(ref.getWeights().map((w) => Array.from(w.dataSync())));
    expect(h.history).toEqual(hRef.history);
  });
});
