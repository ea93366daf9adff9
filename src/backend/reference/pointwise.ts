import { Act, type ActCode, type FArray, type PointwiseKernels } from '../kernels.js';
import { Args, checkRows, checkSameLength, typedLength } from './common.js';

/**
 * native/simd_math.h's kSigmoidZeroBelow (-kExpMax as a float32): every kernel's sigmoid, native and reference, at
 * either precision, is exactly 0 below it, where e^-v overflows float32 (tfjs gives a subnormal down to about -103.3).
 */
export const SIGMOID_ZERO_BELOW = Math.fround(-88.7228317);

/** 1 / (1 + e^-v), 0 below SIGMOID_ZERO_BELOW. */
export function sigmoid(v: number): number { return v < SIGMOID_ZERO_BELOW ? 0 : 1 / (1 + Math.exp(-v)); }

/** act(v) for one value. */
export function activate(act: ActCode, v: number): number {
  switch (act) {
    case Act.relu: return v > 0 ? v : (Number.isNaN(v) ? v : 0);
    case Act.sigmoid: return sigmoid(v);
    case Act.tanh: return Math.tanh(v);
    case Act.hardSigmoid: return Number.isNaN(v) ? v : Math.min(Math.max(0.2 * v + 0.5, 0), 1);
    default: return v;
  }
}

/** act'(.) expressed through the activation's output y. */
export function activationGradFromOutput(act: ActCode, y: number): number {
  switch (act) {
    case Act.relu: return y > 0 ? 1 : 0;
    case Act.sigmoid: return y * (1 - y);
    case Act.tanh: return (1 - y) * (1 + y);
    case Act.hardSigmoid: return y > 0 && y < 1 ? 0.2 : 0;
    default: return 1;
  }
}

/** The checks of a kernel's leading activation code, as native/kernel_util.h's act_code. */
export function checkAct(kernel: string, act: number): void {
  new Args(kernel).act('act', act);
}

export const pointwiseKernels: PointwiseKernels = {
  activation(act: ActCode, x: FArray, y: FArray): void {
    checkAct('activation', act);
    checkSameLength('activation', typedLength(x), { x, y });
    for (let i = 0; i < x.length; i++) y[i] = activate(act, x[i]);
  },

  // n = y.length (the activation's output), mirroring activation's n = x.length.
  activationBackward(act: ActCode, y: FArray, dy: FArray, dx: FArray): void {
    checkAct('activationBackward', act);
    checkSameLength('activationBackward', typedLength(y), { y, dy, dx });
    for (let i = 0; i < y.length; i++) {
      // relu and hard_sigmoid pass or block dy (no 0 * dy, so an infinite dy stays where it is blocked).
      if (act === Act.relu) dx[i] = y[i] > 0 ? dy[i] : 0;
      else if (act === Act.hardSigmoid) dx[i] = y[i] > 0 && y[i] < 1 ? 0.2 * dy[i] : 0;
      else dx[i] = dy[i] * activationGradFromOutput(act, y[i]);
    }
  },

  softmax(rows: number, cols: number, x: FArray, y: FArray): void {
    checkRows('softmax', rows, cols, { x, y });
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let m = -Infinity;
      for (let j = 0; j < cols; j++) if (x[o + j] > m) m = x[o + j];
      if (m === -Infinity) m = 0;
      let s = 0;
      for (let j = 0; j < cols; j++) {
        const e = Math.exp(x[o + j] - m);
        y[o + j] = e;
        s += e;
      }
      for (let j = 0; j < cols; j++) y[o + j] /= s;
    }
  },

  softmaxBackward(rows: number, cols: number, y: FArray, dy: FArray, dx: FArray): void {
    checkRows('softmaxBackward', rows, cols, { y, dy, dx });
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let s = 0;
      for (let j = 0; j < cols; j++) s += dy[o + j] * y[o + j];
      for (let j = 0; j < cols; j++) dx[o + j] = y[o + j] * (dy[o + j] - s);
    }
  },

  colSum(rows: number, cols: number, x: FArray, out: FArray, accumulate: boolean, blocks = 1): void {
    const a = new Args('colSum');
    a.integer('blocks', blocks, 1);
    checkRows('colSum', rows * blocks, cols, { x });
    a.floats('out', out, cols * blocks);
    for (let b = 0; b < blocks; b++) {
      for (let j = 0; j < cols; j++) {
        let s = accumulate ? out[b * cols + j] : 0;
        for (let i = 0; i < rows; i++) s += x[(b * rows + i) * cols + j];
        out[b * cols + j] = s;
      }
    }
  },

  add(a: FArray, b: FArray, y: FArray): void {
    checkSameLength('add', typedLength(y), { a, b, y });
    for (let i = 0; i < y.length; i++) y[i] = a[i] + b[i];
  },

  mul(a: FArray, b: FArray, y: FArray): void {
    checkSameLength('mul', typedLength(y), { a, b, y });
    for (let i = 0; i < y.length; i++) y[i] = a[i] * b[i];
  },

  axpy(alpha: number, x: FArray, y: FArray): void {
    new Args('axpy').num('alpha', alpha);
    checkSameLength('axpy', typedLength(y), { x, y });
    for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
  },

  dropoutApply(x: FArray, mask: Uint8Array, scale: number, y: FArray): void {
    const a = new Args('dropoutApply'), n = typedLength(y);
    a.floats('x', x, n);
    a.bytes('mask', mask, n);
    a.num('scale', scale);
    a.floats('y', y, n);
    for (let i = 0; i < y.length; i++) y[i] = mask[i] ? x[i] * scale : 0;
  },

  sumSquares(x: FArray): number {
    new Args('sumSquares').floats('x', x, 0);
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * x[i];
    return s;
  },
};

/** dy with relu's derivative from relu's output y applied (activationBackward's), in a new array. */
export function reluGrad(y: FArray, dy: FArray): Float32Array {
  const out = new Float32Array(dy.length);
  pointwiseKernels.activationBackward(Act.relu, y, dy, out);
  return out;
}
