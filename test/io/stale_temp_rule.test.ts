/**
 * One rule decides which temp files writeFileAtomic left may be removed, for model saves, checkpoints, sweep run
 * folders and the dashboard alike: an hour untouched, written on this host, and its writer not a live process here.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStaleTempFile, setBeforeRenameHook, STALE_TEMP_AGE_MS, sweepTempFiles, TEMP_HOST, TEMP_PREFIX, writeFileAtomic } from '../../src/io/atomic.js';
import { cleanStaleTemps } from '../../src/sweep/worker_file.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-stale-temps-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
/** Above the largest pid Linux hands out (2^22): never a live process. */
const DEAD = 2 ** 22 + 12345;
let n = 0;
const folder = () => {
  const d = path.join(root, `d${n++}`);
  mkdirSync(d);
  return d;
};
/** A temp file written ageMs ago. */
function temp(dir: string, name: string, ageMs: number): string {
  const f = path.join(dir, name);
  writeFileSync(f, 'partial');
  const t = new Date(Date.now() - ageMs);
  utimesSync(f, t, t);
  return f;
}
const OLD = STALE_TEMP_AGE_MS + 60_000;

describe('isStaleTempFile', () => {
  it('is true only for an hour-old temp file of this host whose writer is gone', () => {
    const d = folder();
    expect(isStaleTempFile(temp(d, `${TEMP_PREFIX}a.json-${DEAD}-0badc0de`, OLD))).toBe(true);
    expect(isStaleTempFile(temp(d, `${TEMP_PREFIX}b.json-${DEAD}-0badc0de@${TEMP_HOST}`, OLD))).toBe(true);
    // A write in progress keeps its file fresh, whatever its pid says (another machine, another pid namespace).
    expect(isStaleTempFile(temp(d, `${TEMP_PREFIX}c.json-${DEAD}-0badc0de`, 60_000))).toBe(false);
    expect(isStaleTempFile(temp(d, `${TEMP_PREFIX}d.json-${DEAD}-0badc0de@other-host`, OLD))).toBe(false);
    // A live writer keeps its file however old; the liveness test is the caller's (the dashboard adds pid-reuse checks).
    const f = temp(d, `${TEMP_PREFIX}e.json-${DEAD}-0badc0de`, OLD);
    expect(isStaleTempFile(f, () => true)).toBe(false);
    expect(isStaleTempFile(f, () => false, Date.now() - OLD + 1000)).toBe(false);
    expect(isStaleTempFile(temp(d, `${TEMP_PREFIX}f.json-${process.pid}-0badc0de`, OLD))).toBe(false);
    // Not writeFileAtomic's shape, or not a file.
    expect(isStaleTempFile(temp(d, `${TEMP_PREFIX}notes-2024-01`, OLD))).toBe(false);
    expect(isStaleTempFile(temp(d, `${TEMP_PREFIX}g.json-${DEAD}-0bad`, OLD))).toBe(false);
    mkdirSync(path.join(d, `${TEMP_PREFIX}model-${DEAD}-0badc0de`));
    expect(isStaleTempFile(path.join(d, `${TEMP_PREFIX}model-${DEAD}-0badc0de`))).toBe(false);
  });
});

describe('sweepTempFiles and the sweep run folders', () => {
  it('remove the stale temp files only, and say which', () => {
    for (const sweep of [(d: string) => sweepTempFiles(d).map((f) => path.basename(f)), cleanStaleTemps]) {
      const d = folder();
      const stale = path.basename(temp(d, `${TEMP_PREFIX}results.json-${DEAD}-0badc0de`, OLD));
      const kept = [
        temp(d, `${TEMP_PREFIX}worker.json-${DEAD}-0badc0de`, 1000),
        temp(d, `${TEMP_PREFIX}worker.json-${DEAD}-0badc0de@other-host`, OLD),
        temp(d, 'results.json', OLD),
      ].map((f) => path.basename(f));
      expect(sweep(d)).toEqual([stale]);
      expect(readdirSync(d).sort()).toEqual(kept.sort());
    }
    expect(sweepTempFiles(path.join(root, 'no-such-folder'))).toEqual([]);
  });
});

describe('writeFileAtomic', () => {
  it('removes its own temp file when the rename fails, since no sweeper would (its writer is alive)', () => {
    const d = folder();
    setBeforeRenameHook(() => { throw new Error('rename refused'); });
    try {
      expect(() => writeFileAtomic(path.join(d, 'x.json'), '{}')).toThrow('rename refused');
    } finally {
      setBeforeRenameHook(null);
    }
    expect(readdirSync(d)).toEqual([]);
    writeFileAtomic(path.join(d, 'x.json'), '{}');
    expect(existsSync(path.join(d, 'x.json'))).toBe(true);
  });
});
