import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { Layer, fmt, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';

export interface TimeDistributedArgs extends LayerArgs { layer: Layer }

/** Applies one layer to every time step: (batch, steps, ...) is folded to (batch*steps, ...) and back. */
export class TimeDistributed extends Layer {
  readonly className = 'TimeDistributed';
  readonly layer: Layer;

  constructor(args: TimeDistributedArgs) {
    super(args, 'time_distributed');
    if (!(args.layer instanceof Layer)) throw new Error(`${this.name}: 'layer' must be a layer, got ${String(args.layer)}`);
    this.layer = args.layer;
  }

  build(inputShape: SymbolicShape): void {
    if (inputShape.length < 3) throw new Error(`${this.name} (TimeDistributed): expected input (batch, steps, ...), got ${fmt(inputShape)}`);
    this.layer.build([null, ...inputShape.slice(2)]);
    this.weights = this.layer.weights;
    super.build(inputShape);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const inner = this.layer.computeOutputShape([null, ...inputShape.slice(2)]);
    return [inputShape[0], inputShape[1], ...inner.slice(1)];
  }

  call(x: Tensor, ctx: CallContext, logits = false): Tensor {
    const [B, T] = x.shape;
    const folded = ops.reshape(x, [B * T, ...x.shape.slice(2)]);
    const mask = ctx.mask;
    const inner = this.layer as Layer & { call(x: Tensor, c: CallContext, logits?: boolean): Tensor };
    const y = inner.call(folded, { ...ctx, mask: null }, logits);
    ctx.mask = mask;
    return ops.reshape(y, [B, T, ...y.shape.slice(1)]);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: { className: this.layer.className, config: this.layer.getConfig() } };
  }
}
