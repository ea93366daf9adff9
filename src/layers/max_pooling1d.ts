import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import type { CallContext } from './layer.js';
import { Pooling1D, type Pooling1DArgs } from './pooling1d.js';
import { registerLayer } from './registry.js';

export type MaxPooling1DArgs = Pooling1DArgs;

/** The largest value of each channel in each window of steps. */
export class MaxPooling1D extends Pooling1D {
  static override readonly className: string = 'MaxPooling1D';
  static readonly aliases = ['MaxPool1D'];

  constructor(args: MaxPooling1DArgs = {}) { super(args, 'max_pooling1d'); }

  call(x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    return ops.maxPool1d(x, this.poolSize, { stride: this.strides, ...this.windows(x.shape[1]) });
  }
}

registerLayer(MaxPooling1D);
