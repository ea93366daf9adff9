/**
 * The training loop's shortcuts compute the same bits as the paths they replace: fit's shuffled batches gathered
 * natively, colSum over many blocks in one call, and a recurrent layer's last-output gradient handed to the kernels
 * as dhT instead of a [B, T, U] buffer that is zero but for the last step.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { kernels, nativeKernels, referenceKernels, withScratch, type Kernels } from '../../src/backend/index.js';
import { Act } from '../../src/backend/kernels.js';
import { asInput, takeRows } from '../../src/models/batches.js';
import { recurrent, type CellKind } from '../../src/autograd/recurrent_ops.js';
import { gradBuffer, record, withTape } from '../../src/autograd/tape.js';
import { lossOp } from '../../src/autograd/loss_ops.js';
import { Tensor } from '../../src/tensor.js';
import { checkTargets } from '../../src/losses.js';

const native = nativeKernels();
const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

function floats(n: number, seed: number): Float32Array {
  const r = new rl.Random(seed);
  return Float32Array.from({ length: n }, () => r.uniform(-2, 2));
}

afterEach(() => { if (native) rl.setBackend('native'); });

describe('takeRows with a shuffled order', () => {
  const order = new rl.Random(3).permutation(40);
  const cases: [string, Tensor][] = [
    ['float32 rows (NaN payloads and -0 kept)', new Tensor(Float32Array.from(floats(40 * 84, 1), (v, i) => (i === 5 ? -0 : i === 7 ? NaN : v)), [40, 7, 12], 'float32')],
    ['int32 token ids', new Tensor(Int32Array.from({ length: 40 * 9 }, (_, i) => (i * 2654435761) | 0), [40, 9], 'int32')],
  ];
  for (const [what, t] of cases) {
    it.skipIf(!native)(`copies the same values natively as the plain loop: ${what}`, () => {
      const fast = withScratch(() => { const b = takeRows(t, order, 8, 24); return { shape: b.shape, dtype: b.dtype, v: Array.from(new Uint32Array(b.values.slice().buffer)) }; });
      rl.setBackend('reference');
      const plain = takeRows(t, order, 8, 24);
      expect(fast.shape).toEqual(plain.shape);
      expect(fast.dtype).toBe(plain.dtype);
      expect(plain.values.constructor).toBe(t.values.constructor);
      expect(fast.v).toEqual(Array.from(new Uint32Array(plain.values.slice().buffer)));
    });
  }
});

describe("asInput's finiteness check", () => {
  it('accepts the largest finite float32 values in bulk and still names the first NaN or Inf after them', () => {
    const big = new Float32Array(100000).fill(3.4028234663852886e38);
    big[7] = -big[7];
    expect(asInput(new Tensor(big, [1000, 100], 'float32'), 'x').size).toBe(100000);
    for (const bad of [NaN, Infinity]) {
      const d = big.slice();
      d[54321] = bad;
      expect(() => asInput(new Tensor(d, [1000, 100], 'float32'), 'x')).toThrow(`x: value ${bad} at flat index 54321 is not finite`);
    }
  });
});

describe('checkTargets', () => {
  it('passes finite targets of a loss without a range in bulk and still names the first non-finite one', () => {
    const y = new Float32Array(60000).fill(0.25);
    y[3] = -3.4e38;
    expect(() => checkTargets('categoricalCrossentropy', new Tensor(y, [5000, 12], 'float32'), 12)).not.toThrow();
    y[43210] = -Infinity;
    expect(() => checkTargets('meanSquaredError', new Tensor(y, [5000, 12], 'float32'), 12)).toThrow('labels: value -Infinity at index 43210 is not finite');
    expect(() => checkTargets('binaryCrossentropy', new Tensor(Float32Array.from([0, 1, 1.5]), [3, 1], 'float32'), 1)).toThrow('found 1.5 at index 2');
  });
});

describe('colSum over blocks', () => {
  const impls: [string, Partial<Kernels> | null][] = [['native', native], ['reference', referenceKernels]];
  for (const [name, K] of impls) {
    for (const [rows, cols, blocks] of [[4, 512, 128], [3, 5, 7], [300, 130, 3]]) {
      it.skipIf(!K)(`${name}: ${blocks} blocks of ${rows}x${cols} sum as ${blocks} separate calls`, () => {
        const x = floats(rows * cols * blocks, rows + cols);
        for (const accumulate of [false, true]) {
          const one = floats(cols * blocks, 9), each = one.slice();
          K!.colSum!(rows, cols, x, one, accumulate, blocks);
          for (let b = 0; b < blocks; b++) K!.colSum!(rows, cols, x.subarray(b * rows * cols, (b + 1) * rows * cols), each.subarray(b * cols, (b + 1) * cols), accumulate);
          expect(bits(one), `accumulate ${accumulate}`).toEqual(bits(each));
        }
      });
    }
    it.skipIf(!K)(`${name}: refuses a bad block count or a short x, naming it`, () => {
      expect(() => K!.colSum!(2, 3, floats(6, 1), new Float32Array(3), false, 0)).toThrow(/blocks/);
      expect(() => K!.colSum!(2, 3, floats(6, 1), new Float32Array(6), false, 2)).toThrow(/'x'/);
      expect(() => K!.colSum!(2, 3, floats(12, 1), new Float32Array(3), false, 2)).toThrow(/'out'/);
    });
  }
});

describe('the last output of a recurrent layer', () => {
  /** Gradients of a loss on the last output; withSequenceGrad: the sequence also receives a (zero) gradient first. */
  function grads(cell: CellKind, withSequenceGrad: boolean): number[][] {
    const B = 3, T = 5, D = 4, U = 6, G = { lstm: 4, gru: 3, simple_rnn: 1 }[cell];
    const param = (n: number, seed: number, shape: number[]) => { const t = new Tensor(floats(n, seed), shape, 'float32'); t.requiresGrad = true; return t; };
    const x = param(B * T * D, 1, [B, T, D]), w = param(D * G * U, 2, [D, G * U]), r = param(U * G * U, 3, [U, G * U]);
    const bias = param((cell === 'gru' ? 2 : 1) * G * U, 4, cell === 'gru' ? [2, G * U] : [G * U]);
    const spec = { cell, units: U, act: Act.tanh, recAct: Act.sigmoid, goBackwards: false, resetAfter: true };
    const { value, backward } = withTape(() => {
      const out = recurrent(spec, x, w, r, bias, null, null, null);
      // A consumer of the whole sequence that adds nothing: it only makes the sequence's gradient exist early.
      const probe = new Tensor(new Float32Array(1), [1], 'float32');
      record(probe, [out.sequence], () => { gradBuffer(out.sequence); });
      if (withSequenceGrad) probe.grad = new Float32Array(1);
      return lossOp('meanSquaredError', out.last, new Tensor(floats(B * U, 5), [B, U], 'float32'), false);
    });
    backward(value);
    return [x, w, r, bias].map((t) => bits(t.grad!));
  }
  for (const cell of ['lstm', 'gru', 'simple_rnn'] as CellKind[]) {
    it(`${cell}: the gradients are the same bits whether it goes to the kernels as dhT or inside dhs`, () => {
      expect(kernels()).toBeDefined();
      expect(grads(cell, false)).toEqual(grads(cell, true));
    });
  }
});
