/**
 * tfjs-layers' callback plumbing that rnnlab's fit does not have: each is exported so tfjs code that names it gets
 * an error saying what to do instead, not "is not a function".
 */

/** tfjs's CallbackList (fit's internal list of callbacks). */
export class CallbackList {
  constructor() {
    throw new Error("CallbackList is not supported by rnnlab: pass the callbacks to fit as a list (fit(x, y, {callbacks: [...]})), which runs them in order");
  }
}

/** tfjs's registerCallbackConstructor (callbacks fit adds by verbosity, as tfjs-node's progress bar). */
export function registerCallbackConstructor(_verbosityLevel?: number, _callbackConstructor?: unknown): never {
  throw new Error("registerCallbackConstructor is not supported by rnnlab: fit's verbose option prints Keras's progress lines; pass other callbacks in fit's callbacks");
}
