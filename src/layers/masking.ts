import { scaleShift } from '../autograd/layer_ops.js';
import { allocFloat } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import { COMPUTE, BuiltInLayer, kerasShape, numberOption, type CallContext, type LayerArgs, type LayerOption, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';

const numberOrZero = numberOption(0);

/** Any number but NaN: a step is masked when its features equal maskValue, and NaN equals nothing, itself included. */
const maskValueOption: LayerOption = (layer, what, v) => {
  if (Number.isNaN(v)) throw new Error(`${layer}: ${what} must be a number other than NaN: NaN never equals itself (NaN !== NaN), so no step would ever be masked`);
  return numberOrZero(layer, what, v);
};

export interface MaskingArgs extends LayerArgs {
  /** A step whose every feature equals this is padding. Default 0. */
  maskValue?: number;
}

/**
 * Marks padding steps for the layers that follow (Keras's Masking): a step whose every feature equals maskValue is
 * masked, so recurrent layers skip it exactly as after embedding({maskZero: true}). The output is the input with
 * masked steps zeroed, as Keras computes it.
 */
export class Masking extends BuiltInLayer {
  static override readonly className: string = 'Masking';
  override supportsMasking = true;
  static override readonly options = { maskValue: maskValueOption };
  declare readonly maskValue: number;

  constructor(args: MaskingArgs = {}) { super(args, 'masking'); }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 3) throw new Error(`${this.name} (Masking): expected input (batch, steps, features), got ${kerasShape(inputShape)}`);
    return inputShape;
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    const mask = this.stepMask(x);
    const F = x.shape[2];
    const keep = allocFloat(x.size, false);
    for (let s = 0; s < mask.length; s++) keep.fill(mask[s], s * F, (s + 1) * F);
    ctx.mask = mask;
    return scaleShift(x, keep, null);
  }

  /** tfjs's and Keras's computeMask: a bool tensor [batch, steps], true where some feature differs from maskValue. */
  computeMask(inputs: Tensor | Tensor[], _mask?: unknown): Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (x.rank !== 3) throw new Error(`${this.name} (Masking): expected input (batch, steps, features), got [${x.shape.join(', ')}]`);
    return new Tensor(Int32Array.from(this.stepMask(x)), [x.shape[0], x.shape[1]], 'bool');
  }

  /** 1 for a step with a feature other than maskValue, 0 for a padding step. */
  private stepMask(x: Tensor): Uint8Array {
    const [B, T, F] = x.shape;
    const xd = x.floatData();
    const mask = new Uint8Array(B * T);
    for (let s = 0; s < B * T; s++) {
      for (let f = 0; f < F; f++) if (xd[s * F + f] !== this.maskValue) { mask[s] = 1; break; }
    }
    return mask;
  }
}

registerLayer(Masking);
