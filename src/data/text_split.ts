/** Seeded, stratified splits: every class keeps its share in both parts. */
import { DataError } from './errors.js';
import { Rng } from './random.js';

export interface SplitIndices { train: Int32Array; validation: Int32Array }

/**
 * Puts round(fraction * n_c) examples of each class c (at least one when the class has two or more) in
 * `validation`, chosen by a generator seeded with `seed`; both lists come back in ascending order.
 */
export function stratifiedSplit(classIds: Int32Array, numClasses: number, fraction: number, seed: number): SplitIndices {
  if (!(fraction > 0 && fraction < 1)) throw new DataError(`validationSplit must be in (0, 1), got ${fraction}`);
  const rng = new Rng(seed);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  classIds.forEach((c, i) => byClass[c].push(i));
  const train: number[] = [], validation: number[] = [];
  for (const members of byClass) {
    const order = rng.permutation(members.length);
    let k = Math.round(members.length * fraction);
    if (k === 0 && members.length >= 2) k = 1;
    if (k === members.length) k = members.length - 1;
    order.forEach((o, j) => (j < k ? validation : train).push(members[o]));
  }
  if (validation.length === 0 || train.length === 0) {
    throw new DataError(`validationSplit ${fraction} leaves no ${train.length === 0 ? 'training' : 'validation'} examples out of ${classIds.length}`);
  }
  return { train: Int32Array.from(train).sort(), validation: Int32Array.from(validation).sort() };
}

/** A seeded stratified sample of `limit` indices (all of them when limit >= n). */
export function stratifiedSample(classIds: Int32Array, numClasses: number, limit: number, seed: number): Int32Array {
  if (limit >= classIds.length) return Int32Array.from(classIds.keys());
  return stratifiedSplit(classIds, numClasses, limit / classIds.length, seed).validation;
}
