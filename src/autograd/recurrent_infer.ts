/**
 * The recurrent op of predict: forward only (kernels lstmInfer / gruInfer), so no gates, cell states or, unless the
 * layer returns sequences, outputs are kept per step. The input projection is made as cheaply as its source allows:
 * - an embedding's output: when the batch has at least as many steps as the table rows, the table is projected
 *   (one GEMM of vocab rows) and the ids index it, so the [B, T, G*U] projection is never formed;
 * - a RepeatVector's output: one projected vector per sample serves every step;
 * - otherwise one GEMM over all B*T steps, as in training.
 * Outputs equal the training forward's (the same kernels' arithmetic, test/onnx/../inference tests check it). Under
 * mixed_bfloat16 the LSTM does not come here (lstmInfer has no bf16 twin): recurrent() runs its training forward.
 */
import { Act, allocFloat, allocIndex, allocPersistent, kernels, type ActCode, type FArray } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import { embeddedFrom, repeatedFrom } from './ops.js';

let inferring = false;
/**
 * Projected embedding tables by recurrent kernel, kept for the outermost inference scope: the weights cannot change
 * while predict runs, so its batches share one projection. Persistent memory, as the batches' scratch is recycled.
 */
const projectedTables = new Map<Tensor, { table: Tensor; xp: FArray }>();

/** Whether ops run for predict now (no gradients will be asked for). */
export function inferenceActive(): boolean {
  return inferring;
}

/** Runs fn with the forward-only ops (predict); nothing inside may record for backward, nor change weights. */
export function withInference<T>(fn: () => T): T {
  const outer = inferring;
  inferring = true;
  try {
    return fn();
  } finally {
    inferring = outer;
    if (!outer) projectedTables.clear();
  }
}

export type CellKind = 'lstm' | 'gru' | 'simple_rnn';

/** What a recurrent layer asks of the recurrent op (training's, recurrent_ops.ts, and this one). */
export interface RecurrentSpec {
  cell: CellKind;
  units: number;
  act: ActCode;
  recAct: ActCode;
  goBackwards: boolean;
  /** GRU only: Keras 2's default true puts the reset gate after the recurrent product (bias shape [2, 3U]). */
  resetAfter: boolean;
  /** false: the caller reads only the last output (returnSequences off, no trace), so predict need not keep every step's. */
  sequenceNeeded?: boolean;
}

export interface InferOutputs {
  /** [B, T, U] every output, or, when the sequence was not needed, [B, 1, U] holding the last one. */
  sequence: Tensor;
  last: Tensor;
  cell: Tensor | null;
}

/** Whether the forward-only kernels run this cell (SimpleRNN keeps no gates anyway; GRU without resetAfter is rare). */
export function inferable(spec: RecurrentSpec): boolean {
  return spec.cell === 'lstm' || (spec.cell === 'gru' && spec.resetAfter);
}

export function recurrentInfer(spec: RecurrentSpec, x: Tensor, w: Tensor, r: Tensor, bias: Tensor | null,
  h0: Tensor | null, c0: Tensor | null, mask: Uint8Array | null): InferOutputs {
  const K = kernels();
  const [B, T] = x.shape;
  const U = spec.units;
  const GU = (spec.cell === 'lstm' ? 4 : 3) * U;
  const { xp, rows } = projection(x, w, bias, GU, mask);
  const rd = r.values as FArray;
  const recBias = spec.cell === 'gru' && bias && bias.size === 2 * GU ? (bias.values as FArray).subarray(GU, 2 * GU) : null;
  const needSeq = spec.sequenceNeeded !== false;
  const hs = needSeq ? allocFloat(B * T * U, false) : null;
  const hT = allocFloat(B * U, false);
  const h0d = (h0?.floatData() as FArray | undefined) ?? null;
  let cell: Tensor | null = null;
  if (spec.cell === 'lstm') {
    const cT = allocFloat(B * U, false);
    K.lstmInfer(B, T, U, xp, rows, rd, h0d, (c0?.floatData() as FArray | undefined) ?? null, mask, spec.goBackwards,
      spec.act, spec.recAct, hs, hT, cT);
    cell = new Tensor(cT, [B, U], 'float32');
  } else {
    K.gruInfer(B, T, U, xp, rows, rd, recBias, h0d, mask, spec.goBackwards, spec.act, spec.recAct, hs, hT);
  }
  const last = new Tensor(hT, [B, U], 'float32');
  return { sequence: hs ? new Tensor(hs, [B, T, U], 'float32') : new Tensor(hT, [B, 1, U], 'float32'), last, cell };
}

/** The step inputs' projection x W + b, and the row of it each step (b, t) reads (null: row b*T + t). */
function projection(x: Tensor, w: Tensor, bias: Tensor | null, GU: number, mask: Uint8Array | null): { xp: FArray; rows: Int32Array | null } {
  const K = kernels();
  const [B, T, D] = x.shape;
  const wd = w.values as FArray;
  const inputBias = bias ? (bias.values as FArray).subarray(0, GU) : null;
  const embedded = embeddedFrom.get(x);
  if (embedded && embedded.ids.length === B * T && B * T >= embedded.table.shape[0]) {
    let cached = projectedTables.get(w);
    if (!cached || cached.table !== embedded.table) {
      const V = embedded.table.shape[0];
      cached = { table: embedded.table, xp: allocPersistent(V * GU) };
      K.gemm(false, false, V, GU, D, 1, embedded.table.values as FArray, wd, 0, cached.xp, inputBias, Act.linear);
      projectedTables.set(w, cached);
    }
    return { xp: cached.xp, rows: embedded.ids };
  }
  const repeat = !mask ? repeatedFrom.get(x) : undefined;
  if (repeat && repeat.n === T) {
    const xp = allocFloat(B * GU, false);
    K.gemm(false, false, B, GU, D, 1, repeat.source.floatData(), wd, 0, xp, inputBias, Act.linear);
    const rows = allocIndex(B * T);
    for (let b = 0; b < B; b++) rows.fill(b, b * T, (b + 1) * T);
    return { xp, rows };
  }
  const xp = allocFloat(B * T * GU, false);
  K.gemm(false, false, B * T, GU, D, 1, x.floatData(), wd, 0, xp, inputBias, Act.linear);
  return { xp, rows: null };
}
