import * as ops from '../autograd/ops.js';
import { globalRandom, type Random } from '../random.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, BuiltInLayer, checkRate, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { layerGenerator } from './noise_layer.js';
import { broadcastKeepMask, checkNoiseShape } from './noise_shape.js';
import { registerLayer } from './registry.js';

export interface DropoutArgs extends LayerArgs {
  rate: number;
  /** The mask's shape (Keras/tfjs noise_shape): 1 shares one draw along that axis, null is the input's size. */
  noiseShape?: (number | null)[] | null;
  /** Seeds this layer's own generator; null or absent: rl.setSeed's. */
  seed?: number | null;
}

/** Active only while training, like Keras. */
export class Dropout extends BuiltInLayer {
  static override readonly className: string = 'Dropout';
  override supportsMasking = true;
  readonly rate: number;
  readonly noiseShape: (number | null)[] | null;
  readonly seed: number | null;
  private readonly own: Random | null;

  constructor(args: DropoutArgs) {
    // The base refuses noiseShape and seed for the layers that have neither; Dropout takes both.
    super({ ...args, noiseShape: undefined, seed: undefined } as LayerArgs, 'dropout');
    this.rate = checkRate(this.name, 'rate', args.rate);
    const where = `${this.name} (Dropout)`;
    this.noiseShape = checkNoiseShape(where, args.noiseShape);
    ({ seed: this.seed, own: this.own } = layerGenerator(where, args.seed));
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training) return x;
    // Without a noise shape or seed: the original draw, so results from before these options are unchanged.
    if (this.noiseShape === null && this.own === null) return ops.dropout(x, this.rate);
    return this.rate > 0 ? ops.dropout(x, this.rate, this.mask(x.shape)) : x;
  }

  /** One keep/drop draw per element of the noise shape, broadcast over the axes where it is 1. */
  private mask(shape: readonly number[]): Uint8Array {
    return broadcastKeepMask(`${this.name} (Dropout)`, this.noiseShape, shape, this.own ?? globalRandom, this.rate);
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape, seed: this.seed }; }
}

registerLayer(Dropout);
