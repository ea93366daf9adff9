/** Loss names as Keras and tfjs spell them, and the checks on targets that make bad labels an error. */
import type { LossKind } from './autograd/loss_ops.js';
import type { Tensor } from './tensor.js';

const ALIASES: Record<string, LossKind> = {
  binaryCrossentropy: 'binaryCrossentropy', binary_crossentropy: 'binaryCrossentropy',
  categoricalCrossentropy: 'categoricalCrossentropy', categorical_crossentropy: 'categoricalCrossentropy',
  sparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy', sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  meanSquaredError: 'meanSquaredError', mean_squared_error: 'meanSquaredError', mse: 'meanSquaredError',
};

export function lossKind(name: string): LossKind {
  const k = ALIASES[name];
  if (!k) throw new Error(`unknown loss '${name}': use binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy or meanSquaredError`);
  return k;
}

/** Keras's snake_case name of a loss, for logs and saved configs. */
export function lossKerasName(k: LossKind): string {
  return { binaryCrossentropy: 'binary_crossentropy', categoricalCrossentropy: 'categorical_crossentropy',
    sparseCategoricalCrossentropy: 'sparse_categorical_crossentropy', meanSquaredError: 'mean_squared_error' }[k];
}

/** The fold-in activation a loss can absorb (and compute stably from logits). */
export function foldableActivation(k: LossKind): 'sigmoid' | 'softmax' | null {
  return k === 'binaryCrossentropy' ? 'sigmoid' : k === 'meanSquaredError' ? null : 'softmax';
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
