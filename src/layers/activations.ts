import type { Activation } from '../autograd/ops.js';

export const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'hard_sigmoid'];

/** Accepts Keras spellings too (hardSigmoid / hard_sigmoid, null for linear). */
export function checkActivation(layer: string, a: unknown): Activation {
  const name = a === null || a === undefined ? 'linear' : a === 'hardSigmoid' ? 'hard_sigmoid' : a;
  if (typeof name !== 'string' || !(ACTIVATIONS as readonly string[]).includes(name)) {
    throw new Error(`${layer}: unknown activation '${String(a)}'; use one of ${ACTIVATIONS.join(', ')}`);
  }
  return name as Activation;
}
