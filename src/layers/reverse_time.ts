/**
 * ReverseTime: (batch, steps, features) with the steps in reverse order. The seq2seq bidirectional encoder runs a
 * goBackwards copy of its recurrent layer by hand (Bidirectional returns no states) and uses this to line the
 * backward sequence up with time again; the padding mask keeps referring to the same steps.
 */
import { reverseTime } from '../autograd/ops.js';
import { COMPUTE, BuiltInLayer, kerasShape, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';
import type { Tensor } from '../tensor.js';

export class ReverseTime extends BuiltInLayer {
  static override readonly className: string = 'ReverseTime';

  constructor(args: LayerArgs = {}) {
    super(args, 'reverse_time');
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) throw new Error(`${this.name} (ReverseTime): expected input (batch, steps, features), got ${kerasShape(inputShape)}`);
    return inputShape;
  }

  protected [COMPUTE](x: Tensor, _ctx: CallContext): Tensor {
    return reverseTime(x);
  }
}

registerLayer(ReverseTime);
