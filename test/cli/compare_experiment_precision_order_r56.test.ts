/**
 * rnnlab compare and rnnlab experiment gradients with --precision mixed_bfloat16 and a bad IMDb tarball: the data error
 * is all stderr says (exit 1, nothing recorded); with a good tarball mixed_bfloat16's fallback is said, once. The native
 * kernels are put on the portable instruction set here, where mixed_bfloat16 falls back on any CPU.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTarGz, reviewEntries } from '../data/fixtures.js';
import { onPortableIsa, readResults, run, tempDir, type RunResult } from './helpers.js';

const native = onPortableIsa();

const BF16 = ['--precision', 'mixed_bfloat16'];
const FALLBACK = /rnnlab: mixed_bfloat16 needs .*; running in float32 instead\./g;

const COMMANDS = {
  compare: ['compare', ...BF16, '--models', 'ff_raw', '--epochs', '1', '--threads', '1'],
  'experiment gradients': ['experiment', 'gradients', ...BF16, '--models', 'simple_rnn', '--units', '4', '--embedding-dim', '4', '--maxlen', '8',
    '--batch-size', '2', '--batches', '1', '--long-range-epochs', '0', '--threads', '1'],
} as const;

const BAD_TARBALLS: [string, () => Buffer, RegExp][] = [
  ['not a tarball at all', () => Buffer.from('these bytes are no gzip stream, and no tar one either\n'.repeat(40)), /bad\.tar\.gz is corrupt/],
  ['a tarball without the test split\'s negative reviews', () => makeTarGz(reviewEntries(2, ['test/neg'])), /no reviews under aclImdb\/test\/neg\//],
];

/** The data error alone on stderr (exit 1), and no run folder made. */
function expectDataErrorAlone(r: RunResult, cmd: string, message: RegExp, out: string): void {
  expect(r.code, r.err).toBe(1);
  const lines = r.err.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^rnnlab ${cmd}: data error: `));
  expect(lines[0]).toMatch(message);
  expect(r.err).not.toMatch(/mixed_bfloat16 needs/);
  expect(existsSync(out)).toBe(false);
}

describe.skipIf(!native)('--precision mixed_bfloat16 falling back, with IMDb data', () => {
  for (const [cmd, argv] of Object.entries(COMMANDS)) {
    for (const [what, bytes, message] of BAD_TARBALLS) {
      it(`${cmd}, ${what}: the data error alone`, async () => {
        const dir = tempDir();
        const data = path.join(dir, 'bad.tar.gz');
        writeFileSync(data, bytes());
        const out = path.join(dir, 'run');
        expectDataErrorAlone(await run([...argv, '--data', data, '--out', out]), cmd, message, out);
      });
    }

    it(`${cmd}, a good tarball: the fallback is said once, and the run records float32`, async () => {
      const dir = tempDir();
      const data = path.join(dir, 'aclImdb_v1.tar.gz');
      writeFileSync(data, makeTarGz(reviewEntries(4)));
      const out = path.join(dir, 'run');
      const r = await run([...argv, '--data', data, '--vocab', '20', '--out', out]);
      expect(r.code, r.err).toBe(0);
      expect(r.err.match(FALLBACK)).toHaveLength(1);
      expect(readResults(out).environment.engine.precision).toBe('float32');
    }, 60_000);
  }
});
