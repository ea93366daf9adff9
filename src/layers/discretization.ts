import { describe } from '../describe.js';
import { Tensor } from '../tensor.js';
import { categoricalShape, checkCategoricalMode, checkNotSparse, encodeCategorical, flatNumbers, integerDtype, withoutIntDtype, type CategoricalMode } from './categorical_output.js';
import { COMPUTE, BuiltInLayer, Layer, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { emptySummary, mergeSummaries, quantileBoundaries, summarize, type Summary } from './quantile_summary.js';
import { registerLayer } from './registry.js';
import { fromConfigArgs } from './from_config_args.js';

export interface DiscretizationArgs extends LayerArgs {
  /** Ascending boundaries: bin i holds boundaries[i-1] <= x < boundaries[i] (bins below the first and from the last on). */
  binBoundaries?: number[] | null;
  /** The number of bins adapt() learns boundaries for (instead of binBoundaries). */
  numBins?: number | null;
  /** Default 0.01: adapt's approximate-quantile tolerance (its summary keeps about 1 / epsilon points). */
  epsilon?: number;
  /** 'int' (the default: the bin), 'one_hot', 'multi_hot' or 'count'. */
  outputMode?: CategoricalMode | 'oneHot' | 'multiHot';
  /** Keras 3's sparse output: only false. */
  sparse?: boolean;
}

/**
 * Keras 3's Discretization: each value to the index of its bin (np.digitize against float32 boundaries), encoded in
 * Keras's output modes. adapt() learns numBins - 1 boundaries with Keras's approximate quantiles (see docs/API.md for
 * where they can differ). Not trainable and not differentiable; a padding mask ends here.
 */
export class Discretization extends BuiltInLayer {
  static override readonly className: string = 'Discretization';
  binBoundaries: number[] | null;
  readonly numBins: number | null;
  readonly epsilon: number;
  readonly outputMode: CategoricalMode;
  /** Keras 3's integer dtype ('int64' in the configs it saves in 'int' mode), kept to be written back. */
  private readonly intDtype: 'int32' | 'int64' | null;

  constructor(args: DiscretizationArgs = {}) {
    super(withoutIntDtype(args), 'discretization');
    const where = this.where;
    this.intDtype = integerDtype(args?.dtype);
    const given = args.binBoundaries ?? null, bins: unknown = args.numBins ?? null;
    if (bins !== null && (!Number.isInteger(bins) || (bins as number) < 1)) throw new Error(`${where}: numBins must be a positive integer, got ${typeof bins === 'number' ? bins : describe(bins)}`);
    if (bins !== null && given !== null) throw new Error(`${where}: give binBoundaries or numBins, not both (numBins is for adapt())`);
    if (bins === null && given === null) throw new Error(`${where}: needs binBoundaries, or numBins and then adapt(data)`);
    this.numBins = bins as number | null;
    this.binBoundaries = given === null ? null : checkBoundaries(where, given);
    const eps: unknown = args.epsilon ?? 0.01;
    if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) throw new Error(`${where}: epsilon must be a finite number > 0, got ${typeof eps === 'number' ? eps : describe(eps)}`);
    this.epsilon = eps;
    this.outputMode = checkCategoricalMode(where, args.outputMode);
    checkNotSparse(where, args.sparse);
  }

  /**
   * Keras's from_config (or tfjs's fromConfig(cls, config)): a saved adapted layer has numBins and the learned
   * binBoundaries both, set after construction.
   */
  static override fromConfig(this: typeof Discretization, first: Record<string, unknown> | typeof Discretization, second?: Record<string, unknown>): Layer {
    const { cls, config } = fromConfigArgs(this, 'Discretization', first, second);
    const { binBoundaries, ...rest } = config;
    if (rest.numBins === undefined || rest.numBins === null || binBoundaries === undefined || binBoundaries === null) return new cls(config as DiscretizationArgs);
    const layer = new cls(rest as DiscretizationArgs);
    layer.binBoundaries = checkBoundaries(layer.where, binBoundaries);
    return layer;
  }

  private get where(): string { return `${this.name} (Discretization)`; }

  /** The number of output classes: one more than the boundaries (numBins before adapt). */
  private get depth(): number { return this.binBoundaries ? this.binBoundaries.length + 1 : this.numBins as number; }

  /** The running summary of updateState's batches (Keras's self.summary); null before the first. */
  private summary: Summary | null = null;

  /**
   * Keras 3's adapt, then numBins - 1 boundaries read off. `data` is one batch when it is a tensor or nested arrays of
   * numbers (read as NumPy's np.array reads them); an array holding tensors is a list of batches, each element (a
   * tensor, or nested arrays) one, as Keras 3.14+ iterates a Python list of arrays, and `steps` then takes only the
   * first steps of them, as Keras's does (an empty batch among them is taken as Keras takes it; all empty is an error).
   */
  adapt(data: Tensor | unknown[], steps?: number | null, ...rest: unknown[]): void {
    const where = this.where;
    if (rest.length > 0) throw new Error(`${where}: adapt takes the data and steps, got ${rest.length + 2} arguments`);
    const batches = Array.isArray(data) && data.some((b) => b instanceof Tensor) ? data : null;
    if (steps !== undefined && steps !== null) {
      if (!batches) throw new Error(`${where}: adapt takes the data only when it is one batch (a tensor or nested arrays, read whole); steps counts the batches of a list: pass an array of tensors, or call updateState(batch) for each, then finalizeState()`);
      if (!Number.isSafeInteger(steps) || steps < 1) throw new Error(`${where}: adapt's steps must be a positive integer, got ${typeof steps === 'number' ? steps : describe(steps)}`);
    }
    if (this.numBins === null) throw new Error(`${where}: cannot adapt a layer built with binBoundaries; give numBins instead`);
    const taken = batches ? batches.slice(0, steps ?? batches.length) : [data];
    // Every batch is read before the summary changes, so a bad one leaves the layer as it was.
    const values = taken.map((b, i) => this.batchValues(b, batches ? `adapt batch ${i}` : null));
    if (values.every((v) => v.length === 0)) throw new Error(`${where}: adapt data holds no values`);
    this.resetState();
    // An empty batch is merged too: Keras's merge compresses the running summary again even when it adds nothing.
    for (const v of values) this.summary = mergeSummaries(summarize(v, this.epsilon), this.summary ?? emptySummary(), this.epsilon);
    this.finalizeState();
  }

  /** One batch's values, flattened and checked finite; listed names a list's batch in errors (null: the only one). */
  private batchValues(batch: unknown, listed: string | null): number[] {
    const where = this.where, what = listed ?? 'adapt data';
    if (!(batch instanceof Tensor) && !Array.isArray(batch) && typeof batch !== 'number') throw new Error(`${where}: ${listed ?? 'adapt'} needs a tensor or an array of numbers, got ${describe(batch)}`);
    const values = flatNumbers(where, what, batch);
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${where}: ${what} holds ${values[bad]} at flat index ${bad}; values must be finite`);
    return values;
  }

  /** Keras's update_state: one batch's values summarized and merged into the running summary. */
  updateState(batch: Tensor | unknown[]): void {
    const where = this.where;
    if (this.numBins === null) throw new Error(`${where}: cannot adapt a layer built with binBoundaries; give numBins instead`);
    const values = this.batchValues(batch, null);
    if (values.length === 0) throw new Error(`${where}: adapt data holds no values`);
    this.summary = mergeSummaries(summarize(values, this.epsilon), this.summary ?? emptySummary(), this.epsilon);
  }

  /** Keras's finalize_state: the boundaries read off the batches given to updateState since the last resetState. */
  finalizeState(): void {
    const where = this.where;
    if (this.numBins === null) throw new Error(`${where}: cannot adapt a layer built with binBoundaries; give numBins instead`);
    if (this.summary === null) throw new Error(`${where}: finalizeState needs at least one updateState(batch) first`);
    const boundaries = quantileBoundaries(this.summary, this.numBins);
    if (this.built && this.outputMode !== 'int' && boundaries.length + 1 !== this.depth) {
      throw new Error(`${where}: adapt found ${boundaries.length + 1} bins but the layer is built for ${this.depth} in outputMode '${this.outputMode}'`);
    }
    this.binBoundaries = boundaries;
  }

  /** Keras's reset_state: forgets the batches given to updateState (the boundaries stay until finalizeState). */
  resetState(): void {
    this.summary = null;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return categoricalShape(this.where, inputShape, this.outputMode, this.depth);
  }

  /** The bin of each value: how many boundaries are <= it, compared in float32 as Keras's TensorFlow op does. */
  bins(values: ArrayLike<number>): Int32Array {
    const b = this.binBoundaries;
    if (!b) throw new Error(`${this.where}: no bin boundaries yet: call adapt(data) first, or give binBoundaries`);
    const f = b.map(Math.fround);
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = Math.fround(values[i]);
      if (Number.isNaN(v)) throw new Error(`${this.where}: got NaN at flat index ${i}`);
      let lo = 0, hi = f.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (f[mid] <= v) lo = mid + 1; else hi = mid; }
      out[i] = lo;
    }
    return out;
  }

  /** Keras upranks a scalar to one sample of one value: taken whatever rank the layer was built for, as it holds no weights. */
  protected override checkInput(x: Tensor): void {
    if (x.rank > 0) super.checkInput(x);
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    const ids = this.bins(x.dataSync() as ArrayLike<number>);
    return encodeCategorical(this.where, ids, x.shape, this.outputMode, this.depth);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...(this.intDtype ? { dtype: this.intDtype } : {}), binBoundaries: this.binBoundaries ? [...this.binBoundaries] : null, numBins: this.numBins, epsilon: this.epsilon, outputMode: this.outputMode, sparse: false };
  }
}

function checkBoundaries(where: string, v: unknown): number[] {
  if (!Array.isArray(v) || !v.every((b) => typeof b === 'number' && Number.isFinite(b))) {
    throw new Error(`${where}: binBoundaries must be a list of finite numbers, got ${Array.isArray(v) ? JSON.stringify(v) : describe(v)}`);
  }
  for (let i = 1; i < v.length; i++) {
    if (v[i] < v[i - 1]) throw new Error(`${where}: binBoundaries must be in ascending order; ${v[i]} follows ${v[i - 1]} at index ${i}`);
  }
  return [...v];
}

registerLayer(Discretization);
