/**
 * imdb and the IMDb experiments refuse a model too large to build as compare does: a usage error naming the flags,
 * before the reviews are read and before any run folder (or its lock) is made.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { modelSizeProblem } from '../../src/cli/imdb.js';
import { cleanup, expectRefused, run, tempDir } from './helpers.js';

// 1 GB of memory: the memory check's two costs (weights, or weights and gradients) fall either side of it below.
vi.mock('node:os', async (original) => ({ ...(await original<typeof import('node:os')>()), totalmem: () => 1e9 }));

const HUGE = ['--vocab', '100000', '--embedding-dim', '100000', '--limit', '10'];

describe('a model too large to build is refused before the data is read', () => {
  afterAll(cleanup);
  const dir = tempDir('rnnlab-model-size-');
  const holding = path.join(dir, 'holding');
  mkdirSync(holding);
  // Not a tarball: read, it would fail as a data error (exit 1), so exit 2 shows the data was never read.
  writeFileSync(path.join(holding, 'aclImdb_v1.tar.gz'), 'not a tarball');
  const runs = path.join(dir, 'runs');
  mkdirSync(runs);

  it.each([
    ['imdb', ['imdb', '--model', 'lstm'], /^rnnlab imdb: error: lstm's layer \S+ would hold a weight of 100,000 × 100,000 = 10,000,000,000 numbers, more than one array can hold \([\d,]+\): lower --vocab, --embedding-dim, --units or --layers$/m],
    ['experiment gradients', ['experiment', 'gradients', '--models', 'simple_rnn,lstm'],
      /error: simple_rnn's layer \S+ would hold a weight of 100,000 × 100,000 = 10,000,000,000 numbers, .*: lower --vocab, --embedding-dim or --units; lstm's layer \S+ would hold/],
    ['experiment params', ['experiment', 'params'], /error: ff_embed's layer \S+ would hold a weight of 50,000,000 × 250 = 12,500,000,000 numbers, .*: lower --vocab, --embedding-dim, --maxlen or --units; cnn's layer \S+ would hold a weight of 100,000 × 100,000/],
  ])('%s: exit 2 naming the flags, no run folder or lock left', async (cmd, argv, message) => {
    const out = path.join(runs, cmd.replace(' ', '-'));
    const data = cmd === 'experiment params' ? [] : ['--data', holding];
    const r = await run([...argv, ...(cmd === 'experiment params' ? HUGE.slice(0, 4) : HUGE), ...data, '--out', out]);
    expectRefused(r, cmd, message, out);
    expect(readdirSync(runs)).toEqual([]);
  });

  it('imdb --resume: the size is refused before the checkpoint is looked for', async () => {
    const r = await run(['imdb', '--model', 'gru', ...HUGE, '--data', holding, '--resume', holding]);
    expectRefused(r, 'imdb', /gru's layer \S+ would hold a weight of 100,000 × 100,000/);
  });

  it('sizes that fit are let through to the data, which then fails to read (exit 1)', async () => {
    const r = await run(['imdb', '--model', 'lstm', '--vocab', '1000', '--embedding-dim', '8', '--units', '4', '--limit', '10', '--data', holding, '--out', path.join(dir, 'fits')]);
    expect(r.code, r.err).toBe(1);
    expect(r.err).not.toMatch(/would hold|would have/);
  });

  it('memory: a model counts its weights, and where it trains its gradients and its optimizer\'s slots', () => {
    // 100,000 × 2,000 embedding: 200,000,000 weights, 0.8 GB as float32 (1 GB of memory here).
    const f = { vocab: 100000, embeddingDim: 2000, maxlen: 100, units: 4 };
    const lower = ': lower --vocab, --embedding-dim, --units or --layers$';
    expect(modelSizeProblem('lstm', f, 'build')).toBeNull();
    expect(modelSizeProblem('lstm', f, 'gradients')).toMatch(new RegExp(`^lstm would have 200,\\d{3},\\d{3} parameters, whose weights and gradients alone take 1\\.6 GB, more than this machine's 1\\.0 GB of memory${lower}`));
    // rnnlab's SGD keeps a velocity per weight, as its slots say, at momentum 0 too.
    expect(modelSizeProblem('lstm', f, 'sgd')).toMatch(/whose weights, gradients and sgd's 1 slot alone take 2\.4 GB/);
    expect(modelSizeProblem('lstm', f, 'rmsprop')).toMatch(/whose weights, gradients and rmsprop's 1 slot alone take 2\.4 GB/);
    // Without a use, the flags' --optimizer (adam unless given).
    expect(modelSizeProblem('lstm', f)).toMatch(/whose weights, gradients and adam's 2 slots alone take 3\.2 GB/);
    expect(modelSizeProblem('lstm', { ...f, optimizer: 'rmsprop' })).toMatch(/whose weights, gradients and rmsprop's 1 slot alone take 2\.4 GB/);
    expect(modelSizeProblem('lstm', { ...f, embeddingDim: 3000 }, 'build')).toMatch(/^lstm would have 300,\d{3},\d{3} parameters, whose weights alone take 1\.2 GB, more than this machine's 1\.0 GB/);
    // 100,000,000 weights: 0.8 GB with their gradients, 1.6 GB with Adam's m and v.
    const half = { ...f, embeddingDim: 1000 };
    expect(modelSizeProblem('lstm', half, 'gradients')).toBeNull();
    expect(modelSizeProblem('lstm', half, 'adam')).toMatch(/whose weights, gradients and adam's 2 slots alone take 1\.6 GB/);
  });

  it('imdb: a model whose optimizer\'s slots would not fit is refused by --optimizer; experiment gradients measured at initialisation is not', async () => {
    const sized = ['--vocab', '100000', '--embedding-dim', '1000', '--units', '4', '--limit', '10', '--data', holding];
    const r = await run(['imdb', '--model', 'gru', ...sized, '--out', path.join(runs, 'adam')]);
    expectRefused(r, 'imdb', /^rnnlab imdb: error: gru would have 100,\d{3},\d{3} parameters, whose weights, gradients and adam's 2 slots alone take 1\.6 GB/, path.join(runs, 'adam'));
    // The same sizes only measured: let through to the data, which then fails to read (exit 1).
    const g = await run(['experiment', 'gradients', '--models', 'lstm', ...sized, '--long-range-epochs', '0', '--out', path.join(dir, 'measured')]);
    expect(g.code, g.err).toBe(1);
    expect(g.err).not.toMatch(/would have/);
    const t = await run(['experiment', 'gradients', '--models', 'lstm', ...sized, '--epochs', '1', '--out', path.join(runs, 'trained')]);
    expectRefused(t, 'experiment gradients', /lstm would have .* whose weights, gradients and adam's 2 slots alone take 1\.6 GB/, path.join(runs, 'trained'));
    expect(readdirSync(runs)).toEqual([]);
  });
});
