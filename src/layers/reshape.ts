import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { COMPUTE, BuiltInLayer, kerasShape, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';

export interface ReshapeArgs extends LayerArgs {
  /** The shape of one sample, without the batch axis; one entry may be -1 (or null, as tfjs saves it), inferred from the others. */
  targetShape: (number | null)[];
}

/** Each sample to targetShape (Keras's Reshape): the values in the same row-major order. Drops a padding mask. */
export class Reshape extends BuiltInLayer {
  static override readonly className: string = 'Reshape';
  readonly targetShape: number[];

  constructor(args: ReshapeArgs) {
    super(args, 'reshape');
    const where = `${this.name} (Reshape)`;
    const given: unknown = args.targetShape;
    if (given === undefined || given === null) throw new Error(`${where}: missing required field 'targetShape' (a list of sizes, one of them may be -1)`);
    // tfjs writes the inferred entry as null (its constructor turns -1 into null): the same -1.
    const t = Array.isArray(given) ? given.map((d) => (d === null ? -1 : d)) : given;
    if (!Array.isArray(t) || t.length === 0 || !t.every((d) => Number.isInteger(d) && (d > 0 || d === -1))) {
      throw new Error(`${where}: targetShape must be a non-empty list of positive sizes with at most one -1, got ${Array.isArray(given) ? JSON.stringify(given) : describe(given)}`);
    }
    if (t.filter((d) => d === -1).length > 1) throw new Error(`${where}: targetShape may have only one -1 (inferred) entry, got ${JSON.stringify(given)}`);
    this.targetShape = [...t] as number[];
  }

  /** targetShape with its -1 resolved for this many values per sample (null when unknown). */
  private resolved(perSample: number | null): (number | null)[] {
    const known = this.targetShape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const free = this.targetShape.includes(-1);
    if (perSample === null) return this.targetShape.map((d) => (d === -1 ? null : d));
    if (free ? perSample % known !== 0 : perSample !== known) {
      throw new Error(`${this.name} (Reshape): cannot reshape ${perSample} values per sample to targetShape ${JSON.stringify(this.targetShape)}`);
    }
    return this.targetShape.map((d) => (d === -1 ? perSample / known : d));
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length === 0) throw new Error(`${this.name} (Reshape): expected input with a batch axis (batch, ...), got ${kerasShape(inputShape)}`);
    const rest = inputShape.slice(1);
    const perSample = rest.some((d) => d === null) ? null : (rest as number[]).reduce((a, b) => a * b, 1);
    if (perSample === null && !this.targetShape.includes(-1)) return [inputShape[0], ...this.targetShape];
    try {
      return [inputShape[0], ...this.resolved(perSample)];
    } catch (e) {
      throw new Error(`${(e as Error).message} (input ${kerasShape(inputShape)})`);
    }
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    // A scalar builds as (None,), which Reshape takes, so the tensor itself is checked.
    if (x.rank === 0) throw new Error(`${this.name} (Reshape): expected input with a batch axis (batch, ...), got [] (a scalar, with no batch axis)`);
    ctx.mask = null;
    const B = x.shape[0];
    return ops.reshape(x, [B, ...(this.resolved(x.size / B) as number[])]);
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), targetShape: [...this.targetShape] }; }
}

registerLayer(Reshape);
