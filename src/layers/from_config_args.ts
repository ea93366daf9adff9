import { describe } from '../describe.js';

/**
 * What a layer class's static fromConfig builds, and from what: Keras's from_config(config) builds the class it is
 * called on (`this`, so a subclass comes back as itself); tfjs's fromConfig(cls, config), which a subclass calls as
 * super.fromConfig(cls, config), builds cls. The overrides that read nested configs (a wrapped layer, a cell) take
 * both forms through this, as Layer.fromConfig does.
 */
export function fromConfigArgs<C extends abstract new (...args: never[]) => unknown>(self: C, name: string, first: unknown, second: unknown): { cls: C; config: Record<string, unknown> } {
  const tfjsForm = typeof first === 'function';
  const config = tfjsForm ? second : first;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new Error(`${name}.fromConfig: expected a config object${tfjsForm ? ' after the class (tfjs\'s fromConfig(cls, config))' : ''}, got ${describe(config)}`);
  }
  return { cls: (tfjsForm ? first : self) as C, config: config as Record<string, unknown> };
}
