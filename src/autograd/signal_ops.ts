/**
 * tfjs's tf.signal: hannWindow, hammingWindow and frame. frame records (each frame's gradient flows back to the
 * samples it copied). stft is refused: its result is complex64, a dtype rnnlab does not have.
 */
import { sizeOf, type Tensor, type TensorLike } from '../tensor.js';
import { scoped } from './scoped.js';
import { asTensor, resultFrom, shownArg } from '../ops/convert.js';
import { hammingWindow, hannWindow } from '../ops/signal.js';
import { grads } from './public_ops.js';

function positiveInt(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`frame: ${name} must be a positive integer, got ${shownArg(v)}`);
  return v;
}

/**
 * Frames of frameLength samples every frameStep samples of a 1-D signal: [frames, frameLength]. With padEnd the
 * frames run on past the end, filled with padValue (cast to the signal's dtype, as tfjs's concat does).
 */
function frameOp(signal: TensorLike, frameLength: number, frameStep: number, padEnd = false, padValue = 0): Tensor {
  const x = asTensor(signal, 'signal', 'frame');
  if (x.rank !== 1) throw new Error(`frame: signal must be 1-D, got shape [${x.shape.join(', ')}]`);
  const len = positiveInt(frameLength, 'frameLength'), step = positiveInt(frameStep, 'frameStep');
  if (typeof padEnd !== 'boolean') throw new Error(`frame: padEnd must be a boolean, got ${shownArg(padEnd)}`);
  if (typeof padValue !== 'number') throw new Error(`frame: padValue must be a number, got ${shownArg(padValue)}`);
  const n = x.size;
  let count = n >= len ? Math.floor((n - len) / step) + 1 : 0;
  if (padEnd) count = Math.ceil(n / step);
  const out = resultFrom([count, len], x.dtype, (k) => {
    const at = Math.floor(k / len) * step + (k % len);
    return at < n ? x.values[at] : padValue;
  });
  return grads(out, [x], (g) => {
    const acc = new Float64Array(n);
    for (let k = 0; k < sizeOf(out.shape); k++) {
      const at = Math.floor(k / len) * step + (k % len);
      if (at < n) acc[at] += g.values[k];
    }
    return [resultFrom([n], 'float32', (i) => acc[i])];
  });
}

/** The short-time Fourier transform returns complex64 in tfjs; rnnlab has no complex dtype. */
export function stft(): never {
  throw new Error('signal.stft: not supported by rnnlab: its result is a complex64 tensor and rnnlab has only float32, int32 and bool '
    + '(frame the signal with rl.signal.frame and multiply by rl.signal.hannWindow, then transform elsewhere)');
}

export const frame = scoped(frameOp);

/** tf.signal. */
export const signal = { hannWindow, hammingWindow, frame, stft };
