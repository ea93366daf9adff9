import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { GlobalPooling1D, type GlobalPooling1DArgs } from './global_pooling1d.js';
import { maskBytes, type CallContext } from './layer.js';
import { registerLayer } from './registry.js';

/** The mean of each channel over the steps; with a padding mask (embedding maskZero), over the real steps only, as Keras. */
export class GlobalAveragePooling1D extends GlobalPooling1D {
  static override readonly className: string = 'GlobalAveragePooling1D';
  static readonly aliases = ['GlobalAvgPool1D'];
  constructor(args: GlobalPooling1DArgs = {}) { super(args, 'global_average_pooling1d'); }
  protected pool(x: Tensor, ctx: CallContext): Tensor {
    // A user's subclass may hand its kwargs (the mask as a tensor) to this pool through super.call.
    const mask = maskBytes(`${this.name} (${this.className})`, ctx.mask as Uint8Array | null, x);
    ctx.mask = null;
    return ops.meanTime(x, mask);
  }
}

registerLayer(GlobalAveragePooling1D);
