/**
 * tfjs's rank-named forms (slice1d..slice4d, concat1d..concat4d, reverse1d..reverse4d, pad1d..pad4d): the general
 * recording op after a rank check, so they differentiate as their general forms do. tfjs skips the check in concat
 * and pad (pad2d of a vector returns garbage); here every form checks it.
 */
import type { Tensor, TensorLike } from '../tensor.js';
import { asTensor, shownArg } from '../ops/convert.js';
import { concat, slice } from './public_ops.js';
import { pad, reverse } from './differentiable_ops.js';

function ranked(x: TensorLike, rank: number, op: string, message: (got: number) => string): Tensor {
  const t = asTensor(x, 'x', op);
  if (t.rank !== rank) throw new Error(message(t.rank));
  return t;
}

function sliceNd(rank: number) {
  const op = `slice${rank}d`;
  return (x: TensorLike, begin: number | number[], size: number | number[]): Tensor =>
    slice(ranked(x, rank, op, (r) => `${op} expects a rank-${rank} tensor, but got a rank-${r} tensor`), begin, size);
}
function concatNd(rank: number) {
  const op = `concat${rank}d`;
  return (tensors: TensorLike[], axis = 0): Tensor => {
    if (!Array.isArray(tensors)) throw new Error(`${op}: tensors must be an array of rank-${rank} tensors`);
    tensors.forEach((x, i) => ranked(x, rank, op, (r) => `${op}: tensors[${i}] must be rank ${rank} but got rank ${r}`));
    return concat(tensors, axis);
  };
}
function reverseNd(rank: number) {
  const op = `reverse${rank}d`;
  return (x: TensorLike, axis?: number | number[]): Tensor =>
    reverse(ranked(x, rank, op, (r) => `Error in reverse${rank}D: x must be rank ${rank} but got rank ${r}.`), axis);
}
function padNd(rank: number) {
  const op = `pad${rank}d`;
  return (x: TensorLike, paddings: Array<[number, number]>, constantValue = 0): Tensor =>
    pad(ranked(x, rank, op, (r) => `${op}: x must be rank ${rank} but got rank ${r}`), paddings, constantValue);
}

export const slice1d = sliceNd(1), slice2d = sliceNd(2), slice3d = sliceNd(3), slice4d = sliceNd(4);
export const concat1d = concatNd(1), concat2d = concatNd(2), concat3d = concatNd(3), concat4d = concatNd(4);
export const reverse1d = reverseNd(1), reverse2d = reverseNd(2), reverse3d = reverseNd(3), reverse4d = reverseNd(4);
/** tfjs's pad1d takes one [before, after] pair. */
export function pad1d(x: TensorLike, paddings: [number, number], constantValue = 0): Tensor {
  if (!Array.isArray(paddings) || paddings.length !== 2 || paddings.some((p) => typeof p !== 'number')) {
    throw new Error(`pad1d: paddings must be one [before, after] pair, got ${shownArg(paddings)}`);
  }
  return padNd(1)(x, [paddings], constantValue);
}
export const pad2d = padNd(2), pad3d = padNd(3), pad4d = padNd(4);
