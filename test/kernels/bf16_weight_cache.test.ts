/**
 * The bf16 weight cache (src/backend/bf16_weight_cache.ts): a GEMM whose B operand is a marked weight reuses the
 * weight's packing until the weight is written again, and gives gemmBf16's bits exactly; the optimizers' update
 * kernels remake the packings as they write the weights, with the bits of the plain update and of gemmBf16PackB.
 * Needs AVX512-BF16 in the CPU and the avx512 kernels in force (the packing is native).
 */
import { describe, expect, it } from 'vitest';
import { Act, backendInfo, kernels, nativeKernels, referenceKernels, setThreads } from '../../src/backend/index.js';
import { setGlobalPolicy } from '../../src/mixed_precision.js';
import { cachedBf16Gemm, markWeightWritten, WeightPackings, type Bf16PackAddon, type Bf16UpdateAddon } from '../../src/backend/bf16_weight_cache.js';
import { Adam } from '../../src/optimizers/adam.js';
import { RMSprop } from '../../src/optimizers/rmsprop.js';
import { SGD } from '../../src/optimizers/sgd.js';
import { Variable } from '../../src/variable.js';
import { Rng, randF32 } from './util.js';

type GemmFn = typeof referenceKernels.gemm;
type Addon = Bf16PackAddon & Bf16UpdateAddon & { gemmBf16: GemmFn; gemmBf16PackedLength(k: number, n: number): number; bf16Supported(): boolean };
const addon = nativeKernels() as unknown as Addon | null;
const hasBf16 = !!addon?.bf16Supported?.();

function product(fn: GemmFn, ta: boolean, tb: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array,
  extras: { c0: Float32Array; bias: Float32Array | null; beta: number; act: number }): Float32Array {
  const out = Float32Array.from(extras.c0);
  fn(ta, tb, m, n, k, 1, a, b, extras.beta, out, extras.bias, extras.act as never);
  return out;
}

/** The first index where two arrays' bits differ, or -1 (toEqual is slow on long arrays). */
function firstDifference(a: Float32Array | Int32Array, b: Float32Array | Int32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (x.length !== y.length) return Math.min(x.length, y.length);
  return x.findIndex((v, i) => v !== y[i]);
}

/** W's packings (op(B) = W and W^T) against gemmBf16 on W, through products: their slack words are never read. */
function expectPackingsOf(rng: Rng, w: Float32Array, rows: number, cols: number, packed: Int32Array, packedT: Int32Array): void {
  const m = 3, a = randF32(rng, m * rows), at = randF32(rng, m * cols);
  const viaPacked = new Float32Array(m * cols), direct = new Float32Array(m * cols);
  addon!.gemmBf16PackedB(false, m, cols, rows, 1, a, packed, 0, viaPacked, null, Act.linear);
  addon!.gemmBf16(false, false, m, cols, rows, 1, a, w, 0, direct, null, Act.linear);
  expect(viaPacked).toEqual(direct);
  const viaPackedT = new Float32Array(m * rows), directT = new Float32Array(m * rows);
  addon!.gemmBf16PackedB(false, m, rows, cols, 1, at, packedT, 0, viaPackedT, null, Act.linear);
  addon!.gemmBf16(false, true, m, rows, cols, 1, at, w, 0, directT, null, Act.linear);
  expect(viaPackedT).toEqual(directT);
}

// Tile edges, odd k, a k past one 256-pair block, and the CNN head's wide-and-short shape scaled down.
const SHAPES: [number, number, number][] = [[1, 1, 1], [9, 33, 17], [17, 31, 29], [3, 40, 513], [20, 70, 1200], [4, 7, 3000]];

// AVX512-BF16 is a CPU feature: without it the packing kernels refuse to run (their own error is tested below).
describe.skipIf(!hasBf16)('cached bf16 GEMM (native)', () => {
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`gives gemmBf16's bits for marked weights (transA ${ta}, transB ${tb})`, () => {
      const gemm = cachedBf16Gemm(addon!, addon!.gemmBf16, new WeightPackings(addon!));
      const rng = new Rng(ta ? 7 : 3);
      for (const [m, n, k] of SHAPES) {
        const a = randF32(rng, m * k), w = randF32(rng, k * n);
        markWeightWritten(w);
        const extras = { c0: randF32(rng, m * n), bias: tb ? randF32(rng, n) : null, beta: ta ? 0.5 : 0, act: tb ? Act.relu : Act.linear };
        const want = product(addon!.gemmBf16, ta, tb, m, n, k, a, w, extras);
        // twice: the first call packs the weight, the second reuses the packing
        expect(product(gemm, ta, tb, m, n, k, a, w, extras)).toEqual(want);
        expect(product(gemm, ta, tb, m, n, k, a, w, extras)).toEqual(want);
      }
    });
  }

  it('reuses the packing until the weight is marked written, then packs the new values', () => {
    const gemm = cachedBf16Gemm(addon!, addon!.gemmBf16, new WeightPackings(addon!));
    const rng = new Rng(11);
    const [m, n, k] = [5, 40, 37];
    const a = randF32(rng, m * k), w = randF32(rng, k * n);
    const extras = { c0: new Float32Array(m * n), bias: null, beta: 0, act: Act.linear };
    markWeightWritten(w);
    const before = product(gemm, false, false, m, n, k, a, w, extras);
    w.set(randF32(rng, k * n));
    expect(product(gemm, false, false, m, n, k, a, w, extras)).toEqual(before);
    markWeightWritten(w);
    const after = product(gemm, false, false, m, n, k, a, w, extras);
    expect(after).toEqual(product(addon!.gemmBf16, false, false, m, n, k, a, w, extras));
    expect(after).not.toEqual(before);
  });

  it('packs unmarked arrays on every call (activations, gradients)', () => {
    const gemm = cachedBf16Gemm(addon!, addon!.gemmBf16, new WeightPackings(addon!));
    const rng = new Rng(12);
    const [m, n, k] = [6, 20, 9];
    const a = randF32(rng, m * k), b = randF32(rng, k * n);
    const extras = { c0: new Float32Array(m * n), bias: null, beta: 0, act: Act.linear };
    product(gemm, false, true, m, n, k, a, b, extras);
    b.set(randF32(rng, k * n));
    expect(product(gemm, false, true, m, n, k, a, b, extras)).toEqual(product(addon!.gemmBf16, false, true, m, n, k, a, b, extras));
  });

  it('sees the writes of Variable.assign and of an optimizer step', () => {
    const gemm = cachedBf16Gemm(addon!, addon!.gemmBf16, new WeightPackings(addon!));
    const rng = new Rng(13);
    const [m, n, k] = [4, 24, 10];
    const v = new Variable('kernel', [k, n]);
    v.assign(randF32(rng, k * n));
    const a = randF32(rng, m * k);
    const extras = { c0: new Float32Array(m * n), bias: null, beta: 0, act: Act.linear };
    const w = v.values as Float32Array;
    const check = () => expect(product(gemm, false, false, m, n, k, a, w, extras)).toEqual(product(addon!.gemmBf16, false, false, m, n, k, a, w, extras));
    check();
    v.assign(randF32(rng, k * n));
    check();
    v.grad = randF32(rng, k * n);
    new SGD({ learningRate: 0.5 }).applyGradients([v]);
    check();
  });

  it('packs a new version into the previous packing array, with the bits of a fresh packing', () => {
    const rng = new Rng(14);
    const [k, n] = [37, 45];
    const first = addon!.gemmBf16PackB(true, k, n, randF32(rng, k * n));
    const w = randF32(rng, k * n);
    const again = addon!.gemmBf16PackB(true, k, n, w, first);
    expect(again).toBe(first);
    const m = 3, a = randF32(rng, m * k);
    const viaPacked = new Float32Array(m * n), direct = new Float32Array(m * n);
    addon!.gemmBf16PackedB(false, m, n, k, 1, a, again, 0, viaPacked, null, Act.linear);
    addon!.gemmBf16(false, true, m, n, k, 1, a, w, 0, direct, null, Act.linear);
    expect(viaPacked).toEqual(direct);
    expect(() => addon!.gemmBf16PackB(true, k, n + 40, randF32(rng, k * (n + 40)), first)).toThrow(/gemmBf16PackB: argument 'into'/);
  });

  // The three update kernels with their arguments (after p, g) and slots; sgd with and without momentum.
  const UPDATES = [
    { name: 'adam', slots: 2, run: (k: Bf16UpdateAddon, p: Float32Array, g: Float32Array, s: Float32Array[], ...packs: unknown[]) =>
      (k.adam as (...a: unknown[]) => void)(p, g, s[0], s[1], 0.01, 0.9, 0.999, 1e-7, 3, ...packs) },
    { name: 'rmsprop', slots: 1, run: (k: Bf16UpdateAddon, p: Float32Array, g: Float32Array, s: Float32Array[], ...packs: unknown[]) =>
      (k.rmsprop as (...a: unknown[]) => void)(p, g, s[0], 0.01, 0.9, 1e-7, ...packs) },
    { name: 'sgd', slots: 0, run: (k: Bf16UpdateAddon, p: Float32Array, g: Float32Array, _s: Float32Array[], ...packs: unknown[]) =>
      (k.sgd as (...a: unknown[]) => void)(p, g, null, 0.1, 0, false, ...packs) },
    { name: 'sgd with momentum', slots: 1, run: (k: Bf16UpdateAddon, p: Float32Array, g: Float32Array, s: Float32Array[], ...packs: unknown[]) =>
      (k.sgd as (...a: unknown[]) => void)(p, g, s[0], 0.1, 0.9, true, ...packs) },
  ];

  for (const u of UPDATES) {
    it(`${u.name} with packings updates as without and packs as gemmBf16PackB (both orientations)`, () => {
      const rng = new Rng(21);
      // a panel edge, odd rows and columns, rows past one 32-row block, a single row, whole and partial 16-pair blocks
      for (const [rows, cols] of [[32, 16], [37, 45], [70, 3], [1, 9], [65, 130], [33, 64], [40, 250], [3, 500]]) {
        const n = rows * cols, p0 = randF32(rng, n), g = randF32(rng, n);
        const slots0 = Array.from({ length: u.slots }, () => randF32(rng, n, 0, 1));
        const plain = { p: Float32Array.from(p0), s: slots0.map((s) => Float32Array.from(s)) };
        const packing = { p: Float32Array.from(p0), s: slots0.map((s) => Float32Array.from(s)) };
        u.run(addon!, plain.p, g, plain.s);
        const packed = new Int32Array(addon!.gemmBf16PackedLength(rows, cols)).fill(-1);
        const packedT = new Int32Array(addon!.gemmBf16PackedLength(cols, rows)).fill(-1);
        u.run(addon!, packing.p, g, packing.s, rows, cols, packed, packedT);
        expect(packing.p).toEqual(plain.p);
        expect(packing.s).toEqual(plain.s);
        expectPackingsOf(rng, plain.p, rows, cols, packed, packedT);
      }
    });
  }

  // Large enough to split over the pool (n past kParallelMin, native/kernel_util.h): the split into blocks of rows
  // changes no bit of the weights, the slots or the packings.
  for (const u of UPDATES) {
    it(`${u.name} with packings gives the same bits on 1 and 2 threads`, () => {
      const rng = new Rng(5);
      const before = backendInfo().threads;
      try {
        for (const [rows, cols] of [[300, 250], [131, 263]]) {
          const n = rows * cols, p0 = randF32(rng, n), g = randF32(rng, n);
          const slots0 = Array.from({ length: u.slots }, () => randF32(rng, n, 0, 1));
          const plain = { p: Float32Array.from(p0), s: slots0.map((s) => Float32Array.from(s)) };
          u.run(addon!, plain.p, g, plain.s);
          // the same packing arrays on both thread counts: the same alignment, so they must match word for word
          const packed = new Int32Array(addon!.gemmBf16PackedLength(rows, cols));
          const packedT = new Int32Array(addon!.gemmBf16PackedLength(cols, rows));
          const made = [1, 2].map((threads) => {
            setThreads(threads);
            const run = { p: Float32Array.from(p0), s: slots0.map((s) => Float32Array.from(s)) };
            packed.fill(-1);
            packedT.fill(-1);
            u.run(addon!, run.p, g, run.s, rows, cols, packed, packedT);
            expect(firstDifference(run.p, plain.p)).toBe(-1);
            run.s.forEach((s, i) => expect(firstDifference(s, plain.s[i])).toBe(-1));
            return [Int32Array.from(packed), Int32Array.from(packedT)];
          });
          expect(firstDifference(made[1][0], made[0][0])).toBe(-1);
          expect(firstDifference(made[1][1], made[0][1])).toBe(-1);
          expectPackingsOf(rng, plain.p, rows, cols, packed, packedT);
        }
      } finally {
        setThreads(before);
      }
    });
  }

  it('an update that packs names a shape that does not match the weight and a short packing', () => {
    const p = new Float32Array(12), g = new Float32Array(12), m = new Float32Array(12), v = new Float32Array(12);
    const run = (...packs: unknown[]) => (addon!.adam as (...a: unknown[]) => void)(p, g, m, v, 0.01, 0.9, 0.999, 1e-7, 1, ...packs);
    expect(() => run(5, 3, new Int32Array(addon!.gemmBf16PackedLength(5, 3)), null)).toThrow(/adam: argument 'rows' times cols must be the weight's length 12, got 5 x 3/);
    expect(() => run(4, 3, new Int32Array(4), null)).toThrow(/adam: argument 'packed' has 4 elements, needs \d+/);
    expect(() => run(4, 3, null, new Int32Array(4))).toThrow(/adam: argument 'packedT' has 4 elements, needs \d+/);
  });

  it('an optimizer step under mixed_bfloat16 remakes the packings the products use, unless a constraint wrote after it', () => {
    const packB = addon!.gemmBf16PackB;
    let packs = 0;
    // the policy's kernel set calls the addon's packing by name: count its calls
    addon!.gemmBf16PackB = (...a) => { packs++; return packB(...a); };
    setGlobalPolicy('mixed_bfloat16');
    try {
      const { gemm } = kernels();
      const rng = new Rng(22);
      const [m, n, k] = [5, 33, 40];
      const a = randF32(rng, m * k), at = randF32(rng, m * n);
      const extras = { c0: new Float32Array(m * n), bias: null, beta: 0, act: Act.linear };
      const extrasT = { c0: new Float32Array(m * k), bias: null, beta: 0, act: Act.linear };
      for (const [opt, constrained] of [[new Adam({ learningRate: 0.1 }), false], [new RMSprop({ learningRate: 0.1 }), false],
        [new SGD({ learningRate: 0.1, momentum: 0.5 }), false], [new SGD({ learningRate: 0.1 }), true]] as const) {
        const v = new Variable('kernel', [k, n]);
        v.assign(randF32(rng, k * n));
        if (constrained) v.constraint = { apply: (x) => { x.fill(0.5, 0, 7); } };
        const w = v.values as Float32Array;
        const products = () => {
          expect(product(gemm, false, false, m, n, k, a, w, extras)).toEqual(product(addon!.gemmBf16, false, false, m, n, k, a, w, extras));
          expect(product(gemm, false, true, m, k, n, at, w, extrasT)).toEqual(product(addon!.gemmBf16, false, true, m, k, n, at, w, extrasT));
        };
        products(); // packs both orientations
        for (let step = 0; step < 2; step++) {
          packs = 0;
          v.grad = randF32(rng, k * n);
          opt.applyGradients([v]);
          products();
          expect(packs).toBe(constrained ? 2 : 0); // a constraint's write makes the products pack afresh
        }
      }
    } finally {
      addon!.gemmBf16PackB = packB;
      setGlobalPolicy('float32');
    }
  });

  it('names the argument when the packed operand is too short', () => {
    const b = new Float32Array(8 * 8);
    const packed = addon!.gemmBf16PackB(false, 8, 8, b);
    expect(() => addon!.gemmBf16PackedB(false, 2, 8, 16, 1, new Float32Array(32), packed, 0, new Float32Array(16), null, Act.linear))
      .toThrow(/gemmBf16PackedB: argument 'packedB'/);
  });
});
