/**
 * A Functional model called as a layer inside another (tfjs's and Keras's nesting: inner.apply(x)). The model itself
 * is not a Layer here, so each model gets one NestedModel standing in for it in outer graphs: its calls are that
 * layer's nodes, its weights are the inner layers' (shared with the model), and it runs the inner graph.
 */
import { ModelStandIn } from './model_stand_in.js';
import type { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { markBuiltInLayerClass } from '../layers/built_in_classes.js';
import { uniquePenalties } from './model_common.js';
import { COMPUTE, Layer, kerasShape, registerShownLayer, type CallContext, type SymbolicShape, type SymbolicTensor, type WeightPenalty } from '../layers/layer.js';
import { ownNode, tensorsAt } from './model_as_layer.js';

/** What a stand-in uses of its Functional model (described here: functional.ts imports this file). */
export interface NestableModel {
  readonly name: string;
  trainable: boolean;
  readonly layers: Layer[];
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  readonly input: SymbolicTensor | SymbolicTensor[];
  readonly output: SymbolicTensor | SymbolicTensor[];
  readonly inputNames: string[];
  readonly trainableWeights: Variable[];
  readonly nonTrainableWeights: Variable[];
  outputShapesFor(inputShapes: SymbolicShape[]): SymbolicShape[];
  readonly disposed: boolean;
  dispose(): { refCountAfterDispose: number; numDisposedVariables: number };
  runGraph(xs: Tensor[], ctx: CallContext, logitsFor?: boolean[], outputMasks?: (Uint8Array | null)[], inputMasks?: (Uint8Array | null)[]): Tensor[];
  resetStates(): void;
  getConfig(): Record<string, unknown>;
}

const standIns = new WeakMap<NestableModel, NestedModel>();

/**
 * The number Keras and tfjs give a layer's first call in a model file: a model's own graph (its inputs to its outputs)
 * is its node 0, so a nested model's calls in the file count from 1, as its nodeIndex does.
 */
export const firstCall = (l: Layer): number => (l instanceof NestedModel ? 1 : 0);

export class NestedModel extends ModelStandIn<NestableModel> {
  /** tfjs 4.22 writes a nested model as class 'Model' (Keras: 'Functional'); rnnlab reads both, writes tfjs's. */
  static override readonly className: string = 'Model';
  private readonly where: string;

  constructor(model: NestableModel) {
    super(model);
    // tfjs's node 0 of a model, its own graph: the calls in outer graphs are nodes 1, 2, ... (nodeIndex, getOutputAt).
    this.inboundNodes.push(ownNode(model, model.inputs, model.outputs));
    this.where = `${this.name} (nested model)`;
    this.weights = [...new Set(model.layers.flatMap((l) => l.weights))];
    if (model.inputs.length === 1) this.builtInputShape = [...model.inputs[0].shape];
    this.outputShapeValue = model.outputs[0].shape;
    this.built = true;
  }


  /**
   * The model's own layers. model.layers lists this stand-in, a Layer, where tfjs lists the model (rnnlab's models
   * are not Layers; getLayer(name) gives the model itself), so a walk over model.layers reaches the layers inside.
   */
  get layers(): Layer[] { return this.model.layers; }
  /** The model's own input and output (Keras's model.input), as getLayer's model gives them, whatever its calls. */
  override get input(): SymbolicTensor | SymbolicTensor[] { return this.model.input; }
  override get output(): SymbolicTensor | SymbolicTensor[] { return this.model.output; }
  /** As the model's own: its node 0 is its graph, not a call, so an index past the end is said in the model's words. */
  override getInputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] { return tensorsAt(this.inboundNodes, nodeIndex, 'inputs', `${this.name}.getInputAt`); }
  override getOutputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] { return tensorsAt(this.inboundNodes, nodeIndex, 'outputs', `${this.name}.getOutputAt`); }

  /** Stateful when a layer inside is: the outer model's resetStates() reaches them through resetStates(). */
  override get stateful(): boolean { return this.model.layers.some((l) => l.stateful); }
  override set stateful(_value: boolean) { throw new Error(`${this.where}: stateful belongs to the recurrent layers inside it; set it on them`); }

  resetStates(): void { this.model.resetStates(); }

  weightPenalties(): WeightPenalty[] {
    return uniquePenalties(this.model.layers);
  }

  private checkShapes(shapes: SymbolicShape[], inputCount: number): void {
    const want = this.model.inputs;
    if (shapes.length !== inputCount || inputCount !== want.length) {
      throw new Error(`${this.where}: takes ${want.length} input tensor(s) (${this.model.inputNames.join(', ')}), got ${inputCount}${shapes.length > inputCount ? ` and ${shapes.length - inputCount} initial state(s)` : ''}`);
    }
    shapes.forEach((s, i) => {
      const w = want[i].shape;
      if (s.length !== w.length || w.some((d, k) => k > 0 && d !== null && s[k] !== null && d !== s[k])) {
        throw new Error(`${this.where}: input '${this.model.inputNames[i]}' expects ${kerasShape(w)}, got ${kerasShape(s)}`);
      }
    });
  }

  computeOutputShapes(inputShapes: SymbolicShape[], inputCount = inputShapes.length): SymbolicShape[] {
    this.checkShapes(inputShapes, inputCount);
    return this.model.outputShapesFor(inputShapes);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return this.computeOutputShapes([inputShape])[0];
  }

  buildFor(inputShapes: SymbolicShape[], inputCount = inputShapes.length): void {
    this.checkShapes(inputShapes, inputCount);
  }

  /**
   * Runs the inner graph as Keras and tfjs do: each input's padding mask goes to the layers reading that input, and
   * each output carries the mask the inner graph gives it (ctx.outputMasks when there are several).
   */
  callTensors(inputs: Tensor[], ctx: CallContext, _logits: boolean, inputCount = inputs.length): Tensor[] {
    this.checkShapes(inputs.map((t) => [null, ...t.shape.slice(1)]), inputCount);
    // One input: ctx.mask is its mask (a Sequential model sets no inputMasks).
    const inMasks = inputCount === 1 ? [ctx.mask] : inputs.map((_, i) => ctx.inputMasks?.[i] ?? (i === 0 ? ctx.mask : null));
    const outMasks: (Uint8Array | null)[] = [];
    const outs = this.model.runGraph(inputs, ctx, [], outMasks, inMasks);
    ctx.mask = outMasks[0] ?? null;
    ctx.outputMasks = outMasks.length > 1 ? outMasks : undefined;
    return outs;
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    if (this.model.outputs.length !== 1) throw new Error(`${this.where}: has ${this.model.outputs.length} outputs; apply it in a functional model`);
    return this.callTensors([x], ctx, false, 1)[0];
  }

  /**
   * Held once per outer model however often it is applied there: the inner model's own dispose() waits for its outer
   * holders (outerHolders), so a count per call could never reach 0 (tfjs counts calls, and the model's own handle).
   */
  override holdsFor(_nodes: number): number { return 1; }

  /** model.apply(realTensor) runs through this stand-in: no hold, or the model's own dispose() would wait for it. */
  protected override firstUseHolds(): number { return 0; }

  /**
   * The last outer model holding this one was disposed: tfjs then disposes the nested model too (its own handle does
   * not keep it alive), counting the variables of its layers no other model holds, once.
   */
  override dispose(): { refCountAfterDispose: number; numDisposedVariables: number } {
    this.assertNotDisposed();
    this.modelRefs = Math.max(0, this.modelRefs - 1);
    if (this.modelRefs > 0) return { refCountAfterDispose: this.modelRefs, numDisposedVariables: 0 };
    this.disposed = true;
    return { refCountAfterDispose: 0, numDisposedVariables: this.model.disposed ? 0 : this.model.dispose().numDisposedVariables };
  }

  /** Several outputs have nowhere to go in a Sequential model, and rnnlab's Sequential files cannot hold a model. */
  extraOutputsOption(): string | null {
    return 'a nested model';
  }

  getConfig(): Record<string, unknown> {
    return this.model.getConfig();
  }
}

/** How many live outer models hold model as a layer (its dispose() waits for them, as tfjs's reference count). */
export function outerHolders(model: object): number {
  const l = standIns.get(model as NestableModel);
  return l && !l.disposed ? l.modelRefs : 0;
}

// Its call runs the inner graph, which sets the output's padding mask itself (not a user's layer).
markBuiltInLayerClass(NestedModel);
// Graphs show the model itself where its stand-in made or took a tensor (sourceLayer, outboundLayer), as tfjs's.
registerShownLayer((l) => (l instanceof NestedModel ? l.model as unknown as Layer : l));

/** The layer standing for model in outer graphs, if it has been called in one (made by nestedLayer only). */
export function existingStandIn(model: NestableModel): NestedModel | null {
  const l = standIns.get(model);
  return l && !l.disposed ? l : null;
}

/** The one layer that stands for model in outer graphs. */
export function nestedLayer(model: NestableModel): NestedModel {
  let l = standIns.get(model);
  // Disposing an outer model disposes its stand-in, not the inner model: a new call gets a fresh one.
  if (!l || l.disposed) { l = new NestedModel(model); standIns.set(model, l); }
  return l;
}
