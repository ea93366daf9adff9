import type { Tensor } from '../tensor.js';
import { COMPUTE, BuiltInLayer, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';
import { L1L2 } from './regularizers.js';

export interface ActivityRegularizationArgs extends Omit<LayerArgs, 'activityRegularizer'> {
  /** Adds l1 * sum|y| / batch to the loss (>= 0). Default 0. */
  l1?: number;
  /** Adds l2 * sum y^2 / batch to the loss (>= 0). Default 0. */
  l2?: number;
}

/** The base layer's activityRegularizer from l1 and l2; a separate activityRegularizer would be a second, conflicting one. */
function withPenalty(args: ActivityRegularizationArgs): LayerArgs {
  const where = `${args.name ?? 'activity_regularization'} (ActivityRegularization)`;
  if ((args as LayerArgs).activityRegularizer !== undefined && (args as LayerArgs).activityRegularizer !== null) {
    throw new Error(`${where}: takes l1 and l2, not activityRegularizer`);
  }
  try {
    return { ...args, activityRegularizer: new L1L2({ l1: args.l1 ?? 0, l2: args.l2 ?? 0 }) };
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

/** The identity whose output adds l1 * sum|y| + l2 * sum y^2 (over the batch size) to the loss (Keras's ActivityRegularization). */
export class ActivityRegularization extends BuiltInLayer {
  static override readonly className: string = 'ActivityRegularization';
  /** The padding mask passes through (Keras 3's supports_masking). */
  override supportsMasking = true;
  readonly l1: number;
  readonly l2: number;

  constructor(args: ActivityRegularizationArgs = {}) {
    super(withPenalty(args), 'activity_regularization');
    this.l1 = this.activityRegularizer!.l1;
    this.l2 = this.activityRegularizer!.l2;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }
  protected [COMPUTE](x: Tensor, _ctx: CallContext): Tensor { return x; }

  /** As Keras writes it: l1 and l2, without the base layer's activity_regularizer they make. */
  getConfig(): Record<string, unknown> {
    const { activityRegularizer: _made, ...base } = super.getConfig();
    return { ...base, l1: this.l1, l2: this.l2 };
  }
}

registerLayer(ActivityRegularization);
