const IMAGE_ONLY = 'it is a 2D/3D or image layer, and rnnlab provides sequence layers only (conv1d, maxPooling1d, lstm, gru, ...)';
const FOREIGN_CODE = 'it runs another framework\'s code, which rnnlab cannot; write the computation as a custom layer (extend rl.layers.Layer; docs/API.md "Custom layers")';

/**
 * The layers of Keras 3's keras.layers (as of 3.15) that tfjs-layers lacks and rnnlab does not provide either,
 * under tfjs-style factory names (tfjs's own 2D/3D and image layers are refused in image_layers.ts). keras.io's
 * examples call some of them (GroupQueryAttention, a TextVectorization layer in the model): each factory is present
 * so such a port stops with a sentence naming the layer and what to use, not "is not a function".
 */
const KERAS_ONLY_LAYERS = {
  // attention, core, text
  groupQueryAttention: 'use layers.multiHeadAttention (every query head with its own key/value head)',
  einsumDense: 'use layers.dense (on the last axis) with layers.reshape / layers.permute',
  textVectorization: 'turn texts into ids outside the model (rl.preprocessing.Tokenizer, or `rnnlab train`, which vectorizes as Keras does), then feed the ids to layers.embedding',
  stringLookup: 'map strings to ids outside the model (rl.preprocessing.Tokenizer)',
  identity: "use layers.activation({activation: 'linear'}), which passes its input through",
  lambda: 'write the function as a custom layer (extend rl.layers.Layer and register it with rl.serialization.registerClass; docs/API.md "Custom layers")',
  reversibleEmbedding: 'use layers.embedding; for the tied output projection, a custom layer multiplying by its embeddings transposed',
  // 1-D convolution and pooling, recurrent
  separableConv1d: 'use layers.conv1d (a full convolution; SeparableConv1D factors one into a per-channel and a pointwise convolution)',
  depthwiseConv1d: 'rnnlab has no per-channel (grouped) convolution; use layers.conv1d, which mixes the channels',
  conv1dTranspose: "use layers.upSampling1d followed by layers.conv1d with padding 'same'",
  convLstm1d: 'its input is (batch, time, rows, channels); over (batch, steps, features) use layers.conv1d and layers.lstm',
  adaptiveAveragePooling1d: 'use layers.averagePooling1d with poolSize and strides chosen for the input length, or layers.globalAveragePooling1d for one step',
  adaptiveMaxPooling1d: 'use layers.maxPooling1d with poolSize and strides chosen for the input length, or layers.globalMaxPooling1d for one step',
  // normalization
  rmsNormalization: 'layers.layerNormalization is the nearest (it also subtracts the mean; its rmsScaling is not implemented either)',
  spectralNormalization: 'rnnlab has no weight-normalizing wrappers; a kernelConstraint (maxNorm, unitNorm) bounds a layer\'s weights instead',
  // preprocessing
  hashedCrossing: 'cross the features outside the model, or combine them into one integer and use layers.hashing',
  melSpectrogram: 'compute the spectrogram outside the model and feed its frames as (batch, steps, features)',
  stftSpectrogram: 'compute the spectrogram outside the model and feed its frames as (batch, steps, features)',
  pipeline: 'apply the layers in turn (rl.sequential, or one layer.apply after another)',
  // other frameworks
  tfsmLayer: FOREIGN_CODE,
  jaxLayer: FOREIGN_CODE,
  flaxLayer: FOREIGN_CODE,
  torchModuleWrapper: FOREIGN_CODE,
  // 2D/3D and image layers tfjs lacks too
  convLstm3d: IMAGE_ONLY,
  spatialDropout2d: IMAGE_ONLY,
  spatialDropout3d: IMAGE_ONLY,
  cropping3d: IMAGE_ONLY,
  upSampling3d: IMAGE_ONLY,
  zeroPadding3d: IMAGE_ONLY,
  globalAveragePooling3d: IMAGE_ONLY,
  globalAvgPool3d: IMAGE_ONLY,
  globalMaxPooling3d: IMAGE_ONLY,
  globalMaxPool3d: IMAGE_ONLY,
  adaptiveAveragePooling2d: IMAGE_ONLY,
  adaptiveAveragePooling3d: IMAGE_ONLY,
  adaptiveMaxPooling2d: IMAGE_ONLY,
  adaptiveMaxPooling3d: IMAGE_ONLY,
  augMix: IMAGE_ONLY,
  autoContrast: IMAGE_ONLY,
  contrastLimitedAdaptiveHistogramEqualization: IMAGE_ONLY,
  cutMix: IMAGE_ONLY,
  equalization: IMAGE_ONLY,
  maxNumBoundingBoxes: IMAGE_ONLY,
  mixUp: IMAGE_ONLY,
  randAugment: IMAGE_ONLY,
  randomBrightness: IMAGE_ONLY,
  randomColorDegeneration: IMAGE_ONLY,
  randomColorJitter: IMAGE_ONLY,
  randomContrast: IMAGE_ONLY,
  randomCrop: IMAGE_ONLY,
  randomElasticTransform: IMAGE_ONLY,
  randomErasing: IMAGE_ONLY,
  randomFlip: IMAGE_ONLY,
  randomGaussianBlur: IMAGE_ONLY,
  randomGrayscale: IMAGE_ONLY,
  randomHue: IMAGE_ONLY,
  randomInvert: IMAGE_ONLY,
  randomPerspective: IMAGE_ONLY,
  randomPosterization: IMAGE_ONLY,
  randomRotation: IMAGE_ONLY,
  randomSaturation: IMAGE_ONLY,
  randomSharpness: IMAGE_ONLY,
  randomShear: IMAGE_ONLY,
  randomTranslation: IMAGE_ONLY,
  randomZoom: IMAGE_ONLY,
  solarization: IMAGE_ONLY,
} as const;

type KerasOnlyLayerName = keyof typeof KERAS_ONLY_LAYERS;

export const kerasOnlyLayerRefusals = Object.fromEntries(Object.entries(KERAS_ONLY_LAYERS).map(([name, instead]) => [name, () => {
  throw new Error(`layers.${name}: Keras 3 has this layer; rnnlab (as tfjs-layers) does not: ${instead}; see docs/API.md "Layers"`);
}])) as Record<KerasOnlyLayerName, (...args: unknown[]) => never>;

/**
 * The classes a saved model is refused with the factory's advice for: Keras 3's text preprocessing layers, whose
 * string input would otherwise fail first, naming neither them nor what to do. The other classes here keep the
 * loaders' unknown-class message, which lists the classes rnnlab reads.
 */
const ADVISED_IN_FILES: readonly KerasOnlyLayerName[] = ['textVectorization', 'stringLookup'];

/** Keras's class name of each: the factory name capitalized (textVectorization -> TextVectorization). */
const BY_CLASS = new Map(ADVISED_IN_FILES.map((name) => [name[0]!.toUpperCase() + name.slice(1), KERAS_ONLY_LAYERS[name]]));

/** The sentence a saved model's layer of one of ADVISED_IN_FILES fails with; null for any other class name. */
export function kerasOnlyLayerMessage(className: string, layerName?: unknown): string | null {
  const instead = BY_CLASS.get(className);
  if (instead === undefined) return null;
  const named = typeof layerName === 'string' && layerName !== '' ? `layer '${layerName}' (${className})` : `layer class '${className}'`;
  return `${named}: Keras 3 has this layer; rnnlab (as tfjs-layers) does not: ${instead}; see docs/API.md "Layers"`;
}
