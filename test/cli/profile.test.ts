/** RNNLAB_PROFILE=1 (or setProfiling(true)) makes every command end with the kernel time table on stderr. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { profileTable } from '../../src/cli/profile.js';
import { cleanup, run, tempDir } from './helpers.js';

afterAll(cleanup);
afterEach(() => rl.setProfiling(false));

describe('kernel profile on the command line', () => {
  it('prints each kernel a training command ran, with calls, milliseconds and shares summing to the total', async () => {
    rl.setProfiling(true);
    rl.profileReport(true);
    const r = await run(['addition', '--digits', '1', '--training-size', '50', '--epochs', '1', '--hidden', '8', '--samples', '1', '--verbose', '0', '--out', tempDir()]);
    expect(r.code).toBe(0);
    const lines = r.err.trim().split('\n');
    expect(lines[0]).toBe('kernel profile (RNNLAB_PROFILE), largest first:');
    const rows = lines.slice(2, -1).map((l) => l.trim().split(/\s+/));
    const names = rows.map((c) => c[0]);
    expect(names).toEqual(expect.arrayContaining(['lstmForward', 'lstmBackward', 'gemm']));
    const total = lines[lines.length - 1].trim().split(/\s+/);
    expect(total[0]).toBe('total');
    expect(Number(total[1])).toBe(rows.reduce((s, c) => s + Number(c[1]), 0));
    expect(rows.reduce((s, c) => s + Number(c[3]), 0)).toBeCloseTo(100, 0);
    // The report was drained: a second read is empty.
    expect(rl.profileReport(true)).toEqual([]);
  });

  it('prints nothing when profiling is off, and says so when no kernel ran', async () => {
    const r = await run(['addition', '--digits', '1', '--training-size', '50', '--epochs', '1', '--hidden', '8', '--samples', '1', '--verbose', '0', '--out', tempDir()]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(profileTable([])).toBe('kernel profile (RNNLAB_PROFILE): no kernel ran\n');
  });
});
