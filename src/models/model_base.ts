/**
 * What Sequential and Functional share as tfjs models: compile's state, the weights and trainable flag, dispose,
 * getConfig/toJSON/save, and fit/evaluate/trainOnBatch (which src/models/training.ts runs on either). Data is the
 * form x and y take: one tensor for Sequential, one per input/output (a list or a map by name) for Functional.
 */
import type { LossKind } from '../autograd/loss_ops.js';
import type { CallContext, Layer, SymbolicShape, SymbolicTensor } from '../layers/layer.js';
import { resetStatefulLayers } from '../layers/recurrent.js';
import { assignWeights, weightTensors } from '../layers/weight_values.js';
import type { MetricFunction } from '../metrics/registry.js';
import { getOptimizer } from '../optimizers/index.js';
import { Optimizer } from '../optimizers/optimizer.js';
import type { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { History } from './callback.js';
import type { CompiledLoss } from './loss_terms.js';
import { disposedError, disposeLayers, holdOptimizer, modelNonTrainableWeights, optimizerStateCount, releaseOptimizer, modelTrainableWeights, nestedModelError, setLayersTrainable,
  type DisposeResult } from './model_common.js';
import type { ClassWeightArg, SampleWeightArg } from './sample_weights.js';
import { outerHolders } from './nested.js';
import { loadNamedWeights, namedWeightsOf } from './named_weights.js';
import { trainingConfigOf, type TrainingConfigDict } from './training_config.js';
import { configCodecOf, modelToJSON, saveHandler, type SaveOptions, type SaveResult, type SaveTarget } from './saving.js';
import type { TrainableModel } from './trainable.js';
import { checkBatchCallArgs, evaluateCall, fitModel, metricsNames, testOnBatchModel, trainOnBatchModel, type EvaluateArgs, type EvaluateScalarArgs, type FitArgs } from './training.js';

export abstract class ModelBase<Data> implements TrainableModel {
  abstract readonly className: string;
  abstract name: string;
  abstract readonly layers: Layer[];
  private compiledOptimizer: Optimizer | null = null;
  /**
   * compile's optimizer (null before compile). Assigning another optimizer object swaps it, as in tfjs; anything
   * else is refused here, where fit would only fail at its first step.
   */
  get optimizer(): Optimizer | null { return this.compiledOptimizer; }
  set optimizer(o: Optimizer) {
    if (!(o instanceof Optimizer)) {
      const shown = typeof o === 'string' ? JSON.stringify(o) : o === null || typeof o !== 'object' ? String(o) : `an object of class ${(o as object).constructor?.name ?? 'unknown'}`;
      throw new Error(`${this.name}: model.optimizer must be an rnnlab optimizer object (rl.train.adam(), new rl.SGD({learningRate: 0.1})), got ${shown}; ` +
        'to choose one by name, call compile({optimizer: \'adam\', loss, ...})');
    }
    this.swapOptimizer(o, false);
  }

  /**
   * compile's optimizer argument: one made here from a name is disposed with the last model holding it (tfjs's
   * isOptimizerOwned); an optimizer object is the caller's.
   */
  protected compileOptimizer(given: Parameters<typeof getOptimizer>[0]): void {
    const o = getOptimizer(given);
    this.swapOptimizer(o, !(given instanceof Optimizer));
  }

  /** The model holds o (counted, so that another model's dispose leaves it alone) and lets go of the one before. */
  private swapOptimizer(o: Optimizer, made: boolean): void {
    if (o === this.compiledOptimizer) return;
    if (!this.disposedFlag) {
      holdOptimizer(o, made);
      if (this.compiledOptimizer) releaseOptimizer(this.compiledOptimizer);
    }
    this.compiledOptimizer = o;
  }
  /** The loss of the (first) output. */
  loss: LossKind | null = null;
  /** compile's losses as given, one per output: a built-in kind, or the user's function. */
  compiledLosses: CompiledLoss[] = [];
  private userMetadata: object | undefined = undefined;
  /** tfjs's setUserDefinedMetadata: a plain JSON object saved with the model (model.json's userDefinedMetadata) and read back on load. */
  setUserDefinedMetadata(metadata: object): void {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata) || Object.getPrototypeOf(metadata) !== Object.prototype) {
      throw new Error(`${this.name}: setUserDefinedMetadata takes a plain object, got ${Array.isArray(metadata) ? 'a list' : metadata === null ? 'null' : typeof metadata}`);
    }
    let text: string;
    try { text = JSON.stringify(metadata); } catch (e) { throw new Error(`${this.name}: setUserDefinedMetadata: the object is not JSON (${(e as Error).message})`); }
    // Stored as JSON, as it is saved: a later change to the caller's object does not reach the saved file unseen.
    this.userMetadata = JSON.parse(text) as object;
  }
  getUserDefinedMetadata(): object | undefined { return this.userMetadata; }
  /**
   * tfjs's model.losses (Keras's too): every layer's regularization terms, one function per regularized weight
   * giving its current penalty, not compile's losses (those are `loss` and, per output, `compiledLosses`).
   */
  get losses(): (() => Tensor)[] { return this.layers.flatMap((l) => l.losses); }
  /** tfjs's calculateLosses(): the current value of each of losses, as scalars. */
  calculateLosses(): Tensor[] { return this.losses.map((f) => f()); }
  /** Every compiled metric name once. */
  metrics: string[] = [];
  /** compile's user metric functions, by the names in metrics. */
  metricFunctions: Record<string, MetricFunction> = {};
  /** compile's metric names per output (see TrainableModel). */
  outputMetrics: string[][] = [];
  /** Keras's loss_weights per output (compile's lossWeights), or null. */
  lossWeights: number[] | null = null;
  /** Set by a callback to end fit after the current batch. */
  stopTraining = false;
  /** Keras's spelling (`self.model.stop_training = True` in a callback): the same flag as stopTraining. */
  get stop_training(): boolean { return this.stopTraining; }
  set stop_training(v: boolean) { this.stopTraining = v; }
  /** tfjs's: true while fit or fitDataset runs (a second one started meanwhile is refused: their updates would interleave). */
  isTraining = false;
  /**
   * tfjs's and Keras's model.history: the History of the current or last fit or fitDataset, set as training starts
   * (tfjs's moment), so a callback reading it sees the run's own (undefined before any run).
   */
  history: History | undefined = undefined;
  private trainableFlag = true;
  private disposedFlag = false;

  abstract readonly built: boolean;
  /** The model's symbolic inputs and outputs (tfjs's model.inputs / model.outputs). */
  abstract readonly inputs: SymbolicTensor[];
  abstract readonly outputs: SymbolicTensor[];
  abstract readonly inputShape: SymbolicShape;
  abstract readonly outputShape: SymbolicShape;
  abstract readonly foldsActivation: boolean;
  abstract build(batchInputShape: SymbolicShape): void;
  abstract outputShapeFor(inputShape: SymbolicShape): SymbolicShape;
  abstract prepareData(x: unknown, y: unknown, what: string): { xs: Tensor[]; ys: Tensor[] };
  abstract batchLoss(xs: Tensor[], ys: Tensor[], ctx: CallContext, outputWeights?: (Tensor | null)[]): { outs: Tensor[]; loss: Tensor; backward: (l: Tensor) => void; terms?: Tensor[]; masks?: (Uint8Array | null)[] };
  abstract outputHeads(): { name: string; loss: LossKind; fromLogits: boolean }[];

  /** tfjs's Container.weights: trainable weights, then non-trainable ones (getWeights' order). */
  get weights(): Variable[] { return this.valueOrder(); }
  /** None while the model is frozen (model.trainable = false), as tfjs's. */
  get trainableWeights(): Variable[] { return modelTrainableWeights(this.trainableFlag, this.layers); }
  get nonTrainableWeights(): Variable[] { return modelNonTrainableWeights(this.trainableFlag, this.layers); }

  /**
   * Keras's model.trainable: false freezes every layer (each layer's flag is set, as Keras does), true unfreezes
   * every layer. It applies from the next training step (Keras needs a new compile() for it; rnnlab does not).
   */
  get trainable(): boolean { return this.trainableFlag; }
  set trainable(value: boolean) {
    setLayersTrainable(this.layers, value, `${this.name}.trainable`);
    this.trainableFlag = value;
  }

  /**
   * The model's own flag alone, as a loaded file holds it: each layer's flag was read from its own config, and may
   * differ (a layer set back to true in a frozen model, where the model's false still wins).
   */
  restoreOwnTrainable(value: boolean): void { this.trainableFlag = value; }

  /** tfjs's metricsNames: the labels of evaluate's values and of fit's logs, 'loss' first ([] before compile). */
  get metricsNames(): string[] { return this.loss ? metricsNames(this) : []; }

  /** tfjs's getClassName() (Keras's class name; tfjs says 'Model' for a functional one). */
  getClassName(): string { return this.className; }

  /** tfjs's getConfig(): the saved topology's config with camelCase keys. */
  getConfig(): Record<string, unknown> {
    this.assertNotDisposed();
    return configCodecOf(`${this.name}.getConfig`).toConfig(this);
  }

  /**
   * tfjs's dispose(): the model and every layer no other model holds refuse to run afterwards, and those layers'
   * weights are disposed (their memory is freed now), with an optimizer compile made from a name. Returns tfjs's
   * {refCountAfterDispose, numDisposedVariables}, the optimizer's state counted as tfjs counts it. A model nested in
   * live outer models stays usable and disposes nothing (refCountAfterDispose: how many hold it); disposing the last
   * of them disposes it, as tfjs's reference counting does.
   */
  dispose(): DisposeResult {
    this.assertNotDisposed();
    const holders = outerHolders(this);
    if (holders > 0) return { refCountAfterDispose: holders, numDisposedVariables: 0 };
    this.disposedFlag = true;
    const o = this.compiledOptimizer;
    const disposesOptimizer = o !== null && releaseOptimizer(o);
    // Counted first: disposing the weights drops their slots.
    const optimizerCount = disposesOptimizer ? optimizerStateCount(o) : 0;
    const result = disposeLayers(this.layers);
    if (disposesOptimizer) {
      o.dispose();
      result.numDisposedVariables += optimizerCount;
    }
    return result;
  }

  /** Whether dispose() has run (tfjs's isDisposed on layers). */
  get disposed(): boolean { return this.disposedFlag; }

  /** A Sequential called as a layer is not supported (a Functional model is: functional.ts): the error says what to do instead. */
  apply(_x: unknown, _args?: unknown): unknown {
    throw nestedModelError(`${this.name}.apply`, this);
  }

  protected assertNotDisposed(): void {
    if (this.disposedFlag) throw disposedError(this.name);
  }

  /**
   * Copies of the weights as Tensors with their shapes, in tfjs's order (tfjs's getWeights): every layer's trainable
   * weights, then every layer's non-trainable ones (BatchNormalization's moving statistics, frozen layers' weights).
   * trainableOnly: trainableWeights'.
   */
  getWeights(trainableOnly = false): Tensor[] {
    this.assertNotDisposed();
    return weightTensors(trainableOnly ? this.trainableWeights : this.valueOrder());
  }

  /** Accepts Tensors (shapes checked) or flat arrays, one per weight in getWeights order; each through its constraint (tfjs). */
  setWeights(values: readonly (Tensor | ArrayLike<number>)[]): void {
    this.assertNotDisposed();
    assignWeights(this.name, this.valueOrder(), values, true);
  }

  /** tfjs's getNamedWeights({trainableOnly}): getWeights' copies, each with the name model.save gives it. */
  getNamedWeights(config?: { trainableOnly?: boolean }): { name: string; tensor: Tensor }[] {
    this.assertNotDisposed();
    return namedWeightsOf(this, config);
  }

  /** tfjs's loadWeights({weightName: Tensor}, strict = true): weights set by their saved names (src/models/named_weights.ts). */
  loadWeights(weights: Record<string, Tensor>, strict = true): void {
    this.assertNotDisposed();
    loadNamedWeights(this, weights, strict);
  }

  /** tfjs's getTrainingConfig(): compile's loss, metrics and optimizer as a model.json's trainingConfig holds them. */
  getTrainingConfig(): TrainingConfigDict { return trainingConfigOf(this); }

  /** getWeights' order (tfjs's Container.weights). */
  private valueOrder(): Variable[] { return [...this.trainableWeights, ...this.nonTrainableWeights]; }

  /** The names of the layers the inputs and outputs come from (what fit and predict match named data against). */
  get inputNames(): string[] { return this.inputLayers.map((l) => l.name); }
  get outputNames(): string[] { return this.outputLayers.map((l) => l.name); }
  /** tfjs's: the layers the inputs come from, and those the outputs come from. */
  get inputLayers(): Layer[] { return this.inputs.map((t) => t.sourceLayer); }
  get outputLayers(): Layer[] { return this.outputs.map((t) => t.sourceLayer); }
  /** tfjs's names of what fit and predict are fed, and their shapes. */
  get feedInputNames(): string[] { return this.inputNames; }
  get feedInputShapes(): SymbolicShape[] { return this.inputs.map((t) => [...t.shape]); }
  /** tfjs's LayersModel.dtype (a model is a layer there): its weights' dtype, float32 under every policy as each layer's. */
  get dtype(): 'float32' { return 'float32'; }
  /** tfjs's: true when a layer keeps its states from batch to batch. */
  get stateful(): boolean { return this.layers.some((l) => (l as { stateful?: unknown }).stateful === true); }

  /**
   * Every stateful recurrent layer's states back to zeros (tfjs's and Keras's resetStates, which take no argument).
   * Given values would be dropped, so an argument is refused: a layer's own resetStates(states) sets them.
   */
  resetStates(): void;
  resetStates(...unexpected: unknown[]): void {
    if (unexpected.some((a) => a !== undefined)) {
      const named = this.layers.find((l) => (l as { stateful?: unknown }).stateful === true)?.name ?? '<name>';
      throw new Error(`${this.name}.resetStates() takes no argument: it sets every stateful layer's states to zeros. To set given values, `
        + `call the layer's own resetStates(states), e.g. model.getLayer('${named}').resetStates([h, c]) for an LSTM`);
    }
    resetStatefulLayers(this.layers);
  }

  /** tfjs's toJSON: the topology (class name, layer configs; Keras's JSON) as a string, or the object with returnString false. */
  toJSON(_unused?: unknown, returnString = true): string | object { return modelToJSON(this, returnString); }

  /**
   * Saves in the TensorFlow.js Layers format: save('file://DIR') writes DIR/model.json (Keras layer configs, the
   * training config) and the weights, each atomically. rl.loadLayersModel and tf.loadLayersModel read it back.
   */
  async save(url: SaveTarget, opts?: SaveOptions): Promise<SaveResult> {
    this.assertNotDisposed();
    return saveHandler()(this, url, opts);
  }

  /**
   * One gradient step on one batch (Keras train_on_batch): [loss, ...metrics] on this batch, measured before the
   * update; returnDict (Keras's return_dict) gives evaluate's {loss, <metric>: value, ...} instead.
   */
  trainOnBatch(x: Data, y: Data, sampleWeight?: SampleWeightArg | null, classWeight?: ClassWeightArg | null, returnDict?: false): number | number[];
  trainOnBatch(x: Data, y: Data, sampleWeight: SampleWeightArg | null | undefined, classWeight: ClassWeightArg | null | undefined, returnDict: true): Record<string, number>;
  trainOnBatch(x: Data, y: Data, sampleWeight?: SampleWeightArg | null, classWeight?: ClassWeightArg | null, returnDict?: boolean): number | number[] | Record<string, number>;
  trainOnBatch(x: Data, y: Data, sampleWeight?: SampleWeightArg | null, classWeight?: ClassWeightArg | null, returnDict?: boolean, ...extra: unknown[]): number | number[] | Record<string, number> {
    checkBatchCallArgs(`${this.name}.trainOnBatch`, ['x', 'y', 'sampleWeight', 'classWeight', 'returnDict'], returnDict, extra.length);
    return trainOnBatchModel(this, x, y, sampleWeight, classWeight, returnDict);
  }

  /**
   * Keras's test_on_batch: [loss, ...metrics] (the loss alone without metrics) on x and y as one batch, or with
   * returnDict evaluate's {loss, <metric>: value, ...}; no weight moves.
   */
  testOnBatch(x: Data, y: Data, sampleWeight?: SampleWeightArg | null, returnDict?: false): number | number[];
  testOnBatch(x: Data, y: Data, sampleWeight: SampleWeightArg | null | undefined, returnDict: true): Record<string, number>;
  testOnBatch(x: Data, y: Data, sampleWeight?: SampleWeightArg | null, returnDict?: boolean): number | number[] | Record<string, number>;
  testOnBatch(x: Data, y: Data, sampleWeight?: SampleWeightArg | null, returnDict?: boolean, ...extra: unknown[]): number | number[] | Record<string, number> {
    this.assertNotDisposed();
    checkBatchCallArgs(`${this.name}.testOnBatch`, ['x', 'y', 'sampleWeight', 'returnDict'], returnDict, extra.length);
    return testOnBatchModel(this, x, y, sampleWeight, returnDict);
  }

  async fit(x: Data, y: Data, args: FitArgs = {}): Promise<History> {
    this.assertNotDisposed();
    return this.trainingRun('fit', () => fitModel(this, x, y, args));
  }

  /**
   * Runs fit's or fitDataset's loop with isTraining set; refused, as tfjs refuses it, while another runs. The loop
   * sets model.history to its History as training starts; the one it returns is model.history once it resolves.
   */
  async trainingRun<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (this.isTraining) throw new Error(`${this.name}.${what}: cannot start training because another fit() call is ongoing on this model (await it first)`);
    this.isTraining = true;
    try {
      const result = await run();
      if (result instanceof History) this.history = result;
      return result;
    } finally {
      this.isTraining = false;
    }
  }

  /**
   * tfjs's evaluate: the loss as a Scalar, or [loss, ...metrics] as Scalars when metrics are compiled; with Keras's
   * returnDict (return_dict), {loss, <output>_loss, <metric>: value, ...} as numbers, keyed by metricsNames. Keras's
   * snake_case option names are read too.
   */
  evaluate(x: Data, y: Data, args?: EvaluateScalarArgs): Tensor | Tensor[];
  evaluate(x: Data, y: Data, args: EvaluateArgs & ({ returnDict: true } | { return_dict: true })): Record<string, number>;
  evaluate(x: Data, y: Data, args?: EvaluateArgs): Tensor | Tensor[] | Record<string, number>;
  evaluate(x: Data, y: Data, args: EvaluateArgs = {}): Tensor | Tensor[] | Record<string, number> {
    this.assertNotDisposed();
    return evaluateCall(this, x, y, args, `${this.name}.evaluate`);
  }
}
