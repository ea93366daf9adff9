import { accumulate, record } from '../autograd/tape.js';
import { allocFloat, allocIndex, kernels, type FArray, type Kernels } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import { GlobalPooling1D, type GlobalPooling1DArgs } from './global_pooling1d.js';
import type { CallContext } from './layer.js';
import { registerLayer } from './registry.js';

/**
 * The largest value of each channel over all steps. Like Keras, it ignores a padding mask. Its gradient is Keras's
 * (`ops.max` over the steps: TF's reduce_max, JAX's and torch's amax): split evenly among the steps tied at the
 * maximum (tfjs gives each tied step the whole gradient; MaxPooling1D's windows, as TF's max_pool, the first).
 */
export class GlobalMaxPooling1D extends GlobalPooling1D {
  static override readonly className: string = 'GlobalMaxPooling1D';
  static readonly aliases = ['GlobalMaxPool1D'];
  constructor(args: GlobalPooling1DArgs = {}) { super(args, 'global_max_pooling1d'); }
  protected pool(x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    const [B, T, C] = x.shape;
    if (T === 0) throw new Error(`${this.name} (${this.className}): a sequence of 0 steps has no maximum`);
    // The max-pool kernel with one window as wide as the sequence; its backward gives the gradient to the first
    // maximum, and splitTies then shares it among the tied ones.
    const K = kernels();
    const xd = x.floatData();
    const y = allocFloat(B * C, false);
    const argmax = allocIndex(B * C);
    K.maxPool1d(B, T, C, T, T, 0, 1, xd, y, argmax);
    const out = new Tensor(y, [B, C], 'float32');
    return record(out, [x], () => {
      const g = out.grad!;
      const dx = allocFloat(x.size, false);
      K.maxPool1dBackward(B, T, C, T, T, 0, 1, g, argmax, dx);
      splitTies(K, xd, y, argmax, g, dx, B, T, C);
      accumulate(x, dx, true);
    });
  }
}

/**
 * Where a channel's maximum is tied, each tied step gets grad / (how many tie) instead of the first getting it all.
 * Ties are found by the kernel, not by a pass over x in JavaScript (which cost more than the whole backward): with
 * each first maximum lowered to -Infinity for one more kernel call (in place, restored at once), the maxima equal y
 * exactly where another step ties, and only those channels are walked.
 */
function splitTies(K: Kernels, x: FArray, y: FArray, argmax: Int32Array, g: FArray, dx: FArray, B: number, T: number, C: number): void {
  const second = allocFloat(B * C, false);
  const at = allocIndex(B * C);
  const kept = new Float64Array(B * C);
  for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) at[b * C + c] = (b * T + argmax[b * C + c]) * C + c;
  try {
    for (let i = 0; i < B * C; i++) { kept[i] = x[at[i]]; x[at[i]] = -Infinity; }
    K.maxPool1d(B, T, C, T, T, 0, 1, x, second, allocIndex(B * C));
  } finally {
    for (let i = 0; i < B * C; i++) x[at[i]] = kept[i];
  }
  for (let i = 0; i < B * C; i++) {
    if (second[i] !== y[i]) continue;
    const b = Math.floor(i / C), c = i - b * C, v = y[i];
    let ties = 0;
    for (let t = 0; t < T; t++) if (x[(b * T + t) * C + c] === v) ties++;
    const share = g[i] / ties;
    for (let t = 0; t < T; t++) if (x[(b * T + t) * C + c] === v) dx[(b * T + t) * C + c] = share;
  }
}

registerLayer(GlobalMaxPooling1D);
