/**
 * rnnlab's tensor ops against tfjs 4.22 (the devDependency, CPU backend) on hand-written calls
 * (tfjs_op_cases.ts): the overloads and defaults users write, gradients through tf.grad(s), tf.variableGrads and
 * customGrad; calls both refuse; memory() counts, tidy/keep/dispose and reading values; async ops; where tfjs is
 * wrong; and the tfjs names rnnlab refuses. The sweep over every shared op is tfjs_op_sweep.test.ts.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as rl from '../../src/index.js';
import { serialize } from './plain_results.js';
import { opCases, opErrorCases } from './tfjs_op_cases.js';
import { gatherGradient } from '../../src/ops/slicing.js';
import { mismatch, outcome, type Lib } from './tfjs_compare.js';

describe('hand-written calls agree with tfjs 4.22', () => {
  it.each(Object.keys(opCases))('%s', (name) => {
    const run = opCases[name];
    const want = outcome(tf, run), got = outcome(rl, run);
    if ('err' in want) throw new Error(`tfjs 4.22 throws on this case (${want.err.message}); move it to opErrorCases`);
    if ('err' in got) throw got.err;
    expect(mismatch(got.ok, want.ok)).toBe('');
  });
});

describe('calls tfjs refuses are refused with an Error naming the problem', () => {
  it.each(Object.keys(opErrorCases))('%s', (name) => {
    const run = opErrorCases[name];
    expect(() => run(tf), 'tfjs 4.22 throws here').toThrow();
    const got = outcome(rl, run);
    expect('err' in got, 'rnnlab throws too').toBe(true);
    const err = (got as { err: Error }).err;
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(TypeError);
    expect(err.message.length).toBeGreaterThan(10);
  });
});

describe('memory().numTensors grows by what tfjs 4.22 counts', () => {
  /** tfjs's meshgrid leaves its intermediates counted (8 for 4 tensors); rnnlab counts its inputs and outputs only. */
  const TFJS_LEAKS = new Set(['meshgrid', 'meshgrid ij']);
  const made = (lib: Lib, run: (l: Lib) => unknown): number => { const before = lib.memory().numTensors; run(lib); return lib.memory().numTensors - before; };
  it.each(Object.keys(opCases).filter((k) => !TFJS_LEAKS.has(k)))('%s', (name) => {
    expect(made(rl, opCases[name])).toBe(made(tf, opCases[name]));
  });
});

describe('tidy, keep, dispose, memory and reading values behave as tfjs 4.22', () => {
  const count = (l: Lib): number => l.memory().numTensors;
  const scenarios: Record<string, (l: Lib) => unknown> = {
    'tidy(name, fn) keeps only the result': (l) => { const b = count(l); const r = l.tidy('named', () => l.ones([2]).add(1)); return [count(l) - b, r.isDisposed]; },
    'tidy returning an object and a list': (l) => { const b = count(l); const r = l.tidy(() => ({ a: l.ones([2]).add(1), b: [l.zeros([1]).mul(2)], n: 3 })); return [count(l) - b, Object.keys(r), r.n]; },
    'tidy returning nothing': (l) => { const b = count(l); l.tidy(() => { l.ones([2]).add(1); }); return count(l) - b; },
    'keep inside tidy': (l) => { const b = count(l); let k: Lib; l.tidy(() => { k = l.keep(l.ones([2]).add(1)); l.ones([3]); }); return [count(l) - b, k.isDisposed]; },
    'nested tidy moves results out': (l) => { const b = count(l); const r = l.tidy(() => { const inner = l.tidy(() => l.ones([2]).square()); l.ones([1]); return inner.add(1); }); return [count(l) - b, r.isDisposed]; },
    'tidy returning its input': (l) => { const x = l.ones([2]); const b = count(l); const r = l.tidy(() => x); return [r === x, count(l) - b, x.isDisposed]; },
    'dispose of nested containers': (l) => { const a = l.ones([2]), c = l.ones([3]); const b = count(l); l.dispose([a, { c }]); return [b - count(l), a.isDisposed, c.isDisposed]; },
    'dispose twice is harmless': (l) => { const a = l.ones([2]); a.dispose(); a.dispose(); l.dispose(a); return a.isDisposed; },
    'a disposed tensor keeps shape, size, dtype, rank': (l) => { const a = l.ones([2, 3]); a.dispose(); return [a.shape, a.size, a.dtype, a.rank]; },
    'reading a disposed tensor': (l) => { const a = l.ones([2]); a.dispose(); try { a.dataSync(); return 'read'; } catch (e) { return (e as Error).message; } },
    'keep outside tidy returns the tensor': (l) => { const a = l.ones([1]); return l.keep(a) === a; },
    'tidy without a function': (l) => { try { l.tidy(5); return 'ran'; } catch (e) { return (e as Error).message; } },
    'variable counted until disposed': (l) => { const b = count(l); const v = l.variable(l.ones([2])); const m = count(l) - b; v.dispose(); return [m, count(l) - b]; },
    'arraySync and dataSync': (l) => [l.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32').arraySync(), l.scalar(2.5).arraySync(), Array.from(l.tensor1d([true, false], 'bool').dataSync()),
      l.tensor1d([1.5]).dataSync().constructor.name, l.tensor1d([1], 'int32').dataSync().constructor.name],
    'print writes toString to the console': (l) => {
      const lines: string[] = [], orig = console.log;
      console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
      try { l.tensor2d([[1, 2], [3, 4]]).print(); l.print(l.scalar(2), true); l.tensor1d([true, false], 'bool').print(true); l.range(0, 50).reshape([25, 2]).print(); } finally { console.log = orig; }
      return lines;
    },
  };
  it.each(Object.keys(scenarios))('%s', (name) => expect(scenarios[name](rl)).toEqual(scenarios[name](tf)));

  it('data() and array() resolve to dataSync() and arraySync()', async () => {
    for (const l of [tf, rl] as Lib[]) {
      const x = l.tensor2d([[1, 2], [3, 4]]);
      expect(Array.from(await x.data())).toEqual([1, 2, 3, 4]);
      expect(await x.array()).toEqual([[1, 2], [3, 4]]);
      expect(await l.scalar(3).array()).toBe(3);
    }
  });
});

describe('where tfjs 4.22 is wrong, rnnlab gives the right answer', () => {
  it('mirrorPad differentiates every copy (tfjs drops the mirrored ones: [2, 3, 4])', () => {
    // mirrorPad([a, b, c], reflect 1) = [b, a, b, c, b]: b is copied three times.
    const g = rl.grad((x) => rl.mirrorPad(x, [[1, 1]], 'reflect').mul(rl.tensor1d([1, 2, 3, 4, 5])).sum())(rl.tensor1d([1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([2, 1 + 3 + 5, 4]);
    const sym = rl.grad((x) => rl.mirrorPad(x, [[0, 0], [2, 1]], 'symmetric').mul(rl.range(1, 13).reshape([2, 6])).sum())(rl.ones([2, 3]));
    // symmetric [[a, b, c]] -> [b, a, a, b, c, c]: a gets 2 + 3, b 1 + 4, c 5 + 6 (row 1: +6 each).
    expect(Array.from(sym.dataSync())).toEqual([5, 5, 11, 17, 17, 23]);
    const viaMethod = rl.grad((x) => x.mirrorPad([[1, 1]], 'reflect').mul(rl.tensor1d([1, 2, 3, 4, 5])).sum())(rl.tensor1d([1, 2, 3]));
    expect(Array.from(viaMethod.dataSync())).toEqual([2, 9, 4]);
  });

  it('raggedRange with an infinite row is an error, not a process killed by an endless array', () => {
    expect(() => rl.raggedRange(rl.tensor1d([-Infinity]), rl.tensor1d([-1]), rl.tensor1d([1]))).toThrow(/raggedRange: row 0 .*more than 2147483647 values/);
    expect(() => tf.raggedRange(tf.tensor1d([-Infinity]), tf.tensor1d([-1]), tf.tensor1d([1]))).toThrow(/2147483647/);
  });

  it('matMul with batch dimensions broadcast on both sides gives every block (tfjs 4.22 returns half the values)', () => {
    const a = rl.range(0, 24).reshape([2, 1, 3, 4]), b = rl.range(0, 24).reshape([1, 2, 4, 3]);
    const out = rl.matMul(a, b);
    expect(out.shape).toEqual([2, 2, 3, 3]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
      const block = rl.matMul(rl.slice(a, [i, 0, 0, 0], [1, 1, 3, 4]).reshape([3, 4]), rl.slice(b, [0, j, 0, 0], [1, 1, 4, 3]).reshape([4, 3]));
      expect(Array.from(rl.slice(out, [i, j, 0, 0], [1, 1, 3, 3]).dataSync())).toEqual(Array.from(block.dataSync()));
    }
  });
});

describe('tfjs names rnnlab does not have are refused, naming the call and what to use instead', () => {
  it.each([
    ['enableProdMode', /no debug mode to leave/], ['enableDebugMode', /setProfiling/], ['disableDeprecationWarnings', /no deprecation warnings/],
    ['env', /rl\.environment/], ['engine', /rl\.tidy/], ['backend', /rl\.getBackend/], ['time', /profileReport/], ['profile', /profileReport/],
    ['loadGraphModel', /loadLayersModel/], ['loadGraphModelSync', /loadLayersModel/], ['registerOp', /customGrad/], ['op', /registry/],
    ['registerKernel', /registry/], ['registerGradient', /registry/], ['registerBackend', /registry/],
  ] as [string, RegExp][])('rl.%s', (name, why) => {
    expect(typeof (tf as unknown as Record<string, unknown>)[name]).toBe('function');
    const fn = (rl as unknown as Record<string, () => unknown>)[name];
    expect(fn).toThrow(new RegExp(`^${name}: not supported by rnnlab: `));
    expect(fn).toThrow(why);
  });
});

describe('the gradient of gather, with and without batchDims, matches tfjs 4.22', () => {
  it.each([
    ['batchDims 1, axis 1', [2, 3, 2, 2], [[1], [0]], 1, 1],
    ['batchDims 1, axis 2, repeated indices', [2, 3, 4], [[0, 2], [1, 1]], 2, 1],
    ['batchDims 1, axis -1', [2, 3, 4], [[3, 0], [1, 1]], -1, 1],
    ['batchDims 0, 2-D indices', [4, 2], [[0, 3], [3, 3]], 0, 0],
  ] as [string, number[], number[][], number, number][])('%s', (_name, shape, indices, axis, batchDims) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const x = tf.range(0, size).reshape(shape), idx = tf.tensor2d(indices, undefined, 'int32');
    const probe = tf.range(1, 1 + tf.gather(x, idx, axis, batchDims).size).reshape(tf.gather(x, idx, axis, batchDims).shape);
    const want = tf.grad((v: tf.Tensor) => tf.gather(v, idx, axis, batchDims).mul(probe).sum())(x);
    const rlProbe = rl.tensor(Array.from(probe.dataSync()), probe.shape), rlIdx = rl.tensor2d(indices, undefined, 'int32');
    const got = rl.grad((v: rl.Tensor) => rl.sum(rl.mul(rl.gather(v, rlIdx, axis, batchDims), rlProbe)))(rl.range(0, size).reshape(shape));
    expect(Array.from(gatherGradient(shape, rlIdx, axis, batchDims, rlProbe).dataSync())).toEqual(Array.from(want.dataSync()));
    expect(got.shape).toEqual(want.shape);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
  });
});

describe('async ops agree with tfjs 4.22', () => {
  const asyncCases: Record<string, (l: Lib) => Promise<unknown>> = {
    'whereAsync 2-D': (l) => l.whereAsync(l.tensor2d([[true, false], [false, true]], [2, 2], 'bool')),
    'whereAsync none true': (l) => l.whereAsync(l.tensor1d([false, false], 'bool')),
    'booleanMaskAsync rows': (l) => l.booleanMaskAsync(l.tensor2d([[1, 2], [3, 4], [5, 6]]), l.tensor1d([true, false, true], 'bool')),
    'booleanMaskAsync axis 1': (l) => l.booleanMaskAsync(l.tensor2d([[1, 2, 3], [4, 5, 6]]), l.tensor1d([false, true, true], 'bool'), 1),
    'setdiff1dAsync': (l) => l.setdiff1dAsync(l.tensor1d([1, 2, 3, 4, 2]), l.tensor1d([2, 5])),
    'setdiff1dAsync int32': (l) => l.setdiff1dAsync(l.tensor1d([3, 1, 3], 'int32'), l.tensor1d([1], 'int32')),
    'inTopKAsync k 1 and 2': async (l) => [await l.inTopKAsync(l.tensor2d([[0.1, 0.8, 0.1], [0.5, 0.2, 0.3]]), l.tensor1d([1, 2], 'int32')),
      await l.inTopKAsync(l.tensor2d([[0.1, 0.8, 0.1], [0.5, 0.2, 0.3]]), l.tensor1d([1, 2], 'int32'), 2)],
  };
  it.each(Object.keys(asyncCases))('%s', async (name) => {
    const want = serialize(await asyncCases[name](tf)), got = serialize(await asyncCases[name](rl));
    expect(mismatch(got, want)).toBe('');
  });
});
