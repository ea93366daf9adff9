/**
 * Path templates write log values as Python's str.format does (nan, inf, '1.0', '1e-05'), and modelCheckpoint's
 * saveBestOnly compares infinities as Keras's np.less/np.greater: -inf improves in min mode, +inf in max mode.
 * The expected strings are Python 3's: '{}'.format(1e-05), '{:07.3f}'.format(float('inf')), and so on.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { formatPath } from '../../src/callbacks/base.js';
import { LINEAR_X as X, LINEAR_Y as Y, tempDirs, tinyLinearModel as model } from '../helpers/tiny_linear.js';

const tempDir = tempDirs('rl-pyfloat-');

describe("a plain {key} writes Python's str() of the float", () => {
  it.each([
    [2, '2.0'], [0.5, '0.5'], [1e-5, '1e-05'], [0.0001, '0.0001'], [1.5e-7, '1.5e-07'], [1e16, '1e+16'],
    [123456.75, '123456.75'], [9999999999999998, '9999999999999998.0'], [1.5e300, '1.5e+300'], [-0, '-0.0'],
    [0.6931471824645996, '0.6931471824645996'], [NaN, 'nan'], [Infinity, 'inf'], [-Infinity, '-inf'],
  ])('%s → %s', (v, s) => {
    expect(formatPath('{loss}', 0, { loss: v })).toBe(s);
  });

  it('{epoch} and {batch} stay integers', () => {
    expect(formatPath('{epoch}-{batch}', 2, {}, 7)).toBe('3-7');
  });
});

describe('formats of nan and inf', () => {
  it.each([
    ['{loss:.4f}', NaN, 'nan'], ['{loss:.2e}', NaN, 'nan'], ['{loss:.3f}', Infinity, 'inf'], ['{loss:.1e}', -Infinity, '-inf'],
    ['{loss:07.3f}', Infinity, '0000inf'], ['{loss:07.3f}', -Infinity, '-000inf'], ['{loss:8}', NaN, '     nan'],
  ])('%s of %s → %s', (t, v, s) => {
    expect(formatPath(t, 0, { loss: v })).toBe(s);
  });
});

describe('saveBestOnly and infinite values (Keras 3.11+: no best yet, then np.less(current, best))', () => {
  /** A callback listed first that sets the monitored 'val_loss' of each epoch. */
  const stamp = (values: number[]): rl.Callback => ({ onEpochEnd: (e, logs) => { logs!.val_loss = values[e]!; } });

  it('min mode: a first +inf is saved (no best yet); -inf improves and then nothing beats it', async () => {
    const dir = tempDir();
    const ck = rl.callbacks.modelCheckpoint({ path: join(dir, 'e{epoch}'), saveBestOnly: true });
    await model().fit(X, Y, { epochs: 4, verbose: 0, callbacks: [stamp([Infinity, 1, -Infinity, 0.5]), ck] });
    expect(ck.saved.map((p) => p.slice(dir.length + 1))).toEqual(['e1', 'e2', 'e3']);
    expect(ck.best).toBe(-Infinity);
  });

  it('max mode: +inf improves', async () => {
    const dir = tempDir();
    const ck = rl.callbacks.modelCheckpoint({ path: join(dir, 'e{epoch}-{val_loss:.2f}'), saveBestOnly: true, mode: 'max' });
    await model().fit(X, Y, { epochs: 3, verbose: 0, callbacks: [stamp([1, Infinity, 2]), ck] });
    expect(readdirSync(dir).sort()).toEqual(['e1-1.00', 'e2-inf']);
  });
});
