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

/**
 * A seeded stratified sample of exactly `limit` indices (all of them when limit >= n), in ascending order: each class
 * present takes its share of the limit in proportion to its size (limit * n_c / n) rounded down, at least one example,
 * and the examples still to give go one each by largest remainder (ties to the larger class, then the lower class
 * id); where the minimum of one pushes the total over the limit, the classes furthest above their share give one
 * back. A limit below the number of classes present is an error: the sample would leave a class out.
 */
export function stratifiedSample(classIds: Int32Array, numClasses: number, limit: number, seed: number): Int32Array {
  const n = classIds.length;
  if (!Number.isInteger(limit) || limit < 1) throw new DataError(`limit must be a positive integer, got ${limit}`);
  if (limit >= n) return Int32Array.from(classIds.keys());
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  classIds.forEach((c, i) => byClass[c].push(i));
  const present = byClass.filter((m) => m.length > 0).length;
  if (limit < present) throw new DataError(`limit ${limit} is below the ${present} classes: a stratified sample takes at least one example of each`);
  // Each class's exact share of the limit, at least one example (largest remainder: the counts add up to limit).
  const quota = byClass.map((m) => (limit * m.length) / n);
  const take = byClass.map((m, c) => (m.length > 0 ? Math.max(1, Math.floor(quota[c])) : 0));
  let left = limit - take.reduce((a, b) => a + b, 0);
  while (left < 0) { // the minimum of one pushed the total over: give back where a class is furthest above its share
    let worst = -1;
    take.forEach((t, c) => { if (t > 1 && (worst < 0 || t - quota[c] > take[worst] - quota[worst])) worst = c; });
    take[worst]--;
    left++;
  }
  const order = byClass.map((_, c) => c).filter((c) => byClass[c].length > 0)
    .sort((a, b) => (quota[b] - take[b]) - (quota[a] - take[a]) || byClass[b].length - byClass[a].length || a - b);
  for (let i = 0; left > 0; i = (i + 1) % order.length) { // limit < n, so some class always has room
    const c = order[i];
    if (take[c] < byClass[c].length) { take[c]++; left--; }
  }
  const rng = new Rng(seed);
  const keep: number[] = [];
  byClass.forEach((members, c) => {
    const perm = rng.permutation(members.length);
    for (let j = 0; j < take[c]; j++) keep.push(members[perm[j]]);
  });
  return Int32Array.from(keep).sort();
}
