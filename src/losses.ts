/** Loss names as Keras and tfjs spell them, and the checks on targets that make bad labels an error. */
import { coreLosses, Reduction, sameShapes } from './ops/losses.js';
// rl.losses' tfjs-core functions record on the tape whichever module is imported first.
import './autograd/recording_losses.js';
import { lossOp, type LossKind } from './autograd/loss_ops.js';
import { toTensor, type Tensor, type TensorLike } from './tensor.js';
import { allFinite } from './backend/index.js';
import { broadcastPair } from './metrics/shapes.js';

/**
 * One entry per loss: its Keras name, the name a tfjs-format trainingConfig stores when it is not the Keras name
 * (tfjs 4.22 camel-cases the stored name and looks it up in its lossesMap, which lacks Keras 3's 'log_cosh',
 * 'kl_divergence' and 'cosine_similarity'), the names compile accepts (each a function of rl.losses when it has no
 * underscore), Keras's other names compile also accepts (its Loss class names and keras.losses.get's 'bce'; not
 * functions of rl.losses), and the final activation it can fold in.
 */
interface LossEntry { kerasName: string; tfjsName?: string; names: readonly string[]; kerasAliases: readonly string[]; folds: 'sigmoid' | 'softmax' | null }

const LOSSES: Record<LossKind, LossEntry> = {
  binaryCrossentropy: { kerasName: 'binary_crossentropy', names: ['binaryCrossentropy', 'binary_crossentropy'], kerasAliases: ['BinaryCrossentropy', 'bce', 'BCE'], folds: 'sigmoid' },
  categoricalCrossentropy: { kerasName: 'categorical_crossentropy', names: ['categoricalCrossentropy', 'categorical_crossentropy'], kerasAliases: ['CategoricalCrossentropy'], folds: 'softmax' },
  sparseCategoricalCrossentropy: {
    kerasName: 'sparse_categorical_crossentropy', names: ['sparseCategoricalCrossentropy', 'sparse_categorical_crossentropy'],
    kerasAliases: ['SparseCategoricalCrossentropy'], folds: 'softmax',
  },
  meanSquaredError: { kerasName: 'mean_squared_error', names: ['meanSquaredError', 'mean_squared_error', 'mse', 'MSE'], kerasAliases: ['MeanSquaredError'], folds: null },
  meanAbsoluteError: { kerasName: 'mean_absolute_error', names: ['meanAbsoluteError', 'mean_absolute_error', 'mae', 'MAE'], kerasAliases: ['MeanAbsoluteError'], folds: null },
  meanAbsolutePercentageError: {
    kerasName: 'mean_absolute_percentage_error', names: ['meanAbsolutePercentageError', 'mean_absolute_percentage_error', 'mape', 'MAPE'], kerasAliases: ['MeanAbsolutePercentageError'], folds: null,
  },
  meanSquaredLogarithmicError: {
    kerasName: 'mean_squared_logarithmic_error', names: ['meanSquaredLogarithmicError', 'mean_squared_logarithmic_error', 'msle', 'MSLE'], kerasAliases: ['MeanSquaredLogarithmicError'], folds: null,
  },
  huber: { kerasName: 'huber', names: ['huber', 'huberLoss', 'huber_loss'], kerasAliases: ['Huber'], folds: null },
  logCosh: { kerasName: 'log_cosh', tfjsName: 'logcosh', names: ['logCosh', 'logcosh', 'log_cosh'], kerasAliases: ['LogCosh'], folds: null },
  hinge: { kerasName: 'hinge', names: ['hinge'], kerasAliases: ['Hinge'], folds: null },
  squaredHinge: { kerasName: 'squared_hinge', names: ['squaredHinge', 'squared_hinge'], kerasAliases: ['SquaredHinge'], folds: null },
  categoricalHinge: { kerasName: 'categorical_hinge', names: ['categoricalHinge', 'categorical_hinge'], kerasAliases: ['CategoricalHinge'], folds: null },
  kullbackLeiblerDivergence: {
    kerasName: 'kl_divergence', tfjsName: 'kullback_leibler_divergence', names: ['kullbackLeiblerDivergence', 'kld', 'KLD', 'kl_divergence', 'kullback_leibler_divergence'],
    kerasAliases: ['KLDivergence'], folds: null,
  },
  poisson: { kerasName: 'poisson', names: ['poisson'], kerasAliases: ['Poisson'], folds: null },
  cosineProximity: { kerasName: 'cosine_similarity', tfjsName: 'cosine_proximity', names: ['cosineProximity', 'cosine', 'cosine_similarity', 'cosine_proximity'], kerasAliases: ['CosineSimilarity'], folds: null },
  // A user function (compile({loss: fn})): chosen by passing the function, never by name.
  custom: { kerasName: 'custom', names: [], kerasAliases: [], folds: null },
};

export function lossKind(name: string): LossKind {
  for (const [kind, e] of Object.entries(LOSSES)) if (e.names.includes(name) || e.kerasAliases.includes(name)) return kind as LossKind;
  throw new Error(`unknown loss '${name}': use ${Object.keys(LOSSES).filter((k) => k !== 'custom').join(', ')}, or a function (yTrue, yPred) => loss`);
}

/** The snake_case name a model.json trainingConfig stores: one tfjs 4.22 loads and rnnlab reads back to the same loss. */
export function lossSavedName(k: LossKind): string {
  return LOSSES[k].tfjsName ?? LOSSES[k].kerasName;
}

/** The fold-in activation a loss can absorb (and compute stably from logits). */
export function foldableActivation(k: LossKind): 'sigmoid' | 'softmax' | null {
  return LOSSES[k].folds;
}

/** Rejects targets a loss cannot use: they would otherwise train silently on nonsense. */
export function checkTargets(k: LossKind, y: Tensor, outputClasses: number, what = 'labels'): void {
  const d = y.values;
  // Other losses check finiteness only: one native pass, the loop below only to name a bad value.
  if (k !== 'binaryCrossentropy' && k !== 'sparseCategoricalCrossentropy' && allFinite(d)) return;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!Number.isFinite(v)) throw new Error(`${what}: value ${v} at index ${i} is not finite`);
    if (k === 'binaryCrossentropy' && (v < 0 || v > 1)) {
      throw new Error(`${what}: binaryCrossentropy needs targets in [0, 1], found ${v} at index ${i}`);
    }
    if (k === 'sparseCategoricalCrossentropy' && (!Number.isInteger(v) || v < 0 || v >= outputClasses)) {
      throw new Error(`${what}: sparseCategoricalCrossentropy needs integer class ids in [0, ${outputClasses}), found ${v} at index ${i}`);
    }
  }
}

/**
 * The loss between yTrue and yPred as a scalar Tensor (the mean over samples, tfjs's default reduction).
 * Recorded on the autograd tape, so a custom loss built from these functions trains through compile({loss}).
 */
function lossFunction(kind: LossKind): (yTrue: TensorLike, yPred: TensorLike) => Tensor {
  return (yTrue, yPred, ...rest: unknown[]) => {
    // tfjs drops a third argument silently; weights passed here would change nothing.
    if (rest.some((r) => r !== undefined)) {
      throw new Error(`losses.${kind} takes (yTrue, yPred) only, got ${2 + rest.length} arguments; for weights use fit's sampleWeight or the tfjs-core losses (rl.losses.logLoss, softmaxCrossEntropy, ...), which take them`);
    }
    let t = toTensor(yTrue, `losses.${kind}: yTrue`), p = toTensor(yPred, `losses.${kind}: yPred`);
    const classes = p.shape[p.rank - 1] ?? 1;
    // Sparse labels hold one class id per row of yPred, read in order as tfjs flattens them; an id out of range
    // would read another row's probability.
    if (kind === 'sparseCategoricalCrossentropy' && t.size * classes !== p.size) {
      throw new Error(`losses.${kind}: yTrue has shape [${t.shape.join(', ')}] but yPred has [${p.shape.join(', ')}]`);
    }
    checkTargets(kind, t, classes, `losses.${kind}: yTrue`);
    // Other pairs broadcast as tfjs ([3, 1] against [1, 3] is [3, 3]), after Keras's rank rule ([n] against [n, 1]
    // pairs row by row); shapes that do not broadcast are an error naming both, and so is any broadcast for
    // binaryCrossentropy (tfjs's and Keras's refuse it).
    if (kind !== 'sparseCategoricalCrossentropy') [t, p] = broadcastPair(`losses.${kind}`, t, p, kind === 'binaryCrossentropy');
    return lossOp(kind, p, t, false);
  };
}

/** rl.losses: every loss by its tfjs-layers name, plus the short aliases tfjs exports (mse, mae, mape, msle, kld, cosine). */
const layerLosses = Object.fromEntries(
  Object.values(LOSSES).flatMap((e) => e.names.filter((n) => !n.includes('_')).map((n) => [n, lossFunction(lossKind(n))])),
) as Record<string, (yTrue: TensorLike, yPred: TensorLike) => Tensor>;

/**
 * rl.losses: the layers losses (recorded on the autograd tape) and tfjs-core's tf.losses (absoluteDifference,
 * softmaxCrossEntropy, ..., with weights and a Reduction). meanSquaredError is core's, so its shapes must match as
 * tfjs's tf.losses.meanSquaredError's do; without weights or a reduction the layers loss computes the same value
 * (rl.losses.mse stays the layers one, which pairs and broadcasts shapes as Keras).
 */
export const losses = {
  ...layerLosses,
  ...coreLosses,
  Reduction,
  meanSquaredError(labels: TensorLike, predictions: TensorLike, weights?: TensorLike, reduction?: Reduction): Tensor {
    if (weights !== undefined || reduction !== undefined) return coreLosses.meanSquaredError(labels, predictions, weights, reduction);
    const l = toTensor(labels, 'meanSquaredError: labels'), p = toTensor(predictions, 'meanSquaredError: predictions');
    sameShapes('meanSquaredError', l, p);
    return layerLosses.meanSquaredError(l, p);
  },
} as typeof layerLosses & typeof coreLosses & { Reduction: typeof Reduction };
