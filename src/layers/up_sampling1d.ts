import { upSampling1d } from '../autograd/norm_ops.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, BuiltInLayer, kerasShape, positiveIntOption, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';

export interface UpSampling1DArgs extends LayerArgs {
  /** Default 2: how many times each step is repeated. */
  size?: number;
}

/** Repeats each time step size times (Keras's UpSampling1D): (batch, steps, features) -> (batch, steps * size, features). */
export class UpSampling1D extends BuiltInLayer {
  static override readonly className: string = 'UpSampling1D';
  static override readonly options = { size: positiveIntOption(2) };
  declare readonly size: number;

  constructor(args: UpSampling1DArgs = {}) { super(args, 'up_sampling1d'); }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) throw new Error(`${this.name} (UpSampling1D): expected input (batch, steps, features), got ${kerasShape(inputShape)}`);
    const T = inputShape[1];
    return [inputShape[0], T === null ? null : T * this.size, inputShape[2]];
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    return upSampling1d(x, this.size);
  }
}

registerLayer(UpSampling1D);
