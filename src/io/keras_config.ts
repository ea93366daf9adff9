/**
 * The Keras JSON dialect at the file boundary: class_name + snake_case configs, as TensorFlow.js's Layers format
 * and Keras's model.to_json() write them. Layers speak camelCase and serialize themselves (getConfig, fromConfig,
 * the registry in src/layers); this file only converts keys and adds file positions to errors.
 */
import { BuiltInLayer, checkKnownArgs, type Layer, type SymbolicShape } from '../layers/layer.js';
import { REGISTER_CLASS_HINT, deserializeLayer, kerasOnlyLayerMessage, layerClass, layerClassNames, serializeLayer, withLoadedConfigCheck } from '../layers/registry.js';
import { ModelFormatError } from './errors.js';
import { optionValueSpelling } from '../layers/tfjs_spellings.js';
import { describe } from '../describe.js';
import { camelKey, kerasKey, nearName } from '../near_name.js';
import { isBuiltInInitializerClass } from '../layers/initializer_catalogue.js';
import { userLayerClassOf } from '../layers/serialization.js';
import { checkRegularizer } from '../layers/regularizers.js';
import { checkConstraint } from '../layers/constraints.js';
import { twoSpellingsMessage } from '../layers/config_reader.js';

export interface KerasLayerJSON { class_name: string; config: Record<string, unknown> }

/** Deeper configs are refused: real ones are a few levels deep, and recursion on a crafted one would overflow the stack. */
const MAX_CONFIG_DEPTH = 64;


/**
 * What convertKeys does to option values: 'respell' gives the few options tfjs spells differently in memory
 * (tfjs_spellings.ts) the spelling of `to` (Keras's in a file, tfjs's in getConfig) in the configs of rnnlab's own
 * classes, each nested {className, config} by its class (ownSpelling); 'asWritten' leaves every value as given at
 * every depth (a file's configs are read so, as rnnlab's layers take either spelling and its errors then quote the
 * file).
 */
export type ValueSpelling = 'respell' | 'asWritten';

/**
 * Which option values of one config are respelled: 'all' (a built-in class's), 'layer' (a registered subclass of a
 * built-in layer: the layer options its built-in writes, its own keys as written), 'none' (another user's class);
 * null: none at any depth ('asWritten').
 */
type Own = 'all' | 'layer' | 'none' | null;

/**
 * The configs of users' classes as their getConfig returned them, by the file form convertKeys made of each. The
 * file form respells the built-in configs nested in a custom one to Keras's spelling, as tfjs's file writer does,
 * while in memory tfjs keeps a custom layer's config exactly; model.getConfig() and Sequential.fromConfig pass
 * through the file form (src/io/handlers.ts), so reading one back gives its memory form (memoryForm).
 */
let memoryForms: WeakMap<object, Record<string, unknown>> | null = null;

/**
 * Runs fn (one model.getConfig() or Sequential.fromConfig call) with the memory forms above kept; outside such a call
 * none is kept or read, so what a file, a save handler's artifacts or toJSON gives reads the same whatever object
 * holds it.
 */
export function withMemoryForms<T>(fn: () => T): T {
  const outer = memoryForms;
  memoryForms ??= new WeakMap();
  try { return fn(); } finally { memoryForms = outer; }
}

/**
 * The one place keys change case: every object key in value, recursively, to 'snake' (writing) or 'camel'
 * (reading), as tfjs does; keys that are not identifiers ('New York') are no option names and stay as given. Values
 * change only as `values` says (ValueSpelling); a user's class's config read back from the file form convertKeys
 * made of it is as its getConfig returned it (memoryForm). Throws ModelFormatError past MAX_CONFIG_DEPTH levels, and
 * where one object gives a key in both spellings (go_backwards and goBackwards): converted, one would silently
 * overwrite the other, where a layer's fromConfig refuses the pair.
 */
export function convertKeys(value: unknown, to: 'snake' | 'camel', where = 'config', depth = 0, values: ValueSpelling = 'respell'): unknown {
  return convert(value, to, where, depth, values === 'respell' ? 'all' : null);
}

/** `path` locates value in the converted object ('.cell.config'), for errors. */
function convert(value: unknown, to: 'snake' | 'camel', where: string, depth: number, own: Own, path = ''): unknown {
  if (depth > MAX_CONFIG_DEPTH) throw new ModelFormatError(`${where}: nested more than ${MAX_CONFIG_DEPTH} levels deep; this is not a model configuration`);
  if (Array.isArray(value)) return value.map((v, i) => convert(v, to, where, depth + 1, own, `${path}[${i}]`));
  if (!isObject(value)) return value;
  const cls = entryClass(value);
  const out: Record<string, unknown> = {};
  const spelledAs = new Map<string, string>();
  for (const [k, v] of Object.entries(value)) {
    const key = fileKey(k, to);
    const other = spelledAs.get(key);
    if (other !== undefined) throw new ModelFormatError(twoSpellingsMessage(where, path, other, k));
    spelledAs.set(key, k);
    if (cls !== null && k === 'config') out[key] = classConfig(cls, v as Record<string, unknown>, to, where, depth + 1, own, `${path}.${k}`);
    // A plain object in a built-in's config is part of it; in a user's, the user's own value.
    else out[key] = convert(own === 'all' || own === 'layer' ? optionValueSpelling(k, v, to, own === 'all' ? 'any' : 'layer') : v, to, where, depth + 1, own === 'all' ? 'all' : own && 'none', `${path}.${k}`);
  }
  return out;
}

/** The config of one {className, config} entry, its values respelled as its class says (ownSpelling) unless `outer` is null. */
function classConfig(cls: string, config: Record<string, unknown>, to: 'snake' | 'camel', where: string, depth: number, outer: Own, path = ''): Record<string, unknown> {
  const memory = to === 'camel' ? memoryForm(cls, config, where, depth) : undefined;
  if (memory) return memory;
  const own = outer === null ? null : ownSpelling(cls);
  const out = convert(config, to, where, depth, own, path);
  if (to === 'snake' && (own === 'layer' || own === 'none')) memoryForms?.set(out as object, convert(config, 'camel', where, depth, null) as Record<string, unknown>);
  return out as Record<string, unknown>;
}

/**
 * A user's class's config as its getConfig returned it (a fresh copy), where `file` is the file form convertKeys
 * made of it and still holds what it wrote; undefined for any other config.
 */
function memoryForm(cls: string, file: Record<string, unknown>, where: string, depth: number): Record<string, unknown> | undefined {
  const memory = memoryForms?.get(file);
  const own = memory ? ownSpelling(cls) : 'all';
  if (!memory || own === 'all' || JSON.stringify(convert(memory, 'snake', where, depth, own)) !== JSON.stringify(file)) return undefined;
  return convert(memory, 'camel', where, depth, null) as Record<string, unknown>;
}

/** Identifiers change case (scaleBy <-> scale_by); other keys ('New York', '') are no option names and stay. */
function fileKey(k: string, to: 'snake' | 'camel'): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(k)) return k;
  return to === 'snake' ? kerasKey(k) : camelKey(k);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The class an object {class_name | className, config: {...}} serializes, or null for any other object. */
function entryClass(v: Record<string, unknown>): string | null {
  const cls = v.class_name ?? v.className;
  return typeof cls === 'string' && isObject(v.config) ? cls : null;
}

/** The model classes a topology nests: Keras's Sequential and Functional, tfjs's Model. */
const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

function accepts(check: () => unknown): boolean {
  try { check(); return true; } catch { return false; }
}

/**
 * A built-in layer, a model or a built-in initializer (the registry holds a built-in layer class itself and a
 * stand-in object for a user's class).
 */
function builtInClass(name: string): boolean {
  const cls = layerClass(name);
  if (cls) return typeof cls === 'function';
  return MODEL_CLASSES.has(name) || isBuiltInInitializerClass(name);
}

/**
 * Which of a class's config values convertKeys respells (Own): a built-in class's all; a user's subclass of a
 * built-in layer's the layer options (its getConfig gives the built-in's in tfjs's spelling, so its file must hold
 * Keras's), its own options as written; other users' classes none. Built-in regularizers and constraints have none
 * of those options.
 */
function ownSpelling(name: string): 'all' | 'layer' | 'none' {
  if (builtInClass(name)) return 'all';
  const cls = layerClass(name);
  const user = cls ? userLayerClassOf(cls) as { prototype?: unknown } | undefined : undefined;
  return user?.prototype instanceof BuiltInLayer ? 'layer' : 'none';
}

/** One of rnnlab's own classes: a built-in layer, a model, an initializer, a regularizer or a constraint. */
function rnnlabClass(name: string): boolean {
  if (builtInClass(name)) return true;
  return !layerClass(name) && (accepts(() => checkRegularizer('', '', { className: name })) || accepts(() => checkConstraint('', '', { className: name })));
}

/**
 * Before a layer's config (camelCase, as getConfig gives it) is written: the configs of users' classes in it (the
 * layer's own, a custom layer a wrapper holds) must load back as given, so what would not is refused naming the
 * layer, its class and the key: a key whose case conversion does not come back (hidden_size is written hidden_size
 * and read as hiddenSize, at any depth, as tfjs reads it), and a value JSON cannot hold (jsonSafe). rnnlab's own
 * classes' configs are its own and come back.
 */
function checkUserConfigs(className: string, config: Record<string, unknown>, where: string): void {
  if (!rnnlabClass(className)) {
    for (const [k, v] of Object.entries(config)) checkUserValue(k, v, where, k, 'key', 1);
    return;
  }
  const nested = (v: unknown, depth: number): void => {
    if (depth > MAX_CONFIG_DEPTH) return;
    if (Array.isArray(v)) { for (const x of v) nested(x, depth + 1); return; }
    if (!isObject(v)) return;
    const cls = entryClass(v);
    if (cls !== null) {
      const c = v.config as Record<string, unknown>;
      checkUserConfigs(cls, c, `${where}: layer ${typeof c.name === 'string' ? `'${c.name}' ` : ''}(${cls})`);
      return;
    }
    for (const x of Object.values(v)) nested(x, depth + 1);
  };
  for (const v of Object.values(config)) nested(v, 1);
}

/** One entry of a user's config: its key (when an identifier) must come back through snake_case, its value too. */
function checkUserValue(key: string, v: unknown, where: string, path: string, what: 'key' | 'value', depth: number): void {
  const written = fileKey(key, 'snake'), back = fileKey(written, 'camel');
  if (back !== key) {
    throw new Error(`${where}: config ${what} '${path}' would not load back as given (files spell config keys in snake_case, '${written}', and loading reads them in camelCase, '${back}', as tfjs does); use camelCase keys in getConfig() and the constructor ('${back}')`);
  }
  jsonSafe(v, where, path, what, depth);
}

/**
 * A config value JSON holds as given: JSON writes NaN and Infinity as null, drops a function (and undefined) from an
 * object, writes undefined in a list as null, throws on a bigint, and writes a class instance (a Tensor, a Map, a
 * Date) as its fields or a string, which load back as a plain object. An undefined property is left out, which loads
 * back as the same absent option. `path` names the value in the config ('table.t', 'sizes[2]').
 */
function jsonSafe(v: unknown, where: string, path: string, what: 'key' | 'value', depth: number): void {
  if (depth > MAX_CONFIG_DEPTH) throw new ModelFormatError(`${where}: nested more than ${MAX_CONFIG_DEPTH} levels deep; this is not a model configuration`);
  const refuse = (holds: string): never => {
    throw new Error(`${where}: config ${what} '${path}' is ${holds}, which a saved file cannot hold as given; store plain numbers, strings, booleans, null, lists and plain objects (save a tensor's values as a list)`);
  };
  if (typeof v === 'number') { if (!Number.isFinite(v)) refuse(`${v} (JSON writes it as null)`); return; }
  if (typeof v === 'function') refuse('a function (JSON leaves it out)');
  if (typeof v === 'bigint') refuse(`the bigint ${v}n (JSON cannot write it)`);
  if (typeof v === 'symbol') refuse('a symbol (JSON leaves it out)');
  if (typeof v !== 'object' || v === null) return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (v[i] === undefined) refuse(`a list whose entry ${i} is undefined (JSON writes it as null)`);
      jsonSafe(v[i], where, `${path}[${i}]`, 'value', depth + 1);
    }
    return;
  }
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto !== Object.prototype && proto !== null) {
    const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
    refuse(`${typeof name === 'string' && name ? `a ${name}` : 'an object of a class'}, not a plain object (JSON writes its fields, and it loads back as a plain object)`);
  }
  for (const [k, x] of Object.entries(v)) checkUserValue(k, x, where, `${path}.${k}`, 'value', depth + 1);
}

/** One layer as Keras JSON; batchInputShape goes on the model's first layer. */
export function layerToKeras(layer: Layer, batchInputShape: SymbolicShape | null = null): KerasLayerJSON {
  const { className, config } = serializeLayer(layer);
  const { batchInputShape: _own, ...rest } = config;
  const where = `layer '${layer.name}' (${className})`;
  checkUserConfigs(className, rest, where);
  const c = classConfig(className, rest, 'snake', where, 0, 'all');
  if (batchInputShape) {
    c.batch_input_shape = [...batchInputShape];
    const memory = memoryForms?.get(c);
    if (memory) memory.batchInputShape = [...batchInputShape];
  }
  return { class_name: className, config: c };
}

function checkBatchShape(v: unknown, where: string, key: string): SymbolicShape {
  if (!Array.isArray(v) || v.length < 2 || !v.every((d) => d === null || (Number.isSafeInteger(d) && (d as number) > 0))) {
    throw new ModelFormatError(`${where}: ${key} must be a list like [null, steps, features] of positive integers or null, got ${JSON.stringify(v)}`);
  }
  return v as SymbolicShape;
}

/**
 * The input shape a camelCase layer config declares (batchInputShape, Keras 3's batchShape, inputShape or Keras 3's
 * shape, with batchSize as the batch entry), or null. Which spellings may be given together is InputLayer's own rule
 * (InputLayer.fromConfig, which layerFromKeras runs on the same keys), so this only reads them.
 */
function declaredShape(c: Record<string, unknown>, where: string): SymbolicShape | null {
  const given = (k: string) => c[k] !== undefined && c[k] !== null;
  if (given('batchInputShape')) return checkBatchShape(c.batchInputShape, where, 'batch_input_shape');
  if (given('batchShape')) return checkBatchShape(c.batchShape, where, 'batch_shape');
  const key = given('inputShape') ? 'inputShape' : given('shape') ? 'shape' : null;
  if (key === null) return null;
  const fileKey = key === 'inputShape' ? 'input_shape' : 'shape';
  if (!Array.isArray(c[key])) throw new ModelFormatError(`${where}: ${fileKey} must be a list, got ${describe(c[key])}`);
  const batch = given('batchSize') ? c.batchSize : null;
  if (batch !== null && !(Number.isSafeInteger(batch) && (batch as number) > 0)) throw new ModelFormatError(`${where}: batch_size must be a positive integer or null, got ${describe(batch)}`);
  return checkBatchShape([batch, ...(c[key] as unknown[])], where, fileKey);
}

/** The input shape a Keras layer config (snake or camel keys) declares, or null. */
export function declaredBatchShape(raw: Record<string, unknown>, where: string): SymbolicShape | null {
  return declaredShape(convertKeys(raw, 'camel', where, 0, 'asWritten') as Record<string, unknown>, where);
}

/** Layers name options in camelCase; errors about a file name them as the file spells them (return_sequences). */
function inFileSpelling(message: string, rawConfig: Record<string, unknown>): string {
  let out = message;
  for (const k of Object.keys(rawConfig)) {
    const camel = camelKey(k);
    // Only plain identifiers: a crafted key must not become a regular expression.
    if (camel !== k && /^[A-Za-z][A-Za-z0-9]*$/.test(camel)) out = out.replace(new RegExp(`\\b${camel}\\b`, 'g'), k);
  }
  return out;
}

/** Integer input dtypes Keras may write, read as int32. */
const NARROW_TO_INT32 = new Set(['int64', 'int16', 'int8', 'uint8', 'uint16']);

/** What Keras 2, Keras 3 and tfjs write in an InputLayer's config (snake or tfjs's camel spelling), and Keras 3's shape. */
const INPUT_LAYER_KEYS = new Set(['batch_input_shape', 'batchInputShape', 'batch_shape', 'batchShape', 'input_shape', 'inputShape', 'shape', 'batch_size', 'batchSize',
  'dtype', 'sparse', 'ragged', 'name', 'optional']);

/**
 * InputLayer's fromConfig reads the keys it knows; the others would be dropped, so they are refused here. Which shape
 * keys may be given together, and Keras 3's optional (false only), are left to InputLayer.fromConfig, so a file and
 * fromConfig take the same configs.
 */
function checkInputLayerKeys(raw: Record<string, unknown>, at: string): void {
  const unknown = Object.keys(raw).find((k) => !INPUT_LAYER_KEYS.has(k));
  if (unknown !== undefined) throw new ModelFormatError(`${at}: ${unknown} is not an InputLayer option rnnlab reads (it reads ${[...INPUT_LAYER_KEYS].filter((k) => !/[A-Z]/.test(k)).join(', ')})`);
}

/**
 * Keras 3 names a custom class by registered_name '<package>>Name' (keras.saving.register_keras_serializable); built-in
 * ones have null (or their class name). A custom class under a built-in's class_name would load as the built-in,
 * so every such entry, at any depth (layers, cells, initializers), is refused by name, unless its class_name is one
 * the user registered.
 */
export function checkRegisteredNames(v: unknown, where: string, depth = 0): void {
  if (depth > 64) return;
  if (Array.isArray(v)) { v.forEach((x) => checkRegisteredNames(x, where, depth + 1)); return; }
  if (!isObject(v)) return;
  const r = v.registered_name;
  // A class the user registered (rl.serialization.registerClass: a stand-in object, not one of rnnlab's classes) is theirs.
  const userClass = typeof v.class_name === 'string' && typeof layerClass(v.class_name) === 'object';
  if (typeof r === 'string' && r !== v.class_name && r.includes('>') && !userClass) {
    // Keras registers a few of its own layers under package 'keras' (ExtractPatches2D): built-ins rnnlab lacks.
    if (r.startsWith('keras>')) throw new ModelFormatError(`${where}: class_name '${String(v.class_name)}' (registered_name '${r}') is a Keras class rnnlab does not implement`);
    throw new ModelFormatError(`${where}: class_name '${String(v.class_name)}' has registered_name '${r}', a custom class registered in Python; rnnlab has only its built-in classes (${REGISTER_CLASS_HINT})`);
  }
  for (const x of Object.values(v)) checkRegisteredNames(x, where, depth + 1);
}

/** Where a model config holds layers: a model's list, a wrapper's layer, a Bidirectional's two (initializers are elsewhere). */
const LAYER_LIST_KEYS = new Set(['layers']);
const LAYER_KEYS = new Set(['layer', 'forward_layer', 'backward_layer', 'forwardLayer', 'backwardLayer']);

/**
 * A Keras-only layer (TextVectorization, StringLookup, ...; src/layers/keras_only_layers.ts) anywhere in the model is
 * refused with the factory's advice before any layer is read: a text model's string InputLayer, which comes first,
 * would otherwise fail with a message that does not say which layer is the problem. A class the user registered loads.
 */
export function checkKerasOnlyLayers(v: unknown, where: string, depth = 0): void {
  if (depth > 64 || !isObject(v) && !Array.isArray(v)) return;
  const check = (e: unknown): void => {
    if (!isObject(e)) return;
    const cls = e.class_name ?? e.className;
    if (typeof cls !== 'string' || layerClass(cls)) return;
    const message = kerasOnlyLayerMessage(cls, isObject(e.config) ? e.config.name : undefined);
    if (message) throw new ModelFormatError(`${where}: ${message}`);
  };
  for (const [k, x] of Object.entries(v)) {
    if (LAYER_LIST_KEYS.has(k) && Array.isArray(x)) x.forEach(check);
    else if (LAYER_KEYS.has(k)) check(x);
    checkKerasOnlyLayers(x, where, depth + 1);
  }
}

/** Parses {class_name, config} (at `where`, for errors) into an unbuilt rnnlab layer. */
export function layerFromKeras(entry: unknown, where: string, batchInputShape: SymbolicShape | null = null): Layer {
  if (!isObject(entry)) throw new ModelFormatError(`${where}: a layer must be an object {class_name, config}, got ${describe(entry)}`);
  const cls = entry.class_name ?? entry.className;
  if (typeof cls !== 'string') throw new ModelFormatError(`${where}: the layer has no class_name`);
  const kerasOnly = layerClass(cls) ? null : kerasOnlyLayerMessage(cls, isObject(entry.config) ? entry.config.name : undefined);
  if (kerasOnly) throw new ModelFormatError(`${where}: ${kerasOnly}`);
  if (!layerClass(cls)) throw new ModelFormatError(`${where}: unknown layer class '${cls}'; rnnlab reads ${layerClassNames().join(', ')} (and InputLayer first); ${REGISTER_CLASS_HINT}`);
  const rawConfig = entry.config ?? {};
  if (!isObject(rawConfig)) throw new ModelFormatError(`${where} (${cls}): config must be an object, got ${describe(rawConfig)}`);
  const name = rawConfig.name;
  if (name !== undefined && (typeof name !== 'string' || name === '' || name.includes('/'))) {
    throw new ModelFormatError(`${where} (${cls}): name must be a non-empty string without '/', got ${describe(name)}`);
  }
  const at = `${where} (${cls}${name ? ` '${name}'` : ''})`;
  if (cls === 'InputLayer') checkInputLayerKeys(rawConfig, at);
  checkKeras3Options(rawConfig, at);
  const config = memoryForm(cls, rawConfig, at, 0) ?? convertKeys(rawConfig, 'camel', at, 0, 'asWritten') as Record<string, unknown>;
  // Keras 3 writes token-id inputs as int64 (keras.Input(dtype='int64')); rnnlab's ids are int32, which holds any vocabulary.
  if (cls === 'InputLayer' && typeof config.dtype === 'string' && NARROW_TO_INT32.has(config.dtype)) config.dtype = 'int32';
  const shape = batchInputShape ?? declaredShape(config, at);
  // InputLayer.fromConfig gets the file's shape keys as written: its rule on which may be given together is the file's.
  if (cls !== 'InputLayer') {
    delete config.batchShape;
    delete config.inputShape;
    delete config.batchInputShape;
    if (shape) config.batchInputShape = shape;
  }
  try {
    return withLoadedConfigCheck(checkLoadedKeys, () => deserializeLayer({ className: cls, config }, at));
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    let msg = inFileSpelling((e as Error).message, rawConfig);
    // InputLayer's errors start with its own '<name> (InputLayer): ', which `at` already says.
    if (cls === 'InputLayer') msg = msg.replace(/^[^:]* \(InputLayer\): /, '');
    throw new ModelFormatError(msg.startsWith(at) ? msg : `${at}: ${msg}`, { cause: e });
  }
}

/** Keras 3 records the input shape each layer was built with; null matches any size (Keras records batch null). */
function sameShape(saved: unknown, actual: unknown): boolean {
  if (Array.isArray(actual) && Array.isArray(saved)) {
    if (actual.length !== saved.length) return false;
    return actual.every((d, i) => (Array.isArray(d) ? sameShape(saved[i], d) : saved[i] === null || d === null || saved[i] === d));
  }
  return false;
}

/**
 * Keras 3's build_config ({input_shape}) beside a layer, and a Sequential's build_input_shape: Keras builds the layer
 * from it, rnnlab infers the same shape from the model's input. They must agree (a hand-edited file that changed one
 * would otherwise load as the other), so a disagreement is an error naming both shapes. `actual` is one shape or,
 * for a layer called on several tensors, the list of them.
 */
export function checkBuildConfig(entry: unknown, actual: SymbolicShape | SymbolicShape[], at: string): void {
  if (!isObject(entry) || entry.build_config === undefined || entry.build_config === null) return;
  const bc = entry.build_config;
  if (!isObject(bc)) throw new ModelFormatError(`${at}: build_config must be an object {input_shape}, got ${describe(bc)}`);
  const extra = Object.keys(bc).find((k) => k !== 'input_shape' && k !== 'shapes_dict');
  if (extra !== undefined) throw new ModelFormatError(`${at}: build_config.${extra} is not read (rnnlab reads build_config.input_shape)`);
  // A layer built from several call arguments (an RNN given initial_state) has one shape per argument, first the input's.
  if (isObject(bc.shapes_dict)) {
    const [key, first] = Object.entries(bc.shapes_dict)[0] ?? [];
    const input = Array.isArray(actual[0]) ? actual[0] : actual;
    if (key !== undefined && !sameShape(first, input)) {
      throw new ModelFormatError(`${at}: build_config.shapes_dict.${key} is ${JSON.stringify(first)}, but the layer's input in this model is ${JSON.stringify(input)}`);
    }
    return;
  }
  if (bc.input_shape === undefined || bc.input_shape === null) return;
  if (!sameShape(bc.input_shape, actual)) {
    throw new ModelFormatError(`${at}: build_config.input_shape is ${JSON.stringify(bc.input_shape)}, but the layer's input in this model is ${JSON.stringify(actual)}`);
  }
}

/**
 * Whether Keras 2 wrote this model.json: tensorflowjs_converter copies Keras's keras_version ('2.13.1') into
 * modelTopology and writes generatedBy 'keras v2.13.1'; tfjs writes 'tfjs-layers …', rnnlab 'rnnlab …', Keras 3 '3.…'.
 */
export function writtenByKeras2(json: Record<string, unknown>, topology: Record<string, unknown>): boolean {
  if (typeof topology.keras_version === 'string') return /^2\./.test(topology.keras_version);
  return typeof json.generatedBy === 'string' && /^keras v2\./.test(json.generatedBy);
}

/**
 * Whether tfjs or rnnlab wrote this model.json (keras_version 'tfjs-layers …' or 'rnnlab …'): they write a
 * Sequential's InputLayer only when the model was built with one, and keep it in model.layers, where Keras lists one
 * in every config and hides it.
 */
export function writtenByTfjsOrRnnlab(topology: Record<string, unknown>): boolean {
  return typeof topology.keras_version === 'string' && /^(tfjs-layers|rnnlab) /.test(topology.keras_version);
}

/** The Keras version that wrote this model.json (keras_version, or the converter's generatedBy 'keras v3.6.0'), or null. */
function kerasVersionOf(json: Record<string, unknown>, topology: Record<string, unknown>): string | null {
  if (typeof topology.keras_version === 'string') return topology.keras_version;
  const m = typeof json.generatedBy === 'string' ? /^keras v(\d\S*)/.exec(json.generatedBy) : null;
  return m ? m[1] : null;
}

const HARD_SIGMOID_OPTIONS = ['activation', 'recurrent_activation', 'recurrentActivation'];

/**
 * Keras 3 redefined hard_sigmoid as relu6(x + 3) / 6, i.e. clip(x/6 + 0.5, 0, 1) (keras/src/activations/activations.py,
 * hard_sigmoid; https://www.tensorflow.org/api_docs/python/tf/keras/activations/hard_sigmoid: 0 at x <= -3, 1 at
 * x >= 3, x/6 + 0.5 between). rnnlab's is Keras 2's and tfjs's clip(0.2x + 0.5, 0, 1), which Keras 2 and tfjs files
 * mean, so a file Keras 3 (or later) wrote with it is refused, naming the file (`where`), the layer and the option,
 * rather than loaded to compute other numbers. `topology` is model.json's modelTopology.
 */
export function checkKeras3HardSigmoid(json: Record<string, unknown>, topology: Record<string, unknown>, where: string): void {
  const version = kerasVersionOf(json, topology);
  const major = version === null ? NaN : Number.parseInt(version, 10);
  if (!(major >= 3)) return;
  const found = findHardSigmoid(topology, 0);
  if (!found) return;
  throw new ModelFormatError(`${where}: layer '${found.name}' (${found.cls}): ${found.option} 'hard_sigmoid' in a file written by Keras ${version} is Keras 3's hard_sigmoid, relu6(x + 3)/6 = clip(x/6 + 0.5, 0, 1), `
    + 'but rnnlab computes Keras 2\'s and tfjs\'s clip(0.2x + 0.5, 0, 1), so the model would predict other numbers; rnnlab has no activation that computes Keras 3\'s');
}

/** The name an activation value gives: a string, tfjs's {class_name: name} or Keras 3's {class_name: 'function', config: name}. */
function activationName(v: unknown): unknown {
  if (!isObject(v)) return v;
  const cls = v.class_name ?? v.className;
  return cls === 'function' ? v.config : cls;
}

function findHardSigmoid(v: unknown, depth: number): { name: string; cls: string; option: string } | null {
  if (depth > MAX_CONFIG_DEPTH) return null;
  if (Array.isArray(v)) {
    for (const x of v) { const f = findHardSigmoid(x, depth + 1); if (f) return f; }
    return null;
  }
  if (!isObject(v)) return null;
  const cls = entryClass(v);
  if (cls !== null) {
    const config = v.config as Record<string, unknown>;
    const option = HARD_SIGMOID_OPTIONS.find((k) => ['hard_sigmoid', 'hardSigmoid'].includes(activationName(config[k]) as string));
    if (option) return { name: typeof config.name === 'string' ? config.name : '?', cls, option };
  }
  for (const x of Object.values(v)) { const f = findHardSigmoid(x, depth + 1); if (f) return f; }
  return null;
}

/**
 * A copy of a Keras 2 topology with each Bidirectional's wrapped (and backward) layer given zero_output_for_mask =
 * return_sequences. Keras 2's Bidirectional forces that value on the copies it runs but saves the layer it was given,
 * whose flag stays unsaved (Keras 2 writes it only when true), and forces it again on load: so a Keras 2 file computes
 * zeros at masked steps without saying so. Keras 3 saves the forced value, and tfjs has no such option.
 */
export function withKeras2BidirectionalMasking(value: unknown, depth = 0): Record<string, unknown> {
  return forceBidirectionalZeros(value, depth) as Record<string, unknown>;
}

function forceBidirectionalZeros(value: unknown, depth: number): unknown {
  if (depth > 64) return value;
  if (Array.isArray(value)) return value.map((v) => forceBidirectionalZeros(v, depth + 1));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = forceBidirectionalZeros(v, depth + 1);
  const config = out.config;
  if ((out.class_name ?? out.className) !== 'Bidirectional' || !isObject(config)) return out;
  for (const side of ['layer', 'backward_layer', 'backwardLayer']) {
    const inner = config[side];
    if (!isObject(inner) || !isObject(inner.config)) continue;
    const sequences = inner.config.return_sequences ?? inner.config.returnSequences;
    const rest = { ...inner.config };
    delete rest.zeroOutputForMask;
    config[side] = { ...inner, config: { ...rest, zero_output_for_mask: sequences === true } };
  }
  return out;
}

/** Keras 3 layer options that change what a layer computes and that rnnlab does not implement: refused when set. */
const UNIMPLEMENTED_KERAS3 = ['lora_rank', 'lora_alpha', 'quantization_config'];

function checkKeras3Options(raw: Record<string, unknown>, at: string): void {
  const set = UNIMPLEMENTED_KERAS3.find((k) => raw[k] !== undefined && raw[k] !== null);
  if (set) throw new ModelFormatError(`${at}: ${set} = ${JSON.stringify(raw[set])?.slice(0, 60)} is not supported (Keras 3's LoRA and quantized layers are not implemented)`);
}

/**
 * Keys Keras writes in layer configs that rnnlab reads nowhere, each at a value that changes nothing it computes:
 * Keras 3's LoRA and quantization options unset (set ones are refused by checkKeras3Options). Every other key must be
 * one the class reads (its getConfig keys, its argAliases, the base options and the off values of options it does
 * not implement: see checkKnownArgs). test/io/keras_config_keys.test.ts holds, per registered class, the keys
 * Keras 2.15 and Keras 3.0-3.16 get_config write and loads them at their default values; a class or a Keras key
 * missing from that table is not covered by it.
 */
const IGNORED_WHEN_UNSET = new Set(['loraRank', 'loraAlpha', 'quantizationConfig']);

const warnedKeys = new Set<string>();

/**
 * The loaded config of one of rnnlab's layer classes against what that class reads (src/layers/registry.ts runs this
 * on every layer a file's config builds, nested ones included), so a key would not be dropped without a word.
 * The known keys come from the layer itself (getConfig, argAliases, a class's fromConfigKeys), so a layer added to
 * the registry is covered as it is written.
 *
 * An unknown key with a value is an error naming the file, layer, class and key: Keras's from_config raises on a
 * keyword it does not know, so a file Keras wrote holds only keys its class takes, and one rnnlab does not know is a
 * typo, a hand edit, or an option of a newer Keras that rnnlab would otherwise ignore. An unknown key whose value is
 * null only warns: that is how a newer Keras writes a new option left unset (as Keras 3.x added lora_rank and
 * quantization_config), refusing it would refuse every file of that version, and null asks for nothing.
 */
function checkLoadedKeys(layer: Layer, config: Record<string, unknown>, where: string, className: string): void {
  // InputLayer's keys are checked by checkInputLayerKeys, in the file's own spelling.
  if (className === 'InputLayer') return;
  const cls = layer.constructor as { argAliases?: readonly string[]; fromConfigKeys?: (c: Record<string, unknown>) => readonly string[] };
  const readByFromConfig = new Set(cls.fromConfigKeys?.(config) ?? []);
  const unknown: string[] = [];
  for (const [k, v] of Object.entries(config)) {
    if (v === undefined || readByFromConfig.has(k) || (IGNORED_WHEN_UNSET.has(k) && v === null)) continue;
    try { checkKnownArgs(layer, { [k]: v }, where); } catch { unknown.push(k); }
  }
  if (unknown.length === 0) return;
  const known = [...new Set([...Object.keys(layer.getConfig()), ...(cls.argAliases ?? [])])].map(kerasKey);
  const valued = unknown.filter((k) => config[k] !== null);
  if (valued.length) {
    const k = valued[0];
    const near = nearName(kerasKey(k), known);
    throw new Error(`${where}: unknown key '${kerasKey(k)}' (= ${JSON.stringify(config[k])?.slice(0, 60)}) in the ${className} config`
      + `${valued.length > 1 ? ` (and ${valued.slice(1).map((x) => `'${kerasKey(x)}'`).join(', ')})` : ''}${near ? `; did you mean '${near}'?` : ''}; rnnlab's ${className} reads ${known.join(', ')}`);
  }
  const message = `${where}: not read: ${unknown.map((k) => `'${kerasKey(k)}'`).join(', ')} (null, so unset) in the ${className} config; rnnlab's ${className} does not know ${unknown.length > 1 ? 'these keys' : 'this key'}`;
  if (!warnedKeys.has(message)) console.warn(message);
  warnedKeys.add(message);
}
