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
    const rest = inputShape.slice(1);
    if (rest.some((d) => d === null)) throw new Error(`${this.name} (Flatten): all non-batch dimensions must be known, got ${kerasShape(inputShape)}`);
    return [inputShape[0], (rest as number[]).reduce((a, b) => a * b, 1)];
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    return ops.reshape(x, [x.shape[0], x.size / x.shape[0]]);
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), dataFormat: CHANNELS_LAST }; }
}

registerLayer(Flatten);
