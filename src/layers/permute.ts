import { permuteAxes } from '../autograd/layer_ops.js';
import type { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { COMPUTE, BuiltInLayer, kerasShape, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';

export interface PermuteArgs extends LayerArgs {
  /** A permutation of 1..rank-1 (1-based, the batch axis stays first), as Keras: [2, 1] swaps steps and features. */
  dims: number[];
}

/** Reorders the non-batch axes of each sample (Keras's Permute). Drops a padding mask. */
export class Permute extends BuiltInLayer {
  static override readonly className: string = 'Permute';
  readonly dims: number[];

  constructor(args: PermuteArgs) {
    super(args, 'permute');
    const d: unknown = args.dims;
    const where = `${this.name} (Permute)`;
    if (d === undefined || d === null) throw new Error(`${where}: missing required field 'dims' (a permutation of 1..n, e.g. [2, 1])`);
    const ok = Array.isArray(d) && d.length > 0 && [...d].sort((a, b) => a - b).every((v, i) => v === i + 1);
    if (!ok) throw new Error(`${where}: dims must be a permutation of 1..${Array.isArray(d) ? d.length || 'n' : 'n'} (1-based, without the batch axis), got ${Array.isArray(d) ? JSON.stringify(d) : describe(d)}`);
    this.dims = [...d] as number[];
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== this.dims.length + 1) {
      throw new Error(`${this.name} (Permute): dims ${JSON.stringify(this.dims)} need input of rank ${this.dims.length + 1}, got ${kerasShape(inputShape)}`);
    }
    return [inputShape[0], ...this.dims.map((a) => inputShape[a])];
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    return permuteAxes(x, [0, ...this.dims]);
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), dims: [...this.dims] }; }
}

registerLayer(Permute);
