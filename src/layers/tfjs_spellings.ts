/**
 * Option values tfjs spells in camelCase in memory and Keras's snake_case in files: tfjs's getConfig gives
 * 'hardSigmoid', 'channelsLast', 'fanAvg', its fromConfig refuses the snake_case spellings, and its file writer
 * snake-cases them (convertTsToPythonic). rnnlab's layers read either spelling; so a config going to a file gets
 * the snake_case one, and getConfig (a layer's, an initializer's, and model.getConfig(), which comes out of the file
 * form) gets tfjs's. Only these options' known values change, and only in rnnlab's own classes' configs, wherever
 * they are nested (convertKeys decides by each config's class; of a registered subclass of a built-in layer, only
 * the layer options): tfjs changes the case of every string value, which would rename a user's own values.
 */
import { camelKey, kerasKey } from '../near_name.js';
import { kerasActivationName, tfjsActivationName, type LayerActivation } from './activations.js';

type Spell = (value: string, to: 'snake' | 'camel') => string;

const activation: Spell = (v, to) => {
  const keras = kerasActivationName(v) as string;
  return to === 'snake' ? keras : tfjsActivationName(keras as LayerActivation);
};

/** A closed list of snake_case values, each written as given and read as its camelCase. */
function among(snake: readonly string[]): Spell {
  return (v, to) => {
    const s = kerasKey(v);
    if (!snake.includes(s)) return v;
    return to === 'snake' ? s : camelKey(s);
  };
}

const FAN_MODES = among(['fan_in', 'fan_out', 'fan_avg']);

/**
 * tfjs's VarianceScaling draws its truncated normal for 'normal' and a uniform for any other value, its own
 * 'truncatedNormal' included; so Keras's truncated_normal is tfjs's 'normal' (which Keras 2 read as truncated too),
 * and a file gets Keras's truncated_normal for either. tfjs has no untruncated normal: its camelCase spelling, which
 * tfjs's loader refuses by name, keeps the option from passing for another distribution.
 */
const distribution: Spell = (v, to) => {
  if (v === 'truncated_normal' || v === 'truncatedNormal' || v === 'normal') return to === 'snake' ? 'truncated_normal' : 'normal';
  if (v === 'untruncated_normal' || v === 'untruncatedNormal') return to === 'snake' ? 'untruncated_normal' : 'untruncatedNormal';
  return v;
};

/** The layer options a built-in layer's getConfig spells so, by camelCase key. */
const LAYER_SPELLINGS: Record<string, Spell> = {
  activation,
  recurrentActivation: activation,
  dataFormat: among(['channels_last', 'channels_first']),
};

/** By the option's camelCase key: the layers' and VarianceScaling's (and its subclasses'). */
const SPELLINGS: Record<string, Spell> = { ...LAYER_SPELLINGS, mode: FAN_MODES, distribution };

/**
 * value, under the option `key` (either spelling), as a file ('snake') or tfjs's getConfig ('camel') spells it.
 * `options` 'layer' respells only the layer options, for a config whose other keys are not a built-in's own (a
 * registered subclass's).
 */
export function optionValueSpelling(key: string, value: unknown, to: 'snake' | 'camel', options: 'any' | 'layer' = 'any'): unknown {
  const table = options === 'layer' ? LAYER_SPELLINGS : SPELLINGS;
  const spell = typeof value === 'string' && Object.hasOwn(table, camelKey(key)) ? table[camelKey(key)] : undefined;
  return spell ? spell(value as string, to) : value;
}

/** A config of one of rnnlab's own classes as its getConfig gives it: each option value in tfjs's spelling. */
export function tfjsSpelled(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, optionValueSpelling(k, v, 'camel')]));
}

/** The data format of rnnlab's layers (all channels-last) as their getConfig writes it. */
export const CHANNELS_LAST = optionValueSpelling('dataFormat', 'channels_last', 'camel') as 'channelsLast';
