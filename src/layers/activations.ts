import * as ops from '../autograd/ops.js';
import type { Activation } from '../autograd/ops.js';
import { EXTRA_ACTIVATIONS } from '../autograd/extra_activations.js';
import { logSoftmaxLastAxis } from '../autograd/advanced_activation_ops.js';
import type { Tensor } from '../tensor.js';
import { describe } from '../describe.js';

/**
 * What a layer's activation option may be: the autograd ops' activations, and log_softmax (tfjs's 'logSoftmax'),
 * which works along the last axis and so has neither an elementwise kernel nor a GEMM epilogue.
 */
export type LayerActivation = Activation | 'log_softmax';

/** What a layer's activation option takes: LayerActivation in Keras's spelling, or tfjs's camelCase one. */
export type ActivationOption = LayerActivation | 'logSoftmax' | 'hardSigmoid' | 'geluNew';

/** The activations with native kernels (the only ones a recurrent cell can run). */
const KERNEL_ACTIVATIONS: readonly Activation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'hard_sigmoid'];
const ACTIVATIONS: readonly LayerActivation[] = [...KERNEL_ACTIVATIONS, ...(Object.keys(EXTRA_ACTIVATIONS) as Activation[]), 'log_softmax'];
/** tfjs's camelCase spellings of Keras's names. */
const TFJS_SPELLINGS: Record<string, LayerActivation> = { hardSigmoid: 'hard_sigmoid', geluNew: 'gelu_new', logSoftmax: 'log_softmax' };
/**
 * The names tfjs-layers' own activation classes spell in camelCase (its getConfig gives them so, its fromConfig and
 * getActivation know no other spelling, its files snake_case them); gelu_new is tfjs's class name as Keras spells it.
 */
const TFJS_NAMES: Partial<Record<LayerActivation, string>> = { hard_sigmoid: 'hardSigmoid', log_softmax: 'logSoftmax' };

/** An activation as getConfig gives it: tfjs's spelling, so tfjs's fromConfig takes a layer's or model's config. */
export function tfjsActivationName(a: LayerActivation): string {
  return TFJS_NAMES[a] ?? a;
}

/** Keras's spelling of an activation value that a config may give in tfjs's (anything else as given). */
export function kerasActivationName(given: unknown): unknown {
  return typeof given === 'string' && Object.hasOwn(TFJS_SPELLINGS, given) ? TFJS_SPELLINGS[given] : given;
}

/**
 * Accepts Keras and tfjs spellings (hardSigmoid / hard_sigmoid, gelu_new / geluNew, logSoftmax / log_softmax, null
 * for linear, Keras 3's {className: 'function', config: 'relu'}). hard_sigmoid is tfjs-layers' and Keras 2's
 * clip(0.2x + 0.5, 0, 1), not Keras 3's relu6(x + 3) / 6, so tfjs code and saved tfjs models keep their numbers.
 */
export function checkActivation(layer: string, given: unknown): LayerActivation {
  const a = typeof given === 'object' && given !== null ? activationObjectName(layer, given as Record<string, unknown>) : given;
  const name = a === null || a === undefined ? 'linear' : kerasActivationName(a);
  if (typeof name !== 'string' || !(ACTIVATIONS as readonly string[]).includes(name)) {
    throw new Error(`${layer}: unknown activation ${typeof name === 'string' ? `'${name}'` : describe(name)}; use one of ${ACTIVATIONS.join(', ')}`);
  }
  return name as LayerActivation;
}

/**
 * The name in an activation object: Keras 3's {className: 'function', config: 'relu'}, or tfjs's {className: 'relu'}
 * (its config, if any, empty or that same name). Anything else is refused, as tfjs refuses it.
 */
function activationObjectName(layer: string, o: Record<string, unknown>): unknown {
  const cls = o.className, cfg = o.config;
  if (typeof cls !== 'string') throw new Error(`${layer}: an activation object needs a className (an activation name, or 'function' with the name as config), got ${describe(o)}`);
  if (cls === 'function') return cfg;
  const emptyConfig = cfg === undefined || cfg === null || cfg === cls
    || (typeof cfg === 'object' && !Array.isArray(cfg) && Object.keys(cfg).length === 0);
  if (!emptyConfig) throw new Error(`${layer}: activation '${cls}' takes no config, got ${typeof cfg === 'string' ? JSON.stringify(cfg) : describe(cfg)}`);
  return cls;
}

/** For recurrent cells, whose step kernels apply the activation natively. */
export function checkKernelActivation(layer: string, option: string, given: unknown): Activation {
  const a = checkActivation(layer, given);
  if (!(KERNEL_ACTIVATIONS as readonly string[]).includes(a)) {
    throw new Error(`${layer}: ${option} '${a}' is not supported in a recurrent cell; use one of ${KERNEL_ACTIVATIONS.join(', ')}`);
  }
  return a as Activation;
}

/** The activation applied to x on its own (after a layer's product): the autograd op, or log_softmax's. */
export function applyActivation(x: Tensor, act: LayerActivation): Tensor {
  return act === 'log_softmax' ? logSoftmaxLastAxis(x) : ops.activation(x, act);
}

/** What a fused product (dense, conv1d) can apply itself, and what is left to applyActivation after it. */
export function splitActivation(act: LayerActivation): { fused: Activation; after: LayerActivation } {
  return act === 'log_softmax' ? { fused: 'linear', after: act } : { fused: act, after: 'linear' };
}
