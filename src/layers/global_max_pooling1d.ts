import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { GlobalPooling1D, type GlobalPooling1DArgs } from './global_pooling1d.js';
import type { CallContext } from './layer.js';
import { registerLayer } from './registry.js';

/** The largest value of each channel over all steps. Like Keras, it ignores a padding mask. */
export class GlobalMaxPooling1D extends GlobalPooling1D {
  static override readonly className: string = 'GlobalMaxPooling1D';
  static readonly aliases = ['GlobalMaxPool1D'];
  constructor(args: GlobalPooling1DArgs = {}) { super(args, 'global_max_pooling1d'); }
  protected pool(x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    // One window as wide as the sequence: the existing max-pool kernel and its backward do the work.
    const [B, T, C] = x.shape;
    return ops.reshape(ops.maxPool1d(x, T, { stride: T, padLeft: 0, outSteps: 1 }), [B, C]);
  }
}

registerLayer(GlobalMaxPooling1D);
