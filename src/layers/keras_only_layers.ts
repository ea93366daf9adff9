/**
 * Keras 3 sequence/text layers that tfjs-layers lacks and rnnlab does not provide either. keras.io's examples call
 * them (GroupQueryAttention, a TextVectorization layer in the model): each factory is present so
 * such a port stops with a sentence naming the layer and what to use, not "is not a function".
 */
const KERAS_ONLY_LAYERS = {
  groupQueryAttention: 'use layers.multiHeadAttention (every query head with its own key/value head)',
  einsumDense: 'use layers.dense (on the last axis) with layers.reshape / layers.permute',
  textVectorization: 'turn texts into ids outside the model (rl.preprocessing.Tokenizer, or `rnnlab train`, which vectorizes as Keras does), then feed the ids to layers.embedding',
  stringLookup: 'map strings to ids outside the model (rl.preprocessing.Tokenizer)',
} as const;

type KerasOnlyLayerName = keyof typeof KERAS_ONLY_LAYERS;

export const kerasOnlyLayerRefusals = Object.fromEntries(Object.entries(KERAS_ONLY_LAYERS).map(([name, instead]) => [name, () => {
  throw new Error(`layers.${name}: Keras 3 has this layer; rnnlab (as tfjs-layers) does not: ${instead}; see docs/API.md "Layers"`);
}])) as Record<KerasOnlyLayerName, (...args: unknown[]) => never>;
