/** rl.writeCheckpoint with a state built by hand: a missing or wrong field is named before anything is written. */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-ckstate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const good = (): rl.TrainingState => ({ nextEpoch: 1, progress: null, history: { epoch: [0], history: { loss: [0.5] } }, rng: [1, 2, 3, 4, NaN], samples: 8, batchSize: 4 });

describe('writeCheckpoint state', () => {
  const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });

  it.each([
    ['an incomplete state', { epoch: 1 }, /writeCheckpoint: state\.nextEpoch must be an integer >= 0, got undefined/],
    ['a negative batch size', { ...good(), batchSize: -1 }, /state\.batchSize must be an integer >= 0, got -1/],
    ['no history', { ...good(), history: undefined }, /state\.history must be a History's \{epoch: \[\.\.\.\], history: \{\.\.\.\}\}/],
    ['a short generator state', { ...good(), rng: [1, 2] }, /state\.rng must be the random generator's state \(five numbers\), got \[1,2\]/],
    ['progress left out', { ...good(), progress: undefined }, /state\.progress must be null or an epoch position, got undefined/],
    ['not an object', null, /writeCheckpoint: state must be an object/],
  ])('%s is a CheckpointError naming the field, and the folder stays empty', (_what, state, message) => {
    const dir = mkdtempSync(join(root, 'ck-'));
    const err = (() => { try { rl.writeCheckpoint(dir, m, state as never); } catch (e) { return e as Error; } return null; })();
    expect(err).toBeInstanceOf(rl.CheckpointError);
    expect(err!.message).toMatch(message);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a good state still writes a checkpoint that loads', async () => {
    const dir = join(root, 'ok');
    rl.writeCheckpoint(dir, m, good());
    expect(existsSync(join(dir, 'checkpoint.json'))).toBe(true);
    expect((await rl.loadModel(dir)).countParams()).toBe(3);
  });
});
