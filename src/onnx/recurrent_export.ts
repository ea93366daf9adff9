/**
 * SimpleRNN, LSTM, GRU and Bidirectional as ONNX's RNN / LSTM / GRU operators. Keras stores kernel [in, G*U] and
 * recurrent_kernel [U, G*U] with gates side by side; ONNX wants W [dirs, G*U, in] and R [dirs, G*U, U] (transposed),
 * gates in ONNX order (LSTM: Keras i,f,c,o -> ONNX i,o,f,c; GRU z,r,h both) and B [dirs, 2*G*U] = input bias then
 * recurrent bias (Keras has one bias, except GRU resetAfter whose two rows map to them and to linear_before_reset=1).
 */
import type { AttrValue, GraphBuilder } from './graph.js';
import { compact, expandSteps, keepEmptyRows, zeroEmptyRows } from './mask_export.js';
import { innerView, refuse, type Flow, type LayerView } from './layer_view.js';
import { kerasActivationName } from '../layers/activations.js';

type Cell = 'LSTM' | 'GRU' | 'SimpleRNN';

const ONNX_OP: Record<Cell, string> = { LSTM: 'LSTM', GRU: 'GRU', SimpleRNN: 'RNN' };
/** For each ONNX gate block, the Keras block it comes from. */
export const KERAS_GATE_OF: Record<Cell, number[]> = { LSTM: [0, 3, 1, 2], GRU: [0, 1, 2], SimpleRNN: [0] };
export const ONNX_ACTIVATION: Record<string, string> = { tanh: 'Tanh', sigmoid: 'Sigmoid', relu: 'Relu', hard_sigmoid: 'HardSigmoid' };
/** Recurrent activations only (no standalone operator of that name in opset 17): linear is Affine(x) = 1·x + 0. */
export const RECURRENT_ONLY_ACTIVATION: Record<string, string> = { linear: 'Affine' };

/**
 * activation_alpha / activation_beta for a list of recurrent activation functions: each function that takes an alpha
 * (a beta) consumes the next value in order, so once Affine needs its 1 and 0 said outright, HardSigmoid's
 * 0.2 and 0.5 are said too. Null when no function needs them (the graph then leaves both out).
 */
export function activationParams(names: string[]): { alpha: number[]; beta: number[] } | null {
  return names.includes('Affine') ? activationValues(names) : null;
}

/** The alpha and beta values the functions take, in order (Affine 1, 0; HardSigmoid 0.2, 0.5). */
export function activationValues(names: string[]): { alpha: number[]; beta: number[] } {
  const alpha: number[] = [], beta: number[] = [];
  for (const n of names) {
    if (n === 'Affine') { alpha.push(1); beta.push(0); }
    if (n === 'HardSigmoid') { alpha.push(0.2); beta.push(0.5); }
  }
  return { alpha, beta };
}

export interface RecurrentConfig { cell: Cell; units: number; returnSequences: boolean; goBackwards: boolean; resetAfter: boolean; activation: string; recurrentActivation: string; useBias: boolean }

/** statesExported: the caller (a functional model) takes the final states as outputs of their own. */
export function recurrentConfig(view: LayerView, statesExported = false): RecurrentConfig {
  const c = view.config;
  if (!(view.className in ONNX_OP)) refuse(view, 'is not a recurrent layer ONNX can express');
  if (c.returnState && !statesExported) refuse(view, 'returnState has no place in a Sequential export');
  // A stateful model declares its batch, which the file would keep: the copy drops both. The view does not say which
  // kind of model holds the layer, so the hint names the change for each.
  if (c.stateful) {
    refuse(view, 'is stateful: an ONNX graph cannot carry states from one run to the next; export a copy built with stateful: false and '
      + 'no batch size in its input shape (a Sequential: inputShape in place of batchInputShape; a functional model: '
      + 'rl.input({shape}) in place of rl.input({batchShape})), so the file takes any batch size, its weights set from this '
      + 'model (copy.setWeights(model.getWeights()))');
  }
  return {
    cell: view.className as Cell, units: c.units as number, returnSequences: Boolean(c.returnSequences), goBackwards: Boolean(c.goBackwards),
    resetAfter: view.className === 'GRU' && Boolean(c.resetAfter), activation: kerasActivationName(c.activation) as string,
    recurrentActivation: kerasActivationName(c.recurrentActivation) as string, useBias: c.useBias !== false,
  };
}

/** Keras [rows, G*U] (gates side by side) -> ONNX [G*U, rows] with gates reordered. */
export function kerasToOnnxGates(w: Float32Array, rows: number, units: number, order: number[]): Float32Array {
  const G = order.length, GU = G * units, out = new Float32Array(w.length);
  for (let k = 0; k < G; k++) {
    for (let u = 0; u < units; u++) {
      const src = order[k] * units + u, dst = (k * units + u) * rows;
      for (let r = 0; r < rows; r++) out[dst + r] = w[r * GU + src];
    }
  }
  return out;
}

function reorderBias(b: Float32Array, units: number, order: number[]): Float32Array {
  const out = new Float32Array(order.length * units);
  order.forEach((src, k) => out.set(b.subarray(src * units, (src + 1) * units), k * units));
  return out;
}

/** W, R and B (input then recurrent bias) of one direction in ONNX layout. */
function directionWeights(view: LayerView, cfg: RecurrentConfig): { w: Float32Array; r: Float32Array; b: Float32Array } {
  const order = KERAS_GATE_OF[cfg.cell], GU = order.length * cfg.units;
  const [kernel, recurrent, bias] = view.weights;
  const w = kerasToOnnxGates(kernel, kernel.length / GU, cfg.units, order);
  const r = kerasToOnnxGates(recurrent, cfg.units, cfg.units, order);
  const b = new Float32Array(2 * GU);
  if (cfg.useBias) {
    b.set(reorderBias(bias.subarray(0, GU), cfg.units, order), 0);
    if (cfg.resetAfter) b.set(reorderBias(bias.subarray(GU, 2 * GU), cfg.units, order), GU);
  }
  return { w, r, b };
}

function activations(view: LayerView, cfg: RecurrentConfig): string[] {
  const name = (a: string, option: string) => ONNX_ACTIVATION[a] ?? RECURRENT_ONLY_ACTIVATION[a] ?? refuse(view, `${option} '${a}' has no ONNX recurrent equivalent (use tanh, sigmoid, relu, hard_sigmoid or linear)`);
  const act = name(cfg.activation, 'activation');
  if (cfg.cell === 'SimpleRNN') return [act];
  const rec = name(cfg.recurrentActivation, 'recurrentActivation');
  return cfg.cell === 'LSTM' ? [rec, act, act] : [rec, act];
}

function concatArrays(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** x [B, T, ...] with its steps in reverse order. */
export function reverseSteps(g: GraphBuilder, x: string, prefix: string): string {
  return g.node('Slice', [x, g.ints([-1]), g.ints([-(2 ** 63)]), g.ints([1]), g.ints([-1])], {}, prefix);
}

/** A functional call's extras: initial states ([h] or [h, c], each [batch, units]) and whether it returns its final states. */
export interface RecurrentCall { initial?: string[]; returnState?: boolean }

/**
 * One recurrent layer (dirs = [view]) or a Bidirectional one (dirs = [forward, backward]); with call.returnState
 * (one direction only) also the final states, as rnnlab returns them: h is the last output and c the cell state
 * carried through, each the initial state for a row whose steps are all padding (Keras carries both over masked steps).
 */
export function exportRecurrent(g: GraphBuilder, owner: LayerView, dirs: LayerView[], flow: Flow, mergeMode: string | null = 'concat', call: RecurrentCall = {}): Flow & { states: string[]; directions: string[] } {
  if (flow.rank !== 3) refuse(owner, `expects input (batch, steps, features), got rank ${flow.rank}`);
  // Checked before the directions' own configs, which would blame a Sequential export for the wrapped returnState.
  if (dirs.length === 2 && (call.initial?.length || call.returnState || dirs[0]!.config.returnState)) {
    refuse(owner, 'initial states and returnState of a Bidirectional layer are not exported');
  }
  const cfgs = dirs.map((d) => recurrentConfig(d, call.returnState));
  const cfg = cfgs[0];
  if (dirs.length === 2 && cfg.goBackwards) refuse(owner, 'a Bidirectional layer around a goBackwards layer is not exported');
  const initial = call.initial ?? [];
  const U = cfg.units, nd = dirs.length, G = KERAS_GATE_OF[cfg.cell].length;
  const ws = dirs.map((d, i) => directionWeights(d, cfgs[i]));
  const D = ws[0].w.length / (G * U);
  const p = owner.name;
  const W = g.floats(`${p}/W`, concatArrays(ws.map((x) => x.w)), [nd, G * U, D]);
  const R = g.floats(`${p}/R`, concatArrays(ws.map((x) => x.r)), [nd, G * U, U]);
  // B is optional in ONNX: a layer without bias leaves it out, so the import gives back useBias: false, not zero biases.
  const B = cfg.useBias ? g.floats(`${p}/B`, concatArrays(ws.map((x) => x.b)), [nd, 2 * G * U]) : '';
  const mask = flow.mask;
  let x = flow.x, lens = '';
  if (mask) ({ x, lens } = compact(g, mask, x, p));
  const xt = g.node('Transpose', [x], { perm: [1, 0, 2] }, `${p}/time_major`);
  const fns = dirs.flatMap((d, i) => activations(d, cfgs[i]));
  const attrs: Record<string, AttrValue> = {
    hidden_size: U, direction: nd === 2 ? 'bidirectional' : cfg.goBackwards ? 'reverse' : 'forward', activations: fns,
  };
  const params = activationParams(fns);
  if (params) Object.assign(attrs, { activation_alpha: { floats: params.alpha }, activation_beta: { floats: params.beta } });
  if (cfg.cell === 'GRU') attrs.linear_before_reset = cfg.resetAfter ? 1 : 0;
  // ONNX's initial_h / initial_c are [directions, batch, units].
  const init = initial.map((s, k) => g.node('Unsqueeze', [s, g.ints([0])], {}, `${p}/initial_${k}`));
  const inputs = [xt, W, R, B, lens, ...init];
  const wantCell = cfg.cell === 'LSTM' && Boolean(call.returnState);
  const [Y, Yh, Yc] = g.nodeN(ONNX_OP[cfg.cell], inputs, attrs, `${p}/${ONNX_OP[cfg.cell]}`, wantCell ? 3 : 2);
  const reverse = (d: number) => d === 1 || cfg.goBackwards;
  const last = (d: number) => {
    const h = g.node('Gather', [Yh, g.ints([d], [])], { axis: 0 }, `${p}/last_${d}`);
    return mask ? zeroEmptyRows(g, mask, h, `${p}/last_masked_${d}`) : h;
  };
  // zeroOutputForMask (Keras's loop): a masked step outputs zeros; without returnSequences the output is the last
  // processed step's, so zeros where that step is masked. States are not zeroed.
  const zeroed = (d: number) => Boolean(mask) && dirs[d]!.config.zeroOutputForMask === true;
  let outs: string[];
  if (!cfg.returnSequences) {
    outs = Array.from({ length: nd }, (_, d) => {
      if (!zeroed(d)) return last(d);
      const lastStep = g.node('Gather', [mask!.m, g.ints([reverse(d) ? 0 : -1], [1])], { axis: 1 }, `${p}/last_step_real_${d}`);
      return g.node('Mul', [last(d), lastStep], {}, `${p}/last_zeroed_${d}`);
    });
  } else {
    const bt = g.node('Transpose', [Y], { perm: [2, 0, 1, 3] }, `${p}/batch_major`);
    outs = Array.from({ length: nd }, (_, d) => {
      let y = g.node('Gather', [bt, g.ints([d], [])], { axis: 2 }, `${p}/seq_${d}`);
      if (mask) y = expandSteps(g, mask, y, reverse(d), `${p}/seq_masked_${d}`);
      if (zeroed(d)) y = g.node('Mul', [y, g.node('Unsqueeze', [mask!.m, g.ints([2])], {}, `${p}/step_real_${d}`)], {}, `${p}/seq_zeroed_${d}`);
      // A lone goBackwards layer returns its outputs in processing order (last time step first), as Keras.
      if (nd === 1 && cfg.goBackwards) y = reverseSteps(g, y, `${p}/processing_order`);
      return y;
    });
  }
  const axis = cfg.returnSequences ? 2 : 1;
  // mergeMode null: no merge node; the caller takes `directions` as two outputs.
  const out = nd === 1 || mergeMode === null ? outs[0] : merge(g, owner, outs, mergeMode, axis);
  const states: string[] = [];
  if (call.returnState) {
    // A row whose steps are all padding keeps its initial h (Keras carries the states), as c does below.
    const h = cfg.returnSequences || zeroed(0) ? last(0) : outs[0];
    states.push(mask && initial[0] ? keepEmptyRows(g, mask, h, initial[0], `${p}/state_masked`) : h);
    if (wantCell) {
      const c = g.node('Gather', [Yc, g.ints([0], [])], { axis: 0 }, `${p}/cell`);
      states.push(mask ? keepEmptyRows(g, mask, c, initial[1] ?? null, `${p}/cell_masked`) : c);
    }
  }
  return { x: out, rank: cfg.returnSequences ? 3 : 2, mask: cfg.returnSequences ? mask : null, states, directions: outs };
}

/**
 * A Bidirectional layer, its weights split between the directions: one merged flow, or with mergeMode null (Keras's
 * merge_mode=None, functional models only) the forward and backward flows, both in time order and carrying the mask.
 */
export function exportBidirectional(g: GraphBuilder, view: LayerView, flow: Flow): Flow[] {
  const half = view.weights.length / 2;
  const fwd = innerView(view, view.weights.slice(0, half), 'forward');
  const bwd = innerView(view, view.weights.slice(half), 'backward');
  const separate = view.config.mergeMode === null;
  const out = exportRecurrent(g, view, [fwd, bwd], flow, separate ? null : String(view.config.mergeMode ?? 'concat'));
  const flows = separate ? out.directions : [out.x];
  return flows.map((x) => ({ x, rank: out.rank, mask: out.mask }));
}

function merge(g: GraphBuilder, owner: LayerView, [f, b]: string[], mode: string, axis: number): string {
  const p = `${owner.name}/merge`;
  switch (mode) {
    case 'concat': return g.node('Concat', [f, b], { axis }, p);
    case 'sum': return g.node('Add', [f, b], {}, p);
    case 'mul': return g.node('Mul', [f, b], {}, p);
    case 'ave': return g.node('Mul', [g.node('Add', [f, b], {}, `${p}_sum`), g.scalar(0.5)], {}, p);
    default: return refuse(owner, `merge mode '${mode}' is not exported`);
  }
}

