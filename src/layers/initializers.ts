/** Keras's initializers, drawing from rnnlab's seeded generator, and their Keras serialization. */
import { nearName } from '../near_name.js';
import { dispose, tensorsIn, tidy } from '../ops/memory.js';
import { globalRandom } from '../random.js';
import { Tensor, type Shape } from '../tensor.js';
import { INITIALIZER_CLASSES, Initializer, fans, initializers, isBuiltInInitializerClass, savedInitializer } from './initializer_catalogue.js';
import { orthogonal } from './orthogonal.js';
import { unnamedClassName, unnamedLabel, UserClassRegistry } from './user_classes.js';

type BuiltinName = 'glorotUniform' | 'orthogonal' | 'zeros' | 'ones' | 'uniform' | 'glorotNormal' | 'heUniform';
/** A built-in name, or the key checkInitializer registers for a catalogue initializer (heNormal, a seeded one, ...). */
export type InitializerName = BuiltinName | (string & { readonly catalogueKey?: never });

type Fill = (shape: Shape, out: { length: number; [i: number]: number }) => void;

function uniformFill(out: { length: number; [i: number]: number }, limit: number): void {
  for (let i = 0; i < out.length; i++) out[i] = globalRandom.uniform(-limit, limit);
}

/** name -> fill function. A table (not a switch) so tests can count calls, e.g. that loading skips them. */
export const INITIALIZERS: Record<string, Fill> = {
  zeros: (_s, out) => { for (let i = 0; i < out.length; i++) out[i] = 0; },
  ones: (_s, out) => { for (let i = 0; i < out.length; i++) out[i] = 1; },
  uniform: (_s, out) => uniformFill(out, 0.05),
  glorotUniform: (shape, out) => { const [fi, fo] = fans(shape); uniformFill(out, Math.sqrt(6 / (fi + fo))); },
  heUniform: (shape, out) => uniformFill(out, Math.sqrt(6 / fans(shape)[0])),
  glorotNormal: (shape, out) => {
    // Keras truncates at two standard deviations and rescales by 0.8796 to keep the variance.
    const [fi, fo] = fans(shape);
    const std = Math.sqrt(2 / (fi + fo)) / 0.87962566103423978;
    for (let i = 0; i < out.length; i++) {
      let v: number;
      do v = globalRandom.normal(); while (Math.abs(v) > 2);
      out[i] = v * std;
    }
  },
  orthogonal: (shape, out) => {
    // Keras and tfjs refuse it too: a vector has no orthonormal rows to speak of.
    if (shape.length < 2) throw new Error(`Orthogonal initializer: needs a weight of rank 2 or more, got shape [${shape.join(', ')}]`);
    orthogonal(shape, out, globalRandom);
  },
};

const BUILTIN = Object.keys(INITIALIZERS);
/** Keras configs of the catalogue initializers registered below, by key. */
const REGISTERED = new Map<string, { className: string; config: Record<string, unknown>; label?: string }>();

/** Keys of the instances of subclasses without a static className: no name and config tell two such classes apart. */
const unnamedKeys = new WeakMap<Initializer, string>();

/** Makes a catalogue initializer usable by name: layers keep the key and fill through INITIALIZERS. */
function register(init: Initializer): InitializerName {
  const className = init.getClassName(), config = init.getConfig();
  const unnamed = className === '' && init.constructor !== Initializer;
  if (unnamed && !unnamedKeys.has(init)) unnamedKeys.set(init, `#unnamed${REGISTERED.size}`);
  const key = unnamed ? unnamedKeys.get(init)! : `${className}${JSON.stringify(config)}`;
  // A subclass's own instance is kept, not one per config: a later one with the same config fills alike.
  if (!REGISTERED.has(key) || init.constructor !== Initializer) {
    REGISTERED.set(key, { className, config, ...(unnamed ? { label: init.constructor.name || 'the initializer class' } : {}) });
    // A subclass that overrides apply (tfjs's contract) fills from it; the others fill as they were built to.
    INITIALIZERS[key] = init.apply === Initializer.prototype.apply ? (shape, out) => init.fill(shape, out) : (shape, out) => fillFromApply(init, shape, out);
  }
  return key;
}

function fillFromApply(init: Initializer, shape: Shape, out: { length: number; [i: number]: number }): void {
  // tidy disposes what apply made on the way; tensors the instance holds afterwards (a cache) are returned, so kept.
  const [t] = tidy(() => [init.apply(shape) as unknown as Tensor, ...tensorsIn(init)]) as unknown[];
  try {
    if (!(t instanceof Tensor) || t.size !== out.length) {
      throw new Error(`initializer ${init.getClassName() || init.constructor.name}: apply(shape) must return an rl.Tensor of shape [${shape.join(', ')}], got ${t instanceof Tensor ? `shape [${t.shape.join(', ')}]` : typeof t}`);
    }
    for (let i = 0; i < out.length; i++) out[i] = t.values[i] as number;
  } finally {
    // The values are copied into the weight (tfjs's addWeight disposes its initial value too), unless the instance keeps it.
    if (t instanceof Tensor && !tensorsIn(init).includes(t)) dispose(t);
  }
}

const isBuiltInName = (name: string): boolean => Object.hasOwn(NAMED_CLASSES, name) || isBuiltInInitializerClass(name);

/** The custom initializer classes rl.serialization.registerClass made known to loading. */
export const userInitializers = new UserClassRegistry<Initializer>('initializer', Initializer, isBuiltInName);

/** A subclass is saved under getClassName(): a built-in's name would load as that initializer, silently another one. */
function checkSubclass(where: string, init: Initializer): Initializer {
  if (init.constructor === Initializer) return init;
  const name = init.getClassName(), label = init.constructor.name || 'the initializer class';
  const own = init.constructor as { className?: unknown };
  if (typeof name === 'string' && name !== '' && isBuiltInName(name)) {
    throw new Error(`${where}: ${label} is named ${JSON.stringify(name)}, a built-in initializer's name, which saved models load as; give it its own static className`);
  }
  // Without one it trains, as in tfjs; saving it is refused (modelTopology), as no file could load it.
  if (name !== '' && !Object.hasOwn(own, 'className')) {
    throw new Error(`${where}: ${label} needs its own static className (the name saved in model.json, and the one rl.serialization.registerClass loads it by)`);
  }
  return init;
}

/**
 * The initializer names tfjs 4.22 and Keras 3 take as strings, besides tfjs's camelCase identifiers (the
 * catalogue's keys): tfjs's class names, Keras's class names, snake_case names and aliases; each to its class.
 */
const NAMED_CLASSES: Record<string, string> = Object.fromEntries([
  // A bare Constant is Keras's Constant() (value 0); tfjs 4.22 refuses it ("config must have value set").
  ...['Zeros', 'Ones', 'Constant', 'RandomNormal', 'RandomUniform', 'TruncatedNormal', 'VarianceScaling', 'GlorotNormal',
    'GlorotUniform', 'HeNormal', 'HeUniform', 'LeCunNormal', 'LeCunUniform', 'LecunNormal', 'LecunUniform', 'Identity',
    'Orthogonal'].map((c) => [c, c]),
  ['IdentityInitializer', 'Identity'], ['OrthogonalInitializer', 'Orthogonal'],
  ...Object.entries({
    zeros: 'Zeros', zero: 'Zeros', ones: 'Ones', one: 'Ones', random_normal: 'RandomNormal', normal: 'RandomNormal',
    random_uniform: 'RandomUniform', uniform: 'RandomUniform', truncated_normal: 'TruncatedNormal',
    variance_scaling: 'VarianceScaling', glorot_normal: 'GlorotNormal', glorot_uniform: 'GlorotUniform',
    he_normal: 'HeNormal', he_uniform: 'HeUniform', lecun_normal: 'LecunNormal', lecun_uniform: 'LecunUniform',
    identity: 'Identity', orthogonal: 'Orthogonal',
  }),
]);

const catalogueByName = initializers as Record<string, ((a?: never) => Initializer) | undefined>;

export function checkInitializer(layer: string, what: string, v: unknown): InitializerName {
  if (typeof v === 'string' && Object.hasOwn(INITIALIZERS, v)) return v;
  if (typeof v === 'string' && Object.hasOwn(catalogueByName, v)) return register(catalogueByName[v]!());
  // tfjs's class names ('HeNormal') and Keras's class and snake_case names ('LecunNormal', 'he_normal'), exactly.
  if (typeof v === 'string' && Object.hasOwn(NAMED_CLASSES, v)) return deserializeInitializer({ className: NAMED_CLASSES[v], config: {} }, `${layer}: ${what}`);
  if (v instanceof Initializer) return register(checkSubclass(`${layer}: ${what}`, v));
  if (typeof v === 'object' && v !== null) return deserializeInitializer(v, `${layer}: ${what}`);
  const given = typeof v === 'function' ? 'a function (a layer option takes a name, an rl.initializers object or a {className, config} object)' : JSON.stringify(v);
  throw new Error(`${layer}: unknown ${what} ${given}; use one of ${[...new Set([...BUILTIN, ...Object.keys(initializers)])].join(', ')}`);
}


/** Keras's {className, config} for an initializer, in a form tfjs loads too (camelCase keys; src/io writes snake_case). */
export function serializeInitializer(name: InitializerName): { className: string; config: Record<string, unknown> } {
  const registered = REGISTERED.get(name);
  if (registered?.label !== undefined) return { className: unnamedClassName(registered.label), config: { ...registered.config } };
  if (registered) return savedInitializer(registered.className, registered.config);
  switch (name) {
    case 'glorotUniform': return { className: 'GlorotUniform', config: { seed: null } };
    case 'glorotNormal': return { className: 'GlorotNormal', config: { seed: null } };
    case 'heUniform': return { className: 'HeUniform', config: { seed: null } };
    case 'orthogonal': return { className: 'Orthogonal', config: { gain: 1, seed: null } };
    case 'zeros': return { className: 'Zeros', config: {} };
    case 'ones': return { className: 'Ones', config: {} };
    case 'uniform': return { className: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } };
    default: throw new Error(`unknown initializer '${String(name)}'`);
  }
}

/**
 * The catalogue's class names, for errors: fixed, unlike INITIALIZERS, which grows with every registered key.
 * Factories without a seed draw nothing when built.
 */
const CLASS_NAMES = Object.values(catalogueByName).map((make) => make!().className);

/** Keras 2's short class names (any case). */
const SHORT_CLASSES: Record<string, string> = { zero: 'zeros', one: 'ones', uniform: 'randomuniform' };

/** A Keras initializer ({className, config} or a bare class name) as rnnlab's name; anything else is an error. */
function deserializeInitializer(v: unknown, where: string): InitializerName {
  let cls: unknown = v, cfg: Record<string, unknown> = {};
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    cls = o.className;
    // Keras 3's early class names (OrthogonalInitializer) and the other spellings a file may hold.
    if (typeof cls === 'string' && Object.hasOwn(NAMED_CLASSES, cls)) cls = NAMED_CLASSES[cls];
    if (typeof o.config === 'object' && o.config !== null) cfg = o.config as Record<string, unknown>;
  }
  const unnamed = unnamedLabel(cls);
  if (unnamed !== null) throw new Error(`${where}: the initializer ${unnamed} has no static className, so a layer cannot be rebuilt from its config (a Bidirectional's backward copy, a clone, a saved model); give the class one`);
  if (userInitializers.has(cls)) {
    try { return register(userInitializers.make(cls, cfg)); } catch (e) { throw new Error(`${where}: ${(e as Error).message}`); }
  }
  const lower = typeof cls === 'string' ? cls.replace(/_/g, '').toLowerCase() : '';
  const key = Object.hasOwn(SHORT_CLASSES, lower) ? SHORT_CLASSES[lower] : lower;
  if (!Object.hasOwn(INITIALIZER_CLASSES, key)) {
    const given = typeof cls === 'string' ? `class ${JSON.stringify(cls)}` : JSON.stringify(v);
    const hint = typeof cls === 'string' && !nearName(cls, CLASS_NAMES) ? ` (a custom initializer class is loaded once registered with rl.serialization.registerClass(${cls}))` : '';
    throw new Error(`${where}: initializer ${given} is not supported; rnnlab's initializer classes are ${CLASS_NAMES.join(', ')}${hint}`);
  }
  // Built first so that every config key is checked, whichever fill is used below.
  let init: Initializer;
  try { init = INITIALIZER_CLASSES[key](cfg); } catch (e) { throw new Error(`${where}: ${(e as Error).message}`); }
  const simple: Record<string, BuiltinName> = {
    glorotuniform: 'glorotUniform', glorotnormal: 'glorotNormal', heuniform: 'heUniform', orthogonal: 'orthogonal',
    zeros: 'zeros', ones: 'ones', randomuniform: 'uniform',
  };
  // Unseeded classic ones keep their built-in fills (saved models load to the same draws as before). VarianceScaling
  // keeps its class (and distribution) even where a preset draws the same.
  const c = init.config;
  const builtin = (c.seed === undefined || c.seed === null) && Object.hasOwn(simple, key)
    && (key !== 'randomuniform' || c.minval === -0.05 && c.maxval === 0.05) && (key !== 'orthogonal' || c.gain === 1);
  return builtin ? simple[key] : register(init);
}
