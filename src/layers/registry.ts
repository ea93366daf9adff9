/**
 * className -> layer class, filled by each layer file as it loads (Keras's object registration). Saving and
 * loading look classes up here, so src/io never names a concrete layer.
 */
import { markBuiltInLayerClass } from './built_in_classes.js';
import type { Layer } from './layer.js';
import { kerasOnlyLayerMessage } from './keras_only_layers.js';

/** For src/io, which reads saved layers through this registry only. */
export { kerasOnlyLayerMessage };

/** A layer class as the registry sees it: its Keras name, its alias names, and the inverse of getConfig. */
export interface LayerClass {
  readonly className: string;
  readonly aliases?: readonly string[];
  fromConfig(config: Record<string, unknown>): Layer;
}

/** A layer as Keras serializes it, with camelCase keys (src/io converts to snake_case at the file boundary). */
export interface SerializedLayer { className: string; config: Record<string, unknown> }

const classes = new Map<string, LayerClass>();

export function registerLayer(cls: LayerClass): void {
  markBuiltInLayerClass(cls);
  for (const name of [cls.className, ...(cls.aliases ?? [])]) registerLayerName(name, cls);
}

/** One name only (rl.serialization files a custom class's className and each alias under its own stand-in). */
export function registerLayerName(name: string, cls: LayerClass): void {
  const had = classes.get(name);
  if (had && had !== cls) throw new Error(`registerLayer: '${name}' is already registered to another class`);
  classes.set(name, cls);
}

/** Classes one load consults before the registry (modelFromJSON's customObjects); null outside such a load. */
let scoped: ReadonlyMap<string, LayerClass> | null = null;

/**
 * Runs fn with these classes found by name ahead of the registered ones, as tfjs's and Keras's customObjects are; the
 * registry itself is left unchanged, so nothing outlives fn. Nested calls add to the outer map.
 */
export function withScopedLayerClasses<T>(map: ReadonlyMap<string, LayerClass>, fn: () => T): T {
  const was = scoped;
  scoped = was ? new Map([...was, ...map]) : map;
  try { return fn(); } finally { scoped = was; }
}

export function layerClass(name: string): LayerClass | undefined {
  return scoped?.get(name) ?? classes.get(name);
}

/** The registered class alone, for registering: a class scoped to one load is no name taken. */
export function registeredLayerClass(name: string): LayerClass | undefined {
  return classes.get(name);
}

/** Ends every unknown-class message: a custom layer loads once its class is registered under its saved name. */
export const REGISTER_CLASS_HINT = 'a custom layer class loads once registered: rl.serialization.registerClass(MyLayer), with static className set to the saved name';

/** Registered class names (aliases left out), for error messages. */
export function layerClassNames(): string[] {
  return [...new Set([...classes.values()].map((c) => c.className))];
}

/**
 * A layer's {className, config}. A custom getConfig that does not spread super.getConfig() leaves out the name and
 * trainable flag: for a user's class they are filled in from the layer (Keras and tfjs files always carry them), so
 * the saved file loads with the same names. A user's class that inherited a registered custom class's className
 * (an unregistered subclass) is refused: it would save under its parent's name and load as the parent.
 */
export function serializeLayer(layer: Layer): SerializedLayer {
  const className = layer.className;
  const registered = layerClass(className);
  // The registry holds rnnlab's classes themselves and a stand-in object for each user-registered class; such a
  // class must have its own static className (registerClass requires one), so one inherited means a subclass.
  if (typeof registered === 'object' && !Object.prototype.hasOwnProperty.call(layer.constructor, 'className')) {
    const label = (layer.constructor as { name?: string }).name || 'the subclass';
    throw new Error(`layer '${layer.name}' (class ${label}) cannot be saved: ${label} inherits the static className '${className}' of a registered custom class, so it would be saved as '${className}' and load as that class; give ${label} its own static className and register it with rl.serialization.registerClass(${label})`);
  }
  // A user's layer without its own className inherits the base's 'Layer', which no loader can make: refused at the
  // save, where the class can still be named, not at the load.
  if (className === 'Layer') {
    const label = (layer.constructor as { name?: string }).name || 'the class';
    throw new Error(`layer '${layer.name}' (class ${label}) cannot be saved: it has no static className, so it would be saved as 'Layer', which no loader can make; give ${label} a static className (e.g. static className = '${label}') and register it with rl.serialization.registerClass(${label})`);
  }
  const config = layer.getConfig();
  // rnnlab's own classes write exactly their keys (InputLayer has no trainable); a user's class gets the base's two.
  if (typeof registered === 'function') return { className, config };
  const filled: Record<string, unknown> = { name: layer.name, trainable: layer.trainable, ...config };
  filled.name ??= layer.name;
  filled.trainable ??= layer.trainable;
  return { className, config: filled };
}

/** A check of a layer read from a saved config against the config it was read from (src/io passes its own). */
export type LoadedConfigCheck = (layer: Layer, config: Record<string, unknown>, where: string, className: string) => void;

let loadedConfigCheck: LoadedConfigCheck | null = null;

/**
 * Runs fn with check applied to every layer that deserializeLayer builds from one of rnnlab's classes, nested ones
 * (a Bidirectional's wrapped layer, an RNN's cell) included. A user's registered class is left alone: its fromConfig
 * may read keys its getConfig does not write, as a Keras custom from_config may.
 */
export function withLoadedConfigCheck<T>(check: LoadedConfigCheck, fn: () => T): T {
  const was = loadedConfigCheck;
  loadedConfigCheck = check;
  try { return fn(); } finally { loadedConfigCheck = was; }
}

/** {className, config} -> an unbuilt layer; errors name the class. */
export function deserializeLayer(entry: unknown, where = 'layer'): Layer {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${where}: expected {className, config}, got ${JSON.stringify(entry) ?? String(entry)}`);
  const { className, config } = entry as { className?: unknown; config?: unknown };
  if (typeof className !== 'string') throw new Error(`${where}: the layer has no className`);
  const cls = layerClass(className);
  const kerasOnly = cls ? null : kerasOnlyLayerMessage(className, (config as { name?: unknown } | null)?.name);
  if (kerasOnly) throw new Error(`${where}: ${kerasOnly}`);
  if (!cls) throw new Error(`${where}: unknown layer class '${className}'; rnnlab has ${layerClassNames().join(', ')}; ${REGISTER_CLASS_HINT}`);
  const cfg = config ?? {};
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) throw new Error(`${where} (${className}): config must be an object`);
  const layer = cls.fromConfig(cfg as Record<string, unknown>);
  // The registry holds rnnlab's classes themselves, and a plain stand-in object for each user-registered class.
  if (loadedConfigCheck && typeof cls === 'function') loadedConfigCheck(layer, cfg as Record<string, unknown>, where, className);
  return layer;
}
