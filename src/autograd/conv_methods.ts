/** The chained forms tfjs's Tensor has for the convolution, pool and layout ops (x.conv2d(filter, ...)), recording. */
import type { Tensor, TensorLike } from '../tensor.js';
import { recordingMethod } from './public_ops.js';
import * as c from './conv_ops.js';
import * as p from './pool_ops.js';
import * as l from './layout_ops.js';

declare module '../tensor.js' {
  interface Tensor {
    conv1d: OmitFirst<typeof c.conv1d>; conv2d: OmitFirst<typeof c.conv2d>; conv2dTranspose: OmitFirst<typeof c.conv2dTranspose>;
    depthwiseConv2d: OmitFirst<typeof c.depthwiseConv2d>; separableConv2d: OmitFirst<typeof c.separableConv2d>;
    maxPool: OmitFirst<typeof p.maxPool>; avgPool: OmitFirst<typeof p.avgPool>; pool: OmitFirst<typeof p.pool>; dilation2d: OmitFirst<typeof p.dilation2d>;
    depthToSpace: OmitFirst<typeof l.depthToSpace>; spaceToBatchND: OmitFirst<typeof l.spaceToBatchND>; batchToSpaceND: OmitFirst<typeof l.batchToSpaceND>;
    localResponseNormalization: OmitFirst<typeof l.localResponseNormalization>;
  }
}
type OmitFirst<F> = F extends (x: TensorLike, ...rest: infer R) => infer O ? (...rest: R) => O : never;

const methods: Record<string, (x: Tensor, ...rest: never[]) => unknown> = {
  conv1d: c.conv1d, conv2d: c.conv2d, conv2dTranspose: c.conv2dTranspose, depthwiseConv2d: c.depthwiseConv2d, separableConv2d: c.separableConv2d,
  maxPool: p.maxPool, avgPool: p.avgPool, pool: p.pool, dilation2d: p.dilation2d,
  depthToSpace: l.depthToSpace, spaceToBatchND: l.spaceToBatchND, batchToSpaceND: l.batchToSpaceND, localResponseNormalization: l.localResponseNormalization,
};
for (const [name, fn] of Object.entries(methods)) recordingMethod(name, fn);
