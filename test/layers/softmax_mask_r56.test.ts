/**
 * Softmax's mask (Keras's and tfjs's call(inputs, mask)): masked inputs get -1e9 added before the softmax, so they
 * take no weight; a mask of the input's shape or one broadcasting to it, as attention scores' masks come.
 * Expected values: PyTorch's (x + (1 - m) * -1e9).softmax(-1).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const L = rl.layers;
const close = (got: number[], want: number[], tol = 1e-6) => {
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]), `value ${i}: ${v} vs ${want[i]}`).toBeLessThan(tol));
};

describe('softmax with an explicit mask', () => {
  afterEach(() => rl.setPrecision(32));

  it('a [batch, steps] mask on a (batch, steps) input takes the masked values out of the softmax', () => {
    const y = L.softmax().apply(rl.tensor([[1, 2, 3]]), { mask: rl.tensor([[true, false, true]]) }) as rl.Tensor;
    close(Array.from(y.dataSync()), [0.11920291185379028, 0, 0.8807970285415649]);
  });

  it('through call() as through apply()', () => {
    const y = L.softmax().call(rl.tensor([[1, 2, 3], [0, 0, 0]]), { mask: rl.tensor([[true, false, true], [false, true, true]]) }) as rl.Tensor;
    close(Array.from(y.dataSync()), [0.11920291185379028, 0, 0.8807970285415649, 0, 0.5, 0.5]);
  });

  it("a mask of [batch, Tq, Tv] scores' shape masks each query row on its own", () => {
    const scores = rl.tensor([[[1, 2, 3], [0, 0, 0]]]);
    const mask = rl.tensor([[[true, true, false], [true, false, false]]]);
    const y = L.softmax().apply(scores, { mask }) as rl.Tensor;
    expect(y.shape).toEqual([1, 2, 3]);
    close(Array.from(y.dataSync()), [0.2689414322376251, 0.7310585975646973, 0, 1, 0, 0]);
  });

  it('a mask broadcasting to the input ([batch, 1, Tv] for [batch, Tq, Tv]) masks every query row alike', () => {
    const scores = rl.tensor([[[1, 2, 3], [0, 0, 0]]]);
    const y = L.softmax().apply(scores, { mask: rl.tensor([[[true, true, false]]]) }) as rl.Tensor;
    close(Array.from(y.dataSync()), [0.2689414322376251, 0.7310585975646973, 0, 0.5, 0.5, 0]);
  });

  it('a slice with every value masked gives zeros (Keras 3.10+ multiplies the output by the mask)', () => {
    const y = L.softmax().apply(rl.tensor([[1, 2], [3, 4]]), { mask: rl.tensor([[false, false], [true, true]]) }) as rl.Tensor;
    close(Array.from(y.dataSync()), [0, 0, 0.2689414322376251, 0.7310585975646973]);
  });

  it('over a list of axes, the masked values take no share of the joint normalization', () => {
    const x = rl.tensor([[[1, 2], [3, 4]]]);
    const y = L.softmax({ axis: [1, 2] }).apply(x, { mask: rl.tensor([[[true, false], [true, true]]]) }) as rl.Tensor;
    const e = [Math.exp(1), 0, Math.exp(3), Math.exp(4)], s = e.reduce((a, b) => a + b, 0);
    close(Array.from(y.dataSync()), e.map((v) => v / s));
  });

  it('gradients flow only through the unmasked inputs', () => {
    const mask = rl.tensor([[true, false, true]]);
    const w = rl.tensor([[1, 5, -2]]);
    const layer = L.softmax();
    const g = rl.grad((v: rl.Tensor) => rl.sum(rl.mul(layer.apply(v, { mask }) as rl.Tensor, w)))(rl.tensor([[0.5, 1, -1]]));
    const d = Array.from(g.dataSync());
    expect(Math.abs(d[1])).toBeLessThan(1e-30);
    // Softmax over the two real values p = softmax([0.5, -1]): dL/dx_i = p_i (w_i - sum p w).
    const p0 = 1 / (1 + Math.exp(-1.5)), p2 = 1 - p0, pw = p0 * 1 + p2 * -2;
    close([d[0], d[2]], [p0 * (1 - pw), p2 * (-2 - pw)]);
  });

  it('a mask that does not broadcast to the input is an error naming both shapes', () => {
    expect(() => L.softmax().apply(rl.tensor([[[1, 2, 3], [0, 0, 0]]]), { mask: rl.tensor([[[true, false]]]) }))
      .toThrow(/softmax\w* \(Softmax\): mask of shape \[1, 1, 2\] does not broadcast to the input \[1, 2, 3\]/);
  });

  it('the mask given for one call does not stay for the next', () => {
    const layer = L.softmax();
    // A mask of [steps] broadcasts to every row: taken for that call only.
    const masked = layer.apply(rl.tensor([[1, 2, 3], [1, 2, 3]]), { mask: rl.tensor([false, true, true], [3], 'bool') }) as rl.Tensor;
    close(Array.from(masked.dataSync()), [0, 0.2689414322376251, 0.7310585975646973, 0, 0.2689414322376251, 0.7310585975646973]);
    const y = layer.apply(rl.tensor([[1, 2, 3]])) as rl.Tensor;
    close(Array.from(y.dataSync()), [0.09003057317038046, 0.24472847105479764, 0.6652409557748219]);
  });

  it('under setPrecision(64) the masked values are exactly zero and the rest float64', () => {
    rl.setPrecision(64);
    const y = L.softmax().apply(rl.tensor([[1, 2, 3]]), { mask: rl.tensor([[true, false, true]]) }) as rl.Tensor;
    const d = Array.from(y.dataSync());
    expect(d[1]).toBe(0);
    close([d[0], d[2]], [1 / (1 + Math.E ** 2), 1 / (1 + Math.E ** -2)], 1e-15);
  });
});
