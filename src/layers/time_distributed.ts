import * as ops from '../autograd/ops.js';
import { stackSteps, timeStep } from '../autograd/recurrent_dropout_ops.js';
import { BatchNormalization } from './batch_normalization.js';
import type { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { COMPUTE, HANDS_ON_CALL_KWARGS, heldLayers, heldModels, isHeldModel, BuiltInLayer, Layer, engineCall, kerasShape, madeWhileBuilding, takesCallKwargs, type CallContext, type LayerArgs, type SymbolicShape, type WeightPenalty, type WeightSpec } from './layer.js';
import { builtInMethod } from './built_in_classes.js';
import { deserializeLayer, registerLayer, serializeLayer } from './registry.js';
import { fromConfigArgs } from './from_config_args.js';
import { describe } from '../describe.js';
import { tensorsIn, tidy } from '../ops/memory.js';
import { whileNamed } from './user_cell.js';

/** layer: a layer, or a Sequential or Functional model (one input, one output), as tfjs and Keras take. */
export interface TimeDistributedArgs extends LayerArgs { layer: Layer }

/** How a model becomes the wrapped layer: src/models registers it (layers never import models). */
export interface ModelWrapping {
  /** The model as a layer sharing its weights, or an error naming why it cannot be wrapped. */
  wrap(model: unknown, where: string): Layer;
  /** A saved {className: 'Sequential' | 'Model' | 'Functional', config} made into a model (fresh weights). */
  modelFromConfig(className: string, config: unknown, where: string): unknown;
}

let modelWrapping: ModelWrapping | null = null;

export function registerModelWrapping(w: ModelWrapping): void {
  modelWrapping = w;
}

/** The class names tfjs (Sequential, Model) and Keras (Functional) save a wrapped model under. */
const MODEL_CLASS_NAMES = new Set(['Sequential', 'Model', 'Functional']);

function wrappingOf(where: string): ModelWrapping {
  if (!modelWrapping) throw new Error(`${where}: wrapping a model needs rnnlab's models; import rnnlab from its package root`);
  return modelWrapping;
}

/**
 * The layers one holds and its held models' layers (a stand-in's model, a custom layer's), found as layer.ts tracks
 * them for saving and training: in attributes, plain objects and nested lists alike.
 */
function heldBy(layer: Layer): Layer[] {
  return [...heldLayers(layer).map(([, held]) => held), ...heldModels(layer).flatMap(([, m]) => m.layers)];
}

/**
 * Whether a training call depends on which samples share the batch: BatchNormalization normalizes with the batch's
 * statistics and moves its moving statistics once per call, anywhere in what the layer holds (a wrapped or nested
 * model's layers, a wrapper's layer, a custom layer's attributes). Per-sample layers (LayerNormalization,
 * GroupNormalization, Dense, ...) compute the same folded or step by step.
 */
export function usesBatchStatistics(layer: Layer, seen = new Set<Layer>()): boolean {
  if (seen.has(layer)) return false;
  seen.add(layer);
  return layer instanceof BatchNormalization || heldBy(layer).some((l) => usesBatchStatistics(l, seen));
}

/**
 * Applies one layer to every time step. tfjs (K.rnn over the steps) and Keras 3 call the layer once per step; where
 * that gives the same numbers, (batch, steps, ...) is folded to (batch*steps, ...) for one call instead. A training
 * call of a layer that uses batch statistics runs step by step, so each step has its own statistics and updates.
 */
export class TimeDistributed extends BuiltInLayer {
  static override readonly className: string = 'TimeDistributed';
  override supportsMasking = true;
  readonly layer: Layer;
  /** The layer stands for a model (saved as tfjs saves one: the model's class and config). */
  private readonly wrapsModel: boolean;

  constructor(args: TimeDistributedArgs) {
    super(args, 'time_distributed');
    const where = `${this.name} (TimeDistributed)`;
    const given: unknown = isHeldModel(args.layer) ? wrappingOf(where).wrap(args.layer, where) : args.layer;
    if (!(given instanceof Layer)) throw new Error(`${this.name} (TimeDistributed): 'layer' must be a layer, got ${describe(args.layer)}`);
    const extra = given.extraOutputsOption();
    if (extra) throw new Error(`${this.name} (TimeDistributed): ${extra} of the wrapped layer is not supported`);
    this.layer = given;
    // A wrapped model's weights keep its layers' names ('dense/kernel', tfjs's originalName), as a custom layer's
    // keep the names it gave them: planning no specs makes savers and loaders read the variables' own names.
    this.wrapsModel = given !== args.layer;
    if (this.wrapsModel) this.weightSpecs = Layer.prototype.weightSpecs;
    // The option went to the wrapper's own flag (set before the model was known): it is the model's flag.
    if (this.wrapsModel && args.trainable !== undefined) this.layer.trainable = args.trainable;
    // Made frozen (or loaded from a file saying so), the wrapped layer is frozen too, as setting the flag later makes
    // it. Made trainable, a frozen layer stays frozen: Keras 3 trains none of its weights, and tfjs reads its flag.
    else if (!this.wrapsModel && args.trainable === false) this.layer.trainable = false;
    // Held as a model holds it: the wrapper shares its weights, which live while any holder does.
    this.layer.modelRefs++;
  }

  protected override heldLayers(): Layer[] { return [this.layer]; }

  /**
   * A wrapped model's flag is the model's (tfjs's Wrapper reads and sets its layer's): freezing either freezes both.
   * Setting a wrapped layer's passes the flag down to it, as tfjs's Wrapper and Keras 3's Layer setters do: the
   * saved config then says what rnnlab trains, and tfjs, which trains by the layer's own flag, trains the same
   * weights (pairing an includeOptimizer file's state with them). (The Layer constructor sets the flag before `layer`
   * is assigned.)
   */
  override get trainable(): boolean { return this.wrapsModel ? this.layer.trainable : super.trainable; }
  override set trainable(value: boolean) {
    if (this.wrapsModel) {
      this.layer.trainable = value;
      return;
    }
    super.trainable = value;
    if (this.layer) this.layer.trainable = value;
  }
  override get trainableWeights(): Variable[] { return this.wrapsModel ? this.layer.trainableWeights : super.trainableWeights; }
  override get nonTrainableWeights(): Variable[] { return this.wrapsModel ? this.layer.nonTrainableWeights : super.nonTrainableWeights; }

  /**
   * The wrapped layer (or model, as tfjs's Wrapper.getConfig writes it) arrives as {className, config}. Keras's
   * from_config(config) or tfjs's fromConfig(cls, config) (see fromConfigArgs).
   */
  static fromConfig(this: typeof TimeDistributed, first: Record<string, unknown> | typeof TimeDistributed, second?: Record<string, unknown>): Layer {
    const { cls, config } = fromConfigArgs(this, 'TimeDistributed', first, second);
    const entry = config.layer as { className?: unknown; config?: unknown } | null;
    const className = typeof entry === 'object' && entry !== null ? entry.className : undefined;
    const layer = typeof className === 'string' && MODEL_CLASS_NAMES.has(className)
      ? wrappingOf('wrapped model').modelFromConfig(className, entry!.config, `wrapped model (${className})`)
      : deserializeLayer(config.layer, 'wrapped layer');
    return new cls({ ...config, layer } as TimeDistributedArgs);
  }

  private innerShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length < 3) throw new Error(`${this.name} (TimeDistributed): expected input (batch, steps, ...), got ${kerasShape(inputShape)}`);
    return [null, ...inputShape.slice(2)];
  }

  /** A user's layer plans no weights: its build makes them, so they are known by building it. */
  private get userWeights(): boolean {
    return !this.wrapsModel && this.layer.weightSpecs === Layer.prototype.weightSpecs;
  }

  /**
   * tfjs names the wrapped layer's weights under the wrapper ('time_distributed/kernel'): its build runs in the
   * wrapper's name scope, a user's layer's too ('time_distributed/k', and its held layers' 'time_distributed/d/kernel').
   */
  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    if (!this.userWeights) return this.layer.weightSpecs(this.innerShape(inputShape));
    this.buildInner(inputShape);
    const names = this.layer.weights.map((w) => w.name.startsWith(`${this.name}/`) ? w.name.slice(this.name.length + 1) : w.name);
    // A layer built before it was wrapped keeps its build's names: saved under the wrapper's ('td/cw/k'), as tfjs's
    // loadWeights and rnnlab's loaders read it as 'td/k'. A weight made outside any build (in a constructor, even one
    // that sets built) tfjs names bare ('v'): saved as 'td/v', which its loadWeights reads as 'v', where 'td/cw/v'
    // would reach 'td/v', no weight of tfjs's. rnnlab's loaders pair tfjs's bare 'v' with it and read older files'
    // 'td/cw/v' as 'td/v'. Kept whole where the leaf is another weight's name, or two such weights' leaf.
    const leaves = this.layer.weights.map((w, i) => (names[i] === w.name && !madeWhileBuilding(w) ? w.name.slice(w.name.lastIndexOf('/') + 1) : null));
    const taken = (leaf: string) => names.includes(leaf) || leaves.filter((l) => l === leaf).length > 1;
    return this.layer.weights.map((w, i) => ({
      name: leaves[i] !== null && !taken(leaves[i]!) ? leaves[i]! : names[i],
      shape: [...w.shape],
      initializer: (_s: number[], out: Float32Array) => out.set(w.values as Float32Array),
    }));
  }

  /**
   * A user's layer is built as a layer of a model is (Layer.ensureBuilt: the layers it holds are named and built
   * with it, their weights joining its own), carrying the wrapper's name meanwhile, as tfjs builds it in the
   * wrapper's name scope.
   */
  private buildInner(inputShape: SymbolicShape): void {
    const inner = this.innerShape(inputShape);
    if (!this.userWeights) this.layer.build(inner);
    else if (!this.layer.built || !this.layer.builtInputShape) whileNamed(this.layer, this.name, () => this.layer.ensureBuilt(inner));
  }

  weightPenalties(): WeightPenalty[] {
    return this.layer.weightPenalties();
  }

  build(inputShape: SymbolicShape): void {
    this.buildInner(inputShape);
    this.weights = this.layer.weights;
    this.markBuilt(inputShape);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const inner = this.layer.computeOutputShape(this.innerShape(inputShape));
    return [inputShape[0], inputShape[1], ...inner.slice(1)];
  }

  /** tfjs's TimeDistributed.call hands its kwargs to the wrapped layer's call: a user's layer gets its call arguments. */
  protected override [HANDS_ON_CALL_KWARGS](): boolean { return takesCallKwargs(this.layer); }

  /** Through the wrapped layer's own computation only: a user's call() override of it computes the activation. */
  foldsActivation(kind: 'sigmoid' | 'softmax'): boolean { return builtInMethod(this.layer, 'call') && this.layer.foldsActivation(kind); }

  /**
   * In a tidy scope, as tfjs's TimeDistributed.call: what a user's call makes on the way (its output per fold or step
   * included) is freed; tensors it returns that were made before (its input, a tensor it holds) are not. Tensors the
   * call's activity terms or traces keep for the model are kept.
   */
  protected [COMPUTE](x: Tensor, ctx: CallContext, logits = false): Tensor {
    const [B, T] = x.shape;
    const mask = ctx.mask;
    const stepwise = ctx.training && T > 0 && usesBatchStatistics(this.layer);
    const [out] = tidy(() => {
      const y = stepwise ? this.callPerStep(x, ctx, logits) : this.innerCall(ops.reshape(x, [B * T, ...x.shape.slice(2)]), ctx, logits);
      return [stepwise ? y : ops.reshape(y, [B, T, ...y.shape.slice(1)]), ...tensorsIn([ctx.activityPenalties, ctx.trace])];
    });
    ctx.mask = mask;
    return out;
  }

  /** The wrapped layer on (n, ...) samples, with one mask value per sample or none. */
  private innerCall(x: Tensor, ctx: CallContext, logits: boolean, mask: Uint8Array | null = null): Tensor {
    // On top of ctx, not a copy: a context made over a user's kwargs inherits its call's activity terms and traces.
    const inner: CallContext = Object.create(ctx);
    inner.mask = mask;
    const y = engineCall(this.layer, x, inner, logits);
    if (Array.isArray(y)) throw new Error(`${this.name} (TimeDistributed): the wrapped layer ${this.layer.name} returned a list of tensors; it must return one`);
    return y;
  }

  /**
   * Step 0, 1, ... in order, each (batch, ...) on its own, stacked back to (batch, steps, ...). Each step's padding
   * mask goes with it, as Keras 3's step_function hands the layer mask[:, t]: a (batch, features) step has one
   * value per row, the input's shape without its last axis, which BatchNormalization's masked moments read (padded
   * rows then count in neither the step's batch statistics nor the moving ones). A step of (batch, steps2, ...) gets
   * none: a (batch,) mask is not the (batch, steps2) mask a layer of such inputs reads.
   */
  private callPerStep(x: Tensor, ctx: CallContext, logits: boolean): Tensor {
    const [B, T, ...rest] = x.shape;
    const flat = ops.reshape(x, [B, T, rest.reduce((a, b) => a * b, 1)]);
    const mask = rest.length === 1 ? ctx.mask : null;
    const steps: Tensor[] = [];
    let stepShape: number[] = [];
    for (let t = 0; t < T; t++) {
      const stepMask = mask && Uint8Array.from({ length: B }, (_, b) => mask[b * T + t]);
      const y = this.innerCall(ops.reshape(timeStep(flat, t), [B, ...rest]), ctx, logits, stepMask);
      stepShape = y.shape.slice(1);
      steps.push(ops.reshape(y, [B, stepShape.reduce((a, b) => a * b, 1)]));
    }
    return ops.reshape(stackSteps(steps), [B, T, ...stepShape]);
  }

  getConfig(): Record<string, unknown> {
    const layer = this.wrapsModel ? { className: this.layer.className, config: this.layer.getConfig() } : serializeLayer(this.layer);
    // A frozen wrapper trains none of its layer's weights, even where the layer's own flag was set back to true
    // afterwards; tfjs trains by that flag, so the file says false.
    if (!this.wrapsModel && !this.trainable) layer.config = { ...layer.config, trainable: false };
    return { ...super.getConfig(), layer };
  }
}

registerLayer(TimeDistributed);
