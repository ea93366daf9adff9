/**
 * The scratch pool behind allocFloat(): buffers are reused across withScratch() scopes, sizes share a buffer
 * within a size class (1/8 of a power of two; exact below 16), small sizes are pooled as well as large ones,
 * unscoped and persistent buffers never enter the pool, and releaseScratch() empties it (what a long-running
 * server calls between jobs).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { allocFloat, allocIndex, allocPersistent, releaseScratch, scratchStats, withScratch } from '../../src/backend/index.js';

afterEach(() => releaseScratch());

describe('scratch pool', () => {
  it('reuses a buffer in the next scope, zeroed unless asked not to', () => {
    const first = withScratch(() => {
      const a = allocFloat(20_000);
      a.fill(7);
      return a.buffer;
    });
    expect(scratchStats().buffers).toBe(1);
    withScratch(() => {
      const b = allocFloat(20_000);
      expect(b.buffer).toBe(first);
      expect(b.every((v) => v === 0)).toBe(true);
      b.fill(3);
    });
    withScratch(() => {
      const c = allocFloat(20_000, false);
      expect(c.buffer).toBe(first);
      expect(c[0]).toBe(3); // not zeroed: the caller overwrites it
    });
  });

  it('serves sizes of one size class from one buffer, with exact-length views', () => {
    // 20_000 lies in [2^14, 2^15): classes are 2^11 = 2048 apart, so 18_433..20_480 share the class 20_480.
    const buf = withScratch(() => allocFloat(20_000).buffer);
    expect(buf.byteLength).toBe(20_480 * 4);
    withScratch(() => {
      const v = allocFloat(20_480);
      expect(v.length).toBe(20_480);
      expect(v.buffer).toBe(buf);
    });
    withScratch(() => {
      const other = allocFloat(20_481); // the next class
      expect(other.buffer).not.toBe(buf);
      expect(other.buffer.byteLength).toBe(22_528 * 4);
    });
    expect(scratchStats()).toEqual({ buffers: 2, bytes: (20_480 + 22_528) * 4 });
  });

  it('gives distinct buffers within one scope and returns all of them at its end', () => {
    withScratch(() => {
      const a = allocFloat(30_000), b = allocFloat(30_000);
      expect(a.buffer).not.toBe(b.buffer);
      expect(scratchStats().buffers).toBe(0); // both in use
    });
    expect(scratchStats().buffers).toBe(2);
  });

  it('pools small sizes too, in their own classes, and keeps unscoped and persistent buffers out', () => {
    const small = withScratch(() => {
      const a = allocFloat(100), b = allocFloat(7), idx = allocIndex(5);
      expect(idx.buffer).not.toBe(b.buffer);
      allocPersistent(50_000);
      return [a.buffer, b.buffer];
    });
    // 100 lies in [64, 128): classes 8 apart, so the class is 104; below 16 a size is its own class.
    expect(small.map((b) => b.byteLength)).toEqual([104 * 4, 7 * 4]);
    expect(scratchStats()).toEqual({ buffers: 3, bytes: (104 + 7 + 5) * 4 });
    withScratch(() => {
      expect(allocFloat(97).buffer).toBe(small[0]);
      const idx = allocIndex(7); // row indices share the float pool
      expect(idx.buffer).toBe(small[1]);
      expect(idx.length).toBe(7);
    });
    releaseScratch();
    allocFloat(50_000); // outside any scope
    expect(scratchStats()).toEqual({ buffers: 0, bytes: 0 });
  });

  it('releaseScratch() empties the pool; a buffer in use survives and is pooled again when its scope ends', () => {
    withScratch(() => allocFloat(40_000));
    expect(scratchStats().buffers).toBe(1);
    withScratch(() => {
      const inUse = allocFloat(40_000);
      releaseScratch();
      inUse.fill(1);
      expect(inUse[39_999]).toBe(1);
    });
    expect(scratchStats().buffers).toBe(1); // only the one that was in use
    releaseScratch();
    expect(scratchStats()).toEqual({ buffers: 0, bytes: 0 });
    const fresh = withScratch(() => allocFloat(40_000).buffer);
    expect(fresh.byteLength).toBeGreaterThan(0);
  });
});
