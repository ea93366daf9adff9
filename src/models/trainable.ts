/**
 * What the training loop, callbacks and checkpoints need from a model. Sequential implements it; depending on
 * this interface instead of the class keeps models, callbacks and io free of import cycles.
 */
import type { LossKind } from '../autograd/loss_ops.js';
import type { CallContext, Layer, SymbolicShape } from '../layers/layer.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import type { MetricFunction } from '../metrics/registry.js';
import type { CompiledLoss } from './loss_terms.js';
import type { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';

export interface TrainableModel {
  readonly name: string;
  readonly layers: Layer[];
  readonly built: boolean;
  readonly inputShape: SymbolicShape;
  /** A Sequential's: the shapes predict, fit and evaluate take, where they differ from inputShape. */
  readonly acceptedInputShape?: SymbolicShape;
  readonly outputShape: SymbolicShape;
  readonly weights: Variable[];
  readonly trainableWeights: Variable[];
  optimizer: Optimizer | null;
  loss: LossKind | null;
  metrics: string[];
  /** compile's user metric functions by the names in metrics. */
  readonly metricFunctions?: Record<string, MetricFunction>;
  /** compile's metric names per output (its {outputName: metrics} form); absent: metrics apply to every output. */
  readonly outputMetrics?: string[][];
  /** Keras's loss_weights per output (compile's lossWeights); absent or null: every output weighs 1. */
  readonly lossWeights?: number[] | null;
  /** tfjs's getUserDefinedMetadata(): what setUserDefinedMetadata stored, saved with the model as model.json's userDefinedMetadata. */
  getUserDefinedMetadata?(): object | undefined;
  /** compile's loss per output as given (a user function keeps its name for the saved training config). */
  readonly compiledLosses?: CompiledLoss[];
  /** The final sigmoid/softmax is folded into the loss during training. */
  readonly foldsActivation: boolean;
  /** Set by a callback to end fit after the current batch. */
  stopTraining: boolean;
  /**
   * tfjs's and Keras's model.history: fit and fitDataset set it to their History as training starts. Typed as
   * ./callback.ts's History on the model classes, not here: callback.ts reads this interface (an import cycle).
   */
  history?: unknown;
  build(batchInputShape: SymbolicShape): void;
  outputShapeFor(inputShape: SymbolicShape): SymbolicShape;
  /** x and y checked against the model: one tensor per model input and per output, samples on axis 0. */
  prepareData(x: unknown, y: unknown, what: string): { xs: Tensor[]; ys: Tensor[] };
  /**
   * Forward and loss on one batch (lists as prepareData makes them), recorded for backward; terms: each output's
   * own loss, masks: the padding mask each output's loss was weighted by (src/models/loss_terms.ts's outputsLoss).
   * outputWeights: each output's own sample weights (several outputs), in place of ctx.sampleWeight.
   */
  batchLoss(xs: Tensor[], ys: Tensor[], ctx: CallContext, outputWeights?: (Tensor | null)[]): { outs: Tensor[]; loss: Tensor; backward: (l: Tensor) => void; terms?: Tensor[]; masks?: (Uint8Array | null)[] };
  /** Per output: its name, loss, and whether batchLoss's output holds logits (for accuracy). */
  outputHeads(): { name: string; loss: LossKind; fromLogits: boolean }[];
  getWeights(): Tensor[];
  setWeights(values: readonly (Tensor | ArrayLike<number>)[]): void;
}

/** Where fit is inside an epoch: enough to continue it exactly (checkpoints taken mid-epoch save this). */
export interface EpochProgress {
  epoch: number;
  /** Batches of this epoch already trained (the next batch to run). */
  batch: number;
  /** The epoch's sample order (null without shuffling). */
  order: Int32Array | null;
  /** Running sums behind the epoch's logs: sum of loss x batch size, samples seen, accuracy counts. */
  lossSum: number;
  seen: number;
  correct: number;
  total: number;
  /** Every running sum behind the epoch's other logs (each output's loss, each metric); absent in older checkpoints. */
  meters?: MeterSums;
}

/** The running sums of an epoch's per-output losses and metrics (each output's, null for one without metrics). */
export interface MeterSums {
  lossSums: number[];
  lossSeen: number;
  metrics: (number[][] | null)[];
}
