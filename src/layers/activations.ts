import type { Activation } from '../autograd/ops.js';
import { EXTRA_ACTIVATIONS } from '../autograd/extra_activations.js';
import { describe } from '../describe.js';

/** The activations with native kernels (the only ones a recurrent cell can run). */
const KERNEL_ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'hard_sigmoid'];
const ACTIVATIONS: readonly Activation[] = [...KERNEL_ACTIVATIONS, ...(Object.keys(EXTRA_ACTIVATIONS) as Activation[])];

/**
 * Accepts Keras and tfjs spellings (hardSigmoid / hard_sigmoid, gelu_new / geluNew, null for linear, Keras 3's
 * {className: 'function', config: 'relu'}). hard_sigmoid is tfjs-layers' and Keras 2's clip(0.2x + 0.5, 0, 1),
 * not Keras 3's relu6(x + 3) / 6, so tfjs code and saved tfjs models keep their numbers.
 */
export function checkActivation(layer: string, given: unknown): Activation {
  const a = typeof given === 'object' && given !== null ? (given as { config?: unknown }).config : given;
  const name = a === null || a === undefined ? 'linear' : a === 'hardSigmoid' ? 'hard_sigmoid' : a === 'geluNew' ? 'gelu_new' : a;
  if (typeof name !== 'string' || !(ACTIVATIONS as readonly string[]).includes(name)) {
    throw new Error(`${layer}: unknown activation ${typeof name === 'string' ? `'${name}'` : describe(name)}; use one of ${ACTIVATIONS.join(', ')}`);
  }
  return name as Activation;
}

/** For recurrent cells, whose step kernels apply the activation natively. */
export function checkKernelActivation(layer: string, option: string, given: unknown): Activation {
  const a = checkActivation(layer, given);
  if (!KERNEL_ACTIVATIONS.includes(a)) {
    throw new Error(`${layer}: ${option} '${a}' is not supported in a recurrent cell; use one of ${KERNEL_ACTIVATIONS.join(', ')}`);
  }
  return a;
}
