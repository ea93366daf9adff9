import type { EmbeddingKernels, FArray } from '../kernels.js';
import { Args } from './common.js';

function checkIds(kernel: string, n: number, ids: Int32Array, rows: number): void {
  for (let i = 0; i < n; i++) {
    if (!(ids[i] >= 0 && ids[i] < rows)) {
      throw new RangeError(`${kernel}: argument 'ids' holds ${ids[i]} at ${i}, outside the table's [0, ${rows}) rows`);
    }
  }
}

export const embeddingKernels: EmbeddingKernels = {
  embeddingForward(n: number, dim: number, ids: Int32Array, table: FArray, out: FArray): void {
    const a = new Args('embeddingForward');
    a.integer('n', n), a.integer('dim', dim);
    a.ints('ids', ids, n);
    a.floats('table', table, 0);
    a.floats('out', out, n * dim);
    if (n === 0 || dim === 0) return;
    checkIds('embeddingForward', n, ids, Math.floor(table.length / dim));
    for (let i = 0; i < n; i++) {
      const src = ids[i] * dim;
      for (let c = 0; c < dim; c++) out[i * dim + c] = table[src + c];
    }
  },

  embeddingBackward(n: number, dim: number, ids: Int32Array, dOut: FArray, dTable: FArray): void {
    const a = new Args('embeddingBackward');
    a.integer('n', n), a.integer('dim', dim);
    a.ints('ids', ids, n);
    a.floats('dOut', dOut, n * dim);
    a.floats('dTable', dTable, 0);
    if (n === 0 || dim === 0) return;
    checkIds('embeddingBackward', n, ids, Math.floor(dTable.length / dim));
    for (let i = 0; i < n; i++) {
      const dst = ids[i] * dim;
      for (let c = 0; c < dim; c++) dTable[dst + c] += dOut[i * dim + c];
    }
  },
};
