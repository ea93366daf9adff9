/**
 * Keras 3 sequence/text layers that tfjs-layers lacks and rnnlab does not provide either. keras.io's examples call
 * them (TransformerBlock's MultiHeadAttention, a TextVectorization layer in the model): each factory is present so
 * such a port stops with a sentence naming the layer and what to use, not "is not a function".
 */
const KERAS_ONLY_LAYERS = {
  multiHeadAttention: 'use layers.attention (dot-product, Luong) or layers.additiveAttention (Bahdanau) on one head',
  groupQueryAttention: 'use layers.attention or layers.additiveAttention on one head',
  einsumDense: 'use layers.dense (on the last axis) with layers.reshape / layers.permute',
  textVectorization: 'turn texts into ids outside the model (rl.preprocessing.Tokenizer, or `rnnlab train`, which vectorizes as Keras does), then feed the ids to layers.embedding',
  stringLookup: 'map strings to ids outside the model (rl.preprocessing.Tokenizer)',
  integerLookup: 'map ids outside the model before layers.embedding',
  hashing: 'hash outside the model before layers.embedding',
  discretization: 'bucket values outside the model',
  groupNormalization: 'use layers.layerNormalization or layers.batchNormalization',
  unitNormalization: 'use layers.layerNormalization, or divide by rl.norm in a custom layer',
} as const;

type KerasOnlyLayerName = keyof typeof KERAS_ONLY_LAYERS;

export const kerasOnlyLayerRefusals = Object.fromEntries(Object.entries(KERAS_ONLY_LAYERS).map(([name, instead]) => [name, () => {
  throw new Error(`layers.${name}: Keras 3 has this layer; rnnlab (as tfjs-layers) does not: ${instead}; see docs/API.md "Layers"`);
}])) as Record<KerasOnlyLayerName, (...args: unknown[]) => never>;
