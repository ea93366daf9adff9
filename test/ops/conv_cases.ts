/**
 * Convolution, pool and layout cases written against tfjs's API (run by tfjs_parity.test.ts against tfjs 4.22):
 * odd sizes, strides, dilations, 'same'/'valid'/numeric/explicit pads, unbatched inputs, gradients of x and filters.
 * Gradients tfjs cannot take (dilated conv2d/depthwise, depthToSpace) or gets wrong (avgPool over padding) are
 * checked against central differences in ops_beyond_tfjs.test.ts.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any;

const img = (tf: Lib, shape: number[]) => tf.sin(tf.range(0, shape.reduce((a, b) => a * b, 1)).mul(0.7)).reshape(shape);
const flt = (tf: Lib, shape: number[]) => tf.cos(tf.range(0, shape.reduce((a, b) => a * b, 1)).mul(1.3)).reshape(shape);

export const convCases: Record<string, (tf: Lib) => unknown> = {
  'conv2d same stride 2': (tf) => tf.conv2d(img(tf, [2, 5, 6, 3]), flt(tf, [3, 2, 3, 4]), 2, 'same'),
  'conv2d valid dilated': (tf) => tf.conv2d(img(tf, [1, 6, 7, 2]), flt(tf, [2, 3, 2, 3]), 1, 'valid', 'NHWC', [2, 2]),
  'conv2d numeric pad ceil': (tf) => tf.conv2d(img(tf, [1, 5, 5, 1]), flt(tf, [2, 2, 1, 2]), 2, 1, 'NHWC', 1, 'ceil'),
  'conv2d explicit pad unbatched': (tf) => tf.conv2d(img(tf, [4, 5, 2]), flt(tf, [3, 3, 2, 1]), [1, 2], [[0, 0], [1, 2], [0, 1], [0, 0]]),
  'conv2d grads': (tf) => tf.grads((x: any, f: any) => tf.conv2d(x, f, [2, 1], 'same').mul(img(tf, [2, 3, 5, 2])).sum())([img(tf, [2, 5, 5, 3]), flt(tf, [3, 2, 3, 2])]),
  'conv1d same stride 2': (tf) => tf.conv1d(img(tf, [2, 7, 3]), flt(tf, [3, 3, 2]), 2, 'same'),
  'conv1d dilated unbatched': (tf) => tf.conv1d(img(tf, [9, 2]), flt(tf, [3, 2, 2]), 1, 'valid', 'NWC', 2),
  'conv1d grads': (tf) => tf.grads((x: any, f: any) => tf.conv1d(x, f, 1, 'same').square().sum())([img(tf, [1, 6, 2]), flt(tf, [4, 2, 3])]),
  'conv3d same': (tf) => tf.conv3d(img(tf, [1, 3, 4, 4, 2]), flt(tf, [2, 2, 3, 2, 2]), [1, 2, 1], 'same'),
  'conv3d grads': (tf) => tf.grads((x: any, f: any) => tf.conv3d(x, f, 1, 'valid').square().sum())([img(tf, [1, 3, 3, 3, 1]), flt(tf, [2, 2, 2, 1, 2])]),
  'depthwiseConv2d same mult 2': (tf) => tf.depthwiseConv2d(img(tf, [2, 5, 5, 3]), flt(tf, [3, 3, 3, 2]), 2, 'same'),
  'separableConv2d': (tf) => tf.separableConv2d(img(tf, [1, 6, 5, 2]), flt(tf, [3, 3, 2, 2]), flt(tf, [1, 1, 4, 3]), 1, 'same'),
  'separableConv2d grads': (tf) => tf.grads((x: any, d: any, p: any) => tf.separableConv2d(x, d, p, 2, 'valid').square().sum())([img(tf, [1, 5, 5, 2]), flt(tf, [2, 2, 2, 1]), flt(tf, [1, 1, 2, 2])]),
  'conv2dTranspose same stride 2': (tf) => tf.conv2dTranspose(img(tf, [2, 3, 3, 2]), flt(tf, [3, 3, 4, 2]), [2, 6, 6, 4], 2, 'same'),
  'conv2dTranspose valid odd': (tf) => tf.conv2dTranspose(img(tf, [1, 2, 3, 1]), flt(tf, [2, 3, 2, 1]), [1, 4, 7, 2], 2, 'valid'),
  'conv2dTranspose grads': (tf) => tf.grads((x: any, f: any) => tf.conv2dTranspose(x, f, [1, 5, 5, 2], 2, 'same').square().sum())([img(tf, [1, 3, 3, 3]), flt(tf, [3, 3, 2, 3])]),
  'conv3dTranspose': (tf) => tf.conv3dTranspose(img(tf, [1, 2, 2, 2, 2]), flt(tf, [2, 2, 2, 3, 2]), [1, 4, 4, 4, 3], 2, 'same'),
  'maxPool same stride 2': (tf) => tf.maxPool(img(tf, [2, 5, 6, 3]), 3, 2, 'same'),
  'maxPool valid rect unbatched': (tf) => tf.maxPool(img(tf, [5, 5, 2]), [2, 3], [1, 2], 'valid'),
  'maxPool numeric pad': (tf) => tf.maxPool(img(tf, [1, 5, 5, 1]), 2, 2, 1, 'floor'),
  'maxPool grad': (tf) => tf.grad((x: any) => tf.maxPool(x, 2, 1, 'same').mul(img(tf, [1, 4, 5, 2])).sum())(img(tf, [1, 4, 5, 2])),
  'avgPool same counts only the input': (tf) => tf.avgPool(img(tf, [2, 5, 6, 3]), 3, 2, 'same'),
  'avgPool grad valid': (tf) => tf.grad((x: any) => tf.avgPool(x, [2, 3], 2, 'valid').square().sum())(img(tf, [1, 5, 5, 2])),
  'maxPool3d': (tf) => tf.maxPool3d(img(tf, [1, 4, 4, 4, 2]), 2, 2, 'same'),
  'pool max dilated': (tf) => tf.pool(img(tf, [1, 6, 6, 2]), [2, 2], 'max', 'valid', [2, 2]),
  'pool avg strided same': (tf) => tf.pool(img(tf, [1, 5, 5, 1]), 3, 'avg', 'same', 1, 2),
  'maxPoolWithArgmax': (tf) => { const r = tf.maxPoolWithArgmax(img(tf, [2, 4, 4, 2]), 2, 2, 'valid'); return [r.result, r.indexes]; },
  'maxPoolWithArgmax batch in index': (tf) => { const r = tf.maxPoolWithArgmax(img(tf, [2, 4, 4, 2]), 3, 1, 'same', true); return [r.result, r.indexes]; },
  'dilation2d same': (tf) => tf.dilation2d(img(tf, [1, 5, 5, 2]), flt(tf, [2, 3, 2]), 1, 'same'),
  'dilation2d grads': (tf) => tf.grads((x: any, f: any) => tf.dilation2d(x, f, 2, 'valid').sum())([img(tf, [1, 5, 5, 1]), flt(tf, [2, 2, 1])]),
  'depthToSpace': (tf) => tf.depthToSpace(img(tf, [2, 2, 3, 8]), 2),
  'spaceToBatchND': (tf) => tf.spaceToBatchND(img(tf, [2, 3, 4, 2]), [2, 2], [[1, 0], [0, 2]]),
  'spaceToBatchND grad': (tf) => tf.grad((x: any) => tf.spaceToBatchND(x, [2], [[1, 1]]).square().sum())(img(tf, [2, 4, 3])),
  'batchToSpaceND': (tf) => tf.batchToSpaceND(img(tf, [8, 2, 3, 1]), [2, 2], [[0, 1], [1, 2]]),
  'batchToSpaceND grad': (tf) => tf.grad((x: any) => tf.batchToSpaceND(x, [2], [[0, 1]]).square().sum())(img(tf, [4, 3, 2])),
  'localResponseNormalization': (tf) => tf.localResponseNormalization(img(tf, [1, 2, 3, 7]), 2, 1.5, 0.3, 0.75),
  'localResponseNormalization grad': (tf) => tf.grad((x: any) => tf.localResponseNormalization(x, 1, 1, 0.5, 0.5).mul(img(tf, [1, 2, 2, 4])).sum())(img(tf, [1, 2, 2, 4])),
  'fused.conv2d relu bias': (tf) => tf.fused.conv2d({ x: img(tf, [1, 4, 4, 2]), filter: flt(tf, [2, 2, 2, 3]), strides: 1, pad: 'same', bias: tf.tensor1d([0.1, -0.2, 0.3]), activation: 'relu' }),
  'fused.depthwiseConv2d grads': (tf) => tf.grads((x: any, f: any) => tf.fused.depthwiseConv2d({ x, filter: f, strides: 1, pad: 'valid', activation: 'elu' }).sum())([img(tf, [1, 4, 4, 2]), flt(tf, [2, 2, 2, 1])]),
  'methods': (tf) => [img(tf, [1, 4, 4, 2]).conv2d(flt(tf, [2, 2, 2, 1]), 1, 'valid'), img(tf, [1, 4, 4, 2]).maxPool(2, 2, 'valid'), img(tf, [1, 4, 4, 2]).avgPool(2, 2, 'valid'),
    img(tf, [1, 2, 2, 4]).depthToSpace(2), img(tf, [5, 2]).conv1d(flt(tf, [2, 2, 1]), 1, 'same')],
};

export const convErrorCases: Record<string, (tf: Lib) => unknown> = {
  'conv2d depth mismatch': (tf) => tf.conv2d(tf.ones([1, 3, 3, 2]), tf.ones([2, 2, 3, 1]), 1, 'same'),
  'conv2d stride and dilation both > 1': (tf) => tf.conv2d(tf.ones([1, 5, 5, 1]), tf.ones([2, 2, 1, 1]), 2, 'same', 'NHWC', 2),
  'conv2d rank 2 input': (tf) => tf.conv2d(tf.ones([3, 3]), tf.ones([2, 2, 1, 1]), 1, 'same'),
  'depthToSpace indivisible': (tf) => tf.depthToSpace(tf.ones([1, 2, 2, 6]), 2),
  'batchToSpaceND indivisible batch': (tf) => tf.batchToSpaceND(tf.ones([3, 2, 2, 1]), [2, 2], [[0, 0], [0, 0]]),
};
