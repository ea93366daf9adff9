/** What GlobalMaxPooling1D and GlobalAveragePooling1D share (Keras's base_global_pooling): config, output shape, keepdims. */
import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, BuiltInLayer, checkBool, kerasShape, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { CHANNELS_LAST } from './tfjs_spellings.js';

export interface GlobalPooling1DArgs extends LayerArgs {
  /** Only channels-last, in Keras's or tfjs's spelling. */
  dataFormat?: 'channels_last' | 'channelsLast';
  /** Keras 3's keepdims: keep the pooled time axis, (batch, 1, channels). Default false. */
  keepdims?: boolean;
}

export abstract class GlobalPooling1D extends BuiltInLayer {
  /** Written only when true. */
  static override readonly argAliases: readonly string[] = ['keepdims'];
  readonly keepdims: boolean;

  constructor(args: GlobalPooling1DArgs, prefix: string) {
    super(args, prefix);
    this.keepdims = checkBool(this.name, 'keepdims', args.keepdims, false);
  }

  /** (batch, steps, channels) -> (batch, channels), or (batch, 1, channels) with keepdims; steps may be free. */
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) throw new Error(`${this.name} (${this.className}): expected input (batch, steps, channels), got ${kerasShape(inputShape)}`);
    return this.keepdims ? [inputShape[0], 1, inputShape[2]] : [inputShape[0], inputShape[2]];
  }

  /** The pooled values, (batch, channels). */
  protected abstract pool(x: Tensor, ctx: CallContext): Tensor;

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    const y = this.pool(x, ctx);
    return this.keepdims ? ops.reshape(y, [y.shape[0], 1, y.shape[1]]) : y;
  }

  /** keepdims is written only when true: tfjs-layers has no such option, and Keras reads its absence as false. */
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), dataFormat: CHANNELS_LAST, ...(this.keepdims ? { keepdims: true } : {}) }; }
}
