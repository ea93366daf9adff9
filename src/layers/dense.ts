import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, kerasShape, positiveIntOption, type CallContext, type SymbolicShape, type WeightSpec } from './layer.js';
import { KernelBiasLayer, type KernelBiasArgs } from './kernel_bias.js';
import { registerLayer } from './registry.js';
import { applyActivation, splitActivation } from './activations.js';

export interface DenseArgs extends KernelBiasArgs {
  units: number;
}

/** Fully connected over the last axis. Accepts int32 input as numbers (the lab's first model feeds raw ids). */
export class Dense extends KernelBiasLayer {
  static override readonly className: string = 'Dense';
  override supportsMasking = true;
  static override readonly options = { units: positiveIntOption() };
  declare readonly units: number;

  constructor(args: DenseArgs) { super(args, 'dense'); }

  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    const inDim = inputShape[inputShape.length - 1];
    if (inputShape.length < 2 || inDim === null) {
      throw new Error(`${this.name} (Dense): input must have a known last dimension, got ${kerasShape(inputShape)}`);
    }
    return this.kernelBiasSpecs([inDim, this.units], [this.units]);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...inputShape.slice(0, -1), this.units];
  }

  /** Keras's min_ndim 2: built on [batch, 3] it also takes [batch, steps, 3] (the last axis alone is fixed). */
  protected override takesRank(rank: number): boolean { return rank >= 2; }

  foldsActivation(kind: 'sigmoid' | 'softmax'): boolean { return this.activation === kind; }

  protected [COMPUTE](x: Tensor, _ctx: CallContext, logits = false): Tensor {
    const act = logits && (this.activation === 'sigmoid' || this.activation === 'softmax') ? 'linear' : this.activation;
    const { fused, after } = splitActivation(act);
    return applyActivation(ops.dense(x, this.kernel, this.bias, fused), after);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...this.kernelBiasConfig() };
  }
}

registerLayer(Dense);
