import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { Layer, kerasShape, type CallContext, type LayerArgs, type SymbolicShape, type WeightPenalty, type WeightSpec } from './layer.js';
import { deserializeLayer, registerLayer, serializeLayer } from './registry.js';
import { describe } from '../describe.js';

export interface TimeDistributedArgs extends LayerArgs { layer: Layer }

/** A model (layers know nothing of models: recognised by its layers and compile). */
function isModelLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !(v instanceof Layer) && Array.isArray((v as { layers?: unknown }).layers) &&
    typeof (v as { compile?: unknown }).compile === 'function';
}

/** Applies one layer to every time step: (batch, steps, ...) is folded to (batch*steps, ...) and back. */
export class TimeDistributed extends Layer {
  static override readonly className: string = 'TimeDistributed';
  override supportsMasking = true;
  readonly layer: Layer;

  constructor(args: TimeDistributedArgs) {
    super(args, 'time_distributed');
    if (isModelLike(args.layer)) {
      throw new Error(`${this.name} (TimeDistributed): 'layer' is the model '${String((args.layer as { name?: unknown }).name)}', and wrapping a model is not supported ` +
        '(tfjs and Keras take one): wrap each of its layers in timeDistributed instead, in order');
    }
    if (!(args.layer instanceof Layer)) throw new Error(`${this.name} (TimeDistributed): 'layer' must be a layer, got ${describe(args.layer)}`);
    const extra = args.layer.extraOutputsOption();
    if (extra) throw new Error(`${this.name} (TimeDistributed): ${extra} of the wrapped layer is not supported`);
    this.layer = args.layer;
    // Held as a model holds it: the wrapper shares its weights, which live while any holder does.
    this.layer.modelRefs++;
  }

  protected override heldLayers(): Layer[] { return [this.layer]; }

  /** The wrapped layer arrives as {className, config}. */
  static fromConfig(config: Record<string, unknown>): Layer {
    return new TimeDistributed({ ...config, layer: deserializeLayer(config.layer, 'wrapped layer') } as TimeDistributedArgs);
  }

  private innerShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length < 3) throw new Error(`${this.name} (TimeDistributed): expected input (batch, steps, ...), got ${kerasShape(inputShape)}`);
    return [null, ...inputShape.slice(2)];
  }

  /** tfjs names the wrapped layer's weights under the wrapper ('time_distributed/kernel'). */
  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    return this.layer.weightSpecs(this.innerShape(inputShape));
  }

  weightPenalties(): WeightPenalty[] {
    return this.layer.weightPenalties();
  }

  build(inputShape: SymbolicShape): void {
    this.layer.build(this.innerShape(inputShape));
    this.weights = this.layer.weights;
    this.markBuilt(inputShape);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const inner = this.layer.computeOutputShape(this.innerShape(inputShape));
    return [inputShape[0], inputShape[1], ...inner.slice(1)];
  }

  foldsActivation(kind: 'sigmoid' | 'softmax'): boolean { return this.layer.foldsActivation(kind); }

  call(x: Tensor, ctx: CallContext, logits = false): Tensor {
    const [B, T] = x.shape;
    const folded = ops.reshape(x, [B * T, ...x.shape.slice(2)]);
    const mask = ctx.mask;
    const y = this.layer.call(folded, { ...ctx, mask: null }, logits);
    ctx.mask = mask;
    if (Array.isArray(y)) throw new Error(`${this.name} (TimeDistributed): the wrapped layer ${this.layer.name} returned a list of tensors; it must return one`);
    return ops.reshape(y, [B, T, ...y.shape.slice(1)]);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: serializeLayer(this.layer) };
  }
}

registerLayer(TimeDistributed);
