/**
 * The public forms of the ops tfjs gives no gradient or a zero one, so a gradient through them is never silently
 * lost. With no gradient (TopK, Einsum, the comparisons but GreaterEqual, ...) a gradient that reaches one throws
 * tfjs's error naming it; with tfjs's zero gradient (ArgMax, ArgMin, GreaterEqual, IsNan, IsFinite, IsInf, OneHot)
 * the inputs get zeros. Each costs one check when no tape records. The plain ops in src/ops, which layers and the
 * backward rules use, stay as they are. meshgrid, a composite in tfjs, is built from recording ops instead.
 */
import * as T from '../ops/index.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { isRecording, recordNoGradient, recordZeroGradient } from './tape.js';
import { recordingMethod, reshape } from './public_ops.js';
import { broadcastTo } from './differentiable_ops.js';

/** Every tensor an op returns: one, a list, or an object of them ({values, indices}). */
function outputsOf(out: unknown): Tensor[] {
  if (out instanceof Tensor) return [out];
  return Object.values(out as object).filter((t): t is Tensor => t instanceof Tensor);
}

/** Whether an op's arguments include a tensor that needs a gradient (checked only while a tape records). */
const needsGradient = (args: readonly unknown[]): boolean => isRecording() && args.some((t) => t instanceof Tensor && t.requiresGrad);

/** fn with outputs a gradient may not pass through; kernel is tfjs's name for the op, named in the error. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function noGradient<F extends (...args: any[]) => any>(kernel: string, name: string, fn: F): F {
  return ((...args: Parameters<F>): ReturnType<F> => {
    const out = fn(...args);
    if (needsGradient(args)) recordNoGradient(outputsOf(out), args, kernel, name);
    return out;
  }) as F;
}

/** fn whose tensor inputs get tfjs's zero gradient. */
function zeroGradient<A extends unknown[]>(fn: (...args: A) => Tensor): (...args: A) => Tensor {
  return (...args: A): Tensor => {
    const out = fn(...args);
    return needsGradient(args) ? recordZeroGradient(out, args) : out;
  };
}

export const topk = noGradient('TopK', 'topk', T.topk);
export const einsum = noGradient('Einsum', 'einsum', T.einsum);
export const diag = noGradient('Diag', 'diag', T.diag);
export const scatterND = noGradient('ScatterNd', 'scatterND', T.scatterND);
export const tensorScatterUpdate = noGradient('TensorScatterUpdate', 'tensorScatterUpdate', T.tensorScatterUpdate);
export const sparseToDense = noGradient('SparseToDense', 'sparseToDense', T.sparseToDense);
export const sparse = {
  sparseSegmentSum: noGradient('SparseSegmentSum', 'sparse.sparseSegmentSum', T.sparse.sparseSegmentSum),
  sparseSegmentMean: noGradient('SparseSegmentMean', 'sparse.sparseSegmentMean', T.sparse.sparseSegmentMean),
  sparseReshape: noGradient('SparseReshape', 'sparse.sparseReshape', T.sparse.sparseReshape),
  sparseFillEmptyRows: noGradient('SparseFillEmptyRows', 'sparse.sparseFillEmptyRows', T.sparse.sparseFillEmptyRows),
};
export const bincount = noGradient('Bincount', 'bincount', T.bincount);
export const denseBincount = noGradient('DenseBincount', 'denseBincount', T.denseBincount);
export const unique = noGradient('Unique', 'unique', T.unique);
export const searchSorted = noGradient('SearchSorted', 'searchSorted', T.searchSorted);
export const lowerBound = noGradient('SearchSorted', 'lowerBound', T.lowerBound);
export const upperBound = noGradient('SearchSorted', 'upperBound', T.upperBound);
export const multinomial = noGradient('Multinomial', 'multinomial', T.multinomial);
export const greater = noGradient('Greater', 'greater', T.greater);
export const less = noGradient('Less', 'less', T.less);
export const lessEqual = noGradient('LessEqual', 'lessEqual', T.lessEqual);
export const equal = noGradient('Equal', 'equal', T.equal);
export const notEqual = noGradient('NotEqual', 'notEqual', T.notEqual);
export const logicalAnd = noGradient('LogicalAnd', 'logicalAnd', T.logicalAnd);
export const logicalOr = noGradient('LogicalOr', 'logicalOr', T.logicalOr);
// tfjs builds logicalXor from logicalAnd/Or/Not; its error names the LogicalAnd last applied.
export const logicalXor = noGradient('LogicalAnd', 'logicalXor', T.logicalXor);
export const logicalNot = noGradient('LogicalNot', 'logicalNot', T.logicalNot);
export const any = noGradient('Any', 'any', T.any);
export const all = noGradient('All', 'all', T.all);
export const bitwiseAnd = noGradient('BitwiseAnd', 'bitwiseAnd', T.bitwiseAnd);
export const raggedRange = noGradient('RaggedRange', 'raggedRange', T.raggedRange);
export const broadcastArgs = noGradient('BroadcastArgs', 'broadcastArgs', T.broadcastArgs);

export const argMax = zeroGradient(T.argMax);
export const argMin = zeroGradient(T.argMin);
export const greaterEqual = zeroGradient(T.greaterEqual);
export const isNaN = zeroGradient(T.isNaN);
export const isFinite = zeroGradient(T.isFinite);
export const isInf = zeroGradient(T.isInf);
export const oneHot = zeroGradient(T.oneHot);
// tfjs's confusionMatrix is oneHot of both inputs then a matMul: the zero gradient of OneHot.
export const math = { confusionMatrix: zeroGradient(T.math.confusionMatrix) };

/**
 * tfjs's meshgrid is a composite (reshape and broadcast), so it differentiates: each grid's gradient sums back
 * into the entry it repeats. The plain op checks the arguments and serves when nothing needs a gradient.
 */
export function meshgrid(x?: TensorLike, y?: TensorLike, options: { indexing?: string } = {}): Tensor[] {
  const plain = T.meshgrid(x, y, options);
  if (y === undefined || !needsGradient([x, y])) return plain;
  const shape = plain[0].shape;
  T.dispose(plain);
  const [rowOfX, rowOfY] = options.indexing === 'ij' ? [[-1, 1], [1, -1]] : [[1, -1], [-1, 1]];
  return [broadcastTo(reshape(x!, rowOfX), shape), broadcastTo(reshape(y, rowOfY), shape)];
}

const methods: Record<string, (...args: never[]) => unknown> = {
  topk, unique, any, all, greater, less, lessEqual, equal, notEqual, logicalAnd, logicalOr, logicalXor, logicalNot,
  argMax, argMin, greaterEqual, isNaN, isFinite, isInf, oneHot,
};
for (const [name, fn] of Object.entries(methods)) recordingMethod(name, fn as (x: Tensor, ...rest: never[]) => unknown);
