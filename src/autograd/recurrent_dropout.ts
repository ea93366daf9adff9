/**
 * SimpleRNN, LSTM and GRU while training with recurrent dropout (Keras's recurrent_dropout). The fused kernels run
 * the whole recurrence inside one call with no hook for a mask on h_{t-1}, so, as Keras leaves cuDNN for its
 * generic loop, this path composes each step from autograd ops (dense, activation, merge, dropout) and the indexing
 * ops of recurrent_dropout_ops.ts, mirroring the cells' math, gate order, biases and masking of
 * src/backend/reference/{simple_rnn,lstm,gru}.ts.
 *
 * Keras 3's masks: drawn once per call, one per sample and unit ([B, U], kept units scaled by 1/(1 - rate)), the
 * same at every step. SimpleRNN multiplies h_{t-1} by one mask before `h_{t-1} @ recurrent_kernel`. LSTM and GRU run
 * Keras's implementation 1, which recurrent_dropout forces on their cells: one mask per gate (LSTM i, f, c, o; GRU
 * z, r, h), each on the h_{t-1} of that gate's recurrent product, while the LSTM cell state and GRU's update
 * `z h_{t-1} + (1 - z) n` stay unmasked; with input dropout as well, the input gets one mask per gate likewise.
 * Implementation 1 with input dropout alone also draws per-gate input masks, so it runs here too (with no recurrent
 * mask), where implementations 0 and 2 keep one input mask and the fused kernels.
 */
import type { Activation } from './ops.js';
import * as ops from './ops.js';
import { mergeElementwise } from './merge_ops.js';
import { allocFloat } from '../backend/index.js';
import { globalRandom } from '../random.js';
import { Tensor } from '../tensor.js';
import type { CellKind, RecurrentOutputs } from './recurrent_ops.js';
import { columns, segment, selectRows, stackSteps, timeStep } from './recurrent_dropout_ops.js';

export interface ComposedSpec {
  cell: CellKind;
  units: number;
  act: Activation;
  recAct: Activation;
  goBackwards: boolean;
  /** GRU only (bias [2, 3U]: input row, recurrent row). */
  resetAfter: boolean;
}

/** Masks on h_{t-1}, each B*U keep flags: one for SimpleRNN, one per gate for LSTM (i, f, c, o) and GRU (z, r, h). */
export interface RecurrentMasks {
  rate: number;
  masks: Uint8Array[];
}

/** How many recurrent (and, under Keras's implementation 1, input) masks a cell draws: one per gate. */
export function maskCount(cell: CellKind): number {
  return GATES[cell];
}

/** count keep masks of n flags from the global seeded generator (1 = kept), as Dropout draws its own. */
export function drawKeepMasks(count: number, n: number, rate: number): Uint8Array[] {
  return Array.from({ length: count }, () => {
    const keep = new Uint8Array(n);
    for (let i = 0; i < n; i++) keep[i] = globalRandom.next() >= rate ? 1 : 0;
    return keep;
  });
}

const GATES: Record<CellKind, number> = { lstm: 4, gru: 3, simple_rnn: 1 };

/**
 * The recurrence over x [B, T, D] with kernel w [D, G*U], recurrent kernel r [U, G*U] and bias. inputs: the
 * (input-dropped) x once, or one per gate (LSTM i, f, c, o; GRU z, r, h). mask [B*T]: 1 = real step (state carried
 * and the previous output repeated at padding, zero before a row's first real step, as the fused kernels). rec null:
 * no recurrent mask (the composed path equals the fused one; tests use it).
 */
export function recurrentComposed(spec: ComposedSpec, inputs: Tensor[], w: Tensor, r: Tensor, bias: Tensor | null,
  h0: Tensor | null, c0: Tensor | null, mask: Uint8Array | null, rec: RecurrentMasks | null): RecurrentOutputs {
  const [B, T] = inputs[0].shape;
  const U = spec.units;
  const G = GATES[spec.cell];
  const gates = Array.from({ length: G }, (_, k) => k);
  const gruRecBias = spec.cell === 'gru' && spec.resetAfter && bias !== null;
  const inputBias = bias === null ? null : gruRecBias ? segment(bias, 0, G * U) : bias;
  const recBias = gruRecBias ? segment(bias!, G * U, G * U) : null;
  // Weights cut per gate once per call, so every step works on [B, U] blocks and slices nothing: each step's small
  // products stay on the calling thread, and the only per-step indexing is one time step per gate.
  const projections = gates.map((k) => ops.dense(inputs[inputs.length === 1 ? 0 : k], columns(w, k * U, U), inputBias && columns(inputBias, k * U, U), 'linear'));
  const cell = makeCell(spec, gates.map((k) => columns(r, k * U, U)), gates.map((k) => recBias && columns(recBias, k * U, U)), rec);

  const zeros = () => new Tensor(allocFloat(B * U), [B, U], 'float32');
  let h = h0 ?? zeros();
  let c = spec.cell === 'lstm' ? c0 ?? zeros() : null;
  let out = zeros();
  const outs: Tensor[] = [];
  for (let s = 0; s < T; s++) {
    const t = spec.goBackwards ? T - 1 - s : s;
    // Per step: selectRows's backward reads it later.
    const keep = new Uint8Array(B);
    let real = 0;
    for (let b = 0; b < B; b++) real += keep[b] = mask ? mask[b * T + t] : 1;
    if (real > 0) {
      const next = cell(projections.map((p) => timeStep(p, t)), h, c);
      const all = real === B;
      h = all ? next.h : selectRows(keep, next.h, h);
      if (c) c = all ? next.c! : selectRows(keep, next.c!, c);
      out = all ? next.h : selectRows(keep, next.h, out);
    }
    outs.push(out);
  }
  return { sequence: stackSteps(outs), last: out, state: h, cell: c, gates: null };
}

/** One step from each gate's input projection x[k] [B, U] and the previous states. */
type Step = (x: Tensor[], h: Tensor, c: Tensor | null) => { h: Tensor; c: Tensor | null };

/** rk[k], rb[k]: gate k's block of the recurrent kernel [U, U] and of GRU's recurrent bias (else null). */
function makeCell(spec: ComposedSpec, rk: Tensor[], rb: (Tensor | null)[], rec: RecurrentMasks | null): Step {
  const masked = (h: Tensor, k: number) => (rec ? ops.dropout(h, rec.rate, rec.masks[k]) : h);
  const add = (a: Tensor, b: Tensor) => ops.merge(a, b, 'sum');
  const mul = (a: Tensor, b: Tensor) => ops.merge(a, b, 'mul');
  const gate = (x: Tensor, hm: Tensor, k: number, act: Activation) => ops.activation(add(x, ops.dense(hm, rk[k], rb[k], 'linear')), act);
  if (spec.cell === 'simple_rnn') return ([x], h) => ({ h: gate(x, masked(h, 0), 0, spec.act), c: null });
  if (spec.cell === 'lstm') {
    return ([xi, xf, xc, xo], h, c) => {
      const i = gate(xi, masked(h, 0), 0, spec.recAct), f = gate(xf, masked(h, 1), 1, spec.recAct);
      const g = gate(xc, masked(h, 2), 2, spec.act), o = gate(xo, masked(h, 3), 3, spec.recAct);
      const cNext = add(mul(f, c!), mul(i, g));
      return { h: mul(o, ops.activation(cNext, spec.act)), c: cNext };
    };
  }
  return ([xz, xr, xh], h) => {
    const z = gate(xz, masked(h, 0), 0, spec.recAct);
    const rr = gate(xr, masked(h, 1), 1, spec.recAct);
    const candidate = spec.resetAfter
      ? mul(rr, ops.dense(masked(h, 2), rk[2], rb[2], 'linear'))
      : ops.dense(mul(rr, masked(h, 2)), rk[2], null, 'linear');
    const n = ops.activation(add(xh, candidate), spec.act);
    // z h + (1 - z) n, written as n + z (h - n).
    return { h: add(n, mul(z, mergeElementwise([h, n], 'subtract'))), c: null };
  };
}
