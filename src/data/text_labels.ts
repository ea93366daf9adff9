/** Class names and ids for text labels: sorted names (numerically when every label is a number), as Keras sorts subfolders. */
import { DataError } from './errors.js';
import { optionName, type OptionNames } from './text_options.js';

export interface EncodedLabels { classNames: string[]; ids: Int32Array }

/**
 * Text written as a decimal number ("1", "1.0", "-2.5e1", surrounding blanks ignored); not "0x10", "Infinity" or "",
 * which Number() would also read. Labels so written name their class by value; number flags must be so written.
 */
export function isDecimalNumber(text: string): boolean {
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim());
}

/**
 * The number a label stands for where labels are read by value (canonicalLabels: decimal spellings of one exactly
 * held number are one class), else null: such labels stay as written.
 */
export function labelValue(label: string): number | null {
  if (!isDecimalNumber(label)) return null;
  const v = Number(label);
  return Number.isFinite(v) && (!Number.isInteger(v) || Number.isSafeInteger(v)) ? v : null;
}

/** Two labels of `labels` that are spellings of one number ('1' and '1.0'), or null. */
export function sameNumberLabels(labels: Iterable<string>): [string, string] | null {
  const seen = new Map<number, string>();
  for (const l of labels) {
    const v = labelValue(l);
    if (v === null) continue;
    const first = seen.get(v);
    if (first !== undefined) return [first, l];
    seen.set(v, l);
  }
  return null;
}

/**
 * Labels as classes: when every label is a decimal number, spellings of one value ("1", "1.0") are one class, named
 * by its plain spelling when one of them is it ("1"), else by the first seen ("007" stays "007"). Only when every
 * value is held exactly: past 2^53 two different integers may read as one double, so such labels stay as written.
 */
function canonicalLabels(labels: readonly string[]): string[] {
  const read = labels.map(labelValue);
  if (labels.length === 0 || read.some((v) => v === null)) return [...labels];
  const values = read as number[];
  const spellings = new Map<number, string[]>();
  labels.forEach((l, i) => { const list = spellings.get(values[i]) ?? []; list.push(l.trim()); spellings.set(values[i], list); });
  const name = (v: number) => { const list = spellings.get(v)!; return list.includes(String(v)) ? String(v) : list[0]; };
  return values.map(name);
}

export interface EncodeLabelsOptions {
  /** Whose classes a label must be one of, for messages (default "the model's classes"). */
  classesOf?: string;
  /** How messages name the label-map option (default labelMap; null: the caller has none). */
  optionNames?: OptionNames;
}

export function sortClassNames(names: Iterable<string>): string[] {
  const list = [...new Set(names)];
  // Decimal spellings only: Number() also reads "0x10" as 16, which would tie with "16" and leave the order to the
  // rows' order. Past 2^53 two spellings may still read as one double; their text breaks the tie.
  const numeric = list.every(isDecimalNumber);
  return numeric ? list.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0)) : list.sort();
}

/**
 * Ids into `classNames` (derived from the labels when not given). `where[i]` names row i for errors.
 * Training needs two classes at least; when every label is a decimal number, "1" and "1.0" are one class ("1").
 * Evaluation maps onto the given classes (a numeric label also onto the class of the same value) and rejects others.
 */
export function encodeLabels(labels: readonly (string | null)[], where: readonly string[], source: string, classNames?: readonly string[], o: EncodeLabelsOptions = {}): EncodedLabels {
  const missing = labels.findIndex((l) => l === null);
  if (missing >= 0) throw new DataError(`${where[missing]}: no label (the data needs a label column)`);
  const given = classNames ? null : canonicalLabels(labels as string[]);
  const names = classNames ? [...classNames] : sortClassNames(given!);
  if (!classNames && names.length < 2) {
    throw new DataError(`${source}: every example has the label '${names[0]}'; a classifier needs at least two classes`);
  }
  const index = new Map(names.map((n, i) => [n, i]));
  const byValue = new Map<number, number>();
  names.forEach((n, i) => { const v = labelValue(n); if (v !== null && !byValue.has(v)) byValue.set(v, i); });
  const mapWith = optionName(o.optionNames, 'labelMap');
  const ids = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label = given ? given[i] : labels[i]!;
    const value = labelValue(label);
    const id = index.get(label) ?? (value !== null ? byValue.get(value) : undefined);
    if (id === undefined) {
      // A label differing from a class only in case or surrounding spaces (Red for red) is most likely that class.
      const near = names.find((n) => n.trim().toLowerCase() === labels[i]!.trim().toLowerCase());
      throw new DataError(`${where[i]}: label '${labels[i]}' is not one of ${o.classesOf ?? "the model's classes"} (${names.join(', ')})${near ? ` (did you mean '${near}'?)` : ''}${mapWith ? `; map labels with ${mapWith}` : ''}`);
    }
    ids[i] = id;
  }
  return { classNames: names, ids };
}

const NEGATIVE = new Set(['0', 'neg', 'negative', 'false', 'bad', '-1']);
const POSITIVE = new Set(['1', 'pos', 'positive', 'true', 'good']);
/** A name's sentiment polarity (0 negative, 1 positive) or null; numbers by value, so '1.0' is positive as '1' is. */
function polarity(name: string): 0 | 1 | null {
  const key = isDecimalNumber(name) ? String(Number(name)) : name.toLowerCase();
  return NEGATIVE.has(key) ? 0 : POSITIVE.has(key) ? 1 : null;
}

/** What is wrong with an explicit label map for these classes ("'x=c': 'c' is not one of ..."), or null. */
export function badLabelMapEntry(explicit: Readonly<Record<string, string>>, classes: readonly string[]): string | null {
  const bad = Object.entries(explicit).find(([, c]) => !classes.includes(c));
  if (bad) return `'${bad[0]}=${bad[1]}': '${bad[1]}' is not one of the model's classes (${classes.join(', ')})`;
  return labelMappedTwice(Object.keys(explicit), explicit);
}

/**
 * One class in the data (as the reader counts '1' and '1.0'), two entries of a label map: which applies would be a
 * guess. The words saying so for the first two such keys of `keys` (in the order given), or null.
 */
export function labelMappedTwice(keys: readonly string[], map: Readonly<Record<string, string>>): string | null {
  const twice = sameNumberLabels(keys);
  return twice ? `maps one label twice: '${twice[0]}' and '${twice[1]}' are spellings of one number (to '${map[twice[0]]}' and '${map[twice[1]]}'); give it once` : null;
}

/**
 * How the data's labels become a model's classes: an explicit map (data label -> class), else identity; for a
 * two-class sentiment model whose classes and the data's labels both read as negative/positive (0/1, neg/pos,
 * negative/positive, false/true) the labels are matched by polarity, so an IMDb model can be measured on
 * another sentiment set. Returns null when the labels are already classes.
 */
export function resolveLabelMap(labels: readonly (string | null)[], classes: readonly string[], explicit?: Readonly<Record<string, string>> | null): Record<string, string> | null {
  if (explicit) {
    const bad = badLabelMapEntry(explicit, classes);
    if (bad) throw new DataError(`labelMap: ${bad}`);
    return { ...explicit };
  }
  const distinct = [...new Set(labels.filter((l): l is string => l !== null))];
  if (distinct.every((l) => classes.includes(l)) || classes.length !== 2) return null;
  const cls = classes.map(polarity);
  if (cls[0] === null || cls[1] === null || cls[0] === cls[1]) return null;
  // Labels with a polarity are mapped; any other stays as it is, so that encodeLabels names it if it is no class.
  const map: Record<string, string> = {};
  for (const l of distinct) {
    const p = polarity(l);
    if (p !== null && classes[cls.indexOf(p)] !== l) map[l] = classes[cls.indexOf(p)];
  }
  return Object.keys(map).length ? map : null;
}

/**
 * Applies a label map; labels it does not name stay as they are. A numeric label the map does not name as written
 * is looked up by value, so a map from 1 also maps a label written 1.0 (as classes match numeric labels).
 */
export function mapLabels(labels: readonly (string | null)[], map: Readonly<Record<string, string>> | null): (string | null)[] {
  if (!map) return [...labels];
  const byValue = new Map<number, string>();
  for (const [k, c] of Object.entries(map)) { const v = labelValue(k); if (v !== null && !byValue.has(v)) byValue.set(v, c); }
  return labels.map((l) => {
    if (l === null) return l;
    if (Object.hasOwn(map, l)) return map[l];
    const v = labelValue(l);
    return (v !== null ? byValue.get(v) : undefined) ?? l;
  });
}

/**
 * Classes whose names differ only in case (`Pos` and `pos`), each group in class order. Labels are trimmed but keep
 * their case, as Keras keeps labels as given, so such classes train apart: likely one class spelt two ways.
 */
export function classesDifferingInCase(classes: readonly string[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const c of classes) {
    const key = c.trim().toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/** The note train prints for each such group, or none. */
export function caseOnlyClassNotes(classes: readonly string[]): string[] {
  return classesDifferingInCase(classes).map((g) => {
    const names = g.map((c) => JSON.stringify(c));
    const list = `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
    return `note: labels ${list} are different classes (labels keep their case); if they mean one class, write them one way`;
  });
}
