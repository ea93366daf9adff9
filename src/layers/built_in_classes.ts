/**
 * Which layer classes are rnnlab's own: a user's subclass that overrides call() or computeMask() is treated as a
 * custom layer (Keras 3's mask rules), while rnnlab's classes keep the padding mask on ctx themselves.
 */
/** rnnlab's own layer classes and the bases they extend. */
const builtIn = new WeakSet<object>();

/** Marks a class and every class it extends as rnnlab's (registerLayer does it; unregistered ones call it). */
export function markBuiltInLayerClass(cls: object): void {
  for (let c: object | null = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) builtIn.add(c);
}

/** Whether one of rnnlab's classes that the layer's class extends defines `method` (a user's subclass of Dense: yes). */
export function builtInDefines(layer: object, method: PropertyKey): boolean {
  for (let p: object | null = Object.getPrototypeOf(layer); p; p = Object.getPrototypeOf(p)) {
    if (Object.prototype.hasOwnProperty.call(p, method) && builtIn.has((p as { constructor: object }).constructor)) return true;
  }
  return false;
}

/** tfjs's methods a user's layer writes; the engine's own (callTensors) are wrapped on instances only to observe them. */
const USER_WRITTEN = new Set<PropertyKey>(['call', 'apply', 'build', 'computeMask']);

/**
 * Whether a layer's method named `method` comes from rnnlab's classes rather than a user's subclass. One of tfjs's set
 * on the instance itself (a class field `call = (x) => ...`, `this.call = ...`) is the user's, as JavaScript calls it.
 */
export function builtInMethod(layer: object, method: PropertyKey): boolean {
  if (USER_WRITTEN.has(method) && typeof Object.getOwnPropertyDescriptor(layer, method)?.value === 'function') return false;
  let p: object | null = Object.getPrototypeOf(layer);
  while (p && !Object.prototype.hasOwnProperty.call(p, method)) p = Object.getPrototypeOf(p);
  return p === null || builtIn.has((p as { constructor: object }).constructor);
}
