import type { Tensor } from '../tensor.js';
import { applyActivation, checkActivation, tfjsActivationName, type ActivationOption, type LayerActivation } from './activations.js';
import { COMPUTE, BuiltInLayer, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';

export interface ActivationArgs extends LayerArgs { activation: ActivationOption }

export class ActivationLayer extends BuiltInLayer {
  static override readonly className: string = 'Activation';
  override supportsMasking = true;
  readonly activation: LayerActivation;
  constructor(args: ActivationArgs) {
    super(args, 'activation');
    this.activation = checkActivation(this.name, args.activation);
  }
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }
  foldsActivation(kind: 'sigmoid' | 'softmax'): boolean { return this.activation === kind; }
  protected [COMPUTE](x: Tensor, _ctx: CallContext, logits = false): Tensor {
    if (logits && (this.activation === 'sigmoid' || this.activation === 'softmax')) return x;
    return applyActivation(x, this.activation);
  }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), activation: tfjsActivationName(this.activation) }; }
}

registerLayer(ActivationLayer);
