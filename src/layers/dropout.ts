import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { Layer, checkRate, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';

export interface DropoutArgs extends LayerArgs {
  rate: number;
  /** Not implemented: only null. */
  noiseShape?: null;
  /** Not implemented (rl.setSeed seeds every mask): only null. */
  seed?: null;
}

/** Active only while training, like Keras. */
export class Dropout extends Layer {
  static override readonly className: string = 'Dropout';
  readonly rate: number;
  constructor(args: DropoutArgs) {
    super(args, 'dropout');
    this.rate = checkRate(this.name, 'rate', args.rate);
  }
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }
  call(x: Tensor, ctx: CallContext): Tensor { return ctx.training ? ops.dropout(x, this.rate) : x; }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), rate: this.rate, noiseShape: null, seed: null }; }
}

registerLayer(Dropout);
