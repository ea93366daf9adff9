/**
 * --precision on the training commands: a bad value is a usage error naming it; mixed_bfloat16 runs and is recorded
 * in results.json (environment.engine.precision), or falls back to float32 with one message where the native bf16
 * kernels cannot run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeKernels, getBackend } from '../../src/backend/index.js';
import { setGlobalPolicy } from '../../src/mixed_precision.js';
import { cleanup, readResults, requireData, run, schemaProblems, tempDir } from '../cli/helpers.js';

const addon = nativeKernels() as unknown as { bf16Supported?: () => boolean } | null;
const bf16Runs = getBackend() === 'reference' || !!addon?.bf16Supported?.();

afterAll(() => { cleanup(); setGlobalPolicy('float32'); });

describe('--precision', () => {
  it.each([['imdb', '--model', 'cnn'], ['compare'], ['addition'], ['train', '--data', 'x.csv'], ['seq2seq', '--generate', 'date'],
    ['experiment', 'reverse'], ['experiment', 'commutativity'], ['experiment', 'digitwise'], ['experiment', 'gradients']])('%s: a bad value exits 2 naming the flag and the value', async (...cmd) => {
    const r = await run([...cmd, '--precision', 'float16']);
    expect(r.code).toBe(2);
    // A Keras policy rnnlab does not run gets the library's reason and what to use instead.
    expect(r.err).toMatch(/--precision: policy 'float16' is not supported: .*use mixed_bfloat16 .*\(rnnlab runs float32 and mixed_bfloat16\)/);
  });

  it('a value that is no Keras policy lists the choices', async () => {
    const r = await run(['addition', '--precision', 'fp32']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--precision must be one of float32, mixed_bfloat16, got 'fp32'/);
  });

  it('addition --precision mixed_bfloat16 trains and records the precision in force', async () => {
    const out = tempDir();
    const r = await run(['addition', '--digits', '1', '--training-size', '50', '--epochs', '1', '--hidden', '8', '--precision', 'mixed_bfloat16', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const res = readResults(out);
    expect(schemaProblems(res)).toEqual([]);
    expect(res.argv).toContain('mixed_bfloat16');
    if (bf16Runs) {
      expect(res.environment.engine.precision).toBe('mixed_bfloat16');
      expect(r.err).not.toMatch(/running in float32 instead/);
    } else {
      expect(res.environment.engine.precision).toBe('float32');
      expect(r.err.match(/rnnlab: mixed_bfloat16 needs .*; running in float32 instead\./g)).toHaveLength(1);
    }
    const back = tempDir();
    expect((await run(['addition', '--digits', '1', '--training-size', '50', '--epochs', '1', '--hidden', '8', '--out', back, '--verbose', '0'])).code).toBe(0);
    expect(readResults(back).environment.engine.precision).toBe('float32');
  }, 60_000);

  it('seq2seq --precision mixed_bfloat16 trains in it, records it, and its model translates in float32 as saved', async () => {
    const out = join(tempDir(), 'run');
    const r = await run(['seq2seq', '--generate', 'date', '--count', '200', '--units', '8', '--embedding-dim', '4', '--epochs', '1', '--samples', '0',
      '--precision', 'mixed_bfloat16', '--out', out, '--verbose', '0']);
    expect(r.code, r.err).toBe(0);
    const res = readResults(out);
    expect(schemaProblems(res)).toEqual([]);
    expect(res.environment.engine.precision).toBe(bf16Runs ? 'mixed_bfloat16' : 'float32');
    // The same run in float32 trains to other weights where bf16 runs (the products are rounded), the same elsewhere.
    const fp = join(tempDir(), 'fp');
    expect((await run(['seq2seq', '--generate', 'date', '--count', '200', '--units', '8', '--embedding-dim', '4', '--epochs', '1', '--samples', '0',
      '--out', fp, '--verbose', '0'])).code).toBe(0);
    const lossOf = (o: string) => (readResults(o).models[0].history.loss as number[])[0];
    if (bf16Runs) expect(lossOf(out)).not.toBe(lossOf(fp));
    else expect(lossOf(out)).toBe(lossOf(fp));
    const t = await run(['translate', '--model', out, '3 March 2021']);
    expect(t.code, t.err).toBe(0);
  }, 120_000);

  it("train --model lstm --precision mixed_bfloat16: metrics.validationLoss (predict's) equals the last history val_loss (evaluate's)", async () => {
    const dir = tempDir();
    const words = { pos: ['superb', 'great', 'excellent', 'fine', 'film', 'actor'], neg: ['terrible', 'dull', 'boring', 'poor', 'awful', 'plot'] };
    let seed = 11;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const rows = ['text,label'];
    for (let i = 0; i < 120; i++) {
      const label = i % 2 ? 'pos' : 'neg';
      rows.push(`${Array.from({ length: 6 + Math.floor(next() * 6) }, () => (next() < 0.5 ? 'movie' : words[label][Math.floor(next() * 6)])).join(' ')},${label}`);
    }
    writeFileSync(join(dir, 'tiny.csv'), rows.join('\n') + '\n');
    const out = join(dir, 'run');
    const r = await run(['train', '--data', join(dir, 'tiny.csv'), '--model', 'lstm', '--units', '8', '--embedding-dim', '8', '--epochs', '2',
      '--batch-size', '16', '--vocab', '50', '--precision', 'mixed_bfloat16', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const res = readResults(out);
    expect(res.environment.engine.precision).toBe(bf16Runs ? 'mixed_bfloat16' : 'float32');
    const valLoss: number[] = res.models[0].history.val_loss;
    expect(Math.abs(res.metrics.validationLoss - valLoss[valLoss.length - 1])).toBeLessThan(1e-7);
  }, 60_000);

  it('the experiments that train nothing take no --precision', async () => {
    for (const name of ['shapes', 'params']) {
      const r = await run(['experiment', name, '--precision', 'mixed_bfloat16']);
      expect(r.code, name).toBe(2);
      expect(r.err, name).toMatch(/unknown option '--precision'/);
    }
  });

  const digitwise = ['experiment', 'digitwise', '--digits', '1', '--test-digits', '2', '--training-size', '40', '--test-size', '10', '--epochs', '1', '--hidden', '4', '--verbose', '0'];

  it('experiment digitwise --precision mixed_bfloat16 trains in it and records it; the next run without the flag is float32 again', async () => {
    const bf = tempDir();
    const r = await run([...digitwise, '--precision', 'mixed_bfloat16', '--out', bf]);
    expect(r.code, r.err).toBe(0);
    const res = readResults(bf);
    expect(schemaProblems(res)).toEqual([]);
    expect(res.environment.engine.precision).toBe(bf16Runs ? 'mixed_bfloat16' : 'float32');
    if (!bf16Runs) expect(r.err.match(/running in float32 instead\./g)).toHaveLength(1);
    // Run in the same process after it: the policy is set again, not inherited from the run before.
    const fp = tempDir();
    expect((await run([...digitwise, '--out', fp])).code).toBe(0);
    const fpRes = readResults(fp);
    expect(fpRes.environment.engine.precision).toBe('float32');
    const lossOf = (x: Record<string, any>) => x.models[0].history.loss[0] as number;
    if (bf16Runs) expect(lossOf(res)).not.toBe(lossOf(fpRes));
    else expect(lossOf(res)).toBe(lossOf(fpRes));
  }, 60_000);

  it('experiment gradients --precision mixed_bfloat16 measures the bf16 gradients and records the precision', async () => {
    const data = requireData();
    const args = ['experiment', 'gradients', '--data', data, '--models', 'lstm', '--maxlen', '20', '--batch-size', '4', '--batches', '1',
      '--units', '8', '--embedding-dim', '8', '--long-range-epochs', '0'];
    const cache = process.env.RNNLAB_CACHE;
    process.env.RNNLAB_CACHE = tempDir('rnnlab-cache-');
    try {
      const bf = tempDir(), fp = tempDir();
      const r = await run([...args, '--precision', 'mixed_bfloat16', '--out', bf]);
      expect(r.code, r.err).toBe(0);
      expect((await run([...args, '--out', fp])).code).toBe(0);
      const [b, f] = [readResults(bf), readResults(fp)];
      expect(b.environment.engine.precision).toBe(bf16Runs ? 'mixed_bfloat16' : 'float32');
      expect(f.environment.engine.precision).toBe('float32');
      const norms = (x: Record<string, any>) => x.details.profiles[0].norms as number[];
      expect(norms(b)).toHaveLength(20);
      // bf16 operands change the gradients by ~0.1-1 %, not their size.
      for (let t = 0; t < 20; t++) expect(Math.abs(norms(b)[t] - norms(f)[t])).toBeLessThanOrEqual(0.05 * norms(f)[t] + 1e-12);
      if (bf16Runs) expect(norms(b)).not.toEqual(norms(f));
      else expect(norms(b)).toEqual(norms(f));
    } finally {
      if (cache === undefined) delete process.env.RNNLAB_CACHE;
      else process.env.RNNLAB_CACHE = cache;
    }
  }, 60_000);
});
