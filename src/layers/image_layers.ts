/**
 * tfjs's 2D/3D and image layers, which rnnlab (a library of sequence models) does not provide. Each factory is
 * present so that tfjs code calling one stops with a sentence naming the layer, not "is not a function".
 */
const IMAGE_LAYERS = [
  'conv2d', 'conv2dTranspose', 'conv3d', 'conv3dTranspose', 'depthwiseConv2d', 'separableConv2d', 'convLstm2d',
  'convLstm2dCell', 'maxPooling2d', 'maxPool2d', 'maxPooling3d', 'maxPool3d', 'averagePooling2d', 'avgPool2d',
  'avgPooling2d', 'averagePooling3d', 'avgPool3d', 'avgPooling3d', 'globalAveragePooling2d', 'globalAvgPool2d',
  'globalMaxPooling2d', 'globalMaxPool2d', 'upSampling2d', 'zeroPadding2d', 'cropping2D', 'centerCrop', 'resizing',
  'randomWidth',
] as const;

type ImageLayerName = (typeof IMAGE_LAYERS)[number];

function refusal(name: ImageLayerName): (...args: unknown[]) => never {
  return () => {
    throw new Error(`layers.${name}: rnnlab has no 2D/3D or image layers (it provides sequence layers: conv1d, `
      + 'maxPooling1d, lstm, gru, ...); see docs/API.md "Layers"');
  };
}

export const imageLayerRefusals = Object.fromEntries(IMAGE_LAYERS.map((n) => [n, refusal(n)])) as
  Record<ImageLayerName, (...args: unknown[]) => never>;
