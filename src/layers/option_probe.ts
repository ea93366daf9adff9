/** The check of option keys that runs before a layer is built (rl.layers factories and rl.layerClasses both). */
import { checkKnownArgs, type Layer } from './layer.js';

/**
 * The option keys checked on a probe built under an explicit name, before the real layer is built: a refused
 * call must not take an automatic name (the next layers' dense_N names would shift). A wrapper renames the layer
 * it wraps (Bidirectional's forward_<name>), so the probe gives that name back. A probe the constructor refuses
 * is the error (named by `where` when no name was given), so that refusal takes no name either.
 */
export function checkKeysFirst(target: new (...args: never[]) => Layer, args: unknown, where: string): void {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return;
  const inner = (args as { layer?: unknown }).layer;
  const innerName = inner instanceof Object && 'name' in inner ? (inner as Layer).name : undefined;
  let probe: Layer;
  try {
    probe = Reflect.construct(target, [{ ...args, name: (args as { name?: unknown }).name ?? where }]) as Layer;
  } finally {
    if (innerName !== undefined) (inner as Layer).name = innerName;
  }
  checkKnownArgs(probe, args, where);
}
