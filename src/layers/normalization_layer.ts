/**
 * Keras 3's Normalization preprocessing layer (keras/src/layers/preprocessing/normalization.py). Named
 * normalization_layer.ts because ./normalization.ts is the base BatchNormalization and LayerNormalization share.
 */
import { add, div, mul, sub } from '../autograd/public_ops.js';
import { cast } from '../autograd/differentiable_ops.js';
import { describe } from '../describe.js';
import { asTensor } from '../ops/convert.js';
import { Tensor } from '../tensor.js';
import { COMPUTE, BuiltInLayer, checkBool, kerasShape, type CallContext, type LayerArgs, type SymbolicShape, type WeightSpec } from './layer.js';
import { registerLayer } from './registry.js';

type Nested = number | Nested[];

export interface NormalizationArgs extends LayerArgs {
  /** Default -1: the axis or axes kept, each index with its own mean and variance; null (saved as []) for one of each. */
  axis?: number | number[] | null;
  /** With variance: a number, nested arrays or a tensor, broadcast to the kept axes' sizes aligned from the last. */
  mean?: Nested | Tensor | null;
  /** With mean, the same shape; values >= 0. */
  variance?: Nested | Tensor | null;
  /** Default false: mean + x * sqrt(variance), turning normalized values back. */
  invert?: boolean;
}

/** Keras's backend.epsilon(): the floor of the standard deviation, so a constant feature does not divide by zero. */
const EPSILON = Math.fround(1e-7);

interface Given { shape: number[]; values: number[] }

/**
 * Keras 3's Normalization: (x - mean) / max(sqrt(variance), 1e-7) with the statistics given, or learned by adapt(data)
 * as non-trainable weights mean, variance and count (count stays 0, kept as Keras keeps it for old files). Not
 * trainable, but differentiable in its input; the padding mask passes through.
 */
export class Normalization extends BuiltInLayer {
  static override readonly className: string = 'Normalization';
  override supportsMasking = true;
  /** Keras's standardized tuple: [] when axis is null. */
  readonly axis: number[];
  readonly invert: boolean;
  private readonly inputMean: Given | null;
  private readonly inputVariance: Given | null;
  /** The given statistics broadcast to the kept shape, once build knows it. */
  private fixed: { mean: Float32Array; variance: Float32Array } | null = null;

  constructor(args: NormalizationArgs = {}) {
    super(args, 'normalization');
    const where = this.where;
    this.axis = checkAxisArg(where, args.axis === undefined ? -1 : args.axis);
    this.invert = checkBool(where, 'invert', args.invert, false);
    const m = args.mean ?? null, v = args.variance ?? null;
    if ((m === null) !== (v === null)) throw new Error(`${where}: mean and variance must be given together, got ${m === null ? 'variance' : 'mean'} alone (or neither, and adapt(data))`);
    this.inputMean = m === null ? null : readGiven(where, 'mean', m);
    this.inputVariance = v === null ? null : readGiven(where, 'variance', v);
    if (this.inputMean && this.inputVariance) {
      if (this.inputMean.shape.join() !== this.inputVariance.shape.join()) throw new Error(`${where}: mean and variance must have the same shape, got [${this.inputMean.shape.join(', ')}] and [${this.inputVariance.shape.join(', ')}]`);
      if (this.inputMean.shape.length > this.axis.length) throw new Error(`${where}: mean of rank ${this.inputMean.shape.length} has more axes than axis ${JSON.stringify(this.axis)} keeps (${this.axis.length})`);
      const neg = this.inputVariance.values.findIndex((x) => x < 0);
      if (neg >= 0) throw new Error(`${where}: variance must be >= 0, got ${this.inputVariance.values[neg]} at flat index ${neg}`);
    }
  }

  private get where(): string { return `${this.name} (Normalization)`; }

  /** The kept axes for this rank, ascending (Keras sorts them so no transpose is needed). */
  private keptAxes(rank: number): number[] {
    const kept = this.axis.map((a) => {
      if (a < -rank || a >= rank) throw new Error(`${this.where}: axis ${a} is out of range for input of rank ${rank} (axis ${JSON.stringify(this.axis)})`);
      return a < 0 ? a + rank : a;
    }).sort((p, q) => p - q);
    if (new Set(kept).size !== kept.length) throw new Error(`${this.where}: axis ${JSON.stringify(this.axis)} names an axis twice for input of rank ${rank}`);
    return kept;
  }

  private keptShape(inputShape: SymbolicShape): number[] {
    return this.keptAxes(inputShape.length).map((d) => {
      const n = inputShape[d];
      if (n === null) throw new Error(`${this.where}: kept axis ${d} of input ${kerasShape(inputShape)} must have a known size (axis ${JSON.stringify(this.axis)})`);
      return n;
    });
  }

  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    const shape = this.keptShape(inputShape);
    if (this.inputMean) return [];
    return [{ name: 'mean', shape, initializer: 'zeros' }, { name: 'variance', shape, initializer: 'ones' }, { name: 'count', shape: [], initializer: 'zeros' }];
  }

  build(inputShape: SymbolicShape): void {
    const specs = this.weightSpecs(inputShape);
    if (this.inputMean && this.inputVariance) {
      const kept = this.keptAxes(inputShape.length), shape = this.keptShape(inputShape);
      this.fixed = { mean: this.broadcast('mean', this.inputMean, kept, shape), variance: this.broadcast('variance', this.inputVariance, kept, shape) };
    }
    for (const spec of specs) this.addWeight(spec, false);
    this.markBuilt(inputShape);
  }

  /** Keras's build: a given value's axes align with the last kept axes, each of size 1 or the kept axis's size. */
  private broadcast(what: string, g: Given, kept: number[], shape: number[]): Float32Array {
    const lead = shape.length - g.shape.length;
    g.shape.forEach((n, i) => {
      if (n !== 1 && n !== shape[lead + i]) throw new Error(`${this.where}: ${what} of shape [${g.shape.join(', ')}] does not broadcast to the kept axes ${JSON.stringify(kept)} of sizes [${shape.join(', ')}]`);
    });
    const out = new Float32Array(shape.reduce((p, n) => p * n, 1));
    for (let i = 0; i < out.length; i++) {
      let rem = i, src = 0, stride = 1;
      for (let d = shape.length - 1; d >= lead; d--) {
        const c = rem % shape[d];
        rem = Math.floor(rem / shape[d]);
        const n = g.shape[d - lead];
        if (n !== 1) src += c * stride;
        stride *= n;
      }
      out[i] = g.values[src];
    }
    return out;
  }

  /** Keras 3 reads a non-dataset through np.array as one batch; a list of tensors is its iterable of batches. */
  adapt(data: Tensor | Tensor[] | Nested[], ...rest: unknown[]): void {
    const where = this.where;
    if (rest.length > 0 && rest[0] !== undefined) throw new Error(`${where}: adapt takes the data only (for several batches pass a list of tensors)`);
    if (this.inputMean) throw new Error(`${where}: was given mean and variance, so there is nothing to adapt; construct it without them to adapt(data)`);
    const list = Array.isArray(data) && data.length > 0 && data.some((b) => b instanceof Tensor);
    if (list && !(data as unknown[]).every((b) => b instanceof Tensor)) throw new Error(`${where}: adapt's list of batches must hold tensors only`);
    const batches = (list ? data as Tensor[] : [data]).map((b, i) => asTensor(b, list ? `data[${i}]` : 'data', `${where} adapt`));
    const first = batches[0];
    if (first.rank === 0) throw new Error(`${where}: adapt data needs at least one axis, got a scalar`);
    // Checked before building, so that bad data leaves an unbuilt layer unbuilt.
    for (const [i, b] of batches.entries()) {
      const label = `adapt data${list ? `[${i}]` : ''}`, v = b.dataSync() as ArrayLike<number>;
      if (b.size === 0) throw new Error(`${where}: ${label} of shape [${b.shape.join(', ')}] holds no values`);
      for (let j = 0; j < v.length; j++) if (!Number.isFinite(v[j])) throw new Error(`${where}: ${label} holds ${v[j]} at flat index ${j}; values must be finite`);
    }
    const kept = this.keptAxes(first.rank);
    if (!this.built) this.ensureBuilt(first.shape.map((n, d) => (d === 0 && !kept.includes(0) ? null : n)));
    const spec = this.builtInputShape!;
    let total: Moments | null = null;
    for (const [i, b] of batches.entries()) {
      if (b.rank !== spec.length || kept.some((d) => b.shape[d] !== spec[d])) throw new Error(`${where}: adapt data${list ? `[${i}]` : ''} of shape [${b.shape.join(', ')}] does not fit the input ${kerasShape(spec)} the layer is built for (axis ${JSON.stringify(this.axis)})`);
      const m = moments(b, kept);
      total = total ? merge(total, m) : m;
    }
    this.weightNamed('mean')!.assign(total!.mean);
    this.weightNamed('variance')!.assign(total!.variance);
  }

  protected [COMPUTE](x: Tensor, _ctx: CallContext): Tensor {
    const spec = this.builtInputShape!, kept = this.keptAxes(x.rank);
    const bad = kept.find((d) => x.shape[d] !== spec[d]);
    if (bad !== undefined) throw new Error(`${this.where}: expected size ${spec[bad]} on kept axis ${bad} (axis ${JSON.stringify(this.axis)}), got input [${x.shape.join(', ')}]`);
    const bshape = spec.map((n, d) => (kept.includes(d) ? n as number : 1));
    const mean = this.fixed?.mean ?? Float32Array.from(this.weightNamed('mean')!.values);
    const variance = this.fixed?.variance ?? this.weightNamed('variance')!.values;
    const std = Float32Array.from(variance, (v) => Math.max(Math.fround(Math.sqrt(v)), EPSILON));
    const m = new Tensor(mean, bshape, 'float32'), s = new Tensor(std, bshape, 'float32');
    const xf = x.dtype === 'float32' ? x : cast(x, 'float32');
    return this.invert ? add(m, mul(xf, s)) : div(sub(xf, m), s);
  }

  /** A layer called on a real tensor before adapt (and without mean and variance) has nothing to normalize with. */
  protected override checkInput(x: Tensor): void {
    if (!this.built && !this.inputMean) throw new Error(`${this.where}: call adapt(data) first, or give mean and variance`);
    super.checkInput(x);
  }

  /** Keras 3's keys: the learned statistics are weights, so an adapted layer writes mean and variance as null. */
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: [...this.axis], invert: this.invert, mean: nest(this.inputMean), variance: nest(this.inputVariance) };
  }
}

function checkAxisArg(where: string, v: unknown): number[] {
  if (v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((a) => Number.isInteger(a))) throw new Error(`${where}: axis must be an integer, a list of integers or null, got ${typeof v === 'number' || Array.isArray(v) ? JSON.stringify(v) : describe(v)}`);
  return list as number[];
}

/** A number, rectangular nested arrays of finite numbers, or a tensor, as its shape and flat values. */
function readGiven(where: string, what: string, v: unknown): Given {
  if (v instanceof Tensor) return readGiven(where, what, v.arraySync());
  const shape: number[] = [];
  for (let cur: unknown = v; Array.isArray(cur); cur = cur[0]) shape.push(cur.length);
  const values: number[] = [];
  const walk = (x: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${where}: ${what} must hold finite numbers, got ${typeof x === 'number' ? x : describe(x)}`);
      values.push(x);
    } else if (!Array.isArray(x) || x.length !== shape[depth]) {
      throw new Error(`${where}: ${what} must be a number or rectangular nested arrays of numbers (shape [${shape.join(', ')}]), got ${JSON.stringify(v)}`);
    } else x.forEach((e) => walk(e, depth + 1));
  };
  walk(v, 0);
  if (values.length === 0) throw new Error(`${where}: ${what} holds no values`);
  return { shape, values };
}

/** Keras's np.array(value).tolist(): the given value back in its own shape. */
function nest(g: Given | null): Nested | null {
  if (!g) return null;
  const build = (depth: number, at: number): Nested => {
    if (depth === g.shape.length) return g.values[at];
    const step = g.shape.slice(depth + 1).reduce((p, n) => p * n, 1);
    return Array.from({ length: g.shape[depth] }, (_, i) => build(depth + 1, at + i * step));
  };
  return build(0, 0);
}

interface Moments { mean: Float64Array; variance: Float64Array; count: number }

/** Population mean and variance (np.mean, np.var) over every axis but the kept ones, in float64. */
function moments(t: Tensor, kept: number[]): Moments {
  const shape = t.shape, values = t.dataSync() as ArrayLike<number>;
  const keptSize = kept.reduce((p, d) => p * shape[d], 1);
  const count = values.length / keptSize;
  // mult[d]: the step along axis d in the kept layout (0 for a reduced axis).
  const mult = new Array<number>(shape.length).fill(0);
  for (let j = kept.length - 1, s = 1; j >= 0; s *= shape[kept[j]], j--) mult[kept[j]] = s;
  const key = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let rem = i, k = 0;
    for (let d = shape.length - 1; d >= 0; d--) { k += (rem % shape[d]) * mult[d]; rem = Math.floor(rem / shape[d]); }
    key[i] = k;
  }
  const mean = new Float64Array(keptSize), variance = new Float64Array(keptSize);
  for (let i = 0; i < values.length; i++) mean[key[i]] += values[i];
  for (let k = 0; k < keptSize; k++) mean[k] /= count;
  for (let i = 0; i < values.length; i++) variance[key[i]] += (values[i] - mean[key[i]]) ** 2;
  for (let k = 0; k < keptSize; k++) variance[k] /= count;
  return { mean, variance, count };
}

/** Keras's adapt over batches: the running statistics and one batch's, combined by the lack-of-fit sum of squares. */
function merge(total: Moments, b: Moments): Moments {
  const count = total.count + b.count, w = b.count / count, e = 1 - w;
  const mean = new Float64Array(b.mean.length), variance = new Float64Array(b.mean.length);
  for (let k = 0; k < mean.length; k++) {
    mean[k] = total.mean[k] * e + b.mean[k] * w;
    variance[k] = (total.variance[k] + (total.mean[k] - mean[k]) ** 2) * e + (b.variance[k] + (b.mean[k] - mean[k]) ** 2) * w;
  }
  return { mean, variance, count };
}

registerLayer(Normalization);
