import type { Activation } from '../autograd/ops.js';
import { describe } from './describe.js';

const ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'hard_sigmoid'];

/** Accepts Keras spellings too (hardSigmoid / hard_sigmoid, null for linear, Keras 3's {className: 'function', config: 'relu'}). */
export function checkActivation(layer: string, given: unknown): Activation {
  const a = typeof given === 'object' && given !== null ? (given as { config?: unknown }).config : given;
  const name = a === null || a === undefined ? 'linear' : a === 'hardSigmoid' ? 'hard_sigmoid' : a;
  if (typeof name !== 'string' || !(ACTIVATIONS as readonly string[]).includes(name)) {
    throw new Error(`${layer}: unknown activation ${typeof name === 'string' ? `'${name}'` : describe(name)}; use one of ${ACTIVATIONS.join(', ')}`);
  }
  return name as Activation;
}
