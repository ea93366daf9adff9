/** Class names and ids for text labels: sorted names (numerically when every label is a number), as Keras sorts subfolders. */
import { DataError } from './errors.js';

export interface EncodedLabels { classNames: string[]; ids: Int32Array }

export function sortClassNames(names: Iterable<string>): string[] {
  const list = [...new Set(names)];
  const numeric = list.every((n) => n.trim() !== '' && Number.isFinite(Number(n)));
  return numeric ? list.sort((a, b) => Number(a) - Number(b)) : list.sort();
}

/**
 * Ids into `classNames` (derived from the labels when not given). `where[i]` names row i for errors.
 * Training needs two classes at least; evaluation maps onto the model's classes and rejects others.
 */
export function encodeLabels(labels: readonly (string | null)[], where: readonly string[], source: string, classNames?: readonly string[]): EncodedLabels {
  const missing = labels.findIndex((l) => l === null);
  if (missing >= 0) throw new DataError(`${where[missing]}: no label (the data needs a label column)`);
  const names = classNames ? [...classNames] : sortClassNames(labels as string[]);
  if (!classNames && names.length < 2) {
    throw new DataError(`${source}: every example has the label '${names[0]}'; a classifier needs at least two classes`);
  }
  const index = new Map(names.map((n, i) => [n, i]));
  const ids = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const id = index.get(labels[i]!);
    if (id === undefined) throw new DataError(`${where[i]}: label '${labels[i]}' is not one of the model's classes (${names.join(', ')})`);
    ids[i] = id;
  }
  return { classNames: names, ids };
}
