/**
 * worker.json is written synchronously with fsyncs on the thread that renews the queue's job locks: a fast run's
 * epoch lines (thousands) must not each cost a write, and the last epoch must still reach the file.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { epochOfLine } from '../../src/sweep/execute.js';
import { EPOCH_WRITE_MS, readWorkerStamp, workerLog } from '../../src/sweep/worker_file.js';
import { cleanup, tempDir } from './helpers.js';

afterAll(cleanup);
afterEach(() => { vi.useRealTimers(); });

/** A writer that writes the file as workerLog would, counting the writes. */
function countingWriter(): { writes: () => number; write: (file: string, text: string) => void } {
  let n = 0;
  return { writes: () => n, write: (file, text) => { n++; writeFileAtomic(file, text); } };
}

/** Feeds a run's epoch lines to the stamp as runChild does, one per line. */
function feed(seen: ReturnType<typeof workerLog>, epochs: number, clock?: { t: number; step: number }): void {
  for (let i = 1; i <= epochs; i++) {
    if (clock) clock.t += clock.step;
    const e = epochOfLine(`Epoch ${i}/${epochs} - loss: 0.1`);
    if (e) seen.epoch(e);
  }
}

describe('worker.json under a fast stream of epoch lines', () => {
  it('5,000 epoch lines in one instant cost the opening write and the closing one, and the file ends at the last epoch', () => {
    const dir = tempDir();
    const w = countingWriter();
    const clock = { t: 1_000_000, step: 0 };
    const seen = workerLog(dir, 'w1', { write: w.write, clock: () => clock.t });
    feed(seen, 5000, clock);
    expect(w.writes()).toBe(1);
    expect(seen.end('completed')).toBeNull();
    expect(w.writes()).toBe(2);
    const stamp = readWorkerStamp(dir)!;
    expect([stamp.state, stamp.epoch, stamp.epochs]).toEqual(['completed', 5000, 5000]);
  });

  it('over time, at most one write per EPOCH_WRITE_MS of the clock, with the epochs in between kept in memory', () => {
    const dir = tempDir();
    const w = countingWriter();
    // 1 ms per epoch: 5,000 epochs span 5 s of the clock.
    const clock = { t: 1_000_000, step: 1 };
    const seen = workerLog(dir, 'w1', { write: w.write, clock: () => clock.t });
    feed(seen, 5000, clock);
    const span = 5000 / EPOCH_WRITE_MS;
    // The opening write, then one per elapsed EPOCH_WRITE_MS: never one per line.
    expect(w.writes()).toBe(1 + span);
    seen.end('failed');
    expect(w.writes()).toBe(2 + span);
    expect(readWorkerStamp(dir)!.epoch).toBe(5000);
  });

  it('an epoch that came too soon after a write reaches the file EPOCH_WRITE_MS later, without waiting for the end', () => {
    vi.useFakeTimers();
    const dir = tempDir();
    const w = countingWriter();
    const seen = workerLog(dir, 'w1', { write: w.write });
    feed(seen, 300);
    expect(readWorkerStamp(dir)!.epoch).toBeNull();
    vi.advanceTimersByTime(EPOCH_WRITE_MS);
    expect(w.writes()).toBe(2);
    expect(readWorkerStamp(dir)!.epoch).toBe(300);
    // Nothing new: no further write until the heartbeat.
    vi.advanceTimersByTime(EPOCH_WRITE_MS);
    expect(w.writes()).toBe(2);
    seen.end('completed');
    expect(readWorkerStamp(dir)!.state).toBe('completed');
  });
});
