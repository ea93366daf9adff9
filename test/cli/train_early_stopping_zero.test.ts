/**
 * train --early-stopping 0 is Keras's EarlyStopping(patience=0): training stops after the first epoch whose val_loss
 * does not improve on the best so far, and the best weights are kept.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { topicTexts, writeCsv } from '../tasks/helpers.js';
import { isolatedCache, readResults, run, tempDir } from './helpers.js';

isolatedCache();

/**
 * A learnable training set and a validation set of the same texts with the labels swapped: every epoch that fits the
 * training labels better makes val_loss worse, so some epoch surely does not improve on the best.
 */
function swappedValidation(root: string): { data: string; validation: string } {
  const rows = topicTexts(12, 5, ['arts', 'sports']);
  const data = writeCsv(root, 'train.csv', rows);
  const validation = writeCsv(root, 'swapped.csv', rows.map((r) => ({ ...r, label: r.label === 'arts' ? 'sports' : 'arts' })));
  return { data, validation };
}

const FLAGS = ['--model', 'gru', '--units', '8', '--embedding-dim', '8', '--maxlen', '8', '--epochs', '12'];

describe('train --early-stopping 0', () => {
  it('stops at the first epoch without improvement and keeps the best weights', async () => {
    const root = tempDir();
    const { data, validation } = swappedValidation(root);
    const full = path.join(root, 'full'), zero = path.join(root, 'zero');
    const f = await run(['train', '--data', data, '--validation', validation, ...FLAGS, '--out', full]);
    expect(f.code, f.err).toBe(0);
    const z = await run(['train', '--data', data, '--validation', validation, ...FLAGS, '--early-stopping', '0', '--out', zero]);
    expect(z.code, z.err).toBe(0);
    expect(z.out).toMatch(/\(stopped early\)/);

    const fullLoss: number[] = readResults(full).models[0].history.val_loss;
    // The first epoch after the first whose val_loss is no better than every earlier one.
    const firstWorse = fullLoss.findIndex((v, i) => i > 0 && v >= Math.min(...fullLoss.slice(0, i)));
    expect(firstWorse).toBeGreaterThan(0);
    expect(firstWorse + 1).toBeLessThan(12);

    const r = readResults(zero);
    expect(r.config.earlyStopping).toBe(0);
    const zeroLoss: number[] = r.models[0].history.val_loss;
    // The same seeded training up to the stop, then no further epoch.
    expect(zeroLoss).toHaveLength(firstWorse + 1);
    zeroLoss.forEach((v, i) => expect(v).toBeCloseTo(fullLoss[i], 10));
    // restoreBestWeights: the recorded validation loss is the best epoch's, not the last one's.
    expect(r.metrics.validationLoss).toBeCloseTo(Math.min(...zeroLoss), 6);
  }, 120_000);

  it('a negative patience is refused naming the flag', async () => {
    const r = await run(['train', '--data', 'x.csv', '--early-stopping=-1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^rnnlab train: error: --early-stopping must be a non-negative integer, got '-1'/);
  });
});
