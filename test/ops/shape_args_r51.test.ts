/**
 * Size lists, shapes and numbers an op reads (split's sizes, slice's begin, tile's reps, range's bounds, ...) with a
 * bigint, NaN, a fraction or a string in them: an Error naming the op, the argument and the value as given, never
 * a raw TypeError ("Cannot mix BigInt"), a string read as a number, or a fractional size truncated.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

function refusal(f: () => unknown): Error {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(Error);
  expect(err).not.toBeInstanceOf(TypeError);
  return err as Error;
}

const v = rl.tensor1d([1, 2, 3]);
const bad = (x: unknown) => x as never;

describe('an op refuses a bad size, naming itself, the argument and the value', () => {
  const cases: [string, () => unknown, string][] = [
    ['split sizes, a bigint', () => rl.split(v, bad([3n])), 'split: numOrSizeSplits[0] must be a non-negative integer or -1, got bigint 3 in [bigint 3]'],
    ['split sizes, a bigint after a number', () => rl.split(v, bad([1, 2n])), 'split: numOrSizeSplits[1] must be a non-negative integer or -1, got bigint 2 in [1,bigint 2]'],
    ['split sizes, NaN', () => rl.split(v, [1, NaN]), 'split: numOrSizeSplits[1] must be a non-negative integer or -1, got NaN in [1,NaN]'],
    ['split sizes, a fraction', () => rl.split(v, [1.5, 1.5]), 'split: numOrSizeSplits[0] must be a non-negative integer or -1, got 1.5 in [1.5,1.5]'],
    ['split sizes, a string', () => rl.split(v, bad([1, '2'])), 'split: numOrSizeSplits[1] must be a non-negative integer or -1, got "2" in [1,"2"]'],
    ['split count, a string', () => rl.split(v, bad('3')), 'split: numOrSizeSplits must be a number of equal pieces or an array of sizes, got "3"'],
    ['slice begin, a bigint', () => rl.slice(v, bad([1n])), 'Error in slice1D: begin[0] (bigint 1) must be an integer in [0, 3]'],
    ['slice begin, a string', () => rl.slice(v, bad(['1'])), 'Error in slice1D: begin[0] ("1") must be an integer in [0, 3]'],
    ['slice size, a bigint', () => rl.slice(v, [0], bad([2n])), 'Error in slice1D: size[0] (bigint 2) must be a non-negative integer or -1'],
    ['tile reps, a string', () => rl.tile(v, bad(['2'])), 'Error in tile: reps must be non-negative integers, got ["2"]'],
    ['pad paddings, a bigint', () => rl.pad(v, bad([[1n, 0]])), 'pad: paddings[0] must be two non-negative integers, got [bigint 1,0]'],
    ['pad paddings, NaN', () => rl.pad(v, [[NaN, 0]]), 'pad: paddings[0] must be two non-negative integers, got [NaN,0]'],
    ['pad constantValue, a bigint', () => rl.pad(v, [[1, 0]], bad(1n)), 'pad: constantValue must be a number or boolean, got bigint 1'],
    ['pad constantValue, a string', () => rl.pad(v, [[1, 0]], bad('2')), 'pad: constantValue must be a number or boolean, got "2"'],
    ['stridedSlice begin, a bigint', () => rl.stridedSlice(v, bad([0n]), [3]), 'stridedSlice: begin must be an array of integers, got [bigint 0]'],
    ['oneHot onValue, a bigint', () => rl.oneHot([0, 1], 3, bad(1n)), 'oneHot: onValue must be a number or boolean, got bigint 1'],
    ['oneHot offValue, a string', () => rl.oneHot([0, 1], 3, 1, bad('0')), 'oneHot: offValue must be a number or boolean, got "0"'],
    ['range start, a bigint', () => rl.range(bad(0n), 5), 'range: start must be a finite number, got bigint 0'],
    ['range stop, a string', () => rl.range(0, bad('5')), 'range: stop must be a finite number, got "5"'],
    ['range step, a string', () => rl.range(0, 5, bad('2')), 'range: step must be a finite number, got "2"'],
    ['range step, NaN', () => rl.range(0, 5, NaN), 'range: step must be a finite number, got NaN'],
    ['range stop, Infinity', () => rl.range(0, Infinity), 'range: stop must be a finite number, got Infinity'],
    ['linspace start, a bigint', () => rl.linspace(bad(0n), 1, 3), 'linspace: start must be a finite number, got bigint 0'],
    ['linspace start, a string', () => rl.linspace(bad('2'), 1, 3), 'linspace: start must be a finite number, got "2"'],
    ['linspace stop, NaN', () => rl.linspace(0, NaN, 3), 'linspace: stop must be a finite number, got NaN'],
    ['broadcastTo, a bigint', () => rl.broadcastTo(v, bad([2n, 3])), 'broadcastTo(): shape must be an array of non-negative integers, got [bigint 2,3] (shape[0] is bigint 2)'],
    ['broadcastTo, NaN', () => rl.broadcastTo(v, [NaN]), 'broadcastTo(): shape must be an array of non-negative integers, got [NaN] (shape[0] is NaN)'],
    ['broadcastTo, a fraction', () => rl.broadcastTo(v, [2, 1.5]), 'broadcastTo(): shape must be an array of non-negative integers, got [2,1.5] (shape[1] is 1.5)'],
    ['broadcastTo, a string', () => rl.broadcastTo(v, bad(['2', 3])), 'broadcastTo(): shape must be an array of non-negative integers, got ["2",3] (shape[0] is "2")'],
    ['broadcastTo, a negative size', () => rl.broadcastTo(v, [-2, 3]), 'broadcastTo(): shape must be an array of non-negative integers, got [-2,3] (shape[0] is -2)'],
    ['zeros, NaN', () => rl.zeros([2, NaN]), 'fill: shape must be an array of non-negative integers, got [2,NaN] (shape[1] is NaN)'],
    ['broadcastArgs, a fraction', () => rl.broadcastArgs([1.5], [3]), 'broadcastArgs: s0 must hold non-negative integer sizes, got 1.5 at index 0'],
    ['broadcastArgs, a negative size', () => rl.broadcastArgs([3], rl.tensor1d([-1], 'int32')), 'broadcastArgs: s1 must hold non-negative integer sizes, got -1 at index 0'],
    ['spaceToBatchND blockShape, a bigint', () => rl.spaceToBatchND(rl.zeros([1, 2, 2, 1]), bad([2n, 2]), [[0, 0], [0, 0]]), 'spaceToBatchND: blockShape must be a non-empty list of positive integers, got [bigint 2,2]'],
    ['batchToSpaceND crops, a bigint', () => rl.batchToSpaceND(rl.zeros([4, 1, 1, 1]), [2, 2], bad([[0n, 0], [0, 0]])), 'batchToSpaceND: crops must be 2 [before, after] pairs of non-negative integers, got [[bigint 0,0],[0,0]]'],
  ];
  it.each(cases)('%s', (_name, f, message) => expect(refusal(f).message).toBe(message));
});

describe('the valid forms still work', () => {
  it('split, range, linspace, pad, oneHot, broadcastTo and broadcastArgs as tfjs', () => {
    expect(rl.split(v, [1, -1]).map((t) => t.arraySync())).toEqual([[1], [2, 3]]);
    expect(rl.range(0, 5, 2).arraySync()).toEqual([0, 2, 4]);
    expect(rl.linspace(0, 1, 3).arraySync()).toEqual([0, 0.5, 1]);
    expect(rl.pad(v, [[1, 0]], 9).arraySync()).toEqual([9, 1, 2, 3]);
    expect(rl.pad(rl.tensor1d([true], 'bool'), [[1, 0]], true as never).arraySync()).toEqual([1, 1]);
    expect(rl.oneHot([0, 2], 3, 5, -1).arraySync()).toEqual([[5, -1, -1], [-1, -1, 5]]);
    expect(rl.broadcastTo(v, [2, 3]).arraySync()).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(rl.broadcastArgs([1, 3], rl.tensor1d([2, 1], 'int32')).arraySync()).toEqual([2, 3]);
    expect(rl.broadcastArgs([0], [1]).arraySync()).toEqual([0]);
  });
});
