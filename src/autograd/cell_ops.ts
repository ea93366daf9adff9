/**
 * tfjs's op-level recurrent helpers (tf.basicLSTMCell, tf.multiRNNCell) and tf.movingAverage, built from the
 * recording ops so they differentiate as tfjs's composites do.
 */
import { Tensor, type TensorLike } from '../tensor.js';
import { scoped } from './scoped.js';
import { asTensor, shownArg } from '../ops/convert.js';
import { add, concat, div, matMul, mul, sigmoid, slice, sub, tanh } from './public_ops.js';
import { pow } from './differentiable_ops.js';

/**
 * One LSTM step: [data, h] @ lstmKernel + lstmBias split into the input, candidate, forget and output gates (in
 * that order, TensorFlow's BasicLSTMCell), forgetBias added to the forget gate. Returns [newC, newH].
 */
function basicLSTMCellOp(forgetBias: TensorLike, lstmKernel: TensorLike, lstmBias: TensorLike, data: TensorLike, c: TensorLike, h: TensorLike): [Tensor, Tensor] {
  const op = 'basicLSTMCell';
  const x = asTensor(data, 'data', op), hPrev = asTensor(h, 'h', op), cPrev = asTensor(c, 'c', op), kernel = asTensor(lstmKernel, 'lstmKernel', op);
  if (x.rank !== 2 || hPrev.rank !== 2 || cPrev.rank !== 2) throw new Error(`${op}: data, c and h must be 2-D [batch, features], got ranks ${x.rank}, ${cPrev.rank}, ${hPrev.rank}`);
  const units = hPrev.shape[1];
  if (kernel.rank !== 2 || kernel.shape[0] !== x.shape[1] + units || kernel.shape[1] !== 4 * units) {
    throw new Error(`${op}: lstmKernel must be [${x.shape[1] + units}, ${4 * units}] (data's features + units, 4 * units), got [${kernel.shape.join(', ')}]`);
  }
  const gates = add(matMul(concat([data, h], 1), lstmKernel), lstmBias);
  const batch = gates.shape[0];
  const gate = (k: number): Tensor => slice(gates, [0, k * units], [batch, units]);
  const newC = add(mul(sigmoid(gate(0)), tanh(gate(1))), mul(c, sigmoid(add(forgetBias, gate(2)))));
  const newH = mul(tanh(newC), sigmoid(gate(3)));
  return [newC, newH];
}

export type LSTMCellFunc = (data: Tensor, c: Tensor, h: Tensor) => [Tensor, Tensor];

/** Stacked cells: cell i reads cell i-1's new h. Returns [newC per cell, newH per cell]. */
function multiRNNCellOp(lstmCells: LSTMCellFunc[], data: TensorLike, c: TensorLike[], h: TensorLike[]): [Tensor[], Tensor[]] {
  if (!Array.isArray(lstmCells) || lstmCells.some((f) => typeof f !== 'function')) throw new Error('multiRNNCell: lstmCells must be an array of functions (data, c, h) => [c, h]');
  if (!Array.isArray(c) || !Array.isArray(h) || c.length !== lstmCells.length || h.length !== lstmCells.length) {
    throw new Error(`multiRNNCell: c and h must be arrays with one state per cell (${lstmCells.length})`);
  }
  let input = asTensor(data, 'data', 'multiRNNCell');
  const cs: Tensor[] = [], hs: Tensor[] = [];
  lstmCells.forEach((cell, i) => {
    const [ci, hi] = cell(input, asTensor(c[i], `c[${i}]`, 'multiRNNCell'), asTensor(h[i], `h[${i}]`, 'multiRNNCell'));
    cs.push(ci);
    hs.push(hi);
    input = hi;
  });
  return [cs, hs];
}

/**
 * v + (x - v)(1 - decay), divided by 1 - decay^step when zeroDebias (the default; step is then required).
 * Returns the new average; v itself is not assigned (tfjs's op does not assign either).
 */
function movingAverageOp(v: TensorLike, x: TensorLike, decay: number | Tensor, step?: number | Tensor, zeroDebias = true): Tensor {
  const a = asTensor(v, 'v', 'movingAverage'), b = asTensor(x, 'x', 'movingAverage');
  if (a.dtype !== b.dtype) throw new Error(`movingAverage: v and x must have the same dtype, got ${a.dtype} and ${b.dtype}`);
  if (a.rank !== b.rank || a.shape.some((d, i) => d !== b.shape[i])) throw new Error(`movingAverage: Shape mismatch in v [${a.shape.join(', ')}] and x [${b.shape.join(', ')}]`);
  if (typeof zeroDebias !== 'boolean') throw new Error(`movingAverage: zeroDebias must be a boolean, got ${shownArg(zeroDebias)}`);
  let update = mul(sub(x, v), sub(1, decay));
  if (zeroDebias) {
    if (step === undefined || step === null) throw new Error('movingAverage: When using zeroDebias: true, step is required.');
    update = div(update, sub(1, pow(decay, step)));
  } else if (step !== undefined && step !== null && !(step instanceof Tensor) && typeof step !== 'number') {
    throw new Error(`movingAverage: step must be a number, got ${shownArg(step)}`);
  }
  return add(v, update);
}

export const basicLSTMCell = scoped(basicLSTMCellOp);
export const multiRNNCell = scoped(multiRNNCellOp);
export const movingAverage = scoped(movingAverageOp);
