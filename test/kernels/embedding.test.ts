/**
 * Embedding: native gather/scatter-add against the reference (every threading split: serial, ranges of table
 * rows, column bands, id modulo threads; heavy duplicates and a dominant padding id), the scatter-add's bits equal
 * to a float32 sum in id order at 1, 2 and 3 threads, accumulation into dTable touching only the
 * rows used, the reference's backward against finite differences in float64, and argument checking.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { backendInfo, setThreads } from '../../src/backend/index.js';
import { Rng, describeNative, describeNativeEachIsa, dot, f64, numericGrad, randF32, randF64, randInt32, referenceKernels as ref, relErr } from './util.js';

/** ids in [0, vocab), about half of them the padding id 0, as in padded IMDb batches. */
function ids(rng: Rng, n: number, vocab: number): Int32Array {
  const a = randInt32(rng, n, 0, vocab);
  for (let i = 0; i < n; i++) if (rng.next() < 0.5) a[i] = 0;
  return a;
}

const CASES: [number, number, number][] = [
  // n, dim, vocab
  [1, 1, 1],
  [37, 7, 11],
  [500, 16, 100],
  [64_000, 32, 10_000],  // threaded, narrow rows: split by id modulo threads
  [20_000, 100, 5_000],  // threaded, wide rows: split by ranges of table rows
  [20_000, 100, 1],  // threaded, wide rows, one row: split by column bands
  [3000, 33, 3],  // few distinct rows, heavy duplicates
];

describeNativeEachIsa('embedding: native vs reference', (nat) => {
  it('forward gathers rows exactly', () => {
    const rng = new Rng(1);
    for (const [n, dim, vocab] of CASES) {
      const table = randF32(rng, vocab * dim), id = ids(rng, n, vocab);
      const out = new Float32Array(n * dim).fill(NaN);
      nat.embeddingForward(n, dim, id, table, out);
      const outr = new Float64Array(n * dim);
      ref.embeddingForward(n, dim, id, f64(table), outr);
      expect(relErr(out, outr), `n${n} dim${dim}`).toBe(0);
    }
  });

  it('backward accumulates into dTable and leaves unused rows alone', () => {
    const rng = new Rng(2);
    for (const [n, dim, vocab] of CASES) {
      const id = ids(rng, n, vocab), dOut = randF32(rng, n * dim);
      const init = randF32(rng, vocab * dim);
      const dTable = Float32Array.from(init);
      nat.embeddingBackward(n, dim, id, dOut, dTable);
      const dTabler = f64(init);
      ref.embeddingBackward(n, dim, id, f64(dOut), dTabler);
      expect(relErr(dTable, dTabler), `n${n} dim${dim}`).toBeLessThan(1e-5);
      const used = new Set(id);
      let changedUnused = 0;
      for (let r = 0; r < vocab; r++) {
        if (used.has(r)) continue;
        for (let c = 0; c < dim; c++) if (!Object.is(dTable[r * dim + c], init[r * dim + c])) changedUnused++;
      }
      expect(changedUnused, `n${n} dim${dim}: unused rows changed`).toBe(0);
    }
  });

  it('reads rows of a table longer than needed; n = 0 is a no-op', () => {
    const table = new Float32Array([1, 2, 3, 4, 5, 6, 7]);  // 3 rows of 2, one spare float
    const out = new Float32Array(4);
    nat.embeddingForward(2, 2, new Int32Array([2, 0]), table, out);
    expect(Array.from(out)).toEqual([5, 6, 1, 2]);
    nat.embeddingBackward(0, 2, new Int32Array(0), new Float32Array(0), table);
    expect(table[0]).toBe(1);
  });
});

describeNative('embedding: backward bits at every thread count', (nat) => {
  const before = backendInfo().threads;
  afterAll(() => setThreads(before));

  /** dTable + the dOut rows of ids, each element's additions in float32 and in id order. */
  function serialSum(n: number, dim: number, id: Int32Array, dOut: Float32Array, init: Float32Array): Float32Array {
    const d = Float32Array.from(init);
    for (let i = 0; i < n; i++) for (let c = 0; c < dim; c++) d[id[i] * dim + c] = Math.fround(d[id[i] * dim + c] + dOut[i * dim + c]);
    return d;
  }

  it('equal a float32 sum in id order (row ranges, column bands when one id dominates, id modulo threads)', () => {
    const rng = new Rng(4);
    // n, dim, vocab, share of padding id 0: uniform and half padding split by row ranges, 90 % padding by columns
    const cases: [number, number, number, number][] = [[32_000, 100, 10_000, 0], [32_000, 100, 10_000, 0.5], [20_000, 100, 3000, 0.9], [9000, 129, 7, 0], [64_000, 8, 1000, 0.3]];
    for (const [n, dim, vocab, pad] of cases) {
      const id = randInt32(rng, n, 0, vocab);
      for (let i = 0; i < n; i++) if (rng.next() < pad) id[i] = 0;
      const dOut = randF32(rng, n * dim), init = randF32(rng, vocab * dim);
      for (let i = 0; i < dOut.length; i += 97) dOut[i] = -0;
      const want = serialSum(n, dim, id, dOut, init);
      for (const threads of [1, 2, 3]) {
        setThreads(threads);
        const dTable = Float32Array.from(init);
        nat.embeddingBackward(n, dim, id, dOut, dTable);
        expect(Buffer.from(dTable.buffer).equals(Buffer.from(want.buffer)), `n${n} dim${dim} pad${pad} threads${threads}`).toBe(true);
      }
    }
  });
});

describeNative('embedding: argument checking', (nat) => {
  const table = new Float32Array(10 * 4), out = new Float32Array(3 * 4);
  const cases: [string, () => unknown][] = [
    ['forward: id = rows', () => nat.embeddingForward(3, 4, new Int32Array([0, 10, 1]), table, out)],
    ['forward: negative id', () => nat.embeddingForward(3, 4, new Int32Array([0, -1, 1]), table, out)],
    ['forward: ids too short', () => nat.embeddingForward(3, 4, new Int32Array(2), table, out)],
    ['forward: out too short', () => nat.embeddingForward(3, 4, new Int32Array(3), table, new Float32Array(11))],
    ['forward: ids not Int32Array', () => nat.embeddingForward(3, 4, new Float32Array(3) as unknown as Int32Array, table, out)],
    ['forward: table Float64Array', () => nat.embeddingForward(3, 4, new Int32Array(3), new Float64Array(40), out)],
    ['forward: negative dim', () => nat.embeddingForward(3, -4, new Int32Array(3), table, out)],
    ['backward: id = rows', () => nat.embeddingBackward(3, 4, new Int32Array([0, 10, 1]), out, table)],
    ['backward: id beyond a short dTable', () => nat.embeddingBackward(3, 4, new Int32Array([0, 2, 1]), out, new Float32Array(11))],
    ['backward: dOut too short', () => nat.embeddingBackward(3, 4, new Int32Array(3), new Float32Array(11), table)],
  ];
  for (const [name, call] of cases) it(name, () => expect(call).toThrow(RangeError));
});

describe('embedding: reference backward against finite differences (float64)', () => {
  it('d(sum G * embed(table)) / d table', () => {
    const rng = new Rng(3);
    const n = 9, dim = 3, vocab = 5;
    const id = randInt32(rng, n, 0, vocab), table = randF64(rng, vocab * dim), G = randF64(rng, n * dim);
    const out = new Float64Array(n * dim);
    const num = numericGrad(() => { ref.embeddingForward(n, dim, id, table, out); return dot(G, out); }, table);
    const dTable = new Float64Array(vocab * dim);
    ref.embeddingBackward(n, dim, id, G, dTable);
    expect(relErr(dTable, num)).toBeLessThan(1e-7);
  });

  it('reference rejects bad ids', () => {
    expect(() => ref.embeddingForward(1, 2, new Int32Array([3]), new Float64Array(6), new Float64Array(2))).toThrow(RangeError);
  });
});
