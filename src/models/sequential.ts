/** A linear stack of layers with Keras's compile / fit / evaluate / predict / summary. */
import { inheritedTraining } from '../layers/call_kwargs.js';
import { isRecording, withTape } from '../autograd/tape.js';
import type { LossKind } from '../autograd/loss_ops.js';
import { Layer, automaticModelName, checkGivenName, distinctFrom, engineApply, engineFoldsActivation, kerasShape, userBuilt, withActivityPenalties, type CallContext, type StateGradRecord, type SymbolicShape, type TraceRecord } from '../layers/layer.js';
import { foldableActivation } from '../losses.js';
import { outputsLoss, perOutputLosses, type LossSpec } from './loss_terms.js';
import type { Optimizer, OptimizerConfigObject } from '../optimizers/index.js';
import type { MetricsArg } from '../metrics/registry.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { tidy } from '../ops/memory.js';
import { asInput, checkBatchSize, checkStatefulBatches, takeRows } from './batches.js';
import { printSummary, refuseSummaryExtras, type PrintFn } from './summary.js';
import { predictInBatches, predictRecorded } from './inference.js';
import { checkOptionKeys } from '../near_name.js';
import { checkInputIds, checkMetricsFit, checkSequentialX, compileExtras, oneNamed, prepareSequential, type LossWeightsArg } from './training.js';
import { ModelBase } from './model_base.js';
import { Functional, refusePredictOnBatchExtras } from './functional.js';
import { InputLayer } from '../layers/input_layer.js';
import { addPenalties } from '../layers/regularizers.js';
import type { Node, SymbolicTensor } from '../layers/symbolic.js';
import { callArgs, callInputs, inputMasks, inputShapeList, maskOf, ownNode, tensorsAt } from './model_as_layer.js';
import { withoutTape } from '../autograd/tape.js';
import { configCodecOf } from './saving.js';
import { withCustomObjects } from '../layers/serialization.js';
import { bothNameAndIndex, checkCompileArgs, configDescribesFunctional, nestedModelError, predictOptions, refuseDataset } from './model_common.js';
import { checkSequentialLayer, shapeClashes } from './param_plan.js';

export interface SequentialArgs { layers?: Layer[]; name?: string }

export interface CompileArgs {
  /** An optimizer object, a name (Keras defaults) or Keras's serialized {className, config}. */
  optimizer: string | Optimizer | OptimizerConfigObject;
  /**
   * A loss name, or a function (yTrue, yPred) => loss built from rl ops (tfjs's custom loss); also, as tfjs and Keras
   * take it, a list of one or {<last layer's name>: loss}.
   */
  loss: LossSpec;
  /** A name, a list of names, rl.metrics functions or user functions; or {outputName: metrics}. */
  metrics?: MetricsArg;
  /** Keras's loss_weights: the loss is multiplied by it (a number, or a list of one). */
  lossWeights?: LossWeightsArg;
  loss_weights?: LossWeightsArg;
}

/** A Sequential's x or y: one tensor, [tensor] (tfjs), or {name: tensor} keyed by inputNames / outputNames (tfjs's LayersModel). */
export type SequentialData = TensorLike | Record<string, TensorLike>;

export class Sequential extends ModelBase<SequentialData> {
  readonly className = 'Sequential';
  name: string;
  layers: Layer[] = [];
  /** The final sigmoid/softmax is folded into the loss during training (stable and cheaper). */
  foldsActivation = false;
  /** The symbolic graph of the built model (see connect; perLayer: each layer's output), or why it could not be made. */
  private graph: { inputs: SymbolicTensor[]; outputs: SymbolicTensor[]; perLayer: SymbolicTensor[] } | { error: string } | null = null;
  /** Each built layer's output with the steps left free that an Embedding without inputLength leaves free (see buildLayer). */
  private freeOutputs = new WeakMap<Layer, SymbolicShape>();
  /** Each layer's output shape as this model connected it (a shared layer's own outputShape may name another call's). */
  private layerOutputs = new WeakMap<Layer, SymbolicShape>();
  /** The layers that fixed steps the layers before them left free (a Flatten after such an Embedding). */
  private fixingSteps = new WeakSet<Layer>();
  /** The shape build() last built every layer for. */
  private builtFor: SymbolicShape | null = null;

  constructor(args: SequentialArgs = {}) {
    super();
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new Error(`sequential: expected {layers, name}, got ${Array.isArray(args) ? 'a list (pass {layers: [...]})' : String(args)}`);
    checkOptionKeys('sequential', args, ['layers', 'name']);
    checkGivenName('sequential', args.name);
    const layers = args.layers ?? [];
    if (!Array.isArray(layers)) {
      throw new Error(`sequential: layers must be a list of layers, got ${(layers as unknown) instanceof Layer ? `the single layer '${(layers as Layer).name}' (write layers: [layer])` : String(layers)}`);
    }
    this.name = args.name ?? automaticModelName('sequential');
    try {
      for (const l of layers) this.add(l);
    } catch (e) {
      // No model comes back, so none holds the layers added before the refused one.
      for (const l of this.layers) l.modelRefs = Math.max(0, l.modelRefs - 1);
      throw e;
    }
  }

  add(layer: Layer): void {
    this.assertNotDisposed();
    checkSequentialLayer(`${this.name}.add`, layer, this.layers);
    const wasTrainable = layer.trainable;
    this.layers.push(layer);
    layer.modelRefs++;
    // Keras: a frozen model's new layers are frozen too (the flag is set on every layer).
    if (!this.trainable) layer.trainable = false;
    this.refreshFold();
    try {
      if (this.layers.length === 1 && layer.batchInputShape) this.build(layer.batchInputShape);
      else if (this.layers.length > 1 && this.layers[this.layers.length - 2].built) {
        const previous = this.layers[this.layers.length - 2];
        const previousOut = this.outputOf(previous);
        this.buildLayer(layer, previousOut, this.freeOutputs.get(previous) ?? previousOut, false);
        this.connect([layer]);
      } else if (this.layers.length > 1 && layer.batchInputShape) {
        throw new Error(`${layer.name}: only the first layer of a Sequential model takes an input shape`);
      }
    } catch (e) {
      // A refused layer is not added (tfjs applies it before adding it): nor does the model hold it.
      this.layers.pop();
      layer.modelRefs = Math.max(0, layer.modelRefs - 1);
      layer.trainable = wasTrainable;
      this.refreshFold();
      throw e;
    }
  }

  /**
   * Builds `layer` for inputShape, the shape the model's build shape (or first batch) gives it: its output shape
   * (layer.outputShape, the summary) follows from it, as in Keras. An Embedding without inputLength takes any number
   * of steps whatever that shape had, and `free` is inputShape with those steps left free: a layer whose weights and
   * output shape do not need them (a recurrent layer, Conv1D, a Dense per step) is built for `free`, so later
   * batches may be longer or shorter (bucketed batches are); one that needs them (Flatten) is built for inputShape,
   * which fixes the length from there on. Returns the layer's output with what it leaves free.
   */
  private buildLayer(layer: Layer, inputShape: SymbolicShape, free: SymbolicShape, first: boolean): SymbolicShape {
    const prebuilt = layer.built && !!layer.builtInputShape;
    let outs: SymbolicShape[];
    // The shape the error names: the one the layer was being built for, else the one it was given.
    let tried = inputShape;
    try {
      if (!prebuilt) {
        tried = takesFreeSteps(layer, inputShape, free) ? free : inputShape;
        layer.ensureBuilt(tried);
        tried = inputShape;
      }
      outs = layer.computeOutputShapes([inputShape], 1);
    } catch (e) {
      throw new Error(`${this.name}: cannot connect ${layer.name} (${layer.className}) to input ${kerasShape(tried)}: ${(e as Error).message}`);
    }
    // A custom layer may return a list of tensors (tfjs's); a Sequential passes one tensor from layer to layer.
    if (outs.length !== 1) throw new Error(`${this.name}: ${layer.name} (${layer.className}) has ${outs.length} outputs, but every layer of a Sequential model must have one (Keras's rule); use the functional API (rl.model({inputs, outputs}))`);
    const spec = layer.builtInputShape;
    if (spec && shapeClashes(spec, inputShape) && !layer.takesShape(spec, inputShape)) {
      throw new Error(`${this.name}: ${layer.name} (${layer.className}) was built for input ${kerasShape(spec)} but receives ${kerasShape(inputShape)}`);
    }
    layer.outputShapeValue = outs[0];
    this.layerOutputs.set(layer, outs[0]);
    // What the layer takes: the first one as it built itself (an Embedding frees its steps); a later one, what it
    // was given, less free where it was built for fewer shapes.
    const takes = !spec ? inputShape : first ? spec : free.map((d, i) => d ?? spec[i]);
    if (!first && takes.some((d, i) => d !== null && free[i] === null)) this.fixingSteps.add(layer);
    else this.fixingSteps.delete(layer);
    const freeOut = sameShape(takes, inputShape) ? outs[0] : layer.computeOutputShapes([takes], 1)[0];
    this.freeOutputs.set(layer, freeOut);
    return freeOut;
  }

  /** Builds every layer for the given input shape (batch axis first, null allowed). */
  build(batchInputShape: SymbolicShape): void {
    this.requireLayers('build');
    // The input layer checks the shape before any layer makes weights for it: a negative or fractional size would
    // otherwise reach a weight's allocation and fail there, in words about typed arrays.
    const input = this.inputLayerFor(batchInputShape);
    let shape = batchInputShape, free = batchInputShape;
    this.layers.forEach((l, i) => {
      free = this.buildLayer(l, shape, free, i === 0);
      shape = this.outputOf(l);
    });
    this.builtFor = [...batchInputShape];
    if (!this.graph) this.makeGraph(batchInputShape, input);
  }

  /**
   * The model's input layer: an InputLayer given first is it (tfjs's add takes its tensor as the model's input, so
   * model.inputs name it and rl.model({inputs: model.inputs, ...}) reaches every layer); else one made for the first
   * layer, named '<first layer>_input' and of the first layer's dtype, as tfjs's add makes it.
   */
  private inputLayerFor(batchInputShape: SymbolicShape): InputLayer {
    const first = this.layers[0];
    return first instanceof InputLayer ? first : new InputLayer({ batchInputShape, dtype: first.dtype, name: `${first.name}_input` });
  }

  private makeGraph(batchInputShape: SymbolicShape, input = this.inputLayerFor(batchInputShape)): void {
    const t = input.output as SymbolicTensor;
    // A given InputLayer is not applied to anything: its own tensor is its output (perLayer keeps one per layer).
    const given = input === this.layers[0];
    this.graph = { inputs: [t], outputs: given ? [t] : [], perLayer: given ? [t] : [] };
    this.connect(given ? this.layers.slice(1) : this.layers);
  }

  /**
   * Keras and tfjs make a built Sequential a graph: an input tensor with each layer applied in turn. So
   * model.inputs, model.outputs and layer.output exist, and rl.model({inputs: model.inputs, outputs:
   * model.layers[0].output}) is a sub-model sharing the weights.
   */
  private connect(layers: Layer[]): void {
    const g = this.graph;
    if (!g || 'error' in g) return;
    let t = g.outputs[0] ?? g.inputs[0];
    for (const l of layers) {
      try {
        t = l.apply(t) as SymbolicTensor;
        g.perLayer.push(t);
      } catch (e) {
        this.graph = { error: `${l.name} (${l.className}) cannot be applied to a symbolic input: ${(e as Error).message}` };
        return;
      }
    }
    g.outputs = [t];
  }

  private symbolic(what: string): { inputs: SymbolicTensor[]; outputs: SymbolicTensor[] } {
    this.requireBuilt(what);
    // Layers built before they were added leave no graph behind: make it now.
    if (!this.graph) this.makeGraph(this.layers[0].builtInputShape!);
    const g = this.graph!;
    if ('error' in g) throw new Error(`${this.name}: ${what}: ${g.error}`);
    return g;
  }

  /** The model's symbolic input, as tfjs's model.inputs (one for a Sequential). */
  get inputs(): SymbolicTensor[] { return this.symbolic('inputs').inputs; }
  get outputs(): SymbolicTensor[] { return this.symbolic('outputs').outputs; }
  get input(): SymbolicTensor { return this.inputs[0]; }
  get output(): SymbolicTensor { return this.outputs[0]; }

  get built(): boolean { return this.layers.length > 0 && this.layers.every((l) => l.built); }

  /**
   * What the model takes: the first layer's input, unless a later layer fixed the steps it leaves free (buildLayer),
   * and then the shape it was built for (saved as its batch_input_shape, so the loaded model builds as this one did).
   */
  get inputShape(): SymbolicShape {
    this.requireBuilt('inputShape');
    const first = this.layers[0].builtInputShape!, built = this.builtFor;
    const fixed = built && built.length === first.length && this.layers.some((l) => this.fixingSteps.has(l));
    return fixed ? built.map((d, i) => d ?? first[i]) : first;
  }
  /**
   * What predict, fit and evaluate take: inputShape, but with the steps free again where only a user's layer fixed
   * them. Keras 3 builds a user's layer for the whole first shape too (so does this model, and saves that shape), but
   * runs it on any length: it checks no input spec for it, and the layer's own ops check what they get.
   */
  get acceptedInputShape(): SymbolicShape {
    const needed = this.layers.some((l) => this.fixingSteps.has(l) && userBuilt(l) === null);
    return needed ? this.inputShape : this.layers[0].builtInputShape!;
  }
  get outputShape(): SymbolicShape { this.requireBuilt('outputShape'); return this.outputOf(this.layers[this.layers.length - 1]); }

  /**
   * A layer's output in this model: what buildLayer recorded, else (a layer built before it was added) its build's.
   * Never layer.outputShape, which refuses a layer shared at another rank elsewhere (tfjs's model keeps its own).
   */
  private outputOf(layer: Layer): SymbolicShape {
    return this.layerOutputs.get(layer) ?? layer.builtOutputShape;
  }

  /** Output shape for a concrete input shape (resolves free time axes). */
  outputShapeFor(inputShape: SymbolicShape): SymbolicShape {
    this.requireBuilt('outputShapeFor');
    return this.layers.reduce((shape, l) => l.computeOutputShape(shape), inputShape);
  }

  /**
   * tfjs's model.inboundNodes: once built, the model's own graph (its input to its output); a Sequential is never
   * called inside another model here, so that is all, and outboundNodes is empty.
   */
  get inboundNodes(): Node[] {
    const g = this.graph;
    return this.built && g && !('error' in g) && g.outputs.length ? [ownNode(this, g.inputs, g.outputs)] : [];
  }
  get outboundNodes(): Node[] { return []; }
  /** tfjs's getInputAt(0): the model's symbolic input (0 is its only node). */
  getInputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] { return tensorsAt(this.nodesOf('getInputAt'), nodeIndex, 'inputs', `${this.name}.getInputAt`); }
  getOutputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] { return tensorsAt(this.nodesOf('getOutputAt'), nodeIndex, 'outputs', `${this.name}.getOutputAt`); }
  private nodesOf(what: string): Node[] {
    const { inputs, outputs } = this.symbolic(what);
    return [ownNode(this, inputs, outputs)];
  }

  /** Keras's compute_output_shape (tfjs 4.22's fails on a Sequential): the output's shape for this input shape. */
  computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const [shape] = inputShapeList(inputShape, this.inputs, `${this.name}.computeOutputShape`);
    return this.outputShapeFor(shape);
  }

  /**
   * tfjs's call(inputs, {training, mask}): the output on a real tensor, as a list of one, as tfjs returns it. mask:
   * the input's padding mask (see inputMasks), which the first layer gets, as Keras 3's call(mask=).
   */
  call(inputs: Tensor | Tensor[], kwargs?: { training?: boolean | null; mask?: Tensor | (Tensor | null)[] | null }): Tensor[] {
    const where = `${this.name}.call`;
    const { xs, training, masks } = callArgs(inputs, kwargs, 1, where);
    return [this.runOn(asInput(xs[0], `${where}: inputs`), training, masks[0], where)];
  }

  /** tfjs's computeMask(inputs, mask): [the output's padding mask (a bool tensor [batch, steps]) or null]; mask as call takes it. */
  computeMask(inputs: Tensor | Tensor[], mask?: Tensor | (Tensor | null)[] | null): (Tensor | null)[] {
    const where = `${this.name}.computeMask`;
    const xs = callInputs(inputs, 1, where);
    const xt = asInput(xs[0], `${where}: inputs`);
    checkSequentialX(this, xt, where);
    const ctx: CallContext = { training: false, mask: inputMasks(mask, [xt], where)[0] };
    let shape: number[] = [];
    tidy(() => { shape = withoutTape(() => this.forward(xt, ctx)).shape; });
    return [maskOf(ctx.mask, shape)];
  }

  /** tfjs: "Sequential model cannot be built: model is empty"; here, as summary and countParams say it. */
  private requireLayers(what: string): void {
    if (this.layers.length === 0) throw new Error(`${this.name}: ${what}: the model has no layers; add some first (model.add(layer))`);
  }

  private requireBuilt(what: string): void {
    this.requireLayers(what);
    if (!this.built) {
      throw new Error(`${this.name}: ${what}: the model is not built yet; give the first layer an inputShape (or inputDim / inputLength), or call fit first`);
    }
  }

  /**
   * tfjs's Sequential.fromConfig(cls, config, customObjects) (or Keras's from_config(config)): the model with fresh
   * weights, customObjects' layer classes found first, as modelFromJSON finds them.
   */
  static fromConfig(cls: unknown, config?: unknown, customObjects?: unknown): Sequential {
    const cfg = config === undefined && typeof cls !== 'function' ? cls : config;
    const functionalMessage = 'Sequential.fromConfig: the config describes a functional model; rebuild it with rl.Functional.fromConfig or load it with rl.models.modelFromJSON';
    if (configDescribesFunctional(cfg)) throw new Error(functionalMessage);
    const m = withCustomObjects('Sequential.fromConfig', customObjects, () => configCodecOf('Sequential.fromConfig').fromConfig('Sequential', cfg, 'Sequential.fromConfig'));
    if (!(m instanceof Sequential)) throw new Error(functionalMessage);
    return m;
  }

  /**
   * tfjs's and Keras's pop(): removes the last layer (returned, as Keras 3 does); the model's output becomes the
   * previous layer's. A compiled model keeps its compile settings.
   */
  pop(): Layer {
    this.assertNotDisposed();
    if (this.layers.length === 0) throw new Error(`${this.name}.pop: there are no layers in the model`);
    const layer = this.layers.pop()!;
    layer.modelRefs = Math.max(0, layer.modelRefs - 1);
    const g = this.graph;
    if (g && !('error' in g) && g.perLayer.length === this.layers.length + 1) {
      g.perLayer.pop();
      g.outputs = g.perLayer.length ? [g.perLayer[g.perLayer.length - 1]] : [];
      if (this.layers.length === 0) this.graph = null;
    } else {
      this.graph = null;
    }
    this.refreshFold();
    return layer;
  }

  /** After compile, add and pop: whether the loss may take the last layer's logits (its final activation). */
  private refreshFold(): void {
    if (!this.loss) return;
    const last = this.layers[this.layers.length - 1];
    const fold = foldableActivation(this.loss);
    // An activity regularizer reads the activated output, so its layer keeps the activation.
    this.foldsActivation = !!last && fold !== null && !last.activityRegularizer && engineFoldsActivation(last, fold);
  }

  /** Unbuilt, the model has no weights yet to take values: said so, rather than "expected 0 arrays". */
  setWeights(values: readonly (Tensor | ArrayLike<number>)[]): void {
    if (!this.built && this.layers.length > 0 && Array.isArray(values) && values.length > 0) this.requireBuilt('setWeights');
    super.setWeights(values);
  }

  countParams(): number {
    this.requireBuilt('countParams');
    return this.layers.reduce((s, l) => s + l.countParams(), 0);
  }

  summary(lineLength?: number, positions?: number[], printFn: PrintFn = console.log, ...extra: unknown[]): void {
    this.assertNotDisposed();
    refuseSummaryExtras(this.name, extra);
    this.requireBuilt('summary');
    printSummary(this.name, this.layers, lineLength, positions, printFn);
  }

  /** By name, or by index as tfjs's getLayer(undefined, index) and Keras's get_layer(index=...). */
  getLayer(givenName?: string | number | null, givenIndex?: number | null): Layer {
    // tfjs code passes null for the one not given (getLayer(null, 0)).
    const name = givenName ?? undefined, index = givenIndex ?? undefined;
    if (name !== undefined && index !== undefined) throw bothNameAndIndex(this.name, name, index);
    const at = typeof name === 'number' ? name : name === undefined ? index : undefined;
    if (at === undefined && name === undefined) throw new Error(`${this.name}: getLayer needs a name or an index (getLayer(name), or getLayer(undefined, index) as tfjs), got neither`);
    const l = at !== undefined ? this.layers[at] : this.layers.find((x) => x.name === name);
    if (!l) throw new Error(`${this.name}: no layer ${at !== undefined ? `at index ${at}` : `named '${name}'`}`);
    return l;
  }

  compile(args: CompileArgs): void {
    this.assertNotDisposed();
    checkCompileArgs(this.name, args);
    const names = [this.outputName];
    const extras = compileExtras(args, names, `${this.name}.compile`);
    const [loss] = perOutputLosses(args.loss, names, `${this.name}.compile`);
    // Checked before anything is set: a refused compile leaves the model as it was.
    checkMetricsFit(extras, [{ name: names[0], loss: loss.kind, shape: this.built ? this.outputShape : null }], `${this.name}.compile`);
    this.compileOptimizer(args.optimizer);
    this.compiledLosses = [loss];
    this.loss = loss.kind;
    ({ metrics: this.metrics, metricFunctions: this.metricFunctions, outputMetrics: this.outputMetrics, lossWeights: this.lossWeights } = extras);
    this.refreshFold();
  }

  /** Runs every layer. logits: stop before a final activation the loss folds in. */
  forward(x: Tensor, ctx: CallContext, logits = false): Tensor {
    this.assertNotDisposed();
    this.requireLayers('forward');
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
    let h = x;
    this.layers.forEach((l, i) => { h = engineApply(l, h, ctx, logits && i === this.layers.length - 1); });
    return h;
  }

  /** Forward and loss on one batch, recorded for backward. */
  lossOnBatch(x: Tensor, y: Tensor, ctx: CallContext): { out: Tensor; loss: Tensor; backward: (l: Tensor) => void; mask?: Uint8Array | null } {
    if (!this.loss) throw new Error(`${this.name}: call compile() before training or evaluating`);
    const { value, backward } = withTape(() => {
      const { value: out, activity } = withActivityPenalties(ctx, () => this.forward(x, ctx, this.foldsActivation));
      // Regularization is part of the loss in fit, evaluate and trainOnBatch alike, as in Keras and tfjs.
      const penalties = [...this.layers.flatMap((l) => l.weightPenalties()), ...activity];
      // ctx.mask is now the output's padding mask: Keras weighs a per-step output's loss by it (loss_terms.ts).
      const { loss, masks } = outputsLoss(this.compiledLosses, [this.foldsActivation], [out], [y], ctx.sampleWeight ?? null, [ctx.mask], this.lossWeights, [this.outputName]);
      return { out, loss: addPenalties(loss, penalties), mask: masks[0] };
    });
    return { ...value, backward };
  }

  prepareData(x: unknown, y: unknown, what: string): { xs: Tensor[]; ys: Tensor[] } {
    refuseDataset(x, what);
    return prepareSequential(this, this.namedInput(x, what) as TensorLike, oneNamed(y, this.outputName, 'output', what) as TensorLike, what);
  }

  /**
   * tfjs's name of the model's input ('<first layer>_input', or a given InputLayer's own, model.inputNames[0]) and
   * of its output (the last layer's, model.outputNames[0]), as {name: tensor} data is keyed; known before the model
   * is built.
   */
  private get inputName(): string {
    const g = this.graph, first = this.layers[0];
    if (g && !('error' in g) && g.inputs.length) return g.inputs[0].sourceLayer.name;
    return first instanceof InputLayer ? first.name : `${first?.name ?? this.name}_input`;
  }
  private get outputName(): string { return this.layers[this.layers.length - 1]?.name ?? this.name; }

  /** x given as {inputName: tensor} (tfjs's LayersModel takes it): the tensor; anything else as given. */
  private namedInput(x: unknown, what: string): unknown { return oneNamed(x, this.inputName, 'input', what); }

  batchLoss(xs: Tensor[], ys: Tensor[], ctx: CallContext): { outs: Tensor[]; loss: Tensor; backward: (l: Tensor) => void; masks?: (Uint8Array | null)[] } {
    const { out, loss, backward, mask } = this.lossOnBatch(xs[0], ys[0], ctx);
    return { outs: [out], loss, backward, masks: [mask ?? null] };
  }

  outputHeads(): { name: string; loss: LossKind; fromLogits: boolean }[] {
    return [{ name: this.layers[this.layers.length - 1]?.name ?? this.name, loss: this.loss!, fromLogits: this.foldsActivation }];
  }

  /** Outputs for x in batches (Keras default batch size 32). */
  predict(x: SequentialData, args: { batchSize?: number; batch_size?: number; verbose?: boolean } = {}): Tensor {
    this.assertNotDisposed();
    refuseDataset(x, `${this.name}.predict`);
    if (x === null) throw new Error(`${this.name}.predict: needs x (the inputs), found null`);
    const opts = predictOptions(args, `${this.name}.predict`);
    const xt = asInput(this.namedInput(x, `${this.name}.predict`) as TensorLike, `${this.name}.predict: x`);
    const bs = checkBatchSize(opts.batchSize ?? 32);
    checkSequentialX(this, xt, `${this.name}.predict`);
    checkInputIds(this, [xt], `${this.name}.predict: x`);
    checkStatefulBatches(this.layers, xt.shape[0], bs, `${this.name}.predict`);
    // Inside tf.grad / variableGrads (a custom training loop, tfjs's cart-pole) predict is part of the recorded cost.
    if (isRecording()) return predictRecorded([xt], bs, ([xb]) => [this.forward(xb, { training: false, mask: null })])[0];
    return predictInBatches(xt.shape[0], bs, (s, e) => [this.forward(takeRows(xt, null, s, e), { training: false, mask: null })])[0];
  }

  /**
   * tfjs's model.apply(x, {training, mask}) on real tensors: one forward pass over the whole batch, recorded on the
   * tape inside rl.grad / variableGrads (tfjs-examples' custom training loops call it so); mask as call takes it. On
   * symbolic tensors a Sequential is not called as a layer (the error says what to do instead).
   */
  override apply(x: unknown, args?: unknown): unknown {
    const where = `${this.name}.apply`;
    const list = Array.isArray(x) ? x : [x];
    if (list.length === 0 || !list.every((t) => t instanceof Tensor)) throw nestedModelError(where, this);
    if (list.length !== 1) throw new Error(`${where}: a Sequential model takes one input tensor, got a list of ${list.length}`);
    const opts = (args ?? {}) as { training?: unknown; mask?: unknown };
    if (typeof opts !== 'object') throw new Error(`${where}: expected options like {training: true}, got ${String(args)}`);
    checkOptionKeys(where, opts as Record<string, unknown>, ['training', 'mask']);
    if (opts.training !== undefined && opts.training !== null && typeof opts.training !== 'boolean') throw new Error(`${where}: training must be true or false, got ${JSON.stringify(opts.training)}`);
    const xt = asInput(list[0] as Tensor, `${where}: x`);
    return this.runOn(xt, (opts.training as boolean | null | undefined) ?? undefined, inputMasks(opts.mask, [xt], where)[0], where);
  }

  /** The output on a real tensor, as apply and call give it: one pass in this mode (else the enclosing call's, else inference). */
  private runOn(xt: Tensor, training: boolean | undefined, mask: Uint8Array | null, where: string): Tensor {
    checkSequentialX(this, xt, where);
    // tfjs's Container.call runs in tidy: what the layers' calls make is freed, only the output survives.
    return tidy(() => distinctFrom([xt], this.forward(xt, { training: training ?? inheritedTraining() ?? false, mask })));
  }

  /**
   * tfjs's execute(inputs, outputs) (LayersModel's, which tfjs's Sequential inherits): the values of the named
   * tensors or layers' outputs, in inference mode, through the model's graph as a functional model of its layers.
   */
  execute(inputs: TensorLike | TensorLike[], outputs: string | string[]): Tensor | Tensor[] {
    const { inputs: ins, outputs: outs } = this.symbolic(`${this.name}.execute`);
    return new Functional({ inputs: ins, outputs: outs, name: this.name }).execute(inputs as never, outputs);
  }

  /** Outputs for one batch, in one forward pass (tfjs's predictOnBatch). */
  predictOnBatch(x: SequentialData, ...extra: unknown[]): Tensor {
    refusePredictOnBatchExtras(this.name, extra);
    const xt = asInput(this.namedInput(x, `${this.name}.predictOnBatch`) as TensorLike, `${this.name}.predictOnBatch: x`);
    // Checked here, or predict's message would name predict and its batchSize, which predictOnBatch does not take.
    checkStatefulBatches(this.layers, xt.shape[0], xt.shape[0], `${this.name}.predictOnBatch`, 'oneBatch');
    return this.predict(xt, { batchSize: xt.shape[0] });
  }

  /** Class ids: threshold 0.5 for one output unit, argmax over the last axis otherwise (Keras predict_classes). */
  predictClasses(x: TensorLike, args: { batchSize?: number } = {}): Tensor {
    const p = this.predict(x, args);
    const C = p.shape[p.rank - 1];
    if (C === 1) return new Tensor(Int32Array.from(p.values, (v) => (v > 0.5 ? 1 : 0)), p.shape, 'int32');
    const rows = p.size / C;
    const out = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (p.values[r * C + c] > p.values[r * C + best]) best = c;
      out[r] = best;
    }
    return new Tensor(out, p.shape.slice(0, -1), 'int32');
  }

  /** Hidden states (and LSTM/GRU gates) at every step of every recurrent layer, for x. */
  trace(x: TensorLike): { output: Tensor; layers: TraceRecord[] } {
    const trace: TraceRecord[] = [];
    const output = this.forward(asInput(x, `${this.name}.trace: x`), { training: false, mask: null, trace });
    return { output, layers: trace };
  }

  /** d loss / d h_t for every step of every recurrent layer, on one batch (the vanishing-gradient measurement). */
  hiddenStateGradients(x: TensorLike, y: TensorLike): { loss: number; layers: StateGradRecord[] } {
    const stateGrads: StateGradRecord[] = [];
    const { loss, backward } = this.lossOnBatch(asInput(x, 'x'), asInput(y, 'y'), { training: false, mask: null, stateGrads });
    backward(loss);
    for (const w of this.weights) w.grad = null;
    return { loss: loss.values[0], layers: stateGrads };
  }
}

const sameShape = (a: SymbolicShape, b: SymbolicShape) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Whether `layer` can be built for `free` (inputShape with some steps unknown): the same weights and an output shape. */
function takesFreeSteps(layer: Layer, inputShape: SymbolicShape, free: SymbolicShape): boolean {
  return !sameShape(free, inputShape) && layer.sameWeightsFor(inputShape, free);
}

export function sequential(args: SequentialArgs = {}): Sequential {
  return new Sequential(args);
}
