/** Loss names as Keras and tfjs spell them, and the checks on targets that make bad labels an error. */
import type { LossKind } from './autograd/loss_ops.js';
import type { Tensor } from './tensor.js';

/** One entry per loss: its Keras name, the names compile accepts, and the final activation it can fold in. */
interface LossEntry { kerasName: string; names: readonly string[]; folds: 'sigmoid' | 'softmax' | null }

const LOSSES: Record<LossKind, LossEntry> = {
  binaryCrossentropy: { kerasName: 'binary_crossentropy', names: ['binaryCrossentropy', 'binary_crossentropy'], folds: 'sigmoid' },
  categoricalCrossentropy: { kerasName: 'categorical_crossentropy', names: ['categoricalCrossentropy', 'categorical_crossentropy'], folds: 'softmax' },
  sparseCategoricalCrossentropy: { kerasName: 'sparse_categorical_crossentropy', names: ['sparseCategoricalCrossentropy', 'sparse_categorical_crossentropy'], folds: 'softmax' },
  meanSquaredError: { kerasName: 'mean_squared_error', names: ['meanSquaredError', 'mean_squared_error', 'mse'], folds: null },
};

export function lossKind(name: string): LossKind {
  for (const [kind, e] of Object.entries(LOSSES)) if (e.names.includes(name)) return kind as LossKind;
  throw new Error(`unknown loss '${name}': use ${Object.keys(LOSSES).join(', ')}`);
}

/** Keras's snake_case name of a loss, for logs and saved configs. */
export function lossKerasName(k: LossKind): string {
  return LOSSES[k].kerasName;
}

/** The fold-in activation a loss can absorb (and compute stably from logits). */
export function foldableActivation(k: LossKind): 'sigmoid' | 'softmax' | null {
  return LOSSES[k].folds;
}

/** Rejects targets a loss cannot use: they would otherwise train silently on nonsense. */
export function checkTargets(k: LossKind, y: Tensor, outputClasses: number): void {
  const d = y.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!Number.isFinite(v)) throw new Error(`labels: value ${v} at index ${i} is not finite`);
    if (k === 'binaryCrossentropy' && (v < 0 || v > 1)) {
      throw new Error(`labels: binaryCrossentropy needs targets in [0, 1], found ${v} at index ${i}`);
    }
    if (k === 'sparseCategoricalCrossentropy' && (!Number.isInteger(v) || v < 0 || v >= outputClasses)) {
      throw new Error(`labels: sparseCategoricalCrossentropy needs integer class ids in [0, ${outputClasses}), found ${v} at index ${i}`);
    }
  }
}
