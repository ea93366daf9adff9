/**
 * The Keras JSON dialect at the file boundary: class_name + snake_case configs, as TensorFlow.js's Layers format
 * and Keras's model.to_json() write them. Layers speak camelCase and serialize themselves (getConfig, fromConfig,
 * the registry in src/layers); this file only converts keys and adds file positions to errors.
 */
import { snakeCase, type Layer, type SymbolicShape } from '../layers/layer.js';
import { REGISTER_CLASS_HINT, deserializeLayer, layerClass, layerClassNames, serializeLayer } from '../layers/registry.js';
import { ModelFormatError } from './errors.js';
import { describe } from '../describe.js';

export interface KerasLayerJSON { class_name: string; config: Record<string, unknown> }

/** Deeper configs are refused: real ones are a few levels deep, and recursion on a crafted one would overflow the stack. */
const MAX_CONFIG_DEPTH = 64;

/** Keys whose Keras spelling is not the regular snake_case of the camelCase one. */
const SNAKE_EXCEPTIONS: Record<string, string> = { beta1: 'beta_1', beta2: 'beta_2' };

function snakeKey(k: string): string {
  return Object.hasOwn(SNAKE_EXCEPTIONS, k) ? SNAKE_EXCEPTIONS[k] : snakeCase(k);
}

function camelKey(k: string): string {
  return k.indexOf('_') < 0 ? k : k.replace(/_+([a-zA-Z0-9]|$)/g, (_m, c: string) => c.toUpperCase());
}

/**
 * The one place keys change case: every object key in value, recursively, to 'snake' (writing) or 'camel'
 * (reading). Values are left alone. Throws ModelFormatError past MAX_CONFIG_DEPTH levels.
 */
export function convertKeys(value: unknown, to: 'snake' | 'camel', where = 'config', depth = 0): unknown {
  if (depth > MAX_CONFIG_DEPTH) throw new ModelFormatError(`${where}: nested more than ${MAX_CONFIG_DEPTH} levels deep; this is not a model configuration`);
  if (Array.isArray(value)) return value.map((v) => convertKeys(v, to, where, depth + 1));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  const key = to === 'snake' ? snakeKey : camelKey;
  for (const [k, v] of Object.entries(value)) out[key(k)] = convertKeys(v, to, where, depth + 1);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One layer as Keras JSON; batchInputShape goes on the model's first layer. */
export function layerToKeras(layer: Layer, batchInputShape: SymbolicShape | null = null): KerasLayerJSON {
  const { className, config } = serializeLayer(layer);
  const { batchInputShape: _own, ...rest } = config;
  const c = convertKeys(rest, 'snake') as Record<string, unknown>;
  if (batchInputShape) c.batch_input_shape = [...batchInputShape];
  return { class_name: className, config: c };
}

function checkBatchShape(v: unknown, where: string, key: string): SymbolicShape {
  if (!Array.isArray(v) || v.length < 2 || !v.every((d) => d === null || (Number.isSafeInteger(d) && (d as number) > 0))) {
    throw new ModelFormatError(`${where}: ${key} must be a list like [null, steps, features] of positive integers or null, got ${JSON.stringify(v)}`);
  }
  return v as SymbolicShape;
}

/** The input shape a camelCase layer config declares (batchInputShape, Keras 3's batchShape, or inputShape), or null. */
function declaredShape(c: Record<string, unknown>, where: string): SymbolicShape | null {
  if (c.batchInputShape !== undefined && c.batchInputShape !== null) return checkBatchShape(c.batchInputShape, where, 'batch_input_shape');
  if (c.batchShape !== undefined && c.batchShape !== null) return checkBatchShape(c.batchShape, where, 'batch_shape');
  if (c.inputShape !== undefined && c.inputShape !== null) {
    if (!Array.isArray(c.inputShape)) throw new ModelFormatError(`${where}: input_shape must be a list, got ${describe(c.inputShape)}`);
    return checkBatchShape([null, ...c.inputShape], where, 'input_shape');
  }
  return null;
}

/** The input shape a Keras layer config (snake or camel keys) declares, or null. */
export function declaredBatchShape(raw: Record<string, unknown>, where: string): SymbolicShape | null {
  return declaredShape(convertKeys(raw, 'camel', where) as Record<string, unknown>, where);
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

/** Parses {class_name, config} (at `where`, for errors) into an unbuilt rnnlab layer. */
export function layerFromKeras(entry: unknown, where: string, batchInputShape: SymbolicShape | null = null): Layer {
  if (!isObject(entry)) throw new ModelFormatError(`${where}: a layer must be an object {class_name, config}, got ${describe(entry)}`);
  const cls = entry.class_name ?? entry.className;
  if (typeof cls !== 'string') throw new ModelFormatError(`${where}: the layer has no class_name`);
  if (!layerClass(cls)) throw new ModelFormatError(`${where}: unknown layer class '${cls}'; rnnlab reads ${layerClassNames().join(', ')} (and InputLayer first); ${REGISTER_CLASS_HINT}`);
  const rawConfig = entry.config ?? {};
  if (!isObject(rawConfig)) throw new ModelFormatError(`${where} (${cls}): config must be an object, got ${describe(rawConfig)}`);
  const name = rawConfig.name;
  if (name !== undefined && (typeof name !== 'string' || name === '' || name.includes('/'))) {
    throw new ModelFormatError(`${where} (${cls}): name must be a non-empty string without '/', got ${describe(name)}`);
  }
  const at = `${where} (${cls}${name ? ` '${name}'` : ''})`;
  const config = convertKeys(rawConfig, 'camel', at) as Record<string, unknown>;
  const shape = batchInputShape ?? declaredShape(config, at);
  delete config.batchShape;
  delete config.inputShape;
  delete config.batchInputShape;
  if (shape) config.batchInputShape = shape;
  try {
    return deserializeLayer({ className: cls, config }, at);
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    const msg = inFileSpelling((e as Error).message, rawConfig);
    throw new ModelFormatError(msg.startsWith(at) ? msg : `${at}: ${msg}`, { cause: e });
  }
}
