/**
 * rl.losses.* (layers losses; meanSquaredError is tfjs-core's and wants equal shapes, its Keras twin mse pairs them) and rl.metrics.* pair yTrue with yPred as tfjs and Keras do when the shapes differ:
 * Keras's rank rule ([n] against [n, 1] row by row), then broadcasting ([3, 1] against [1, 3] is [3, 3]); shapes that
 * do not broadcast are an error naming both, never paired by position.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const values = (t: rl.Tensor): number[] => Array.from(t.dataSync());
const t31 = [[1], [2], [3]], p13 = [[1, 2, 3]];
const t23 = [[1, 0, 0], [0, 1, 0]], p32 = [[0.7, 0.2], [0.1, 0.3], [0.6, 0.1]];

describe('losses and metrics: shapes that differ', () => {
  it('rl.losses broadcast [3, 1] against [1, 3] as tfjs and Keras (mean over [3, 3])', () => {
    // (p_j - t_i)^2 over i, j: 0 1 4 / 1 0 1 / 4 1 0 -> 12 / 9
    expect(values(rl.losses.mse(t31, p13))[0]).toBeCloseTo(4 / 3, 6);
    expect(values(rl.losses.meanAbsoluteError(t31, p13))[0]).toBeCloseTo(8 / 9, 6);
    // [n] against [n, 1] stays row by row (Keras's rank rule), not tfjs's [n, n]
    expect(values(rl.losses.mse([1, 2, 3], [[1], [2], [4]]))[0]).toBeCloseTo(1 / 3, 6);
  });

  it('the broadcast loss records its gradient back to the prediction\'s own shape', () => {
    const g = rl.grad((p: rl.Tensor) => rl.losses.mse(t31, p))(rl.tensor2d(p13));
    expect(g.shape).toEqual([1, 3]);
    // d/dp_j of sum_i (p_j - t_i)^2 / 9 = 2 (3 p_j - 6) / 9
    values(g).forEach((v, j) => expect(v).toBeCloseTo((2 * (3 * (j + 1) - 6)) / 9, 5));
  });

  it('rl.losses refuse shapes that do not broadcast, naming both', () => {
    for (const name of ['categoricalCrossentropy', 'binaryCrossentropy', 'hinge'] as const) {
      expect(() => rl.losses[name](t23, p32)).toThrow(`losses.${name}: yTrue has shape [2, 3] but yPred has [3, 2]`);
    }
  });

  it('rl.metrics value functions broadcast [3, 1] against [1, 3] (one value per row of [3, 3])', () => {
    const v = values(rl.metrics.mse(t31, p13));
    [5 / 3, 2 / 3, 5 / 3].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 6));
  });

  it('rl.metrics.binaryAccuracy broadcasts; [n] with [n, 1] stays row by row', () => {
    // thresholded predictions [1, 0, 1] against each target
    const v = values(rl.metrics.binaryAccuracy([[1], [0], [1]], [[0.9, 0.2, 0.7]]));
    [2 / 3, 1 / 3, 2 / 3].forEach((e, i) => expect(v[i]).toBeCloseTo(e, 6));
    expect(values(rl.metrics.binaryAccuracy([1, 0], [[0.9], [0.8]]))).toEqual([1, 0]);
  });

  it('precision and recall count every broadcast pair', () => {
    // [2, 1] targets against [1, 2] predictions: (1, .9) tp, (1, .2) fn, (0, .9) fp, (0, .2) tn
    expect(values(rl.metrics.precision([[1], [0]], [[0.9, 0.2]]))[0]).toBeCloseTo(0.5, 6);
    expect(values(rl.metrics.recall([[1], [0]], [[0.9, 0.2]]))[0]).toBeCloseTo(0.5, 6);
  });

  it('categorical and sparse accuracy broadcast the rows; ids squeeze a last axis of 1', () => {
    const p = [[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]];
    expect(values(rl.metrics.categoricalAccuracy([[0, 1, 0]], p))).toEqual([1, 0]);
    expect(values(rl.metrics.sparseCategoricalAccuracy([1, 1], p))).toEqual([1, 0]);
    expect(values(rl.metrics.sparseCategoricalAccuracy([[1], [0]], p))).toEqual([1, 1]);
    expect(values(rl.metrics.sparseCategoricalAccuracy([0], p))).toEqual([0, 1]);
    expect(() => rl.metrics.sparseCategoricalAccuracy([0, 1, 2], p)).toThrow('metrics.sparseCategoricalAccuracy: yTrue has shape [3] but yPred has [2, 3]');
    expect(() => rl.metrics.sparseCategoricalAccuracy([[0, 1], [1, 0]], p)).toThrow(/yTrue has shape \[2, 2\] but yPred has \[2, 3\]/);
  });

  it('rl.metrics refuse shapes that do not broadcast, naming both (no pairing by position)', () => {
    for (const name of ['binaryAccuracy', 'precision', 'recall', 'auc', 'categoricalAccuracy'] as const) {
      expect(() => rl.metrics[name](t23, p32)).toThrow(`metrics.${name}: yTrue has shape [2, 3] but yPred has [3, 2]`);
    }
    expect(() => rl.metrics.categoricalAccuracy([0, 0, 1, 0, 1, 0], [[0.1, 0.2, 0.7], [0.3, 0.6, 0.1]])).toThrow('metrics.categoricalAccuracy: yTrue has shape [6] but yPred has [2, 3]');
  });

  it('equal-rank broadcasts give tfjs-layers\' tf.metrics values', () => {
    const t = [[1], [0], [1]], p = [[0.9, 0.2, 0.7]];
    const cases: [string, (a: number[][], b: number[][]) => rl.Tensor, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
      ['mse', rl.metrics.mse, tf.metrics.meanSquaredError], ['mae', rl.metrics.mae, tf.metrics.meanAbsoluteError],
      ['binaryAccuracy', rl.metrics.binaryAccuracy, tf.metrics.binaryAccuracy], ['categoricalCrossentropy', rl.metrics.categoricalCrossentropy, tf.metrics.categoricalCrossentropy],
      ['cosineProximity', rl.metrics.cosineProximity, tf.metrics.cosineProximity], ['r2Score', rl.metrics.r2Score, tf.metrics.r2Score],
    ];
    for (const [name, ours, theirs] of cases) {
      const a = values(ours(t, p)), b = Array.from(theirs(tf.tensor2d(t), tf.tensor2d(p)).dataSync());
      expect(a, name).toHaveLength(b.length);
      a.forEach((v, i) => expect(v, name).toBeCloseTo(b[i], 5));
    }
    const onehot = [[0, 1, 0]], probs = [[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]];
    expect(values(rl.metrics.categoricalAccuracy(onehot, probs))).toEqual(Array.from(tf.metrics.categoricalAccuracy(tf.tensor2d(onehot), tf.tensor2d(probs)).dataSync()));
  });

  it('binary crossentropy does not broadcast (tfjs and Keras refuse); the rank rule still applies', () => {
    expect(() => tf.metrics.binaryCrossentropy(tf.tensor2d([[1], [0], [1]]), tf.tensor2d([[0.9, 0.2, 0.7]]))).toThrow(/same shape/);
    expect(() => rl.metrics.binaryCrossentropy([[1], [0], [1]], [[0.9, 0.2, 0.7]])).toThrow('metrics.binaryCrossentropy: yTrue has shape [3, 1] but yPred has [1, 3]');
    expect(() => rl.losses.binaryCrossentropy([[1], [0], [1]], [[0.9, 0.2, 0.7]])).toThrow('losses.binaryCrossentropy: yTrue has shape [3, 1] but yPred has [1, 3]');
    const rows = values(rl.metrics.binaryCrossentropy([1, 0], [[0.9], [0.2]]));
    expect(rows[0]).toBeCloseTo(-Math.log(0.9), 5);
    expect(rows[1]).toBeCloseTo(-Math.log(0.8), 5);
    expect(values(rl.losses.binaryCrossentropy([1, 0], [[0.9], [0.2]]))[0]).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 5);
  });
});
