import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, BuiltInLayer, kerasShape, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';
import { CHANNELS_LAST } from './tfjs_spellings.js';

export interface FlattenArgs extends LayerArgs {
  /** Only channels-last, in Keras's or tfjs's spelling. */
  dataFormat?: 'channels_last' | 'channelsLast';
}

export class Flatten extends BuiltInLayer {
  static override readonly className: string = 'Flatten';
  constructor(args: FlattenArgs = {}) { super(args, 'flatten'); }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length === 0) throw noBatchAxis(this.name, kerasShape(inputShape));
    const rest = inputShape.slice(1);
    if (rest.some((d) => d === null)) throw new Error(`${this.name} (Flatten): all non-batch dimensions must be known, got ${kerasShape(inputShape)}`);
    return [inputShape[0], (rest as number[]).reduce((a, b) => a * b, 1)];
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    // A scalar builds as (None,), which Flatten takes, so the tensor itself is checked.
    if (x.rank === 0) throw noBatchAxis(this.name, '[] (a scalar, with no batch axis)');
    ctx.mask = null;
    return ops.reshape(x, [x.shape[0], x.size / x.shape[0]]);
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), dataFormat: CHANNELS_LAST }; }
}

/** Keras 3's Flatten takes (batch,) as (batch, 1) (min_ndim=1); a scalar has not even the batch axis. */
function noBatchAxis(name: string, shown: string): Error {
  return new Error(`${name} (Flatten): expected input with a batch axis (batch, ...), got ${shown}`);
}

registerLayer(Flatten);
