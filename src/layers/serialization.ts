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
import { Constraint, userConstraints } from './constraints.js';
import { Initializer } from './initializer_catalogue.js';
import { userInitializers } from './initializers.js';
import { Layer } from './layer.js';
import { L1L2, userRegularizers } from './regularizers.js';
import { layerClass, registerLayerName, type LayerClass } from './registry.js';

/** The class registered last under each custom name; the registry holds a stand-in that builds from it. */
const custom = new Map<string, UserLayerClass>();

function standIn(name: string): LayerClass {
  return {
    get className() { return custom.get(name)!.className; },
    fromConfig: (config) => {
      const cls = custom.get(name)!;
      // tfjs calls fromConfig(cls, config), which a user's override takes; Keras's from_config(config) takes one.
      const own = cls.fromConfig as (...args: unknown[]) => Layer;
      return own.length >= 2 ? own.call(cls, cls, config) : own.call(cls, config);
    },
  };
}

/** rl.layerClasses.Dense is a Proxy of the class the registry holds: the same class, by its prototype. */
function sameClass(a: LayerClass | undefined, b: UserLayerClass): boolean {
  return a !== undefined && (a as unknown as { prototype: unknown }).prototype === (b as unknown as { prototype: unknown }).prototype;
}

/** A user's layer class: its fromConfig is Keras's (config) or tfjs's (cls, config). */
type UserLayerClass = Omit<LayerClass, 'fromConfig'> & { fromConfig(...args: never[]): Layer };

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
    const had = layerClass(name);
    if (had && !sameClass(had, cls) && !custom.has(name)) {
      throw new Error(`serialization.registerClass(${label}): '${name}' is the name of rnnlab's built-in ${had.className} layer, which saved models load as; give ${label} another static className`);
    }
  }
  for (const name of names) {
    if (sameClass(layerClass(name), cls)) continue; // a built-in class registered again: already there
    const first = !custom.has(name);
    custom.set(name, cls);
    if (first) registerLayerName(name, standIn(name));
  }
  return cls;
}

export const serialization = { registerClass };
