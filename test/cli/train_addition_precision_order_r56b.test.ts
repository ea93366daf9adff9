/**
 * rnnlab train and addition --precision mixed_bfloat16 where it falls back: the line is held until training begins,
 * so a refusal after the usage checks (a folder another run holds, data that cannot train, a --limit over the
 * examples) is all stderr says, and a run that goes ahead says the fallback once, after the model it is about. The
 * native kernels are put on the portable instruction set here, where mixed_bfloat16 falls back on any CPU.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { lockRunFolder } from '../../src/report/run_lock.js';
import { expectRefusedAlone, onPortableIsa, run, tempDir } from './helpers.js';

const native = onPortableIsa();

const BF16 = ['--precision', 'mixed_bfloat16'];
const FALLBACK = /rnnlab: mixed_bfloat16 needs .*; running in float32 instead\./g;
const TRAIN_TINY = ['--model', 'gru', '--units', '4', '--embedding-dim', '4', '--epochs', '1', '--maxlen', '6', '--threads', '1'];
const ADDITION_TINY = ['addition', '--digits', '1', '--training-size', '50', '--hidden', '4', '--samples', '1', '--epochs', '1', '--verbose', '0', '--threads', '1'];

/** Eight labelled rows, two classes: enough to train. */
function goodCsv(dir: string): string {
  const data = path.join(dir, 'd.csv');
  writeFileSync(data, 'text,label\n' + Array.from({ length: 8 }, (_, i) => `${i % 2 ? 'good fine' : 'bad awful'} ${i},${i % 2 ? 'pos' : 'neg'}`).join('\n') + '\n');
  return data;
}

/** The CLI in-process, with stdout and stderr in one log, in the order written. */
async function runInOrder(argv: string[]): Promise<{ code: number; log: string[] }> {
  const log: string[] = [];
  const code = await main(argv, { out: { write: (s: string) => { log.push(`out: ${s}`); return true; } }, err: { write: (s: string) => { log.push(`err: ${s}`); return true; } } });
  return { code, log };
}

describe.skipIf(!native)('train --precision mixed_bfloat16 falling back', () => {
  it('a run that goes ahead says the fallback once, after the data is read', async () => {
    const dir = tempDir();
    const r = await runInOrder(['train', '--data', goodCsv(dir), ...BF16, ...TRAIN_TINY, '--out', path.join(dir, 'run')]);
    expect(r.code, r.log.join('')).toBe(0);
    const said = r.log.filter((l) => /mixed_bfloat16 needs/.test(l));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^err: rnnlab: mixed_bfloat16 needs/);
    // Training's own output (its epoch line) comes after it.
    expect(r.log.indexOf(said[0])).toBeLessThan(r.log.findIndex((l) => /loss/.test(l)));
  }, 60_000);

  it('an --out folder another run is writing: the refusal alone, the folder kept as it was', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'run');
    const held = lockRunFolder(out, 'rnnlab train --out run');
    try {
      const r = await run(['train', '--data', goodCsv(dir), ...BF16, ...TRAIN_TINY, '--out', out]);
      expectRefusedAlone(r, 'train', /--out: .* is being written by another rnnlab run/);
      expect(existsSync(path.join(out, 'model'))).toBe(false);
    } finally {
      held.release();
    }
  });

  it('a --limit over the training examples: the refusal alone', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'run');
    const r = await run(['train', '--data', goodCsv(dir), ...BF16, ...TRAIN_TINY, '--limit', '100', '--out', out]);
    expectRefusedAlone(r, 'train', /--limit: 100 is more than the 6 training examples there are/);
  });

  it('data of one class: its error alone, naming the file', async () => {
    const dir = tempDir();
    const data = path.join(dir, 'one.csv');
    writeFileSync(data, 'text,label\n' + Array.from({ length: 6 }, (_, i) => `good ${i},pos`).join('\n') + '\n');
    const r = await run(['train', '--data', data, ...BF16, ...TRAIN_TINY, '--out', path.join(dir, 'run')]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toContain(data);
    expect(r.err).not.toMatch(/mixed_bfloat16 needs/);
  });
});

describe.skipIf(!native)('addition --precision mixed_bfloat16 falling back', () => {
  it('a run that goes ahead says the fallback once, after the data and the model it is about', async () => {
    const dir = tempDir();
    const r = await runInOrder([...ADDITION_TINY, ...BF16, '--out', path.join(dir, 'run')]);
    expect(r.code, r.log.join('')).toBe(0);
    const said = r.log.filter((l) => FALLBACK.test(l));
    FALLBACK.lastIndex = 0;
    expect(said).toHaveLength(1);
    const generating = r.log.findIndex((l) => /^out: Generating 50 addition questions/.test(l));
    const summary = r.log.findIndex((l) => /Total params/.test(l));
    expect(generating).toBeGreaterThanOrEqual(0);
    expect(summary).toBeGreaterThan(generating);
    expect(r.log.indexOf(said[0])).toBeGreaterThan(summary);
  }, 60_000);

  it('an --out folder another run is writing: the refusal alone', async () => {
    const out = path.join(tempDir(), 'run');
    const held = lockRunFolder(out, 'rnnlab addition --out run');
    try {
      const r = await run([...ADDITION_TINY, ...BF16, '--out', out]);
      expectRefusedAlone(r, 'addition', /--out: .* is being written by another rnnlab run/);
    } finally {
      held.release();
    }
  });
});
