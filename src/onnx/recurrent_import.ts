/** ONNX RNN / LSTM / GRU nodes -> rnnlab recurrent layer arguments and Keras-layout weights (the inverse of recurrent_export). */
import type { OnnxNamespace } from './proto.js';
import { activationValues, KERAS_GATE_OF, ONNX_ACTIVATION, RECURRENT_ONLY_ACTIVATION } from './recurrent_export.js';
import { attrFloat, attrInt, attrString, attrStrings, attrsOf, type Attrs, type ConstTensor } from './read.js';
import { OnnxImportError } from './import_error.js';

export type CellClass = 'LSTM' | 'GRU' | 'SimpleRNN';
const CELL_OF_OP: Record<string, CellClass> = { LSTM: 'LSTM', GRU: 'GRU', RNN: 'SimpleRNN' };
const KERAS_ACTIVATION = Object.fromEntries(Object.entries({ ...ONNX_ACTIVATION, ...RECURRENT_ONLY_ACTIVATION }).map(([k, v]) => [v, k]));
const floatsOf = (a: Attrs, name: string): number[] => (a.get(name)?.floats ?? []).map(Number);
const DEFAULT_ACTIVATIONS: Record<CellClass, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], SimpleRNN: ['Tanh'] };

export interface RecurrentImport {
  cell: CellClass;
  directions: number;
  reverse: boolean;
  masked: boolean;
  args: { units: number; activation: string; recurrentActivation?: string; resetAfter?: boolean };
  /** Per direction: kernel [D, G*U], recurrent kernel [U, G*U], bias. */
  weights: Float32Array[][];
}

/** Keras [rows, G*U] from ONNX [G*U, rows] (the inverse of kerasToOnnxGates). */
function onnxToKerasGates(w: Float32Array, rows: number, units: number, kerasOf: number[]): Float32Array {
  const G = kerasOf.length, GU = G * units, out = new Float32Array(w.length);
  for (let k = 0; k < G; k++) {
    for (let u = 0; u < units; u++) {
      const dst = kerasOf[k] * units + u, src = (k * units + u) * rows;
      for (let r = 0; r < rows; r++) out[r * GU + dst] = w[src + r];
    }
  }
  return out;
}

// Operators whose output only picks, repeats or reshapes values of their first input: zeros in, zeros out.
const KEEPS_ZEROS = new Set(['Slice', 'Expand', 'Tile', 'Reshape', 'Squeeze', 'Unsqueeze', 'Identity', 'Cast', 'Transpose', 'Gather']);

/**
 * Is this state input absent or all zeros (what a Sequential starts from)? PyTorch writes the zeros of a stacked
 * layer as a ConstantOfShape [layers, batch, units] sliced per layer, so the zeros are followed through such picks.
 */
function zeroState(name: string | undefined, consts: Map<string, ConstTensor>, producer: Map<string, OnnxNamespace.INodeProto>, depth = 0): boolean {
  if (!name) return true;
  const c = consts.get(name);
  if (c) return Array.from(c.values).every((v) => v === 0);
  const node = producer.get(name);
  if (node && KEEPS_ZEROS.has(node.opType ?? '') && depth < 16) return zeroState(node.input?.[0] || '-', consts, producer, depth + 1);
  if (node?.opType === 'Concat' && depth < 16) return (node.input ?? []).every((i) => zeroState(i || '-', consts, producer, depth + 1));
  if (node?.opType !== 'ConstantOfShape') return false;
  const value = attrsOf(node).get('value')?.t;
  return !value || (value.rawData ?? new Uint8Array()).every((b) => b === 0) && (value.floatData ?? []).every((v) => v === 0);
}

export function importRecurrent(node: OnnxNamespace.INodeProto, consts: Map<string, ConstTensor>,
  producer: Map<string, OnnxNamespace.INodeProto>, where: string): RecurrentImport {
  const cell = CELL_OF_OP[node.opType ?? ''];
  const a = attrsOf(node);
  const fail = (why: string): never => { throw new OnnxImportError(`${where}: ${why}`); };
  // ONNX Runtime requires it too; without it the weights' shapes would be blamed instead.
  if (!a.has('hidden_size')) fail("has no attribute 'hidden_size' (the number of units)");
  const units = attrInt(a, 'hidden_size', 0);
  if (units <= 0) fail(`hidden_size ${units} is not a number of units`);
  const direction = attrString(a, 'direction', 'forward');
  if (!['forward', 'reverse', 'bidirectional'].includes(direction)) fail(`direction '${direction}' is not an ONNX direction (forward, reverse, bidirectional)`);
  const nd = direction === 'bidirectional' ? 2 : 1;
  if (a.has('clip')) fail(`attribute 'clip' (${attrFloat(a, 'clip', 0)}) has no rnnlab equivalent`);
  if (attrInt(a, 'input_forget', 0) !== 0) fail("attribute 'input_forget' has no rnnlab equivalent");
  if (attrInt(a, 'layout', 0) !== 0) fail("layout=1 (batch-major) is not imported");
  const [, wName, rName, bName, lensName, h0, c0, peep] = node.input ?? [];
  const get = (n: string | undefined, what: string) => consts.get(n ?? '') ?? fail(`${what} '${n ?? ''}' must be a constant (an initializer)`);
  const W = get(wName, 'W'), R = get(rName, 'R');
  const G = KERAS_GATE_OF[cell].length;
  if (W.dims.length !== 3 || W.dims[0] !== nd || W.dims[1] !== G * units) fail(`W has shape [${W.dims}], expected [${nd}, ${G * units}, input_size]`);
  const D = W.dims[2];
  if (R.dims.join() !== [nd, G * units, units].join()) fail(`R has shape [${R.dims}], expected [${nd}, ${G * units}, ${units}]`);
  if (lensName && consts.has(lensName)) fail('a constant sequence_lens is not imported (rnnlab derives it from the padding mask)');
  if (!zeroState(h0, consts, producer) || (cell === 'LSTM' && !zeroState(c0, consts, producer))) fail('non-zero initial states are not imported (a Sequential starts from zeros)');
  if (peep && !zeroState(peep, consts, producer)) fail('LSTM peepholes (input P) are not imported');
  const names = attrStrings(a, 'activations') ?? [...DEFAULT_ACTIVATIONS[cell], ...(nd === 2 ? DEFAULT_ACTIVATIONS[cell] : [])];
  const per = DEFAULT_ACTIVATIONS[cell].length;
  // Fewer would leave a function to a default, more would be dropped: ONNX Runtime refuses both.
  if (names.length !== per * nd) fail(`activations lists ${names.length} functions; ${node.opType} takes ${per} per direction (${per * nd} here)`);
  const keras = names.map((n) => KERAS_ACTIVATION[n] ?? fail(`activation '${n}' is not imported (${Object.keys(KERAS_ACTIVATION).join(', ')} are)`));
  // Only the values that make Affine the identity and HardSigmoid Keras's, in the order the functions take them
  // (float32 attributes: compared after rounding to float32).
  if (a.has('activation_alpha') || a.has('activation_beta') || names.includes('Affine')) {
    const want = activationValues(names), got = { alpha: floatsOf(a, 'activation_alpha'), beta: floatsOf(a, 'activation_beta') };
    const same = (x: number[], y: number[]) => x.length === y.length && x.every((v, i) => v === Math.fround(y[i]));
    if (!same(got.alpha, want.alpha) || !same(got.beta, want.beta)) {
      fail(`activation_alpha [${got.alpha}] and activation_beta [${got.beta}] for activations [${names}] are not imported; expected [${want.alpha}] and [${want.beta}] (Affine 1, 0: linear; HardSigmoid 0.2, 0.5)`);
    }
  }
  const [rec, act] = cell === 'SimpleRNN' ? [undefined, keras[0]] : [keras[0], keras[1]];
  if (cell === 'LSTM' && keras[2] !== act) fail(`LSTM activations g (${names[1]}) and h (${names[2]}) must be equal, as in Keras`);
  if (nd === 2 && keras.slice(per).join() !== keras.slice(0, per).join()) fail('both directions must use the same activations');
  const resetAfter = cell === 'GRU' ? attrInt(a, 'linear_before_reset', 0) === 1 : undefined;
  const Bc = bName ? get(bName, 'B') : null;
  if (Bc && Bc.dims.join() !== [nd, 2 * G * units].join()) fail(`B has shape [${Bc.dims}], expected [${nd}, ${2 * G * units}]`);
  const B = Bc ? Bc.values as Float32Array : new Float32Array(nd * 2 * G * units);
  const GU = G * units, kerasOf = KERAS_GATE_OF[cell];
  const weights = Array.from({ length: nd }, (_, d) => {
    const w = (W.values as Float32Array).subarray(d * GU * D, (d + 1) * GU * D);
    const r = (R.values as Float32Array).subarray(d * GU * units, (d + 1) * GU * units);
    const wb = B.subarray(d * 2 * GU, d * 2 * GU + GU), rb = B.subarray(d * 2 * GU + GU, (d + 1) * 2 * GU);
    const bias = new Float32Array(resetAfter ? 2 * GU : GU);
    for (let k = 0; k < G; k++) {
      for (let u = 0; u < units; u++) {
        const dst = kerasOf[k] * units + u, src = k * units + u;
        // Both biases are plain sums inside each gate, except GRU's recurrent candidate bias with linear_before_reset.
        if (resetAfter) { bias[dst] = wb[src]; bias[GU + dst] = rb[src]; } else bias[dst] = wb[src] + rb[src];
      }
    }
    const kernels = [onnxToKerasGates(w, D, units, kerasOf), onnxToKerasGates(r, units, units, kerasOf)];
    return Bc ? [...kernels, bias] : kernels;
  });
  // Without B (rnnlab's useBias: false, PyTorch's bias=False) the layer has no bias to train, as the file's.
  return {
    cell, directions: nd, reverse: direction === 'reverse', masked: Boolean(lensName),
    args: { units, activation: act, ...(rec === undefined ? {} : { recurrentActivation: rec }), ...(resetAfter === undefined ? {} : { resetAfter }), ...(Bc ? {} : { useBias: false }) }, weights,
  };
}
