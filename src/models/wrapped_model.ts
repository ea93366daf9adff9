/**
 * A Sequential or Functional model as the layer rl.layers.timeDistributed wraps (tfjs and Keras wrap a model as any
 * layer). Layers know nothing of models, so this file registers the wrapping with time_distributed.ts; the model
 * itself stays the user's object: the stand-in shares its weights, trainable flag and graph.
 */
import type { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { COMPUTE, Layer, kerasShape, type CallContext, type SymbolicShape, type SymbolicTensor, type WeightPenalty } from '../layers/layer.js';
import { markBuiltInLayerClass } from '../layers/built_in_classes.js';
import { ModelStandIn } from './model_stand_in.js';
import { registerModelWrapping } from '../layers/time_distributed.js';
import { uniquePenalties } from './model_common.js';
import { nestedLayer, type NestableModel, type NestedModel } from './nested.js';
import { configCodecOf } from './saving.js';

/** What the stand-in uses of a model (Sequential's forward and Functional's runGraph are its two ways to run). */
interface WrappableModel {
  readonly name: string;
  readonly className: string;
  trainable: boolean;
  readonly built?: boolean;
  readonly layers: Layer[];
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  readonly weights: Variable[];
  readonly trainableWeights: Variable[];
  readonly nonTrainableWeights: Variable[];
  readonly disposed: boolean;
  readonly stateful: boolean;
  dispose(): { refCountAfterDispose: number; numDisposedVariables: number };
  getConfig(): Record<string, unknown>;
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape | SymbolicShape[];
  forward?(x: Tensor, ctx: CallContext): Tensor;
  runGraph?(xs: Tensor[], ctx: CallContext): Tensor[];
}

/** tfjs writes a functional model as class 'Model' (Keras: 'Functional'), a Sequential as 'Sequential'. */
const savedClassName = (m: WrappableModel) => (m.className === 'Sequential' ? 'Sequential' : 'Model');

/** One stand-in per model, however many wrappers hold it: its modelRefs counts them all (see dispose). */
const standIns = new WeakMap<WrappableModel, WrappedModel>();

class WrappedModel extends ModelStandIn<WrappableModel> {
  /**
   * A Functional model's one nested stand-in (nested.ts), held once while any wrapper holds this: the model's own
   * dispose() and its outer models count that stand-in's holders, so a model both nested and wrapped goes with the
   * last holder of either kind.
   */
  private readonly nestedHold: NestedModel | null;

  constructor(model: WrappableModel) {
    super(model);
    this.nestedHold = model.runGraph ? nestedLayer(model as unknown as NestableModel) : null;
    if (this.nestedHold) this.nestedHold.modelRefs++;
    this.weights = model.weights;
    this.builtInputShape = [...model.inputs[0].shape];
    this.outputShapeValue = [...model.outputs[0].shape];
    this.built = true;
  }

  override get className(): string { return this.model ? savedClassName(this.model) : 'Model'; }


  weightPenalties(): WeightPenalty[] { return uniquePenalties(this.model.layers); }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return this.model.computeOutputShape(inputShape) as SymbolicShape;
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    if (this.model.disposed) this.assertNotDisposed();
    return this.model.runGraph ? this.model.runGraph([x], ctx)[0] : this.model.forward!(x, ctx);
  }

  /**
   * One wrapper let go of the model. The last one disposes the model (tfjs's TimeDistributed disposes the weights,
   * which are the model's) as a nested model's last outer holder does: a Functional model through its nested
   * stand-in, which keeps it while an outer model still nests it; nothing when the model was disposed already.
   */
  override dispose(): { refCountAfterDispose: number; numDisposedVariables: number } {
    this.assertNotDisposed();
    this.modelRefs = Math.max(0, this.modelRefs - 1);
    if (this.modelRefs > 0) return { refCountAfterDispose: this.modelRefs, numDisposedVariables: 0 };
    this.disposed = true;
    if (this.model.disposed) return { refCountAfterDispose: 0, numDisposedVariables: 0 };
    if (this.nestedHold && !this.nestedHold.disposed) return this.nestedHold.dispose();
    return this.model.dispose();
  }

  getConfig(): Record<string, unknown> { return this.model.getConfig(); }
}

// Its [COMPUTE] runs the model's layers, which set their masks themselves (not a user's layer).
markBuiltInLayerClass(WrappedModel);

/** The model as a layer, or an error naming why this model cannot be wrapped. */
function wrap(model: WrappableModel, where: string): Layer {
  const what = `${where}: the wrapped model '${model.name}'`;
  if (model.disposed) throw new Error(`${what} has been disposed`);
  if (model.built === false) throw new Error(`${what} is not built; give its first layer an inputShape (tfjs's sequential requires one too)`);
  if (model.inputs.length !== 1) throw new Error(`${what} has ${model.inputs.length} inputs; TimeDistributed feeds one tensor per step`);
  if (model.outputs.length !== 1) throw new Error(`${what} has ${model.outputs.length} outputs; TimeDistributed returns one tensor per step`);
  if (model.inputs[0].shape.length < 2) throw new Error(`${what} takes input ${kerasShape(model.inputs[0].shape)}, which has no features for a step`);
  if (model.stateful) throw new Error(`${what} holds a stateful layer, whose states would carry across the steps TimeDistributed folds into the batch`);
  let standIn = standIns.get(model);
  if (!standIn || standIn.disposed) { standIn = new WrappedModel(model); standIns.set(model, standIn); }
  return standIn;
}

registerModelWrapping({
  wrap: (model, where) => wrap(model as WrappableModel, where),
  modelFromConfig: (className, config, where) => configCodecOf(where).fromConfig(className === 'Sequential' ? 'Sequential' : 'Functional', config, where),
});
