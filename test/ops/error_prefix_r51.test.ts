// An op's error names the op once: reshape prefixed its shape check's message, which already began "reshape: ",
// a second time ("reshape: reshape: shape must be an array, ..."). Shapes of the wrong type, bigint and NaN.
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

/** The message of what f throws, checked to be an Error (not a TypeError from inside the op). */
function messageOf(f: () => unknown): string {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(Error);
  expect(err).not.toBeInstanceOf(TypeError);
  return (err as Error).message;
}

const BAD_SHAPES: [string, unknown][] = [
  ['a bigint', 3n], ['a number', 3], ['a string', '3'], ['an object', { d: 3 }],
  ['a bigint dim', [3n]], ['a NaN dim', [NaN]], ['a string dim', ['3']], ['a fractional dim', [1.5]], ['a negative dim', [-2]],
];

const OPS: [string, (shape: never) => unknown][] = [
  ['reshape', (s) => rl.reshape([1, 2, 3], s)],
  ['fill', (s) => rl.fill(s, 1)],
  ['tensor', (s) => rl.tensor([1, 2, 3], s)],
  ['randomNormal', (s) => rl.randomNormal(s)],
  ['randomUniform', (s) => rl.randomUniform(s)],
  ['truncatedNormal', (s) => rl.truncatedNormal(s)],
  ['scatterND', (s) => rl.scatterND([[0]], [1], s)],
  ['sparseToDense', (s) => rl.sparseToDense([0], [1], s)],
];

describe('a bad shape argument', () => {
  for (const [op, f] of OPS) {
    it(`${op}: the message starts with "${op}: " exactly once`, () => {
      for (const [what, shape] of BAD_SHAPES) {
        const m = messageOf(() => f(shape as never));
        expect(m.startsWith(`${op}: `), `${what}: ${m}`).toBe(true);
        expect(m.split(`${op}: `).length - 1, `${what}: ${m}`).toBe(1);
      }
    });
  }

  it('reshape names what it got and the input shape', () => {
    expect(messageOf(() => rl.reshape([1, 2, 3], 3n as never))).toBe('reshape: shape must be an array, got bigint 3 (input shape [3])');
    expect(messageOf(() => rl.reshape([1, 2, 3], [NaN]))).toBe('reshape: shape must hold integers (and at most one -1), found NaN at dim 0 (input shape [3])');
    expect(messageOf(() => rl.reshape([1, 2, 3], '3' as never))).toBe('reshape: shape must be an array, got "3" (input shape [3])');
  });
});
