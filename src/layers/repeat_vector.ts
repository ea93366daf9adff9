import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, BuiltInLayer, kerasShape, positiveIntOption, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';

export interface RepeatVectorArgs extends LayerArgs { n: number }

/** (batch, features) -> (batch, n, features): feeds an encoder's summary to every decoder step. */
export class RepeatVector extends BuiltInLayer {
  static override readonly className: string = 'RepeatVector';
  static override readonly options = { n: positiveIntOption() };
  declare readonly n: number;
  constructor(args: RepeatVectorArgs) { super(args, 'repeat_vector'); }
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 2) throw new Error(`${this.name} (RepeatVector): expected input (batch, features), got ${kerasShape(inputShape)}`);
    return [inputShape[0], this.n, inputShape[1]];
  }
  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    return ops.repeatVector(x, this.n);
  }
}

registerLayer(RepeatVector);
