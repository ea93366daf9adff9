/** The pid-reuse check tolerates a step of the wall clock: a live writer stepped 30 s "younger" is still its writer. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { processStartMs, writerAlive } from '../../src/server/process_identity.js';

describe.skipIf(!existsSync('/proc/self/stat'))('writerAlive after a clock step', () => {
  it('keeps a live process whose computed start moved up to a minute past its record, and not beyond', () => {
    const started = processStartMs(process.pid)!;
    // The record was written at our start, then the clock was stepped 30 s forward: btime, and our computed start, moved 30 s.
    expect(writerAlive(process.pid, started - 30_000)).toBe(true);
    // A process that started well after the record (a reused pid) is still not its writer.
    expect(writerAlive(process.pid, started - 5 * 60_000)).toBe(false);
  });
});
