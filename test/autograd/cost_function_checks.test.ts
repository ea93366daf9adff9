// variableGrads, minimize and computeGradients as tfjs 4.22 checks them before f runs: f must be a function (the slip
// opt.minimize(loss) is named, not 'f is not a function'), and varList must hold a trainable variable (the error says
// so rather than blaming the cost). The cost they return keeps f's dtype, as tfjs's does.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

let tag = 0;
const flat = (t: rl.Tensor): number[] => Array.from(t.dataSync());
const fresh = (values: number[], trainable = true): rl.Variable => rl.variable(rl.tensor1d(values), trainable, `cfc_${tag++}`);

describe('f must be a function', () => {
  it('a Tensor is named as such by each entry point, and nothing moves', () => {
    const v = fresh([1, 2]);
    const loss = v.square().sum();
    const told = /got a Tensor \(compute the cost inside f: \(\) => loss\)/;
    expect(() => rl.train.sgd(0.1).minimize(loss as never)).toThrow(/^The f passed in SGD\.minimize\(f\) must be a function returning the scalar cost/);
    expect(() => rl.train.sgd(0.1).minimize(loss as never)).toThrow(told);
    expect(() => rl.variableGrads(loss as never)).toThrow(/^The f passed in rl\.variableGrads\(f\) must be a function/);
    expect(() => rl.train.adam(0.1).computeGradients(loss as never)).toThrow(/^The f passed in Adam\.computeGradients\(f\) must be a function.*got a Tensor/);
    expect(flat(v)).toEqual([1, 2]);
    // tfjs refuses the same calls.
    const tv = tf.variable(tf.tensor1d([1, 2]));
    expect(() => tf.train.sgd(0.1).minimize(tv.square().sum() as never)).toThrow('The f passed in variableGrads(f) must be a function');
    rl.dispose(v);
  });

  it('other values are described', () => {
    expect(() => rl.variableGrads(undefined as never)).toThrow(/must be a function returning the scalar cost, got undefined$/);
    expect(() => rl.train.sgd(0.1).minimize('loss' as never)).toThrow(/got the string "loss"$/);
  });
});

describe('varList must hold a trainable variable', () => {
  it('one variable that does not train: named, and f never runs', () => {
    const frozen = fresh([1, 2], false);
    let runs = 0;
    const f = (): rl.Tensor => { runs++; return frozen.square().sum(); };
    expect(() => rl.variableGrads(f, [frozen])).toThrow(`variableGrads: the only variable in varList, '${frozen.name}', is not trainable`);
    expect(() => rl.train.sgd(0.1).minimize(f, false, [frozen])).toThrow(/^SGD\.minimize: the only variable in varList, .* is not trainable .*at least one must be, as in tfjs$/);
    expect(runs).toBe(0);
    expect(flat(frozen)).toEqual([1, 2]);
    rl.dispose(frozen);
  });

  it('several: counted, as tfjs counts them', () => {
    const list = [fresh([1], false), fresh([2], false)];
    expect(() => rl.train.adam(0.1).computeGradients(() => list[0].add(list[1]).sum(), list))
      .toThrow(/^Adam\.computeGradients: none of the 2 variables in varList is trainable/);
    const theirs = [tf.variable(tf.tensor1d([1]), false), tf.variable(tf.tensor1d([2]), false)];
    expect(() => tf.variableGrads(() => theirs[0].add(theirs[1]).sum(), theirs)).toThrow('none of the 2 variables is trainable');
    rl.dispose(list);
  });

  it("a frozen layer's weights count as not trainable", () => {
    const layer = rl.layers.dense({ units: 1, inputShape: [2] });
    const model = rl.sequential({ layers: [layer] });
    layer.trainable = false;
    const x = rl.tensor2d([[1, 2]]);
    expect(() => rl.variableGrads(() => (model.apply(x) as rl.Tensor).sum(), layer.weights.map((w) => w.val)))
      .toThrow(/none of the 2 variables in varList is trainable/);
  });

  it('an empty varList is an error saying so', () => {
    expect(() => rl.variableGrads(() => rl.scalar(1), [])).toThrow('variableGrads: varList is empty; list the variables to differentiate for, or pass null for every trainable one');
    expect(() => rl.train.sgd(0.1).minimize(() => rl.scalar(1), false, [])).toThrow(/^SGD\.minimize: varList is empty/);
  });

  it('a trainable variable the cost does not use still gets the error about the cost', () => {
    const v = fresh([1]);
    expect(() => rl.variableGrads(() => rl.scalar(1), [v])).toThrow('variableGrads: the cost does not depend on any trainable variable');
    rl.dispose(v);
  });
});

describe("the cost keeps f's dtype", () => {
  it('int32 from v.toInt().sum(): trunc(1.6) + trunc(2.2) = 3, gradient ones in float32', () => {
    const v = fresh([1.6, 2.2]);
    const { value, grads } = rl.variableGrads(() => v.toInt().sum(), [v]);
    expect([value.dtype, flat(value)]).toEqual(['int32', [3]]);
    expect([grads[v.name].dtype, flat(grads[v.name])]).toEqual(['float32', [1, 1]]);
    const cost = rl.train.sgd(0.5).minimize(() => v.toInt().sum(), true, [v])!;
    expect([cost.dtype, flat(cost)]).toEqual(['int32', [3]]);
    flat(v).forEach((got, i) => expect(got).toBeCloseTo([1.1, 1.7][i], 6));
    rl.dispose(v);
  });

  it('float32 stays float32', () => {
    const v = fresh([1.5, 2]);
    const cost = rl.train.sgd(0.1).minimize(() => v.sum(), true, [v])!;
    expect([cost.dtype, flat(cost)]).toEqual(['float32', [3.5]]);
    expect(rl.variableGrads(() => v.sum(), [v]).value.dtype).toBe('float32');
    rl.dispose(v);
  });
});
