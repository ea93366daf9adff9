/**
 * What layers taking a list of tensors share (Keras's base_merge): build and call on lists, errors naming the
 * layer when the list or its shapes do not fit. Subclasses give the output shape and the merge itself.
 */
import { mergedShape } from '../autograd/merge_ops.js';
import type { Tensor } from '../tensor.js';
import { COMPUTE, BuiltInLayer, kerasShape, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';

export abstract class MultiInputLayer extends BuiltInLayer {
  constructor(args: LayerArgs = {}, prefix?: string) {
    super(args, prefix);
  }

  /** Fewest inputs the layer takes (and most, when fixed). */
  protected abstract inputCountRange(): [number, number];
  protected abstract mergedShapes(shapes: SymbolicShape[]): SymbolicShape[];
  /** masks: each input's padding mask (null for none), for merges whose values depend on them. */
  protected abstract merge(inputs: Tensor[], ctx: CallContext, masks: (Uint8Array | null)[]): Tensor[];

  protected get where(): string { return `${this.name} (${this.className})`; }

  private checkCount(n: number, inputCount: number): void {
    const [lo, hi] = this.inputCountRange();
    if (n !== inputCount || n < lo || n > hi) {
      const want = lo === hi ? `${lo}` : hi === Infinity ? `at least ${lo}` : `${lo} to ${hi}`;
      throw new Error(`${this.where}: expects a list of ${want} input tensors, got ${inputCount}`);
    }
  }

  /** tfjs's form: a list of shapes gives the (first) output shape; one shape is an error naming it. */
  computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    if (isShapeList(inputShape)) return this.computeOutputShapes(inputShape)[0];
    throw new Error(`${this.where}: takes a list of inputs, got one of shape ${kerasShape(inputShape)}`);
  }

  /** tfjs's layer.build([shapeA, shapeB]) for a layer taking a list. */
  build(inputShape: SymbolicShape | SymbolicShape[]): void {
    if (!isShapeList(inputShape)) throw new Error(`${this.where}: takes a list of inputs, got one of shape ${kerasShape(inputShape)}`);
    this.buildFor(inputShape);
  }

  protected [COMPUTE](_x: Tensor): Tensor {
    throw new Error(`${this.where}: takes a list of inputs, got one tensor`);
  }

  computeOutputShapes(shapes: SymbolicShape[], inputCount = shapes.length): SymbolicShape[] {
    this.checkCount(shapes.length, inputCount);
    return this.mergedShapes(shapes);
  }

  buildFor(shapes: SymbolicShape[], inputCount = shapes.length): void {
    this.checkCount(shapes.length, inputCount);
    const outs = this.mergedShapes(shapes);
    for (const spec of this.weightSpecsFor(shapes)) this.addWeight(spec);
    this.builtInputShape = null;
    this.outputShapeValue = outs[0];
    this.built = true;
  }

  callTensors(inputs: Tensor[], ctx: CallContext, _logits: boolean, inputCount = inputs.length): Tensor[] {
    const shapes = inputs.map((t) => [null, ...t.shape.slice(1)]);
    if (!this.built) this.buildFor(shapes, inputCount);
    this.computeOutputShapes(inputs.map((t) => t.shape), inputCount);
    const masks = inputs.map((_, i) => ctx.inputMasks?.[i] ?? (i === 0 ? ctx.mask : null));
    const outs = this.merge(inputs, ctx, masks);
    ctx.mask = masks.some((m) => m) ? this.outputMask(inputs, masks, outs[0]) : null;
    return outs;
  }

  /**
   * The output's padding mask given each input's, Keras 3's rule for the elementwise merges: none unless every input
   * has one, else a step is real where any input's is. tfjs 4.22's merges fail on masked inputs (their mask gains a
   * leading axis). Concatenate, Dot and the attention layers say their own.
   */
  protected outputMask(_inputs: Tensor[], masks: (Uint8Array | null)[], _out: Tensor): Uint8Array | null {
    if (masks.some((m) => m === null)) return null;
    const given = masks as Uint8Array[];
    if (given.some((m) => m.length !== given[0].length)) throw new Error(`${this.where}: its inputs' padding masks differ in size (${given.map((m) => m.length).join(' vs ')} steps)`);
    return given.length === 1 ? given[0] : given[0].map((_, i) => (given.some((m) => m[i]) ? 1 : 0));
  }
}

/** Whether computeOutputShape was given a list of shapes (several inputs) rather than one shape. */
export function isShapeList(shape: SymbolicShape | SymbolicShape[]): shape is SymbolicShape[] {
  return shape.length > 0 && shape.every((d) => Array.isArray(d));
}

/** The output shape of Keras's elementwise merges (merge_ops.ts's rule), an error naming the layer where it fails. */
export function mergeShapes(where: string, shapes: SymbolicShape[]): SymbolicShape {
  return mergedShape(shapes, () => new Error(`${where}: inputs must have the same shape, or sizes of 1 where they differ (Keras's broadcast), got ${shapes.map(kerasShape).join(' and ')}`));
}
