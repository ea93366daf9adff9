/** The extra elementwise math and composite ops against tfjs (CPU backend). */
import { describe, expect, it, vi } from 'vitest';
import { bothThrow, rl, sameAsTfjs } from './tensor_helpers.js';

const F = [-2.5, -0.5, 0.5, 1.5, 2.5, 0, 7, -30, 30];
const I = (lib: any, v: unknown) => lib.tensor(v, undefined, 'int32');

describe('unary math', () => {
  it.each(['floor', 'ceil', 'round', 'sign', 'reciprocal', 'rsqrt', 'sin', 'cos', 'expm1', 'log1p', 'softplus', 'logSigmoid', 'elu', 'selu', 'relu6', 'leakyRelu', 'step'])(
    '%s on float32, as function and method', (op) => {
      sameAsTfjs((t: any) => [t[op](t.tensor(F)), t.tensor(F)[op]()], 2e-6);
    });

  it.each(['round', 'sign', 'reciprocal', 'expm1', 'log1p', 'softplus', 'logSigmoid', 'selu', 'relu6', 'leakyRelu', 'step'])('%s keeps tfjs\'s dtype on int32', (op) => {
    sameAsTfjs((t: any) => t[op](I(t, [-2, 0, 3])));
  });

  it('takes alpha for leakyRelu and step; rounds half to even', () => {
    sameAsTfjs((t: any) => [t.leakyRelu(t.tensor(F), 0.1), t.step(t.tensor(F), 0.3), t.round(t.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6]))]);
  });

  it('rejects int32 where tfjs requires float32', () => {
    for (const op of ['floor', 'ceil', 'rsqrt', 'sin', 'cos', 'elu']) {
      bothThrow((t: any) => t[op](I(t, [1])), new RegExp(`'x' passed to '${op}' must be float32 tensor, but got int32`));
    }
  });
});

describe('composite ops', () => {
  it.each([
    ['addN', (t: any) => t.addN([t.tensor([1, 2]), t.tensor([3, 4]), t.tensor([10, 20])])],
    ['cumsum', (t: any) => [t.cumsum(t.tensor([[1, 2], [3, 4]]), 1), t.cumsum(t.tensor([[1, 2], [3, 4]])), t.cumsum(t.tensor([1, 2, 3]), 0, true, true),
      t.cumsum(t.tensor([1, 2, 3]), 0, true), t.cumsum(t.tensor([1, 2, 3]), 0, false, true), t.cumsum(I(t, [1, 2, 3])), t.tensor([1, 2]).cumsum()]],
    ['moments', (t: any) => { const a = t.moments(t.tensor([[1, 2], [3, 5]]), 0), b = t.moments(t.tensor([[1, 2], [3, 5]]), 1, true), c = t.moments(t.tensor([1, 2, 3, 4]));
      return [a.mean, a.variance, b.mean, b.variance, c.mean, c.variance]; }],
    ['broadcastTo', (t: any) => [t.broadcastTo(t.tensor([1, 2]), [3, 2]), t.broadcastTo(t.tensor([[1], [2]]), [2, 2, 3])]],
    ['dot', (t: any) => [t.dot(t.tensor([1, 2]), t.tensor([3, 4])), t.dot(t.tensor([[1, 2], [3, 4]]), t.tensor([1, 1])),
      t.dot(t.tensor([1, 1]), t.tensor([[1, 2], [3, 4]])), t.dot(t.tensor([[1, 2], [3, 4]]), t.tensor([[1, 0], [0, 2]])), t.tensor([1, 2]).dot(t.tensor([3, 4]))]],
    ['outerProduct', (t: any) => t.outerProduct(t.tensor([1, 2]), t.tensor([3, 4, 5]))],
  ])('%s', (_name, ops) => sameAsTfjs(ops));

  it('rejects what tfjs rejects', () => {
    bothThrow((t: any) => t.addN([t.tensor([1, 2]), I(t, [3, 4])]), /same dtype/);
    bothThrow((t: any) => t.addN([t.tensor([1, 2]), t.tensor([3])]), /same shape/);
    bothThrow((t: any) => t.broadcastTo(t.tensor([1, 2]), [3]), /\[2\] cannot be broadcast to \[3\]/);
    bothThrow((t: any) => t.dot(t.tensor([1, 1, 1]), t.tensor([[1, 2], [3, 4]])), /inner dimensions of inputs must match, but got 3 and 2/);
    expect(() => rl.addN([])).toThrow(/at least one tensor/);
  });

  it('leave only their results in the memory count', () => {
    const before = rl.memory().numTensors;
    const out = [rl.dot([1, 2], [3, 4]), rl.outerProduct([1, 2], [3, 4]), ...Object.values(rl.moments([1, 2, 3]))];
    expect(rl.memory().numTensors).toBe(before + out.length);
    rl.dispose(out);
    expect(rl.memory().numTensors).toBe(before);
  });

  it('rl.print and rl.ready behave as tf.print and tf.ready', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    rl.print(rl.tensor([1, 2]));
    expect(log).toHaveBeenCalledWith('Tensor\n    [1, 2]');
    log.mockRestore();
    await expect(rl.ready()).resolves.toBeUndefined();
  });
});
