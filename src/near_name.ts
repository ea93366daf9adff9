/**
 * The one check of option keys every rnnlab function shares (Keras raises on unknown kwargs; rnnlab accepts nothing
 * it would ignore), and the "did you mean" of its errors.
 */
import { types } from 'node:util';

/** The closest candidate within two edits of a given name (case ignored; ties: the first): a typo, a wrong case, a Keras snake_case name. */
export function nearName(name: string, candidates: Iterable<string>): string | undefined {
  const k = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(c.toLowerCase(), k);
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** "<where>: unknown option 'k' (did you mean 'near'?); options: a, b": the shape of every unknown-key error. */
export function unknownOptionMessage(where: string, key: string, known: readonly string[], noun = 'option'): string {
  const near = nearName(key, known);
  return `${where}: unknown ${noun} '${key}'${near ? ` (did you mean '${near}'?)` : ''}; ${noun}s: ${known.join(', ')}`;
}

export interface OptionRules {
  /** Options of tfjs or Keras that rnnlab does not implement, each with why: refused by name rather than as unknown. */
  refused?: Readonly<Record<string, string>>;
  /** A key whose value is undefined counts as absent (tfjs's optional arguments); default true. */
  undefinedIsAbsent?: boolean;
  /** null counts as no options (as undefined does); default false. */
  nullIsNone?: boolean;
  /** The error class thrown (default Error): callers in areas with their own error types pass theirs. */
  error?: new (message: string) => Error;
  /** What the keys are called in messages (default 'option'). */
  noun?: string;
}

/**
 * An options object whose keys are all known: anything else (a typo such as monitr, a Keras snake_case name, an
 * option rnnlab does not implement) is an error naming the function and the key, and the nearest known name.
 * Returns the options as a record ({} for undefined).
 */
export function checkOptionKeys(where: string, options: unknown, known: readonly string[], rules: OptionRules = {}): Record<string, unknown> {
  const E = rules.error ?? Error;
  if (options === undefined || (options === null && rules.nullIsNone)) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new E(`${where}: the options argument must be an object, got ${Array.isArray(options) ? 'a list' : typeof options === 'string' ? JSON.stringify(options) : String(options)}`);
  }
  const skipUndefined = rules.undefinedIsAbsent ?? true;
  for (const [k, v] of Object.entries(options)) {
    if (known.includes(k) || (skipUndefined && v === undefined)) continue;
    if (rules.refused && Object.hasOwn(rules.refused, k)) throw new E(`${where}: option '${k}' is not supported by rnnlab (${rules.refused[k]})`);
    throw new E(unknownOptionMessage(where, k, known, rules.noun));
  }
  return options as Record<string, unknown>;
}

/** snake_case of a camelCase or class name: minDelta -> min_delta, GRUCell -> gru_cell. */
export function snakeCase(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/** Keys whose Keras spelling is not the regular snake_case of the camelCase one. */
const KERAS_KEY_EXCEPTIONS: Readonly<Record<string, string>> = { beta1: 'beta_1', beta2: 'beta_2' };

/** The one mapping of an option or config key to Keras's spelling: minLr -> min_lr, beta1 -> beta_1. */
export function kerasKey(k: string): string {
  return Object.hasOwn(KERAS_KEY_EXCEPTIONS, k) ? KERAS_KEY_EXCEPTIONS[k] : snakeCase(k);
}

/** And back, as configs are read: return_sequences -> returnSequences, beta_1 -> beta1 (camelCase stays). */
export function camelKey(k: string): string {
  return k.indexOf('_') < 0 ? k : k.replace(/_+([a-zA-Z0-9]|$)/g, (_m, c: string) => c.toUpperCase());
}

/**
 * An options object with Keras's snake_case names (aliases: snake_case -> tfjs name) read as tfjs's: the result has
 * the tfjs names only (undefined values dropped, as absent); both spellings of one option is an error naming both.
 */
export function readAliases(where: string, given: Record<string, unknown>, aliases: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined) continue;
    const name = Object.hasOwn(aliases, k) ? aliases[k] : k;
    if (name !== k && given[name] !== undefined) throw new Error(`${where}: give ${name} or ${k}, not both`);
    out[name] = v;
  }
  return out;
}

/** Built-ins whose contents live in internal slots (any realm's): read by own keys, a Map's entries would be dropped. */
const SLOTTED: readonly (readonly [(v: object) => boolean, string])[] = [
  [types.isMap, 'a Map'], [types.isSet, 'a Set'], [types.isWeakMap, 'a WeakMap'], [types.isWeakSet, 'a WeakSet'],
  [types.isArrayBufferView, 'a typed array'], [types.isAnyArrayBuffer, 'an ArrayBuffer'], [types.isDate, 'a Date'],
  [types.isRegExp, 'a RegExp'], [types.isBoxedPrimitive, 'a boxed primitive'], [types.isPromise, 'a Promise'],
];

/**
 * Why an options argument cannot be read by its own enumerable keys, in words; undefined when it can. As tfjs reads
 * args.patience from any object, a class instance with its options as own fields is read, and an object from another
 * realm (vm) is plain too; refused is only what would lose data: a function, a built-in holding its contents in
 * slots (a Map), or an object inheriting enumerable values or getters from a prototype below Object.prototype.
 */
function unreadableOptions(v: unknown): string | undefined {
  if (typeof v === 'function') return 'a function';
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  let proto: object | null = Object.getPrototypeOf(v);
  // A prototype whose own prototype is null is some realm's Object.prototype (or a null-prototype object's own kind).
  if (proto === null || Object.getPrototypeOf(proto) === null) return undefined;
  const kind = (proto as { constructor?: { name?: unknown } }).constructor?.name;
  const shown = typeof kind === 'string' && kind && kind !== 'Object' ? `an instance of ${kind}` : 'an object';
  for (const [is, what] of SLOTTED) if (is(v)) return `${what}${`a ${kind}` === what ? '' : ` (${shown})`}, whose contents are not options`;
  const inherited: string[] = [];
  for (; proto !== null && Object.getPrototypeOf(proto) !== null; proto = Object.getPrototypeOf(proto)) {
    for (const k of Object.getOwnPropertyNames(proto)) {
      if (Object.hasOwn(v, k) || inherited.includes(k)) continue;
      const d = Object.getOwnPropertyDescriptor(proto, k)!;
      if (d.enumerable || d.get || d.set) inherited.push(k);
    }
  }
  return inherited.length ? `${shown} that inherits ${inherited.map((k) => `'${k}'`).join(', ')} from its prototype, which would not be read (only own properties are)` : undefined;
}

/**
 * checkOptionKeys with Keras's snake_case names (min_delta, save_best_only) read as aliases of the camelCase ones:
 * returns a copy keyed by the camelCase names only; one option under both spellings is an error naming both.
 */
export function readKerasOptions(where: string, options: unknown, known: readonly string[], rules: OptionRules = {}): Record<string, unknown> {
  const odd = unreadableOptions(options);
  if (odd) throw new (rules.error ?? Error)(`${where}: the options argument must be an object of options ({...}), got ${odd}`);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return checkOptionKeys(where, options, known, rules);
  const alias = new Map(known.map((k) => [kerasKey(k), k] as const).filter(([s, k]) => s !== k));
  const given = options as Record<string, unknown>, out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) {
    const name = alias.get(k) ?? k;
    if (name !== k && Object.hasOwn(given, name) && given[name] !== undefined && v !== undefined) throw new (rules.error ?? Error)(`${where}: give ${name} or its Keras name ${k}, not both`);
    if (name !== k && v === undefined && Object.hasOwn(out, name)) continue;
    out[name] = v;
  }
  return checkOptionKeys(where, out, [...known], rules);
}
