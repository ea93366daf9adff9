/** Ops that only change the shape (they share the data, as tfjs's reshape does). */
import { Tensor, sizeOf, type Shape, type TensorLike } from '../tensor.js';
import { asTensor, axisNotInteger, normAxis, result, shownArg } from './convert.js';

/**
 * The shape with a single -1 resolved against size (tfjs's inferFromImplicitShape). Its messages carry no op name:
 * reshape, its caller, prefixes them once.
 */
export function inferShape(shape: Shape, size: number): Shape {
  if (!Array.isArray(shape)) throw new Error(`shape must be an array, got ${shownArg(shape)}`);
  let implicit = -1, known = 1;
  shape.forEach((d, i) => {
    if (d === -1) {
      if (implicit !== -1) throw new Error(`Shapes can only have 1 implicit size. Found -1 at dim ${implicit} and dim ${i}`);
      implicit = i;
    } else if (!Number.isInteger(d)) {
      throw new Error(`shape must hold integers (and at most one -1), found ${shownArg(d)} at dim ${i}`);
    } else if (d < 0) {
      throw new Error(`Shapes can not be < 0. Found ${d} at dim ${i}`);
    } else known *= d;
  });
  if (implicit === -1) {
    if (known !== size) throw new Error(`Size(${size}) must match the product of shape ${shape.join(',')}`);
    return [...shape];
  }
  if (known === 0 || size % known !== 0) throw new Error(`The implicit shape can't be a fractional number. Got ${size} / ${known}`);
  const out = [...shape];
  out[implicit] = size / known;
  return out;
}

export function reshape(x: TensorLike, shape: Shape): Tensor {
  const t = asTensor(x, 'x', 'reshape');
  let to: Shape;
  try { to = inferShape(shape, t.size); } catch (e) { throw new Error(`reshape: ${(e as Error).message} (input shape [${t.shape.join(',')}])`); }
  return result(t.viewValues(), to, t.dtype);
}

export function flatten(x: TensorLike): Tensor { return reshape(x, [-1]); }

/** Drops size-1 dimensions: all of them, or the listed axes (each must be 1). */
export function squeeze(x: TensorLike, axis?: number[] | number): Tensor {
  const t = asTensor(x, 'x', 'squeeze');
  // An empty list means all size-1 axes, as tfjs's squeezeShape and TensorFlow read it.
  const all = axis == null || (Array.isArray(axis) && axis.length === 0);
  const axes = all ? null : (Array.isArray(axis) ? axis : [axis]).map((a) => normAxis(a, t.rank, 'squeeze'));
  const shape: Shape = [];
  t.shape.forEach((d, i) => {
    if (axes === null ? d !== 1 : !axes.includes(i)) shape.push(d);
    else if (d !== 1) throw new Error(`squeeze: Can't squeeze axis ${i} since its dim '${d}' is not 1 (shape [${t.shape.join(',')}])`);
  });
  return result(t.viewValues(), shape, t.dtype);
}

export function expandDims(x: TensorLike, axis: number | null = 0): Tensor {
  const t = asTensor(x, 'x', 'expandDims');
  if (axis === null) axis = 0; // tfjs's default, as it reads an explicit null
  if (!Number.isInteger(axis)) throw axisNotInteger(axis, 'expandDims');
  if (axis > t.rank) throw new Error(`expandDims: Axis must be <= rank of the tensor (axis ${axis}, rank ${t.rank})`);
  const a = normAxis(axis, t.rank, 'expandDims', true);
  const shape = [...t.shape];
  shape.splice(a, 0, 1);
  return result(t.viewValues(), shape, t.dtype);
}

function asRank(x: TensorLike, shape: Shape, op: string): Tensor {
  const t = asTensor(x, 'x', op);
  if (sizeOf(shape) !== t.size) throw new Error(`${op}: cannot view a tensor of ${t.size} values as [${shape.join(', ')}]`);
  return result(t.viewValues(), shape, t.dtype);
}

export const asScalar = (x: TensorLike): Tensor => asRank(x, [], 'asScalar');
export const as1D = (x: TensorLike): Tensor => asRank(x, [asTensor(x, 'x', 'as1D').size], 'as1D');
export const as2D = (x: TensorLike, rows: number, columns: number): Tensor => asRank(x, [rows, columns], 'as2D');
export const as3D = (x: TensorLike, rows: number, columns: number, depth: number): Tensor => asRank(x, [rows, columns, depth], 'as3D');
export const as4D = (x: TensorLike, rows: number, columns: number, depth: number, depth2: number): Tensor =>
  asRank(x, [rows, columns, depth, depth2], 'as4D');
export const as5D = (x: TensorLike, rows: number, columns: number, depth: number, depth2: number, depth3: number): Tensor =>
  asRank(x, [rows, columns, depth, depth2, depth3], 'as5D');
