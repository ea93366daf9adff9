/**
 * Keras's Functional model (tfjs's LayersModel, created by rl.model({inputs, outputs})): a graph of layer calls
 * recorded by layer.apply() on symbolic tensors, with several inputs and outputs and layers shared between calls.
 * Training reuses the Sequential loop (training.ts) through the TrainableModel contract.
 */
import { isRecording, withTape, withoutTape } from '../autograd/tape.js';
import type { LossKind } from '../autograd/loss_ops.js';
import { InputLayer } from '../layers/input_layer.js';
import { addPenalties } from '../layers/regularizers.js';
import { Layer, automaticModelName, checkGivenName, engineApplyAll, engineFoldsActivation, withActivityPenalties, type ApplyArgs, type CallContext, type SymbolicShape } from '../layers/layer.js';
import { foldableActivation } from '../losses.js';
import { outputsLoss, perOutputLosses, type LossSpec } from './loss_terms.js';
import type { Optimizer, OptimizerConfigObject } from '../optimizers/index.js';
import type { MetricsArg } from '../metrics/registry.js';
import { refuseSharedNames } from '../metrics/output_keys.js';
import { Tensor, shapeStr, type TensorLike } from '../tensor.js';
import { tidy } from '../ops/memory.js';
import { asInput, checkBatchSize, checkStatefulBatches, takeRows } from './batches.js';
import { checkOptionKeys } from '../near_name.js';
import { printSummary, refuseSummaryExtras } from './summary.js';
import { configCodecOf } from './saving.js';
import { withCustomObjects } from '../layers/serialization.js';
import { predictInBatches, predictRecorded } from './inference.js';
import { SymbolicTensor, isSymbolic, type Node } from '../layers/symbolic.js';
import type { TrainableModel } from './trainable.js';
import { bothNameAndIndex, checkCompileArgs, configDescribesFunctional, predictOptions, refuseDataset, uniqueParamCount, uniquePenalties } from './model_common.js';
import { checkInputIds, checkMetricsFit, compileExtras, conformTargets, unknownNameMessage, type LossWeightsArg } from './training.js';
import { ModelBase } from './model_base.js';
import { layersByDepth } from './graph_order.js';
import { describe } from '../describe.js';
import { NestedModel, existingStandIn, nestedLayer } from './nested.js';
import { callArgs, callInputs, inputMasks, inputShapeList, maskOf, ownNode, tensorsAt } from './model_as_layer.js';
// Registers models as layers rl.layers.timeDistributed can wrap.
import './wrapped_model.js';

export interface ModelArgs {
  inputs: SymbolicTensor | SymbolicTensor[];
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string;
}

export type { LossSpec };

export interface FunctionalCompileArgs {
  /** An optimizer object, a name (Keras defaults) or Keras's serialized {className, config}. */
  optimizer: string | Optimizer | OptimizerConfigObject;
  loss: LossSpec;
  /** A name, a list (every output gets them, as tfjs), rl.metrics or user functions; or {outputName: metrics}. */
  metrics?: MetricsArg;
  /** Keras's loss_weights: the total loss is the sum of weight x output loss; a list in output order or {outputName: weight}. */
  lossWeights?: LossWeightsArg;
  loss_weights?: LossWeightsArg;
}

/** Model inputs or targets as fit/predict take them: one tensor, a list in model order, or a map by input/output name. */
export type TensorsLike = TensorLike | TensorLike[] | Record<string, TensorLike>;

function asList<T>(v: T | T[]): T[] { return Array.isArray(v) ? v : [v]; }

/**
 * A real tensor (rl.ones, rl.tensor) given as a model's input or output: a graph is made of placeholders, which
 * tfjs 4.22 answers with "input layer has >1 nodes" and rnnlab took for a {name: tensor} map.
 */
function concreteMessage(where: string, what: string, t: Tensor): string {
  const fix = what.startsWith('inputs') ? 'make inputs with rl.input()' : 'an output is what layer.apply() returns on the rl.input() tensors';
  return `${where}: ${what} is a concrete tensor (shape ${shapeStr(t.shape)}, holding values), where a symbolic one is needed (${fix})`;
}

export class Functional extends ModelBase<TensorsLike> {
  readonly className = 'Functional';
  name: string;
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  /** Every layer once, deepest first, as tfjs's model.layers (src/models/graph_order.ts). */
  readonly layers: Layer[];
  /** The layer calls to run, in dependency order (input layers' own nodes left out). */
  readonly nodes: Node[];
  /** The input layers of the inputs no output reads, in input order; not in layers, as in tfjs. */
  readonly unusedInputLayers: Layer[];
  /** One loss per output (loss, TrainableModel's view, is the first output's). */
  /** compile's loss per output, by kind (model.losses is Keras's: the layers' regularization terms). */
  lossKinds: LossKind[] = [];
  /** Per output: the producing layer's final sigmoid/softmax is folded into the loss during training. */
  private folds: boolean[] = [];

  constructor(args: ModelArgs) {
    super();
    // Keras's Model(inputs, outputs): the tensor read as options gave "unknown option 'dtype'".
    if (isSymbolic(args) || (Array.isArray(args) && args.length > 0 && args.every(isSymbolic))) {
      throw new Error("model: takes one options object, not Keras's positional (inputs, outputs): write rl.model({inputs, outputs}) (or new rl.Model({inputs, outputs}))");
    }
    if (typeof args !== 'object' || args === null) throw new Error('model: expected {inputs, outputs}');
    checkOptionKeys('model', args, ['inputs', 'outputs', 'name']);
    checkGivenName('model', args.name);
    this.name = args.name ?? automaticModelName('model');
    const where = `model '${this.name}'`;
    for (const k of ['inputs', 'outputs'] as const) {
      const v = args[k] as unknown;
      if (v instanceof Tensor) throw new Error(concreteMessage(where, k, v));
      // Keras 3 takes {name: tensor} and orders it by sorted key; tfjs 4.22 fails on it with a TypeError.
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && !isSymbolic(v)) {
        throw new Error(`${where}: ${k} must be a symbolic tensor or a list of them, got ${describe(v)}; a map {name: tensor} is not supported (the layer names already name each ${k.slice(0, -1)}): give a list`);
      }
    }
    this.inputs = asList(args.inputs);
    this.outputs = asList(args.outputs);
    if (this.inputs.length === 0 || this.outputs.length === 0) throw new Error(`${where}: needs at least one input and one output`);
    this.inputs.forEach((t, i) => {
      if (t instanceof Tensor) throw new Error(concreteMessage(where, `inputs[${i}]`, t));
      if (!isSymbolic(t)) throw new Error(`${where}: inputs[${i}] is not a symbolic tensor (make inputs with rl.input())`);
      if (!(t.sourceLayer instanceof InputLayer)) throw new Error(`${where}: inputs[${i}] comes from layer '${t.sourceLayer.name}', not from rl.input(); a model's inputs must be input tensors`);
    });
    if (new Set(this.inputs).size !== this.inputs.length) throw new Error(`${where}: an input tensor is listed twice`);
    this.outputs.forEach((t, i) => {
      if (t instanceof Tensor) throw new Error(concreteMessage(where, `outputs[${i}]`, t));
      if (!isSymbolic(t)) throw new Error(`${where}: outputs[${i}] is not a symbolic tensor (apply layers to rl.input() tensors)`);
    });
    this.nodes = this.orderNodes(where);
    // An input no output reads is kept, as tfjs and Keras keep it (Keras: a loss or metric may read it): fed and
    // checked like any input, its values unused. It is no entry of model.layers (tfjs's), but a saved config lists it
    // (Keras's), so the file loads with every input the model takes.
    const read = new Set([...this.nodes.flatMap((n) => n.inputs), ...this.outputs]);
    this.unusedInputLayers = this.inputs.filter((t) => !read.has(t)).map((t) => t.sourceLayer);
    this.layers = layersByDepth(this.outputs);
    const names = new Set<string>();
    for (const l of [...this.layers, ...this.unusedInputLayers]) {
      if (names.has(l.name)) throw new Error(`${where}: two layers are named '${l.name}'; layer names must be unique in a model`);
      names.add(l.name);
    }
    // Every layer is checked before any count moves: a refused model leaves the counts (and so the weights' lives) as
    // they were. A layer applied twice here is held twice, as tfjs counts nodes.
    for (const l of this.layers) l.assertNotDisposed();
    const calls = new Map<Layer, number>();
    for (const n of this.nodes) calls.set(n.layer, (calls.get(n.layer) ?? 0) + 1);
    for (const l of this.layers) l.modelRefs += l.holdsFor(calls.get(l) ?? 0);
    // Neither Keras 3 nor tfjs says so, but data given and then ignored should not pass in silence: one warning when
    // the model is made (loading a file makes it again, and says it again).
    if (this.unusedInputLayers.length > 0) {
      const listed = this.unusedInputLayers.map((l) => `'${l.name}'`).join(', ');
      const one = this.unusedInputLayers.length === 1;
      console.warn(`${where}: input${one ? '' : 's'} ${listed} ${one ? 'is' : 'are'} not used by any output: predict, fit and evaluate take ${one ? 'it' : 'them'} and check ${one ? 'its' : 'their'} shape${one ? '' : 's'}, but ${one ? 'its' : 'their'} values are not used`);
    }
  }

  /** Depth-first from the outputs; a tensor from an input layer that is not a model input disconnects the graph. */
  private orderNodes(where: string): Node[] {
    const order: Node[] = [];
    const done = new Set<Node>();
    const active = new Set<Node>();
    const inputSet = new Set(this.inputs);
    const visit = (t: SymbolicTensor, consumer: string) => {
      if (inputSet.has(t)) return;
      const node = t.node;
      if (node.layer instanceof InputLayer) {
        throw new Error(`${where}: graph disconnected: cannot obtain a value for input '${node.layer.name}' ${shapeStr(t.shape)} needed by layer '${consumer}'; add it to the model's inputs`);
      }
      if (done.has(node)) return;
      if (active.has(node)) throw new Error(`${where}: the graph has a cycle through layer '${node.layer.name}'`);
      active.add(node);
      for (const i of node.inputs) visit(i, node.layer.name);
      active.delete(node);
      done.add(node);
      order.push(node);
    };
    for (const t of this.outputs) visit(t, '(model output)');
    return order;
  }

  /**
   * tfjs's LayersModel.fromConfig(cls, config, customObjects) (or Keras's Model.from_config(config)): the model
   * getConfig() describes, rebuilt as rl.models.modelFromJSON rebuilds it (customObjects too), with fresh weights.
   */
  static fromConfig(cls: unknown, config?: unknown, customObjects?: unknown): Functional {
    const cfg = config === undefined && typeof cls !== 'function' ? cls : config;
    const sequentialMessage = 'Functional.fromConfig: the config describes a Sequential model; rebuild it with rl.Sequential.fromConfig';
    if (typeof cfg === 'object' && cfg !== null && !configDescribesFunctional(cfg) && (Array.isArray(cfg) || 'layers' in cfg)) throw new Error(sequentialMessage);
    const m = withCustomObjects('Functional.fromConfig', customObjects, () => configCodecOf('Functional.fromConfig').fromConfig('Functional', cfg, 'Functional.fromConfig'));
    if (!(m instanceof Functional)) throw new Error(sequentialMessage);
    return m;
  }

  get built(): boolean { return true; }
  build(_shape: SymbolicShape): void { /* built when the graph was made */ }
  /** tfjs's: the input's shape, or the list of every input's when there are several (typed as one, as tfjs types it). */
  get inputShape(): SymbolicShape { return shapeOrList(this.inputs); }
  /** tfjs's: the output's shape, or the list of every output's. */
  get outputShape(): SymbolicShape { return shapeOrList(this.outputs); }
  /** Keras's model.input / model.output: the one tensor, or the list when there are several. */
  get input(): SymbolicTensor | SymbolicTensor[] { return this.inputs.length === 1 ? this.inputs[0] : this.inputs; }
  get output(): SymbolicTensor | SymbolicTensor[] { return this.outputs.length === 1 ? this.outputs[0] : this.outputs; }

  /** Output shape for a concrete input shape (first input; free axes resolved by running the shape inference). */
  outputShapeFor(inputShape: SymbolicShape): SymbolicShape {
    return this.outputShapesFor([inputShape, ...this.inputs.slice(1).map((t) => t.shape)])[0];
  }

  /** Every output's shape when the inputs have these shapes. */
  outputShapesFor(inputShapes: SymbolicShape[]): SymbolicShape[] {
    const shapes = new Map<SymbolicTensor, SymbolicShape>();
    this.inputs.forEach((t, i) => shapes.set(t, inputShapes[i]));
    for (const n of this.nodes) {
      const outs = n.layer.computeOutputShapes(n.inputs.map((t) => shapes.get(t)!), n.inputCount);
      n.outputs.forEach((t, i) => shapes.set(t, outs[i]));
    }
    return this.outputs.map((t) => shapes.get(t)!);
  }

  /**
   * tfjs's and Keras's nesting: on symbolic tensors, records a call of this model in an outer graph (the weights are
   * shared); on real tensors, runs it (inference mode unless training: true), as tfjs's model.apply.
   */
  override apply(x: SymbolicTensor | SymbolicTensor[], args?: ApplyArgs): SymbolicTensor | SymbolicTensor[];
  override apply(x: Tensor | Tensor[], args?: ApplyArgs): Tensor | Tensor[];
  override apply(x: SymbolicTensor | SymbolicTensor[] | Tensor | Tensor[], args?: ApplyArgs): SymbolicTensor | SymbolicTensor[] | Tensor | Tensor[] {
    this.assertNotDisposed();
    const list = Array.isArray(x) ? x : [x];
    if (list.some(isSymbolic)) return nestedLayer(this).apply(x as SymbolicTensor, args);
    // Checked here as predict checks them, so a refused tensor is shown as given ([3]), not as a graph shape ((None,)).
    if (list.length === this.inputs.length) {
      list.forEach((t, i) => { if (t instanceof Tensor) (this.inputs[i].sourceLayer as InputLayer).checkFeed(t, `${this.name}.apply`); });
    }
    // tfjs's Container.call runs in tidy: what the layers' calls make is freed, only the outputs survive.
    return tidy(() => nestedLayer(this).apply(x as Tensor, args) as Tensor | Tensor[]);
  }

  /**
   * tfjs's model.inboundNodes: the model's own graph first (its inputs to its outputs), then each call of the model
   * in another model, in call order (its stand-in's nodes, which start with the same own node); outboundNodes: the
   * calls in other models that take its outputs.
   */
  get inboundNodes(): Node[] {
    return [...(existingStandIn(this)?.inboundNodes ?? [ownNode(this, this.inputs, this.outputs)])];
  }
  get outboundNodes(): Node[] { return [...(existingStandIn(this)?.outboundNodes ?? [])]; }
  /** tfjs's getInputAt(nodeIndex): 0 gives the model's own input(s), k its call k in another model. */
  getInputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] { return tensorsAt(this.inboundNodes, nodeIndex, 'inputs', `${this.name}.getInputAt`); }
  getOutputAt(nodeIndex: number): SymbolicTensor | SymbolicTensor[] { return tensorsAt(this.inboundNodes, nodeIndex, 'outputs', `${this.name}.getOutputAt`); }

  /** tfjs's computeOutputShape: a shape (or one per input) in, the output's shape (or one per output) out. */
  computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
    const outs = this.outputShapesFor(inputShapeList(inputShape, this.inputs, `${this.name}.computeOutputShape`));
    return outs.length === 1 ? outs[0] : outs;
  }

  /**
   * tfjs's Container.call(inputs, {training, mask}): the outputs on real tensors, always as a list, as tfjs returns
   * them. mask: each input's padding mask (see inputMasks), which the layers reading it get, as Keras 3's call(mask=).
   */
  call(inputs: Tensor | Tensor[], kwargs?: { training?: boolean | null; mask?: Tensor | (Tensor | null)[] | null }): Tensor[] {
    const { xs, training, masks } = callArgs(inputs, kwargs, this.inputs.length, `${this.name}.call`);
    // Checked above, so that a mask that does not fit is refused in call's words; apply reads it the same way.
    const mask = masks.some((m) => m !== null) ? kwargs!.mask : undefined;
    const out = this.apply(xs.length === 1 ? xs[0] : xs, { ...(training === undefined ? {} : { training }), ...(mask ? { mask } : {}) });
    return Array.isArray(out) ? out : [out];
  }

  /**
   * tfjs's computeMask(inputs, mask): the padding mask of each output (a bool tensor [batch, steps], or null), in a
   * list; mask: each input's, as call takes it.
   */
  computeMask(inputs: Tensor | Tensor[], mask?: Tensor | (Tensor | null)[] | null): (Tensor | null)[] {
    this.assertNotDisposed();
    const where = `${this.name}.computeMask`;
    const xs = callInputs(inputs, this.inputs.length, where);
    xs.forEach((t, i) => (this.inputs[i].sourceLayer as InputLayer).checkFeed(t, where));
    const given = inputMasks(mask, xs, where);
    const masks: (Uint8Array | null)[] = [];
    const shapes: number[][] = [];
    tidy(() => { withoutTape(() => this.runGraph(xs, { training: false, mask: null }, [], masks, given)).forEach((t) => shapes.push(t.shape)); });
    return masks.map((m, i) => maskOf(m, shapes[i]));
  }

  countParams(): number { return uniqueParamCount(this.layers); }
  /**
   * tfjs's getLayer(name) or getLayer(undefined, index). A nested model comes back as the model itself (tfjs's
   * `m.getLayer('inner') === inner`), with its layers, getLayer, predict and summary, not the layer standing in for it
   * in this graph (src/models/nested.ts); it is typed Layer as in tfjs, where a model is a layer.
   */
  getLayer(givenName?: string | number | null, givenIndex?: number | null): Layer {
    return asExposed(this.findLayer(givenName, givenIndex));
  }

  private findLayer(givenName?: string | number | null, givenIndex?: number | null): Layer {
    // tfjs code passes null for the one not given (getLayer(null, 0)).
    const name = givenName ?? undefined, index = givenIndex ?? undefined;
    if (name !== undefined && index !== undefined) throw bothNameAndIndex(this.name, name, index);
    if (typeof name === 'number') return this.findLayer(undefined, name);
    if (name !== undefined) {
      const l = this.layers.find((x) => x.name === name);
      if (!l) throw new Error(`${this.name}: no layer named '${name}'; it has ${this.layers.map((x) => x.name).join(', ')}`);
      return l;
    }
    // tfjs: "Provide either a layer name or layer index".
    if (index === undefined) throw new Error(`${this.name}: getLayer needs a name or an index (getLayer(name), or getLayer(undefined, index) as tfjs), got neither`);
    if (!Number.isInteger(index) || index < 0 || index >= this.layers.length) {
      throw new Error(`${this.name}: getLayer takes an integer index in [0, ${this.layers.length}), got ${describe(index)}`);
    }
    return this.layers[index];
  }

  summary(lineLength?: number, positions?: number[], printFn: (line: string) => void = console.log, ...extra: unknown[]): void {
    this.assertNotDisposed();
    refuseSummaryExtras(this.name, extra);
    const nodes = new Set(this.nodes);
    const inputsOf = (l: Layer) => l.inboundNodes.filter((n) => nodes.has(n)).flatMap((n) => n.inputs.map((t) => `${t.sourceLayer.name}[${t.nodeIndex}][${t.tensorIndex}]`));
    printSummary(this.name, this.layers, lineLength, positions, printFn, inputsOf);
  }

  compile(args: FunctionalCompileArgs): void {
    this.assertNotDisposed();
    checkCompileArgs(this.name, args);
    const names = this.outputNames;
    const extras = compileExtras(args, names, `${this.name}.compile`);
    const losses = perOutputLosses(args.loss, names, `${this.name}.compile`);
    // Checked before anything is set: a refused compile leaves the model as it was.
    checkMetricsFit(extras, names.map((name, i) => ({ name, loss: losses[i].kind, shape: this.outputs[i].shape })), `${this.name}.compile`);
    this.compileOptimizer(args.optimizer);
    this.compiledLosses = losses;
    this.lossKinds = this.compiledLosses.map((c) => c.kind);
    this.loss = this.lossKinds[0];
    ({ metrics: this.metrics, metricFunctions: this.metricFunctions, outputMetrics: this.outputMetrics, lossWeights: this.lossWeights } = extras);
    const consumed = new Set(this.nodes.flatMap((n) => n.inputs));
    this.folds = this.outputs.map((t, i) => {
      const fold = foldableActivation(this.lossKinds[i]);
      // Only a tensor nothing else reads may hold logits instead of probabilities.
      return fold !== null && t.node.outputs.length === 1 && !consumed.has(t) && this.outputs.indexOf(t) === i && !t.node.layer.activityRegularizer && engineFoldsActivation(t.node.layer, fold);
    });
  }

  get foldsActivation(): boolean { return this.folds[0] ?? false; }

  /**
   * Runs the graph on real tensors (one per input, in order); logitsFor: outputs to leave as logits; inputMasks: the
   * padding mask each input carries in (a nested model's, from the outer graph).
   */
  runGraph(xs: Tensor[], ctx: CallContext, logitsFor: boolean[] = [], outputMasks?: (Uint8Array | null)[], inputMasks?: (Uint8Array | null)[]): Tensor[] {
    this.assertNotDisposed();
    const values = new Map<SymbolicTensor, { t: Tensor; mask: Uint8Array | null }>();
    this.inputs.forEach((s, i) => values.set(s, { t: xs[i], mask: inputMasks?.[i] ?? null }));
    const logitTensors = new Set(this.outputs.filter((_, i) => logitsFor[i]));
    for (const n of this.nodes) {
      const ins = n.inputs.map((s) => values.get(s)!);
      ctx.mask = ins[0]?.mask ?? null;
      ctx.inputMasks = ins.map((v) => v.mask);
      // A call that fixed its mode (Keras's layer(x, training=False)) runs in it, whatever the model's; for this call
      // only (a nested model's layers inherit it, unless their own calls fix theirs).
      const fixed = n.args.training;
      const modelMode = ctx.training;
      if (fixed !== undefined) ctx.training = fixed;
      ctx.outputMasks = undefined;
      let outs: Tensor[];
      try {
        outs = engineApplyAll(n.layer, ins.map((v) => v.t), ctx, n.outputs.length === 1 && logitTensors.has(n.outputs[0]), n.inputCount);
      } finally {
        ctx.training = modelMode;
      }
      // A user's call() may return more or fewer tensors than its computeOutputShape declared outputs: extra ones
      // would vanish and missing ones fail in the next layer or in predict, far from the layer at fault.
      if (outs.length !== n.outputs.length) {
        throw new Error(`${n.layer.name} (${n.layer.className}): call() returned ${outs.length} tensor(s), but computeOutputShape declares ${n.outputs.length} output(s); return one tensor per declared output shape`);
      }
      // The call may have set outputMasks (cleared above, which TypeScript's narrowing does not see past the call).
      const perOutput = ctx.outputMasks as (Uint8Array | null)[] | undefined;
      const masks = perOutput?.length === n.outputs.length ? perOutput : n.outputs.map(() => ctx.mask);
      ctx.outputMasks = undefined;
      n.outputs.forEach((s, i) => values.set(s, { t: outs[i], mask: masks[i] }));
    }
    // The padding mask each output carries (Keras weighs a per-step output's loss by it), when asked for.
    if (outputMasks) this.outputs.forEach((s, i) => { outputMasks[i] = values.get(s)!.mask; });
    return this.outputs.map((s) => values.get(s)!.t);
  }

  /** tfjs-style inputs (one tensor, a list, or {inputName: tensor}) as one checked tensor per model input. */
  private feeds(x: unknown, what: string): Tensor[] {
    const names = this.inputNames;
    const list = this.byName(x, names, 'input', what);
    const xs = list.map((v, i) => asInput(v, `${what}: ${names.length > 1 ? `x['${names[i]}']` : 'x'}`));
    xs.forEach((t, i) => (this.inputs[i].sourceLayer as InputLayer).checkFeed(t, what));
    const n = xs[0].shape[0];
    xs.forEach((t, i) => { if (t.shape[0] !== n) throw new Error(`${what}: input '${names[i]}' has ${t.shape[0]} samples but '${names[0]}' has ${n}`); });
    return xs;
  }

  private byName(v: unknown, names: string[], kind: 'input' | 'output', what: string): TensorLike[] {
    if (isRecord(v)) {
      for (const k of Object.keys(v)) if (!names.includes(k)) throw new Error(unknownNameMessage(what, kind, k, names));
      refuseSharedNames(Object.keys(v), names, kind, what);
      return names.map((n) => {
        if (v[n] === undefined) throw new Error(`${what}: no value for ${kind} '${n}'`);
        return v[n] as TensorLike;
      });
    }
    if (names.length === 1) return [Array.isArray(v) && v.length === 1 && v[0] instanceof Tensor ? v[0] : v as TensorLike];
    if (!Array.isArray(v)) throw new Error(`${what}: the model has ${names.length} ${kind}s (${names.join(', ')}); give a list or a map by name`);
    if (v.length !== names.length) throw new Error(`${what}: the model has ${names.length} ${kind}s (${names.join(', ')}) but ${v.length} were given`);
    return v as TensorLike[];
  }

  prepareData(x: unknown, y: unknown, what: string): { xs: Tensor[]; ys: Tensor[] } {
    refuseDataset(x, what);
    if (!this.lossKinds.length) throw new Error(`${this.name}: call compile() before ${what}`);
    const xs = this.feeds(x, what);
    const n = xs[0].shape[0];
    const outNames = this.outputNames;
    const yIn = this.byName(y, outNames, 'output', what).map((v, i) => asInput(v, `${what}: y${outNames.length > 1 ? `['${outNames[i]}']` : ''}`, 'targets'));
    const concrete = this.outputShapesFor(xs.map((t) => t.shape));
    const ys = yIn.map((t, i) => {
      const label = `${what}: y${outNames.length > 1 ? ` for output '${outNames[i]}'` : ''}`;
      if (t.shape[0] !== n) throw new Error(`${label} has ${t.shape[0]} samples but x has ${n}`);
      return conformTargets(this.lossKinds[i], t, concrete[i], this.outputs[i].shape, label, outNames[i]);
    });
    return { xs, ys };
  }

  /**
   * The summed (Keras's lossWeights-weighted) loss of every output, recorded for backward; terms: each output's own.
   * outputWeights: each output's own sample weights (fit's per-output classWeight/sampleWeight), else ctx.sampleWeight for all.
   */
  batchLoss(xs: Tensor[], ys: Tensor[], ctx: CallContext, outputWeights?: (Tensor | null)[]): { outs: Tensor[]; loss: Tensor; backward: (l: Tensor) => void; terms?: Tensor[]; masks?: (Uint8Array | null)[] } {
    if (!this.lossKinds.length) throw new Error(`${this.name}: call compile() before training or evaluating`);
    const { value, backward } = withTape(() => {
      const outMasks: (Uint8Array | null)[] = [];
      const { value: outs, activity } = withActivityPenalties(ctx, () => this.runGraph(xs, ctx, this.folds, outMasks));
      const { loss, terms, masks } = outputsLoss(this.compiledLosses, this.folds, outs, ys, outputWeights ?? ctx.sampleWeight ?? null, outMasks, this.lossWeights, this.outputNames);
      // Weight and activity regularizers are part of the loss, as in a Sequential model.
      const penalties = [...uniquePenalties(this.layers), ...activity];
      return { outs, loss: addPenalties(loss, penalties), terms, masks };
    });
    return { ...value, backward };
  }

  outputHeads(): { name: string; loss: LossKind; fromLogits: boolean }[] {
    return this.outputNames.map((name, i) => ({ name, loss: this.lossKinds[i], fromLogits: this.folds[i] }));
  }

  /** Outputs for x in batches (default 32): one tensor for a one-output model, else a list in output order. */
  predict(x: TensorsLike, args: { batchSize?: number; batch_size?: number; verbose?: boolean } = {}): Tensor | Tensor[] {
    this.assertNotDisposed();
    refuseDataset(x, `${this.name}.predict`);
    if (x === null) throw new Error(`${this.name}.predict: needs x (the inputs), found null`);
    const opts = predictOptions(args, `${this.name}.predict`);
    const xs = this.feeds(x, `${this.name}.predict`);
    checkInputIds(this, xs, `${this.name}.predict: x`);
    const bs = checkBatchSize(opts.batchSize ?? 32);
    checkStatefulBatches(this.layers, xs[0].shape[0], bs, `${this.name}.predict`);
    // Inside tf.grad / variableGrads (a custom training loop, tfjs's cart-pole) predict is part of the recorded cost.
    const res = isRecording() ? predictRecorded(xs, bs, (b) => this.runGraph(b, { training: false, mask: null }))
      : predictInBatches(xs[0].shape[0], bs, (s, e) => this.runGraph(xs.map((t) => takeRows(t, null, s, e)), { training: false, mask: null }));
    return res.length === 1 ? res[0] : res;
  }

  /**
   * tfjs's execute(inputs, outputs): the values of the graph's tensors named in outputs (a symbolic tensor's name,
   * '<layer>/<layer>', as tfjs names them, or a layer's name for its one output) for these inputs, in inference
   * mode; one tensor for a name, a list for a list.
   */
  execute(inputs: TensorsLike, outputs: string | string[]): Tensor | Tensor[] {
    this.assertNotDisposed();
    const names = Array.isArray(outputs) ? outputs : [outputs];
    if (names.length === 0 || names.some((n) => typeof n !== 'string')) {
      throw new Error(`${this.name}.execute: outputs must be a tensor name or a list of names, got ${describe(outputs)}`);
    }
    const tensors = [...this.inputs, ...this.nodes.flatMap((n) => n.outputs)];
    const wanted = names.map((name) => {
      const byName = tensors.filter((t) => t.name === name);
      const byLayer = byName.length ? byName : tensors.filter((t) => t.sourceLayer.name === name);
      if (byLayer.length !== 1) {
        const why = byLayer.length ? `layer '${name}' gives ${byLayer.length} tensors; name one (${byLayer.map((t) => t.name).join(', ')})` : `no tensor or layer named '${name}'`;
        throw new Error(`${this.name}.execute: ${why}; the graph's tensors: ${tensors.map((t) => t.name).join(', ')}`);
      }
      return byLayer[0];
    });
    const xs = this.feeds(inputs, `${this.name}.execute`);
    // The sub-graph from the inputs the wanted tensors read (an input asked for is its own value).
    const computed = wanted.filter((t) => !this.inputs.includes(t));
    const reached = new Set<SymbolicTensor>();
    for (const stack = [...computed]; stack.length;) {
      const t = stack.pop()!;
      if (reached.has(t)) continue;
      reached.add(t);
      stack.push(...t.node.inputs);
    }
    const used = this.inputs.filter((t) => reached.has(t));
    const values = computed.length
      ? new Functional({ inputs: used, outputs: computed, name: `${this.name}_execute` }).runGraph(used.map((t) => xs[this.inputs.indexOf(t)]), { training: false, mask: null })
      : [];
    const out = wanted.map((t) => (this.inputs.includes(t) ? xs[this.inputs.indexOf(t)] : values[computed.indexOf(t)]));
    return Array.isArray(outputs) ? out : out[0];
  }

  /** Outputs for x as one batch, in one forward pass (tfjs's predictOnBatch): one tensor, or a list for several outputs. */
  predictOnBatch(x: TensorsLike, ...extra: unknown[]): Tensor | Tensor[] {
    refusePredictOnBatchExtras(this.name, extra);
    const xs = this.feeds(x, `${this.name}.predictOnBatch`);
    // Checked here, or predict's message would name predict and its batchSize, which predictOnBatch does not take.
    checkStatefulBatches(this.layers, xs[0].shape[0], xs[0].shape[0], `${this.name}.predictOnBatch`, 'oneBatch');
    return this.predict(xs, { batchSize: xs[0].shape[0] });
  }

}

/**
 * predictOnBatch(x, options): neither tfjs's predictOnBatch nor Keras's predict_on_batch takes a second argument,
 * and one would be dropped (x is one batch whatever it says), so it is refused.
 */
export function refusePredictOnBatchExtras(modelName: string, extra: readonly unknown[]): void {
  if (extra.length === 0) return;
  throw new Error(`${modelName}.predictOnBatch: takes one argument, x (as tfjs's predictOnBatch and Keras's predict_on_batch), got ${1 + extra.length}; `
    + 'x is one batch whatever its size; to predict in batches write predict(x, {batchSize})');
}

/** What getLayer hands out for an entry of model.layers: a nested model's stand-in is unwrapped to the model. */
function asExposed(l: Layer): Layer {
  return l instanceof NestedModel ? l.model as unknown as Layer : l;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && !ArrayBuffer.isView(v);
}

/** rl.model({inputs, outputs}): tfjs's tf.model. */
export function model(args: ModelArgs): Functional {
  return new Functional(args);
}

function shapeOrList(ts: readonly SymbolicTensor[]): SymbolicShape {
  return ts.length === 1 ? ts[0].shape : ts.map((t) => [...t.shape]) as unknown as SymbolicShape;
}
