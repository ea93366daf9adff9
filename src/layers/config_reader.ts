/**
 * Class.fromConfig as rl.layerClasses exports it: a config as Keras's get_config writes it (snake_case keys:
 * reset_after, return_sequences) or as tfjs's getConfig does (camelCase) builds the layer it describes. Keys are
 * read with the model loader's conversion (src/io/keras_config.ts convertKeys, at every depth, so a Bidirectional's
 * wrapped layer and an RNN's cell too); a key given in both spellings, and a key the class does not read, are errors
 * naming it (with the nearest known name), where they would otherwise leave the option at its default. The classes
 * the registry holds, which model loading calls, are left alone: loading converts and checks keys itself.
 */
import { describe } from '../describe.js';
import { camelKey, nearName } from '../near_name.js';
import { isPlainObject } from '../plain_object.js';
import { knownArgs, snakeCase, type Layer } from './layer.js';
import { withLoadedConfigCheck } from './registry.js';
import { withCustomObjects } from './serialization.js';

/** Keras 3 writes these unset (LoRA and quantization, not implemented here): null changes nothing, a value is an error. */
const IGNORED_WHEN_UNSET = ['loraRank', 'loraAlpha', 'quantizationConfig'];

/**
 * What a layer class may declare for this check: fromConfigKeys, the keys its fromConfig checks itself (CellRNN:
 * all of them); fromConfigOnlyKeys, the only keys its fromConfig reads (InputLayer).
 */
interface ConfigClass {
  readonly className: string;
  readonly prototype: unknown;
  fromConfig(...args: unknown[]): Layer;
  fromConfigKeys?(config: Record<string, unknown>): readonly string[];
  readonly fromConfigOnlyKeys?: readonly string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}



/** The error for one config object giving one key in two spellings; model loading (convertKeys) says the same. */
export function twoSpellingsMessage(where: string, path: string, first: string, second: string): string {
  return `${where}: the config${path} gives both '${first}' and '${second}', two spellings (Keras's snake_case, tfjs's camelCase) of one option; give one`;
}

/**
 * v with every key of its plain objects, at any depth, in camelCase; an object giving one key in two spellings
 * (reset_after and resetAfter) is an error naming both.
 */
function camelConfig(v: unknown, where: string, path: string, depth = 0): unknown {
  if (depth > 64) throw new Error(`${where}: the config is nested more than 64 levels deep`);
  if (Array.isArray(v)) return v.map((x, i) => camelConfig(x, where, `${path}[${i}]`, depth + 1));
  // Only a config's own dictionaries: class instances among the values (an rl.regularizers object, a Tensor) stay as given.
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  const seen = new Map<string, string>();
  for (const [k, x] of Object.entries(v)) {
    const camel = camelKey(k);
    const other = seen.get(camel);
    if (other !== undefined) throw new Error(twoSpellingsMessage(where, path, other, k));
    seen.set(camel, k);
    out[camel] = camelConfig(x, where, `${path}.${k}`, depth + 1);
  }
  return out;
}

/** Throws naming the first key of config (camelCase) that layer does not read; spelled: the key as the caller wrote it. */
function checkKeys(layer: Layer, config: Record<string, unknown>, where: string, spelled: ReadonlyMap<string, string>): void {
  const cls = layer.constructor as unknown as ConfigClass;
  const checkedByClass = new Set(cls.fromConfigKeys?.(config) ?? []);
  const known = cls.fromConfigOnlyKeys ? [...cls.fromConfigOnlyKeys] : knownArgs(layer);
  for (const [k, v] of Object.entries(config)) {
    if (v === undefined || checkedByClass.has(k) || known.includes(k)) continue;
    if (IGNORED_WHEN_UNSET.includes(k) && v === null) continue;
    const given = spelled.get(k) ?? k;
    const near = nearName(k, known);
    const shown = near === undefined ? undefined : given !== k ? snakeCase(near) : near;
    throw new Error(`${where}: unknown key '${given}' in the ${cls.className} config${shown ? ` (did you mean '${shown}'?)` : ''}; `
      + `${cls.className} reads ${known.join(', ')} (or their Keras snake_case names)`);
  }
}

/**
 * target.fromConfig(config[, customObjects]) (Keras's), or tfjs's fromConfig(cls, config[, customObjects]), with config's keys read as described above; where
 * names the call in errors (rl.layerClasses.GRU.fromConfig).
 */
export function fromConfigChecked(target: ConfigClass, where: string, args: readonly unknown[]): Layer {
  const [first, second, customObjects] = args;
  const tfjsForm = typeof first === 'function';
  // tfjs's fromConfig(cls, config, customObjects): a wrapper's inner layer (a cell, a wrapped layer) of a class
  // registered nowhere is found there, as modelFromJSON(json, customObjects) finds it.
  if (tfjsForm && customObjects !== undefined && customObjects !== null) {
    return withCustomObjects(where, customObjects, () => fromConfigChecked(target, where, [first, second]));
  }
  // Keras's from_config(config, custom_objects): the same, its second argument the custom objects.
  if (!tfjsForm && second !== undefined && second !== null) {
    return withCustomObjects(where, second, () => fromConfigChecked(target, where, [first]));
  }
  const raw = tfjsForm ? second : first;
  if (!isObject(raw)) throw new Error(`${where}: expected a config object (Keras's get_config or tfjs's getConfig), got ${describe(raw)}`);
  const config = camelConfig(raw, where, '') as Record<string, unknown>;
  const spelled = new Map(Object.keys(raw).map((k) => [camelKey(k), k]));
  // tfjs's form with another class (a user's subclass): built as before, its keys its author's business.
  if (tfjsForm && (first as { prototype?: unknown }).prototype !== target.prototype) return target.fromConfig(first, config);
  // Nested layers (a wrapped layer, a cell, a stack's cells) are checked as they are built.
  const nested = (layer: Layer, c: Record<string, unknown>, at: string) => checkKeys(layer, c, `${where} (${at})`, new Map());
  try {
    return withLoadedConfigCheck(nested, () => {
      const layer = target.fromConfig(config);
      checkKeys(layer, config, where, spelled);
      return layer;
    });
  } catch (e) {
    // The classes' own errors (a cell's unknown option, an RNN's key that is not its cell's) name the call too.
    if (e instanceof Error && !e.message.startsWith(where)) e.message = `${where}: ${e.message}`;
    throw e;
  }
}
