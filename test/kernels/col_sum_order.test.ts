/**
 * colSum's exact bits where its summation order is fixed: every column summed in double in row order, then added
 * to out (one thread, or two owning bands of a wide matrix's columns). The native loop sums register blocks of
 * rows and columns; these shapes cross every block edge, and their values make any other order show.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { backendInfo, setThreads } from '../../src/backend/index.js';
import type { Kernels } from '../../src/backend/index.js';
import { Rng, describeNativeEachIsa } from './util.js';

/** out[j] = fround((accumulate ? out[j] : 0) + the double sum of column j in row order). */
function rowOrderSums(rows: number, cols: number, x: Float32Array, out: Float32Array, accumulate: boolean): void {
  for (let j = 0; j < cols; j++) {
    let acc = 0;
    for (let r = 0; r < rows; r++) acc += x[r * cols + j];
    out[j] = Math.fround((accumulate ? out[j] : 0) + acc);
  }
}

/**
 * Values in [-32, 32) and, in each column of 3 rows or more, +2^60 and -2^60 at two random rows: the double sum
 * drops the small values it adds between them (2^60's ulp is 256), so the result tells which rows came between,
 * i.e. the order of the sum.
 */
function columnsThatShowTheOrder(rng: Rng, rows: number, cols: number): Float32Array {
  const x = Float32Array.from({ length: rows * cols }, () => (rng.next() - 0.5) * 64);
  for (let j = 0; j < cols && rows >= 3; j++) {
    const a = Math.floor(rng.next() * rows), b = (a + 1 + Math.floor(rng.next() * (rows - 1))) % rows;
    x[a * cols + j] = 2 ** 60;
    x[b * cols + j] = -(2 ** 60);
  }
  return x;
}

/** Columns >= 128 (a column band per thread at 2 threads) or too small to split: the order is row order. */
const SHAPES: [number, number][] = [[1, 1], [15, 63], [16, 64], [17, 65], [33, 129], [47, 191], [1000, 400], [3001, 200],
  [31, 1000], [250, 4099]];

for (const threads of [1, 2]) {
  describeNativeEachIsa(`colSum sums each column in row order (${threads} thread${threads > 1 ? 's' : ''})`, (nat: Kernels) => {
    const before = backendInfo().threads;
    beforeAll(() => setThreads(threads));
    afterAll(() => setThreads(before));
    it('bit for bit against a row-order double sum', () => {
      const rng = new Rng(7);
      for (const [rows, cols] of SHAPES) {
        const x = columnsThatShowTheOrder(rng, rows, cols);
        for (const accumulate of [false, true]) {
          const init = Float32Array.from({ length: cols }, () => rng.next() - 0.5);
          const out = Float32Array.from(init), want = Float32Array.from(init);
          nat.colSum(rows, cols, x, out, accumulate);
          rowOrderSums(rows, cols, x, want, accumulate);
          expect(out, `colSum ${rows}x${cols} accumulate=${accumulate}`).toEqual(want);
        }
      }
    });
  });
}
