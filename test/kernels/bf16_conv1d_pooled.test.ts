/**
 * conv1dBf16PooledBackward (kernels.ts's PooledConvKernels): a Conv1D's bf16 backward from a following max pooling's
 * gradient and argmax gives exactly the bits of maxPool1dBackward's dx passed to conv1dBf16Backward (with the Conv1D's
 * output as reluY for a relu Conv1D): reference and native, 1 and 2 threads, pools that overlap, leave steps out or
 * are padded, relu outputs with zeros, -0 and NaN, and pooled gradients with -0 and infinities. Then ops.conv1d +
 * ops.maxPool1d under mixed_bfloat16, which hand the pooled gradient over on the tape, against the same kernels by hand.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Act, backendInfo, kernels, profileReport, setProfiling, setThreads, type FArray } from '../../src/backend/index.js';
import { conv1dBf16Backward, conv1dBf16PooledBackward } from '../../src/backend/reference/bf16_conv1d.js';
import { conv1d, maxPool1d, reshape } from '../../src/autograd/ops.js';
import { withTape } from '../../src/autograd/tape.js';
import { add, mul, sum } from '../../src/autograd/public_ops.js';
import { setGlobalPolicy } from '../../src/mixed_precision.js';
import { Tensor } from '../../src/tensor.js';
import { Rng, native, randF32, referenceKernels as ref } from './util.js';

type Pooled = typeof conv1dBf16PooledBackward;
type ConvBack = typeof conv1dBf16Backward;
const addon = native as unknown as { conv1dBf16PooledBackward?: Pooled; conv1dBf16Backward?: ConvBack; bf16Supported?: () => boolean } | null;
const hasBf16 = !!addon?.bf16Supported?.();

/** [B, T, Cin, Cout, K, stride, padLeft, To] of the conv, then [pool, poolStride, poolPadLeft, pooledTo]. */
const CASES: [number[], number[]][] = [
  [[2, 9, 3, 5, 3, 1, 1, 9], [2, 2, 0, 4]],           // an odd To: its last step in no window
  [[3, 20, 7, 33, 3, 1, 1, 20], [3, 2, 0, 9]],        // overlapping windows
  [[2, 17, 4, 6, 5, 2, 2, 9], [2, 2, 1, 5]],          // 'same' pooling: padded first window
  [[5, 31, 8, 7, 5, 3, 1, 9], [2, 3, 0, 3]],          // stride past the pool: steps in no window
  [[3, 50, 100, 200, 3, 1, 0, 48], [2, 2, 0, 24]],    // the lab's channels
  [[3, 1001, 20, 5, 3, 1, 0, 999], [4, 4, 0, 249]],   // bf16 blocks of rows across samples
  [[400, 3, 8, 24, 3, 1, 1, 3], [1, 1, 0, 3]],        // many short samples; pool 1
  [[40, 200, 30, 17, 3, 2, 1, 100], [2, 2, 0, 50]],   // 17 columns, two threads
];

function inputs(c: number[], p: number[], seed: number) {
  const [B, T, Cin, Cout, K, stride, pl, To] = c;
  const [pool, ps, ppl, Tp] = p;
  const rng = new Rng(seed), ny = B * To * Cout, np = B * Tp * Cout;
  const x = randF32(rng, B * T * Cin), w = randF32(rng, K * Cin * Cout), bias = randF32(rng, Cout);
  const y = new Float32Array(ny);
  ref.conv1d(B, T, Cin, Cout, K, stride, pl, To, x, w, bias, y, Act.relu);
  for (let i = 0; i < ny; i += 7) y[i] = -0;
  for (let i = 3; i < ny; i += 101) y[i] = NaN;
  const py = new Float32Array(np), argmax = new Int32Array(np);
  ref.maxPool1d(B, To, Cout, pool, ps, ppl, Tp, y, py, argmax);
  const pdy = randF32(rng, np);
  for (let i = 5; i < np; i += 13) pdy[i] = -0;
  for (let i = 1; i < np; i += 211) pdy[i] = i % 2 ? Infinity : -Infinity;
  return { x, w, y, py, argmax, pdy };
}

const bits = (...a: FArray[]) => a.map((v) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length)));

/** pooled against maxPool1dBackward then back (reluY the conv's output, or none), with and without dx and db. */
function agrees(pooled: Pooled, back: ConvBack, maxPool1dBackward: typeof ref.maxPool1dBackward) {
  let seed = 1;
  for (const [c, p] of CASES) {
    const [B, T, Cin, Cout, K, stride, pl, To] = c;
    const [pool, ps, ppl, Tp] = p;
    const { x, w, y, py, argmax, pdy } = inputs(c, p, seed++);
    for (const relu of [true, false])
      for (const withDxDb of [true, false]) {
        const out = () => ({ dx: new Float32Array(B * T * Cin).fill(NaN), dw: new Float32Array(K * Cin * Cout).fill(NaN),
          db: new Float32Array(Cout).fill(NaN) });
        const f = out(), u = out();
        pooled(B, T, Cin, Cout, K, stride, pl, To, x, w, pdy, argmax, pool, ps, ppl, Tp, withDxDb ? f.dx : null, f.dw,
          withDxDb ? f.db : null, relu ? py : null);
        const dy = new Float32Array(B * To * Cout);
        maxPool1dBackward(B, To, Cout, pool, ps, ppl, Tp, pdy, argmax, dy);
        back(B, T, Cin, Cout, K, stride, pl, To, x, w, dy, withDxDb ? u.dx : null, u.dw, withDxDb ? u.db : null, 1,
          relu ? y : null);
        const what = `${c.join('x')} pool ${p.join('x')} relu ${relu} dx and db ${withDxDb}`;
        expect(withDxDb ? bits(f.dx, f.dw, f.db) : bits(f.dw), what).toEqual(withDxDb ? bits(u.dx, u.dw, u.db) : bits(u.dw));
      }
  }
}

/** The one-sample case with argmax 7 in the window [0, 2) of pooled step 0. */
function badArgmax(pooled: Pooled) {
  const argmax = new Int32Array([7, 2]);
  pooled(1, 4, 1, 1, 1, 1, 0, 4, new Float32Array(4), new Float32Array(1), new Float32Array(2), argmax, 2, 2, 0, 2,
    new Float32Array(4), new Float32Array(1), new Float32Array(1), null);
}

describe('conv1dBf16PooledBackward: the reference kernel', () => {
  it('gives the bits of maxPool1dBackward then conv1dBf16Backward', () => agrees(conv1dBf16PooledBackward, conv1dBf16Backward, ref.maxPool1dBackward));
  it('names an argmax outside its window and a short pooled gradient', () => {
    expect(() => badArgmax(conv1dBf16PooledBackward)).toThrow(/conv1dBf16PooledBackward: argument 'argmax' holds 7 at 0, outside its window \[0, 2\)/);
    expect(() => conv1dBf16PooledBackward(1, 4, 1, 1, 1, 1, 0, 4, new Float32Array(4), new Float32Array(1), new Float32Array(1),
      new Int32Array(2), 2, 2, 0, 2, null, new Float32Array(1), null, null)).toThrow(/argument 'pooledDy' has 1 elements, needs 2/);
  });
});

describe.skipIf(!hasBf16)('conv1dBf16PooledBackward: native (needs AVX512-BF16)', () => {
  it('gives the bits of maxPool1dBackward then conv1dBf16Backward, on 1 and 2 threads, and the reference\'s', () => {
    const before = backendInfo().threads;
    try {
      for (const threads of [1, 2]) {
        setThreads(threads);
        agrees(addon!.conv1dBf16PooledBackward!, addon!.conv1dBf16Backward!, (native as typeof ref).maxPool1dBackward);
      }
    } finally {
      setThreads(before);
    }
    const [c, p] = CASES[1];
    const [B, T, Cin, Cout, K, stride, pl, To] = c;
    const { x, w, py, argmax, pdy } = inputs(c, p, 99);
    const run = (f: Pooled) => {
      const dx = new Float32Array(B * T * Cin), dw = new Float32Array(K * Cin * Cout), db = new Float32Array(Cout);
      f(B, T, Cin, Cout, K, stride, pl, To, x, w, pdy, argmax, p[0], p[1], p[2], p[3], dx, dw, db, py);
      return bits(dx, dw, db);
    };
    expect(run(addon!.conv1dBf16PooledBackward!)).toEqual(run(conv1dBf16PooledBackward));
  });

  it('takes a pooling of no output steps (an empty pooled gradient) as the reference does: zero gradients', () => {
    const run = (f: Pooled) => {
      const dx = new Float32Array(2 * 6 * 3).fill(NaN), dw = new Float32Array(2 * 3 * 4).fill(NaN), db = new Float32Array(4).fill(NaN);
      f(2, 6, 3, 4, 2, 1, 0, 5, randF32(new Rng(3), 36), randF32(new Rng(4), 24), new Float32Array(0), new Int32Array(0),
        2, 2, 0, 0, dx, dw, db, new Float32Array(0));
      return bits(dx, dw, db);
    };
    const want = run(conv1dBf16PooledBackward);
    expect(want.flat().every((v) => v === 0)).toBe(true);
    expect(run(addon!.conv1dBf16PooledBackward!)).toEqual(want);
  });

  it('names an argmax outside its window', () => {
    expect(() => badArgmax(addon!.conv1dBf16PooledBackward!)).toThrow(/conv1dBf16PooledBackward: argument 'argmax' holds 7 at 0, outside its window \[0, 2\)/);
  });
});

describe('ops.conv1d then ops.maxPool1d under mixed_bfloat16', () => {
  afterEach(() => {
    setGlobalPolicy('float32');
    setProfiling(false);
  });

  type Consumer = 'pool' | 'mul';

  /**
   * Gradients of the sum over consumers of conv(x) (in the order recorded: a max pooling, or a product with a
   * constant) of sum(consumer output * r_i), through the tape; the kernel calls; and the same by hand, the
   * consumers' gradients added in the order the tape replays them (the last recorded first), as without the hand-over.
   */
  function tapeGrads(relu: boolean, consumers: Consumer[], seed: number) {
    const rng = new Rng(seed);
    const [B, T, Cin, Cout, K] = [3, 21, 6, 10, 3];
    const To = T - K + 1, Tp = Math.floor(To / 2);
    const x = new Tensor(randF32(rng, B * T * Cin), [B, T, Cin], 'float32');
    const w = new Tensor(randF32(rng, K * Cin * Cout), [K, Cin, Cout], 'float32');
    const b = new Tensor(randF32(rng, Cout), [Cout], 'float32');
    const rs = consumers.map((c) => c === 'pool' ? new Tensor(randF32(rng, B * Tp * Cout), [B, Tp, Cout], 'float32')
      : new Tensor(randF32(rng, B * To * Cout), [B, To, Cout], 'float32'));
    for (const t of [x, w, b]) t.requiresGrad = true;
    setProfiling(true);
    profileReport(true);
    const { value, backward } = withTape(() => {
      const z = conv1d(x, w, b, { stride: 1, padLeft: 0, outSteps: To }, relu ? 'relu' : 'linear');
      const terms = consumers.map((c, i) => sum(mul(c === 'pool'
        ? reshape(maxPool1d(z, 2, { stride: 2, padLeft: 0, outSteps: Tp }), [B, Tp, Cout]) : z, rs[i])));
      return { loss: terms.reduce((p, q) => add(p, q)), z };
    });
    backward(value.loss);
    const calls = new Map(profileReport(true).map((k) => [k.kernel, k.calls]));
    setProfiling(false);
    const K2 = kernels();
    const argmax = new Int32Array(B * Tp * Cout), py = new Float32Array(B * Tp * Cout);
    K2.maxPool1d(B, To, Cout, 2, 2, 0, Tp, value.z.floatData(), py, argmax);
    let dz: Float32Array | null = null;
    for (let i = consumers.length - 1; i >= 0; i--) {
      let gi = rs[i].floatData() as Float32Array;
      if (consumers[i] === 'pool') {
        gi = new Float32Array(B * To * Cout);
        K2.maxPool1dBackward(B, To, Cout, 2, 2, 0, Tp, rs[i].floatData(), argmax, gi);
      }
      if (dz) K2.axpy(1, gi, dz);
      else dz = Float32Array.from(gi);
    }
    const want = { dx: new Float32Array(x.size), dw: new Float32Array(w.size), db: new Float32Array(Cout) };
    K2.conv1dBackward(B, T, Cin, Cout, K, 1, 0, To, x.floatData(), w.floatData(), dz!, want.dx, want.dw, want.db, 1,
      relu ? value.z.floatData() : null);
    return { got: bits(x.grad!, w.grad!, b.grad!), want: bits(want.dx, want.dw, want.db), calls };
  }

  // The hand-over is the bf16 backward's: where the policy falls back to float32 (no AVX512-BF16) there is none.
  const bf16Runs = setGlobalPolicy('mixed_bfloat16', { warn: () => {} }).name === 'mixed_bfloat16';
  setGlobalPolicy('float32');

  it.skipIf(!bf16Runs)('hand the pooling\'s gradient to the bf16 backward when it is the conv output\'s only gradient, else scatter it, the sums in the tape\'s order', () => {
    setGlobalPolicy('mixed_bfloat16');
    const plans: Consumer[][] = [['pool'], ['mul', 'pool'], ['pool', 'mul'], ['mul', 'mul', 'pool'], ['pool', 'pool'],
      ['pool', 'mul', 'pool']];
    let seed = 7;
    for (const relu of [true, false])
      for (const plan of plans) {
        const { got, want, calls } = tapeGrads(relu, plan, seed++);
        const what = `relu ${relu}, consumers ${plan.join(', ')}`;
        expect(got, what).toEqual(want);
        const only = plan.length === 1;
        expect(calls.get('conv1dPooledBackward') ?? 0, what).toBe(only ? 1 : 0);
        expect(calls.get('maxPool1dBackward') ?? 0, what).toBe(only ? 0 : plan.filter((c) => c === 'pool').length);
      }
  });
});
