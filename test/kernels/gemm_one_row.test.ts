/**
 * The GEMM's one-row path (native/gemm_tile.h, gemm_portable.cc): a panel of one row of C with B read in place runs
 * a single-row tile many vectors wide. It must give the tiled path's bits: every row of an m-row product equals
 * the same row computed inside a taller product (whose panel holding it has two rows, so the tiled kernel), on every
 * instruction set, at odd sizes, across k slices (k past the 256/512-deep cache blocks), with transposed A, alpha,
 * beta, bias and activations. One thread, so that both products take the same k split.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Act, backendInfo, setThreads, type ActCode } from '../../src/backend/index.js';
import { describeNativeEachIsa, Rng, type Kernels } from './util.js';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

function random(n: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: n }, () => rng.uniform());
}

interface Flags { ta: boolean; alpha: number; beta: number; bias: boolean; act: ActCode }

/** Random operands of an (m + 1)-row product: op(A) row-major [m + 1, k], B [k, n], C's start, a bias row. */
function operands(m: number, n: number, k: number, seed: number) {
  const rng = new Rng(seed);
  return { m, n, k, opA: random((m + 1) * k, rng), B: random(k * n, rng), C0: random((m + 1) * n, rng), bias: random(n, rng) };
}

/** Row i of the m-row product, and row i of the (m + 1)-row one; C starts from the same values. */
function rowsOfTaller(K: Kernels, o: ReturnType<typeof operands>, f: Flags): { alone: Float32Array; inside: Float32Array } {
  const { m, n, k, opA } = o;
  // The A operand as stored: op(A) itself, or its transpose [k, rows] when ta.
  const stored = (rows: number) => {
    if (!f.ta) return opA.slice(0, rows * k);
    const t = new Float32Array(k * rows);
    for (let i = 0; i < rows; i++) for (let p = 0; p < k; p++) t[p * rows + i] = opA[i * k + p];
    return t;
  };
  const bias = f.bias ? o.bias : null;
  const alone = o.C0.slice(0, m * n), inside = o.C0.slice();
  K.gemm(f.ta, false, m, n, k, f.alpha, stored(m), o.B, f.beta, alone, bias, f.act);
  K.gemm(f.ta, false, m + 1, n, k, f.alpha, stored(m + 1), o.B, f.beta, inside, bias, f.act);
  return { alone, inside: inside.subarray(0, m * n) };
}

describeNativeEachIsa('gemm: one-row panels give the tiled path\'s bits', (K) => {
  let threads = 1;
  beforeAll(() => { threads = backendInfo().threads; setThreads(1); });
  afterAll(() => setThreads(threads));

  // The adder at batch 1 (the second layer's input projection, the dense head), odd widths around the tile widths
  // (16-lane vectors, 8-vector rows), k across cache-block slices.
  const shapes: [number, number][] = [[512, 128], [12, 128], [512, 12], [1, 1], [5, 3], [17, 33], [100, 100],
    [127, 257], [129, 513], [300, 600], [1000, 1100]];
  it.each(shapes)('m = 1, n = %i, k = %i: every flag combination', (n, k) => {
    const o = operands(1, n, k, n * 7919 + k);
    for (const ta of [false, true]) for (const [alpha, beta] of [[1, 0], [0.5, 1], [1.5, 0.7]]) for (const bias of [false, true]) {
      for (const act of [Act.linear, Act.relu, Act.sigmoid, Act.tanh]) {
        const f = { ta, alpha, beta, bias, act };
        const { alone, inside } = rowsOfTaller(K, o, f);
        expect(bits(alone), JSON.stringify({ n, k, ...f })).toEqual(bits(inside));
      }
    }
  });

  it('a last panel of one row (m = 7, 9, 13: one row past 6- and 8-row tiles)', () => {
    for (const m of [7, 9, 13]) for (const [n, k] of [[512, 128], [33, 300], [129, 520]]) {
      for (const ta of [false, true]) {
        const f = { ta, alpha: 1, beta: 0.5, bias: true, act: Act.tanh };
        const { alone, inside } = rowsOfTaller(K, operands(m, n, k, m * 31 + n), f);
        expect(bits(alone), JSON.stringify({ m, n, k, ...f })).toEqual(bits(inside));
      }
    }
  });

  it('one row with two threads equals one row on one (a column split, no k split)', () => {
    const rng = new Rng(5);
    const [n, k] = [2048, 300];
    const A = random(k, rng), B = random(k * n, rng), bias = random(n, rng);
    const serial = new Float32Array(n), threaded = new Float32Array(n);
    K.gemm(false, false, 1, n, k, 1, A, B, 0, serial, bias, Act.relu);
    setThreads(2);
    try { K.gemm(false, false, 1, n, k, 1, A, B, 0, threaded, bias, Act.relu); } finally { setThreads(1); }
    expect(bits(threaded)).toEqual(bits(serial));
  });
});
