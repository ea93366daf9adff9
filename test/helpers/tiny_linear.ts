/** The one-weight linear model y = 2x the callback tests train (seeded, SGD, mse), and temp folders removed after each test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import * as rl from '../../src/index.js';

export function tinyLinearModel(lr = 0.01): rl.Sequential {
  rl.setSeed(2);
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1] })] });
  m.compile({ optimizer: rl.train.sgd(lr), loss: 'mse' });
  return m;
}
export const LINEAR_X = [[1], [2], [3]], LINEAR_Y = [[2], [4], [6]];

/** A maker of temp folders (named by prefix) that are removed after each test of the calling file. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
  return () => { const d = mkdtempSync(join(tmpdir(), prefix)); dirs.push(d); return d; };
}
