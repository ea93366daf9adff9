/**
 * The per-channel and clipping operators of an imported chain, as rnnlab layer specs: ONNX BatchNormalization (and
 * the Sub + Mul + Add by per-channel constants exportOnnx writes BatchNormalization as, or the Mul + Add it folded it
 * into before), LayerNormalization over the last
 * axis, LeakyRelu, and Clip from 0 (ReLU with maxValue). The Reader decides where they stand; these read the nodes.
 */
import { attrFloat, attrInt, attrsOf, type ConstTensor } from './read.js';
import type { Graph, Node, Spec } from './import_graph.js';

/** What the reader knows where the node stands, and how it refuses. */
export interface Place {
  g: Graph;
  rank: number;
  /** The features are the last axis of the ONNX tensor (keras layout). */
  channelsLast: boolean;
  /** The features are axis 1 of a (batch, channels, steps) tensor (time-major data is neither this nor channelsLast). */
  channelsFirst: boolean;
  fail(node: Node, why: string): never;
}

const constAt = (p: Place, node: Node, i: number): ConstTensor | null => p.g.consts.get(node.input?.[i] ?? '') ?? null;

function requireConst(p: Place, node: Node, i: number, what: string): Float32Array {
  const c = constAt(p, node, i) ?? p.fail(node, `${what} must be a constant (an initializer)`);
  return Float32Array.from(c.values);
}

/**
 * The channels' axis of ONNX's BatchNormalization is 1: the features of (batch, features) and of channels-first
 * (batch, channels, steps) data, which rnnlab holds channels-last, so axis -1 there.
 */
export function batchNormalizationSpec(p: Place, node: Node): Spec {
  const a = attrsOf(node);
  if (attrInt(a, 'training_mode', 0) !== 0) p.fail(node, 'training_mode 1 (batch statistics) is not imported; rnnlab imports the inference graph');
  if (!(p.rank === 2 || (p.rank === 3 && p.channelsFirst))) {
    const axis1 = p.channelsLast ? 'the steps of (batch, steps, features) data' : 'the batch of time-major (steps, batch, features) data';
    p.fail(node, `normalizes axis 1, which here is ${axis1}; only (batch, features) and channels-first (batch, channels, steps) inputs are imported`);
  }
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => requireConst(p, node, i, ['', 'scale', 'B', 'input_mean', 'input_var'][i]));
  // ONNX's momentum weighs the running statistic as Keras's does (PyTorch's momentum 0.1 is ONNX's 0.9).
  const args = { axis: -1, epsilon: attrFloat(a, 'epsilon', 1e-5), momentum: attrFloat(a, 'momentum', 0.9) };
  return { className: 'BatchNormalization', args, weights: [gamma, beta, mean, variance] };
}

/** A constant that holds one value per feature of a channels-last tensor: dims [C] or [1, ..., 1, C]. */
function perFeature(c: ConstTensor | null): Float32Array | null {
  if (!c || c.dims.length === 0 || c.dims.slice(0, -1).some((d) => d !== 1)) return null;
  return Float32Array.from(c.values);
}

/** A constant of one value that broadcasts without adding axes to data of this rank. */
function singleValue(c: ConstTensor | null, rank: number): number | null {
  return c && c.values.length === 1 && c.dims.length <= rank ? c.values[0] : null;
}

/**
 * Are s and t the constants exportOnnx folds a BatchNormalization into ('<layer>/scale', '<layer>/shift'), in a file
 * rnnlab wrote? Its Rescaling's are scalars, so [1]-shaped ones named so are a one-feature BatchNormalization. Another
 * tool's [1]-shaped x * s + t (PyTorch's nn.Parameter(torch.ones(1))) stays a Rescaling: as a BatchNormalization it
 * would train on batch statistics, not as the file computes.
 */
function foldedNormNames(p: Place, sName: string, tName: string): boolean {
  const layer = sName.endsWith('/scale') ? sName.slice(0, -'/scale'.length) : null;
  return p.g.producerName === 'rnnlab' && layer !== null && layer !== '' && tName === `${layer}/shift`;
}

/**
 * x * s + t by constants. One value each (exportOnnx's Rescaling, a user's x * 2 + 1): Rescaling, which rounds as
 * ONNX Runtime does (exportOnnx's one-feature BatchNormalization marked for resolveOneFeatureNorm). Per feature of the
 * last axis, or one of them a single value (exportOnnx's inference BatchNormalization): a BatchNormalization with gamma
 * s, beta t, moving mean 0, moving variance 1 and epsilon 0, which computes exactly x * s + t.
 */
export function affineSpec(p: Place, mul: Node, add: Node | undefined): Spec {
  const other = (n: Node, x: string | undefined) => (n.input?.[0] === x ? 1 : 0);
  const [x0, x1] = mul.input ?? [];
  const sIndex = p.g.consts.has(x1 ?? '') ? 1 : p.g.consts.has(x0 ?? '') ? 0 : -1;
  const sConst = sIndex < 0 ? null : constAt(p, mul, sIndex);
  const tConst = add?.opType === 'Add' && add.input?.includes(mul.output?.[0] ?? '') ? constAt(p, add, other(add, mul.output?.[0])) : null;
  const [scale, offset] = [sConst, tConst].map((c) => singleValue(c, p.rank));
  if (scale !== null && offset !== null) {
    const sName = mul.input?.[sIndex] ?? '', tName = add!.input?.[other(add!, mul.output?.[0])] ?? '';
    const perOne = p.channelsLast && sConst!.dims.length > 0 && tConst!.dims.length > 0 && foldedNormNames(p, sName, tName);
    return { className: 'Rescaling', args: { scale, offset }, weights: [], ...(perOne ? { oneFeatureNorm: true } : {}) };
  }
  const perS = perFeature(sConst), perT = perFeature(tConst);
  const C = perS && perS.length > 1 ? perS.length : perT?.length ?? 0;
  const s = scale !== null ? new Float32Array(C).fill(scale) : perS;
  const t = offset !== null ? new Float32Array(C).fill(offset) : perT;
  if (!s || !t || !p.channelsLast || s.length !== C || t.length !== C) {
    p.fail(mul, "only the Mul of a Masking layer (x times its mask), or a Mul and Add by constants, one value each (Rescaling) or one per feature of the last axis (exportOnnx's BatchNormalization), is imported here");
  }
  return {
    className: 'BatchNormalization', args: { axis: -1, epsilon: 0 },
    weights: [s, t, new Float32Array(C), new Float32Array(C).fill(1)],
  };
}

/**
 * (x - m) * s + t by constants, Sub then Mul then Add (the form exportOnnx writes BatchNormalization in since it
 * stopped folding m into t): a BatchNormalization with moving mean m, gamma s, beta t, moving variance 1 and epsilon
 * 0, which computes exactly that, per feature of the last axis. One value each: that layer when rnnlab wrote the
 * file and the data has one feature (resolveOneFeatureNorm), else a Rescaling by s and t - m * s.
 * Null when the nodes after the Sub are not that Mul and Add.
 */
export function centeredAffineSpec(p: Place, sub: Node, mul: Node | undefined, add: Node | undefined): Spec | null {
  const out = (n: Node) => n.output?.[0] ?? '';
  const takes = (n: Node | undefined, from: Node): n is Node => n?.input?.length === 2 && n.input.includes(out(from));
  if (mul?.opType !== 'Mul' || add?.opType !== 'Add' || !takes(mul, sub) || !takes(add, mul)) return null;
  const constOf = (n: Node, from: string | null) => constAt(p, n, n.input![0] === from ? 1 : 0);
  if (!p.g.consts.has(sub.input?.[1] ?? '') || p.g.consts.has(sub.input?.[0] ?? '')) return null;
  const [m, s, t] = [constAt(p, sub, 1), constOf(mul, out(sub)), constOf(add, out(mul))];
  if (!m || !s || !t) return null;
  const single = [m, s, t].map((c) => singleValue(c, p.rank));
  if (single.every((v) => v !== null) && p.channelsLast) {
    const [mean, scale, shift] = single as number[];
    // As affineSpec's: only rnnlab's own file is taken for a one-feature BatchNormalization (another tool's would
    // then train on batch statistics, not as the file computes).
    const rnnlabs = p.g.producerName === 'rnnlab' ? { oneFeatureNorm: true, centered: { mean, shift } } : {};
    return { className: 'Rescaling', args: { scale, offset: shift - mean * scale }, weights: [], ...rnnlabs };
  }
  const per = [m, s, t].map(perFeature);
  const C = Math.max(...per.map((v) => v?.length ?? 0));
  const [mean, scale, shift] = per.map((v, i) => (single[i] !== null ? new Float32Array(C).fill(single[i]!) : v));
  if (!p.channelsLast || [mean, scale, shift].some((v) => !v || v.length !== C)) {
    p.fail(sub, "only a Sub, Mul and Add by constants of one value each or one per feature of the last axis (exportOnnx's BatchNormalization) is imported here");
  }
  return { className: 'BatchNormalization', args: { axis: -1, epsilon: 0 }, weights: [scale!, shift!, mean!, new Float32Array(C).fill(1)] };
}

/**
 * A Rescaling marked by affineSpec (exportOnnx's [1]-shaped '<layer>/scale' and '<layer>/shift') on data of one
 * feature (width, its input's last axis) is exportOnnx's one-feature BatchNormalization: made that layer again, with
 * the folded form as its weights (gamma s, beta t, moving mean 0, moving variance 1, epsilon 0). Predictions are the
 * original's; training is not (it normalizes by the batch's statistics of the folded form, without the original's
 * moving statistics and epsilon, which the file does not hold). On several features one value scales them all: a
 * Rescaling.
 */
export function resolveOneFeatureNorm(spec: Spec, width: number | null | undefined): void {
  if (!spec.oneFeatureNorm || width !== 1) return;
  const { scale, offset } = spec.args as { scale: number; offset: number };
  // Read from (x - mean) * scale + shift: the mean kept apart, as the file computes.
  const { mean, shift } = spec.centered ?? { mean: 0, shift: offset };
  Object.assign(spec, {
    className: 'BatchNormalization', args: { axis: -1, epsilon: 0 },
    weights: [Float32Array.of(scale), Float32Array.of(shift), Float32Array.of(mean), Float32Array.of(1)],
  });
}

/** A constant all of whose values are one: LayerNormalization's scale when the layer learns none. */
function onesScale(p: Place, node: Node): boolean {
  const expand = p.g.producer.get(node.input?.[1] ?? '');
  const one = expand?.opType === 'Expand' ? constAt(p, expand, 0) : null;
  return Boolean(one && one.values.length === 1 && one.values[0] === 1);
}

/** ONNX LayerNormalization (opset 17) over the last axis of channels-last data. */
export function layerNormalizationSpec(p: Place, node: Node): Spec {
  const a = attrsOf(node);
  const axis = attrInt(a, 'axis', -1);
  if (!p.channelsLast || (axis !== -1 && axis !== p.rank - 1)) {
    p.fail(node, `only LayerNormalization over the features (the last axis of channels-last data) is imported (axis ${axis}, rank ${p.rank})`);
  }
  if (attrInt(a, 'stash_type', 1) !== 1) p.fail(node, 'only stash_type 1 (float statistics) is imported');
  const weights: Float32Array[] = [];
  const scaled = !onesScale(p, node);
  if (scaled) weights.push(requireConst(p, node, 1, 'Scale'));
  const centered = Boolean(node.input?.[2]);
  if (centered) weights.push(requireConst(p, node, 2, 'B'));
  return { className: 'LayerNormalization', args: { axis: -1, epsilon: attrFloat(a, 'epsilon', 1e-5), scale: scaled, center: centered }, weights };
}

/** LeakyRelu: ONNX's default alpha is 0.01 (Keras's 0.3), so it is always written out. */
export function leakyReluSpec(node: Node): Spec {
  return { className: 'LeakyReLU', args: { alpha: attrFloat(attrsOf(node), 'alpha', 0.01) }, weights: [] };
}

/**
 * Clip's bounds (inputs from opset 11, attributes before; an absent bound is unbounded). Only a lower bound of 0 is a
 * Keras layer: ReLU, with maxValue when the upper bound is finite.
 */
export function clipMax(p: Place, node: Node): number | null {
  const a = attrsOf(node);
  const bound = (i: number, name: string, dflt: number): number => {
    if (p.g.opset < 11) return attrFloat(a, name, dflt);
    if (!node.input?.[i]) return dflt;
    const c = constAt(p, node, i) ?? p.fail(node, `its ${name} must be a constant (an initializer)`);
    return c.values[0];
  };
  const lo = bound(1, 'min', -Infinity), hi = bound(2, 'max', Infinity);
  if (lo !== 0) p.fail(node, `only Clip from 0 (ReLU, with maxValue) is imported; min is ${lo}`);
  if (!(hi > 0)) p.fail(node, `Clip's max ${hi} is not above its min 0`);
  return Number.isFinite(hi) ? hi : null;
}
