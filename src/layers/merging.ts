/** Keras's elementwise merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum (shapes broadcast as Keras's). */
import { mergeElementwise, type MergeMode } from '../autograd/merge_ops.js';
import type { Tensor } from '../tensor.js';
import { MultiInputLayer, mergeShapes } from './base_merge.js';
import type { CallContext, Layer, LayerArgs, SymbolicShape } from './layer.js';
import type { SymbolicTensor } from './symbolic.js';
import { registerLayer, type LayerClass } from './registry.js';

export type MergeArgs = LayerArgs;

export abstract class ElementwiseMerge extends MultiInputLayer {
  override supportsMasking = true;
  protected abstract readonly mode: MergeMode;
  protected inputCountRange(): [number, number] { return [2, this.mode === 'subtract' ? 2 : Infinity]; }
  protected mergedShapes(shapes: SymbolicShape[]): SymbolicShape[] { return [mergeShapes(this.where, shapes)]; }
  /** Maximum, Minimum and Multiply leave masked values out (Keras >= 3.4); the others merge them all, as Keras. */
  protected merge(inputs: Tensor[], _ctx: CallContext, masks: (Uint8Array | null)[]): Tensor[] { return [mergeElementwise(inputs, this.mode, masks)]; }
}

/** The six classes differ only in name and mode; each is registered under its Keras class name. */
export type MergeClass = LayerClass & (new (args?: MergeArgs) => ElementwiseMerge);

function mergeClass(className: string, mode: MergeMode): MergeClass {
  const cls = class extends ElementwiseMerge {
    static override readonly className: string = className;
    protected readonly mode = mode;
    constructor(args: MergeArgs = {}) { super(args, mode); }
  };
  Object.defineProperty(cls, 'name', { value: className });
  registerLayer(cls);
  return cls;
}

export const Add = mergeClass('Add', 'add');
export const Subtract = mergeClass('Subtract', 'subtract');
export const Multiply = mergeClass('Multiply', 'multiply');
export const Average = mergeClass('Average', 'average');
export const Maximum = mergeClass('Maximum', 'maximum');
export const Minimum = mergeClass('Minimum', 'minimum');

/**
 * tfjs's merge factories take either the layer's args or the list to merge: `rl.layers.add([a, b])` applies a
 * fresh layer at once and returns the merged (symbolic or concrete) tensor.
 */
export interface MergeFactory<A, L extends Layer> {
  (inputs: SymbolicTensor[]): SymbolicTensor;
  (inputs: Tensor[]): Tensor;
  (args?: A): L;
}

export function mergeFactory<A, L extends Layer>(make: (args?: A) => L): MergeFactory<A, L> {
  return ((arg?: A | SymbolicTensor[] | Tensor[]) => (Array.isArray(arg) ? make().apply(arg as Tensor[]) : make(arg))) as MergeFactory<A, L>;
}
