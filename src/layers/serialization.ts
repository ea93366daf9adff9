/**
 * rl.serialization, as tfjs's: registerClass makes a custom layer (a subclass of rl.layers.Layer with a static
 * className), initializer, regularizer or constraint (a subclass of rl.Initializer, rl.L1L2 or rl.Constraint) known
 * to model loading, which then rebuilds it with fromConfig(getConfig()) (or new cls(config) without one).
 *
 * Registering another class under a custom name already taken replaces it, silently, as tfjs's SerializationMap
 * does: a notebook that runs a class's cell again registers the new class. A built-in layer's name (or alias) is
 * refused instead, where tfjs would replace its own Dense: saved models, checkpoints and ONNX import load built-in
 * layers through the same table, and would otherwise quietly build the custom class in their place.
 */
import { describe } from '../describe.js';
import { Constraint, userConstraints } from './constraints.js';
import { Initializer } from './initializer_catalogue.js';
import { userInitializers } from './initializers.js';
import { Layer } from './layer.js';
import { L1L2, userRegularizers } from './regularizers.js';
import { registeredLayerClass, registerLayerName, withScopedLayerClasses, type LayerClass } from './registry.js';

/** The class registered last under each custom name; the registry holds a stand-in that builds from it. */
const custom = new Map<string, UserLayerClass>();

function standIn(name: string): LayerClass {
  return standInFor(() => custom.get(name)!);
}

/** The user's class behind each stand-in the registry holds. */
const classes = new WeakMap<LayerClass, () => UserLayerClass>();

/** The user's class a registry entry stands in for (the one registered last, or scoped to a load), or undefined for a built-in. */
export function userLayerClassOf(registered: LayerClass): UserLayerClass | undefined {
  return classes.get(registered)?.();
}

/** The registry's view of a user's class, which classOf gives when asked (the one registered last, for a name). */
function standInFor(classOf: () => UserLayerClass, fromConfig?: (...args: unknown[]) => Layer): LayerClass {
  const standIn: LayerClass = {
    get className() { return classOf().className; },
    fromConfig: (config) => {
      const cls = classOf();
      return fromConfig ? fromConfig.call(cls, cls, config) : userFromConfig(cls, config);
    },
  };
  classes.set(standIn, classOf);
  return standIn;
}

/** A user's class made from a config by its own fromConfig: tfjs's fromConfig(cls, config), which a user's override takes, or Keras's from_config(config) for a one-argument one. */
export function userFromConfig(cls: UserLayerClass, config: unknown): Layer {
  const own = cls.fromConfig as (...args: unknown[]) => Layer;
  return own.length >= 2 ? own.call(cls, cls, config) : own.call(cls, config);
}

/** rl.layerClasses.Dense is a Proxy of the class the registry holds: the same class, by its prototype. */
function sameClass(a: LayerClass | undefined, b: UserLayerClass): boolean {
  return a !== undefined && (a as unknown as { prototype: unknown }).prototype === (b as unknown as { prototype: unknown }).prototype;
}

/** A user's layer class: its fromConfig is Keras's (config) or tfjs's (cls, config). */
export type UserLayerClass = Omit<LayerClass, 'fromConfig'> & { fromConfig(...args: never[]): Layer };

function registerClass<T extends UserLayerClass>(cls: T, ...unsupported: unknown[]): T {
  const fn = cls as unknown as { prototype?: unknown };
  const label = (cls as { name?: string }).name || 'the class';
  // tfjs registers custom initializers, regularizers and constraints the same way; model loading finds them by className.
  const others: [unknown, { register(c: never, label: string): void }][] = [[Initializer, userInitializers], [L1L2, userRegularizers], [Constraint, userConstraints]];
  const other = typeof fn === 'function' ? others.find(([base]) => fn.prototype instanceof (base as new () => unknown)) : undefined;
  if (other) {
    if (unsupported.some((a) => a !== undefined)) throw new Error(`serialization.registerClass(${label}): tfjs's package and name arguments are not supported; the class is saved and loaded under its static className`);
    other[1].register(cls as never, label);
    return cls;
  }
  if (typeof fn !== 'function' || !(fn.prototype instanceof Layer)) {
    throw new Error('serialization.registerClass: expected a subclass of rl.layers.Layer, rl.Initializer, rl.L1L2 or rl.Constraint');
  }
  if (!Object.prototype.hasOwnProperty.call(cls, 'className') || typeof cls.className !== 'string' || cls.className === '') {
    throw new Error(`serialization.registerClass: ${label} needs its own static className (the name saved in model.json)`);
  }
  // tfjs files these under tf.serialization.GLOBALCUSTOMOBJECT only; its loader, like rnnlab's, goes by className.
  if (unsupported.some((a) => a !== undefined)) {
    throw new Error(`serialization.registerClass(${label}): tfjs's package and name arguments are not supported; the layer is saved and loaded under its static className '${cls.className}'`);
  }
  // Only the class's own aliases: a subclass of a built-in inherits the built-in's (Conv1D's 'Convolution1D').
  const ownAliases = Object.prototype.hasOwnProperty.call(cls, 'aliases') ? cls.aliases ?? [] : [];
  const names = [cls.className, ...ownAliases];
  for (const name of names) {
    const had = registeredLayerClass(name);
    if (had && !sameClass(had, cls) && !custom.has(name)) {
      throw new Error(`serialization.registerClass(${label}): '${name}' is the name of rnnlab's built-in ${had.className} layer, which saved models load as; give ${label} another static className`);
    }
  }
  for (const name of names) {
    if (sameClass(registeredLayerClass(name), cls)) continue; // a built-in class registered again: already there
    const first = !custom.has(name);
    custom.set(name, cls);
    if (first) registerLayerName(name, standIn(name));
  }
  return cls;
}

/**
 * Runs fn (a model load) with customObjects' layer classes found by name before the registered ones, as tfjs's
 * modelFromJSON(json, customObjects) and Keras's custom_objects find them; registering nothing, so none outlives fn.
 * An entry is a layer class ({MyLayer}) or tfjs's [class, fromConfig] pair; the key is the className the file names.
 */
export function withCustomObjects<T>(where: string, customObjects: unknown, fn: () => T): T {
  if (customObjects === undefined || customObjects === null) return fn();
  if (typeof customObjects !== 'object' || Array.isArray(customObjects) || customObjects instanceof Map) {
    throw new Error(`${where}: customObjects must be an object {className: LayerClass}, got ${describe(customObjects)}`);
  }
  const scoped = new Map<string, LayerClass>();
  for (const [name, entry] of Object.entries(customObjects)) {
    const [cls, fromConfig] = Array.isArray(entry) ? entry as unknown[] : [entry];
    const ctor = cls as { prototype?: unknown; name?: string } | undefined;
    const at = `${where}: customObjects.${name}`;
    if (typeof ctor !== 'function' || !(ctor.prototype instanceof Layer)) {
      const other = typeof ctor === 'function' && [Initializer, L1L2, Constraint].find((base) => ctor.prototype instanceof base);
      if (other) throw new Error(`${at} is an rl.${other.name} subclass; customObjects holds layer classes only: register it once with rl.serialization.registerClass(${ctor.name || name}) before loading`);
      throw new Error(`${at} must be a subclass of rl.layers.Layer (or tfjs's [class, fromConfig] pair), got ${describe(entry)}`);
    }
    if (fromConfig !== undefined && fromConfig !== null && typeof fromConfig !== 'function') throw new Error(`${at}: the pair's second entry must be the class's fromConfig function, got ${describe(fromConfig)}`);
    const layerCls = cls as UserLayerClass;
    // As registerClass: the name a later save writes must be the class's own, not one inherited from a parent class.
    if (!Object.hasOwn(layerCls, 'className') || typeof layerCls.className !== 'string' || layerCls.className === '') {
      throw new Error(`${at}: ${ctor.name || 'the class'} needs its own static className (the name a saved model.json writes)`);
    }
    // As registerClass refuses it: saved, such a class writes the built-in's name and its own checks are skipped, so
    // the file would load as the plain built-in. A key alone may name a built-in: the class saves under its own name.
    const builtIn = registeredLayerClass(layerCls.className);
    // The registry holds a built-in class itself, and a plain stand-in object for a registered custom class.
    const isBuiltIn = typeof (builtIn as unknown) === 'function';
    if (builtIn && isBuiltIn && !sameClass(builtIn, layerCls)) {
      const label = ctor.name || 'the class';
      throw new Error(`${at}: '${layerCls.className}' is the name of rnnlab's built-in ${builtIn.className} layer, which saved models load as; give ${label} another static className`);
    }
    const own = fromConfig === layerCls.fromConfig ? undefined : fromConfig as ((...args: unknown[]) => Layer) | undefined;
    scoped.set(name, standInFor(() => layerCls, own ?? undefined));
  }
  return withScopedLayerClasses(scoped, fn);
}

export const serialization = { registerClass };
