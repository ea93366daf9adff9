/**
 * tfjs's block rearrangements (depthToSpace, spaceToBatchND, batchToSpaceND) as recorded reshapes, transposes,
 * pads and slices, and localResponseNormalization from recording parts; all differentiate as tfjs's.
 */
import type { Tensor, TensorLike } from '../tensor.js';
import { scoped } from './scoped.js';
import { asTensor, finiteArgs, shownArg } from '../ops/convert.js';
import { add, div, mul, reshape, slice, square, transpose } from './public_ops.js';
import { pad, pow } from './differentiable_ops.js';
import { channelsLast } from './conv_ops.js';

/** [B, H, W, C] to [B, H * s, W * s, C / s^2]: channel block (by, bx) moves to pixel offset (by, bx). */
function depthToSpaceOp(x: TensorLike, blockSize: number, dataFormat: 'NHWC' = 'NHWC'): Tensor {
  const op = 'depthToSpace';
  channelsLast(dataFormat, 'NHWC', op);
  const t = asTensor(x, 'x', op);
  if (t.rank !== 4) throw new Error(`${op}: input must be rank 4, got rank ${t.rank}`);
  if (!Number.isInteger(blockSize) || blockSize < 2) throw new Error(`${op}: blockSize should be > 1 for depthToSpace, but was: ${shownArg(blockSize)}`);
  const [b, h, w, c] = t.shape, s = blockSize;
  if (c % (s * s) !== 0) throw new Error(`${op}: dimension size must be evenly divisible by ${s * s} but is ${c} for depthToSpace with input shape ${t.shape}`);
  const r = reshape(t, [b, h, w, s, s, c / (s * s)]);
  return reshape(transpose(r, [0, 1, 3, 2, 4, 5]), [b, h * s, w * s, c / (s * s)]);
}

function blockArgs(x: Tensor, blockShape: number[], pairs: number[][], op: string, pairName: string): void {
  const m = Array.isArray(blockShape) ? blockShape.length : -1;
  if (m < 1 || blockShape.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`${op}: blockShape must be a non-empty list of positive integers, got ${shownArg(blockShape)}`);
  if (x.rank < m + 1) throw new Error(`${op}: input rank ${x.rank} must be greater than blockShape's length ${m}`);
  if (!Array.isArray(pairs) || pairs.length !== m || pairs.some((p) => !Array.isArray(p) || p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0))) {
    throw new Error(`${op}: ${pairName} must be ${m} [before, after] pairs of non-negative integers, got ${shownArg(pairs)}`);
  }
}

/** Zero-pads the spatial dims 1..M, then moves each blockShape tile into the batch: [B * prod(block), S_i / block_i..., rest]. */
function spaceToBatchNDOp(x: TensorLike, blockShape: number[], paddings: number[][]): Tensor {
  const op = 'spaceToBatchND';
  const t = asTensor(x, 'x', op);
  blockArgs(t, blockShape, paddings, op, 'paddings');
  const m = blockShape.length;
  const padded = pad(t, t.shape.map((_, i) => (i >= 1 && i <= m ? paddings[i - 1] : [0, 0]) as [number, number]));
  const sizes = padded.shape.slice(1, m + 1), rest = padded.shape.slice(m + 1), b = t.shape[0];
  sizes.forEach((s, i) => {
    if (s % blockShape[i] !== 0) throw new Error(`${op}: input spatial dimension ${i + 1} padded to ${s} is not divisible by blockShape[${i}] = ${blockShape[i]}`);
  });
  const split = [b, ...sizes.flatMap((s, i) => [s / blockShape[i], blockShape[i]]), ...rest];
  const perm = [...blockShape.map((_, i) => 2 + 2 * i), 0, ...blockShape.map((_, i) => 1 + 2 * i), ...rest.map((_, i) => 1 + 2 * m + i)];
  const blocks = blockShape.reduce((a, v) => a * v, 1);
  return reshape(transpose(reshape(padded, split), perm), [b * blocks, ...sizes.map((s, i) => s / blockShape[i]), ...rest]);
}

/** The inverse of spaceToBatchND: batch tiles back into the spatial dims, then crops. */
function batchToSpaceNDOp(x: TensorLike, blockShape: number[], crops: number[][]): Tensor {
  const op = 'batchToSpaceND';
  const t = asTensor(x, 'x', op);
  blockArgs(t, blockShape, crops, op, 'crops');
  const m = blockShape.length, blocks = blockShape.reduce((a, v) => a * v, 1);
  if (t.shape[0] % blocks !== 0) throw new Error(`${op}: input batch ${t.shape[0]} must be divisible by the product of blockShape, ${blocks}`);
  const b = t.shape[0] / blocks, sizes = t.shape.slice(1, m + 1), rest = t.shape.slice(m + 1);
  const split = [...blockShape, b, ...sizes, ...rest];
  const perm = [m, ...sizes.flatMap((_, i) => [m + 1 + i, i]), ...rest.map((_, i) => 2 * m + 1 + i)];
  const full = reshape(transpose(reshape(t, split), perm), [b, ...sizes.map((s, i) => s * blockShape[i]), ...rest]);
  crops.forEach(([lo, hi], i) => {
    if (lo + hi > full.shape[i + 1]) throw new Error(`${op}: crops[${i}] = [${lo}, ${hi}] exceed the dimension's ${full.shape[i + 1]} entries`);
  });
  return slice(full, full.shape.map((_, i) => (i >= 1 && i <= m ? crops[i - 1][0] : 0)),
    full.shape.map((d, i) => (i >= 1 && i <= m ? d - crops[i - 1][0] - crops[i - 1][1] : d)));
}

/** x / (bias + alpha * sum of x^2 over the depthRadius channels either side) ^ beta, over the last axis of a rank-3/4 x. */
function localResponseNormalizationOp(x: TensorLike, depthRadius = 5, bias = 1, alpha = 1, beta = 0.5): Tensor {
  const op = 'localResponseNormalization';
  const t = asTensor(x, 'x', op, 'float32');
  if (t.rank !== 4 && t.rank !== 3) throw new Error(`Error in ${op}: x must be rank 3 or 4 but got rank ${t.rank}.`);
  if (!Number.isInteger(depthRadius) || depthRadius < 0) throw new Error(`Error in ${op}: depthRadius must be a non-negative integer but got depthRadius ${shownArg(depthRadius)}.`);
  finiteArgs(op, { bias, alpha, beta });
  const c = t.shape[t.rank - 1], sq = square(t);
  const padded = pad(sq, t.shape.map((_, i) => (i === t.rank - 1 ? [depthRadius, depthRadius] : [0, 0]) as [number, number]));
  let total: Tensor | null = null;
  for (let k = 0; k <= 2 * depthRadius; k++) {
    const part = slice(padded, t.shape.map((_, i) => (i === t.rank - 1 ? k : 0)), [...t.shape.slice(0, -1), c]);
    total = total ? add(total, part) : part;
  }
  return div(t, pow(add(bias, mul(alpha, total!)), beta));
}

export const depthToSpace = scoped(depthToSpaceOp);
export const spaceToBatchND = scoped(spaceToBatchNDOp);
export const batchToSpaceND = scoped(batchToSpaceNDOp);
export const localResponseNormalization = scoped(localResponseNormalizationOp);
