import * as ops from '../autograd/ops.js';
import { globalRandom, type Random } from '../random.js';
import type { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { Layer, checkRate, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { layerGenerator } from './noise_layer.js';
import { registerLayer } from './registry.js';

export interface DropoutArgs extends LayerArgs {
  rate: number;
  /** The mask's shape (Keras/tfjs noise_shape): 1 shares one draw along that axis, null is the input's size. */
  noiseShape?: (number | null)[] | null;
  /** Seeds this layer's own generator; null or absent: rl.setSeed's. */
  seed?: number | null;
}

/** Active only while training, like Keras. */
export class Dropout extends Layer {
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
    const shape: unknown = args.noiseShape ?? null;
    if (shape !== null && (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => d === null || (Number.isInteger(d) && d > 0)))) {
      throw new Error(`${where}: noiseShape must be a list of positive sizes or nulls, got ${describe(shape)}`);
    }
    this.noiseShape = shape === null ? null : [...(shape as (number | null)[])];
    ({ seed: this.seed, own: this.own } = layerGenerator(where, args.seed));
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }

  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training) return x;
    // Without a noise shape or seed: the original draw, so results from before these options are unchanged.
    if (this.noiseShape === null && this.own === null) return ops.dropout(x, this.rate);
    return this.rate > 0 ? ops.dropout(x, this.rate, this.mask(x.shape)) : x;
  }

  /** One keep/drop draw per element of the noise shape, broadcast over the axes where it is 1. */
  private mask(shape: readonly number[]): Uint8Array {
    const noise = this.noiseShape === null ? [...shape] : this.noiseShape.map((d, i) => d ?? shape[i]);
    if (noise.length !== shape.length || noise.some((d, i) => d !== 1 && d !== shape[i])) {
      throw new Error(`${this.name} (Dropout): noiseShape [${this.noiseShape!.map(String).join(', ')}] does not fit input [${shape.join(', ')}]: each size must be 1 or the input's`);
    }
    const random = this.own ?? globalRandom;
    const draws = new Uint8Array(noise.reduce((a, b) => a * b, 1));
    for (let i = 0; i < draws.length; i++) draws[i] = random.next() >= this.rate ? 1 : 0;
    const mask = new Uint8Array(shape.reduce((a, b) => a * b, 1));
    const rank = shape.length;
    const idx = new Array<number>(rank).fill(0);
    for (let i = 0; i < mask.length; i++) {
      let j = 0;
      for (let a = 0; a < rank; a++) j = j * noise[a] + (noise[a] === 1 ? 0 : idx[a]);
      mask[i] = draws[j];
      for (let a = rank - 1; a >= 0 && ++idx[a] === shape[a]; a--) idx[a] = 0;
    }
    return mask;
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape, seed: this.seed }; }
}

registerLayer(Dropout);
