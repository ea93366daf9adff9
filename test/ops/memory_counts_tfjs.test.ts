/**
 * memory().numBytes and numDataBuffers against tfjs 4.22's engine, the same ops run in both: bytes per tensor at its
 * dtype's width (bool one byte), a view adding its bytes but no data buffer, and everything given back on dispose.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any;
interface Counts { tensors: number; buffers: number; bytes: number }

/** What run(lib) adds to memory(), and what is left once the tensors it returns are disposed. */
function counts(lib: Lib, run: (l: Lib) => unknown): { added: Counts; left: Counts } {
  const read = (): Counts => { const m = lib.memory(); return { tensors: m.numTensors, buffers: m.numDataBuffers, bytes: m.numBytes }; };
  const diff = (a: Counts, b: Counts): Counts => ({ tensors: b.tensors - a.tensors, buffers: b.buffers - a.buffers, bytes: b.bytes - a.bytes });
  const m0 = read();
  const made = run(lib);
  const added = diff(m0, read());
  lib.dispose(made);
  return { added, left: diff(m0, read()) };
}

const cases: Record<string, (l: Lib) => unknown> = {
  'bool tensor1d': (l) => l.tensor1d([true, false, true], 'bool'),
  'equal of two float ones': (l) => { const a = l.ones([4]), b = l.ones([4]); return [a, b, l.equal(a, b)]; },
  'int32 cast': (l) => { const a = l.ones([4]); return [a, a.cast('int32')]; },
  'reshape view': (l) => { const a = l.ones([2, 3]); return [a, a.reshape([3, 2])]; },
  'bool view': (l) => { const a = l.tensor2d([[true, false], [false, true]], [2, 2], 'bool'); return [a, a.reshape([4])]; },
  'expandDims and squeeze views': (l) => { const a = l.tensor1d([1, 2, 3]); const e = a.expandDims(0); return [a, e, e.squeeze()]; },
  'int32 scalar': (l) => l.scalar(7, 'int32'),
};

describe('memory() byte and buffer counts match tfjs 4.22', () => {
  for (const [name, run] of Object.entries(cases)) {
    it(name, () => {
      const mine = counts(rl, run), theirs = counts(tf, run);
      expect(mine.added).toEqual(theirs.added);
      expect(mine.left).toEqual({ tensors: 0, buffers: 0, bytes: 0 });
      expect(theirs.left).toEqual({ tensors: 0, buffers: 0, bytes: 0 });
    });
  }

  it('a view outliving its source keeps the shared buffer and its own bytes, as tfjs', () => {
    for (const lib of [rl, tf] as Lib[]) {
      const m0 = lib.memory();
      const a = lib.ones([2, 3]);
      const v = a.reshape([3, 2]);
      a.dispose();
      const m1 = lib.memory();
      expect([m1.numDataBuffers - m0.numDataBuffers, m1.numBytes - m0.numBytes]).toEqual([1, 24]);
      v.dispose();
      expect(lib.memory().numBytes).toBe(m0.numBytes);
    }
  });

  it('clone: the same tensor and byte counts as tfjs, but its own data buffer (rnnlab copies; API.md Memory)', () => {
    const mine = counts(rl, (l) => { const a = l.ones([2]); return [a, a.clone()]; });
    const theirs = counts(tf, (l) => { const a = l.ones([2]); return [a, a.clone()]; });
    expect({ tensors: mine.added.tensors, bytes: mine.added.bytes }).toEqual({ tensors: theirs.added.tensors, bytes: theirs.added.bytes });
    expect([mine.added.buffers, theirs.added.buffers]).toEqual([2, 1]);
  });
});
