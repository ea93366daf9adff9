/** tfjs's window helpers (tf.signal.hannWindow / hammingWindow, tf.cosineWindow, tf.enclosingPowerOfTwo). */
import type { Tensor } from '../tensor.js';
import { resultFrom, shownArg } from './convert.js';

function windowLength(n: unknown, op: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new Error(`${op}: windowLength must be a non-negative integer, got ${shownArg(n)}`);
  return n;
}

/**
 * a - b cos(2 pi i / N) with N = length for even lengths and length - 1 for odd ones (a periodic window, as tfjs).
 * A window of length 1 is [1] (TensorFlow's answer; tfjs 4.22 divides 0 by 0 and gives NaN).
 */
export function cosineWindow(length: number, a: number, b: number): Tensor {
  const n = windowLength(length, 'cosineWindow');
  if (typeof a !== 'number' || typeof b !== 'number') throw new Error('cosineWindow: a and b must be numbers');
  const period = n + (1 - (n % 2)) - 1;
  return resultFrom([n], 'float32', (i) => (n === 1 ? 1 : a - b * Math.cos((2 * Math.PI * i) / period)));
}

export function hannWindow(length: number): Tensor { return cosineWindow(windowLength(length, 'hannWindow'), 0.5, 0.5); }
export function hammingWindow(length: number): Tensor { return cosineWindow(windowLength(length, 'hammingWindow'), 0.54, 0.46); }

/** The smallest power of two >= value (an FFT size). Only positive values have one (tfjs gives 0 or NaN). */
export function enclosingPowerOfTwo(value: number): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw new Error(`enclosingPowerOfTwo: value must be a positive finite number, got ${shownArg(value)}`);
  return Math.floor(Math.pow(2, Math.ceil(Math.log(value) / Math.log(2))));
}
