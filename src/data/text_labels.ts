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
    if (id === undefined) throw new DataError(`${where[i]}: label '${labels[i]}' is not one of the model's classes (${names.join(', ')}); map labels with labelMap / --label-map`);
    ids[i] = id;
  }
  return { classNames: names, ids };
}

const NEGATIVE = new Set(['0', 'neg', 'negative', 'false', 'bad', '-1']);
const POSITIVE = new Set(['1', 'pos', 'positive', 'true', 'good']);
const polarity = (name: string) => (NEGATIVE.has(name.toLowerCase()) ? 0 : POSITIVE.has(name.toLowerCase()) ? 1 : null);

/**
 * How the data's labels become a model's classes: an explicit map (data label -> class), else identity; for a
 * two-class sentiment model whose classes and the data's labels both read as negative/positive (0/1, neg/pos,
 * negative/positive, false/true) the labels are matched by polarity, so an IMDb model can be measured on
 * another sentiment set. Returns null when the labels are already classes.
 */
export function resolveLabelMap(labels: readonly (string | null)[], classes: readonly string[], explicit?: Readonly<Record<string, string>> | null): Record<string, string> | null {
  if (explicit) {
    const bad = Object.entries(explicit).find(([, c]) => !classes.includes(c));
    if (bad) throw new DataError(`labelMap: '${bad[0]}=${bad[1]}': '${bad[1]}' is not one of the model's classes (${classes.join(', ')})`);
    return { ...explicit };
  }
  const distinct = [...new Set(labels.filter((l): l is string => l !== null))];
  if (distinct.every((l) => classes.includes(l)) || classes.length !== 2) return null;
  const cls = classes.map(polarity);
  const dat = distinct.map(polarity);
  if (cls[0] === null || cls[1] === null || cls[0] === cls[1] || dat.some((p) => p === null)) return null;
  return Object.fromEntries(distinct.map((l, i) => [l, classes[cls.indexOf(dat[i])]]));
}

/** Applies a label map; labels it does not name stay as they are. */
export function mapLabels(labels: readonly (string | null)[], map: Readonly<Record<string, string>> | null): (string | null)[] {
  return map ? labels.map((l) => (l !== null && Object.hasOwn(map, l) ? map[l] : l)) : [...labels];
}
