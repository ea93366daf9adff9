/**
 * rl.serialization, as tfjs's: registerClass makes a custom layer (a subclass of rl.layers.Layer with a static
 * className) known to model loading, which then rebuilds it with fromConfig(getConfig()).
 */
import { Layer } from './layer.js';
import { registerLayer, type LayerClass } from './registry.js';

function registerClass(cls: LayerClass): void {
  const fn = cls as unknown as { prototype?: unknown };
  if (typeof fn !== 'function' || !(fn.prototype instanceof Layer)) {
    throw new Error('serialization.registerClass: expected a subclass of rl.layers.Layer');
  }
  if (!Object.prototype.hasOwnProperty.call(cls, 'className') || typeof cls.className !== 'string' || cls.className === '') {
    throw new Error(`serialization.registerClass: ${(cls as { name?: string }).name ?? 'the class'} needs its own static className (the name saved in model.json)`);
  }
  registerLayer(cls);
}

export const serialization = { registerClass };
