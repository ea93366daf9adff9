/** What GlobalMaxPooling1D and GlobalAveragePooling1D share (Keras's base_global_pooling): config and output shape. */
import { Layer, kerasShape, type LayerArgs, type SymbolicShape } from './layer.js';

export interface GlobalPooling1DArgs extends LayerArgs {
  /** Only 'channels_last'. */
  dataFormat?: 'channels_last';
  /** Only false (Keras 3's keepdims). */
  keepdims?: false;
}

export abstract class GlobalPooling1D extends Layer {
  constructor(args: GlobalPooling1DArgs, prefix: string) {
    super(args, prefix);
    if (args.keepdims !== undefined && args.keepdims !== false) throw new Error(`${this.name} (${this.className}): keepdims = ${JSON.stringify(args.keepdims)} is not supported (only false)`);
  }

  /** (batch, steps, channels) -> (batch, channels); steps may be free. */
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) throw new Error(`${this.name} (${this.className}): expected input (batch, steps, channels), got ${kerasShape(inputShape)}`);
    return [inputShape[0], inputShape[2]];
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), dataFormat: 'channels_last' }; }
}
