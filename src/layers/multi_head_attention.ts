import { batchMatMul } from '../autograd/merge_ops.js';
import { permuteAxes } from '../autograd/layer_ops.js';
import { maskedScaledSoftmax } from '../autograd/multi_head_ops.js';
import * as ops from '../autograd/ops.js';
import { describe, shownList } from '../describe.js';
import { Tensor } from '../tensor.js';
import { MultiInputLayer } from './base_merge.js';
import { checkSameBatch } from './attention.js';
import { maskBytes } from './call_kwargs.js';
import { checkConstraint, type Constraint } from './constraints.js';
import { checkInitializer, type InitializerName } from './initializers.js';
import {
  checkBool, checkPositiveInt, checkRate, isSymbolic, kerasShape,
  type ApplyArgs, type AsEitherKind, type CallContext, type SymbolicShape, type SymbolicTensor, type WeightSpec,
} from './layer.js';
import { kernelBiasOptionsConfig, kernelBiasWeightSpecs, type KernelBiasArgs } from './kernel_bias.js';
import { checkRegularizer, type L1L2 } from './regularizers.js';
import { registerLayer } from './registry.js';

/** The four projections' kernel/bias options are KernelBiasArgs' (no activation: Keras's projections are linear). */
export interface MultiHeadAttentionArgs extends Omit<KernelBiasArgs, 'activation'> {
  /** Number of attention heads. */
  numHeads: number;
  /** Size of each head's query and key projection. */
  keyDim: number;
  /** Default keyDim: size of each head's value projection. */
  valueDim?: number | null;
  /** Default 0: fraction of attention weights dropped while training. */
  dropout?: number;
  /** Default the query's feature size: the shape of each output step (a size or a list of sizes). */
  outputShape?: number | number[] | null;
  /** Default null: the steps axis, the only one of (batch, steps, features) inputs (1, -2, [1] say the same). */
  attentionAxes?: number | number[] | null;
  /** Default false: every call applies a causal mask (Keras's call argument use_causal_mask; a call may override it). */
  useCausalMask?: boolean;
  /** Default false: every call also outputs the weights [batch, heads, Tq, Tv] (Keras's call argument). */
  returnAttentionScores?: boolean;
  /** Keras 3's fused-kernel switch: null or false only (rnnlab has no fused kernel). */
  flashAttention?: boolean | null;
  /** Default null: query step i attends only to key steps j with |i - j| < slidingWindow (Keras ≥ 3.15's band mask). */
  slidingWindow?: number | null;
  /**
   * Default false: Keras ≥ 3.14's gated attention: each head's weighted values are multiplied by
   * sigmoid(query · gate/kernel [features, heads, valueDim] + gate/bias) before the output projection.
   */
  useGate?: boolean | null;
  /** tf.keras 2's saved build shapes (query_shape, key_shape, value_shape): checked against the inputs it is called on. */
  queryShape?: SymbolicShape | null;
  keyShape?: SymbolicShape | null;
  valueShape?: SymbolicShape | null;
}

/** Keras's call arguments, on apply() with real tensors: per call, over the layer's own. */
export interface MultiHeadAttentionApplyArgs extends ApplyArgs {
  /** 1/true where query step i may attend to key step j: [Tq, Tv], [batch or 1, Tq, Tv] or [batch or 1, heads or 1, Tq, Tv]. */
  attentionMask?: Tensor | null;
  returnAttentionScores?: boolean;
  useCausalMask?: boolean;
}

const CALL_OPTIONS = ['attentionMask', 'returnAttentionScores', 'useCausalMask'] as const;

interface CallOptions { attentionMask: Tensor | null; returnAttentionScores: boolean; useCausalMask: boolean }

/**
 * Keras 3's MultiHeadAttention on (batch, steps, features) inputs [query, value] or [query, value, key]: each is
 * projected per head (query/key to keyDim, value to valueDim, kernels [features, heads, dim] as Keras's EinsumDense
 * lays them out), scores = q·kᵀ / sqrt(keyDim) are softmaxed over the key steps with the padding masks of query,
 * value and key, the causal mask, the sliding window and attentionMask combined (Keras's _compute_attention_mask), the weighted values
 * are projected back by attention_output [heads, valueDim, ...outputShape] (with useGate, after a sigmoid gate from the
 * query multiplies them). The output carries the query's mask.
 */
export class MultiHeadAttention extends MultiInputLayer {
  static override readonly className: string = 'MultiHeadAttention';
  override supportsMasking = true;
  /**
   * Read by the constructor, written to the config only when set (flashAttention and tf.keras 2's build shapes: never),
   * so a file rnnlab writes stays readable by a Keras that predates them.
   */
  static override readonly argAliases: readonly string[] = ['useCausalMask', 'returnAttentionScores', 'flashAttention', 'slidingWindow', 'useGate', 'queryShape', 'keyShape', 'valueShape'];
  /** Keras's call arguments a file's call may give, which rnnlab keeps per layer (src/io/functional_json.ts applies them). */
  static readonly callOptionArgs: readonly string[] = ['useCausalMask', 'returnAttentionScores'];
  /** Keras's call(query, value, key) names, in input order, for a file's call that passes them by keyword. */
  static readonly callInputNames: readonly string[] = ['query', 'value', 'key'];
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  readonly useBias: boolean;
  /** Keras's output_shape (null: the query's features); not `outputShape`, which every layer has as its computed shape. */
  readonly projectedShape: number[] | null;
  readonly attentionAxes: number[] | null;
  readonly kernelInitializer: InitializerName;
  readonly biasInitializer: InitializerName;
  readonly kernelRegularizer: L1L2 | null;
  readonly biasRegularizer: L1L2 | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  readonly useCausalMask: boolean;
  readonly returnAttentionScores: boolean;
  /** Keras's sliding_window: the band |i - j| < slidingWindow a query step attends within, or null (all steps). */
  readonly slidingWindow: number | null;
  /** Keras's use_gate: a sigmoid gate from the query on each head's output (weights gate/kernel, gate/bias). */
  readonly useGate: boolean;
  /** tf.keras 2's build shapes from a saved config, [query, value, key] (null: not given), checked on the first call. */
  private readonly declaredShapes: (SymbolicShape | null)[];
  /** The options of the apply() in progress on real tensors, else null (the layer's own apply). */
  private callOptions: CallOptions | null = null;

  constructor(args: MultiHeadAttentionArgs) {
    super(args, 'multi_head_attention');
    const where = `${this.name} (MultiHeadAttention)`;
    const a = (args ?? {}) as MultiHeadAttentionArgs & Record<string, unknown>;
    this.numHeads = checkPositiveInt(where, 'numHeads', a.numHeads);
    this.keyDim = checkPositiveInt(where, 'keyDim', a.keyDim);
    // Keras: `value_dim if value_dim else key_dim`, so 0 and null both mean keyDim.
    this.valueDim = a.valueDim === undefined || a.valueDim === null || a.valueDim === 0 ? this.keyDim : checkPositiveInt(where, 'valueDim', a.valueDim);
    this.dropout = checkRate(where, 'dropout', a.dropout ?? 0);
    this.useBias = checkBool(where, 'useBias', a.useBias, true);
    this.projectedShape = projectedShapeOf(where, a.outputShape);
    this.attentionAxes = attentionAxesOf(where, a.attentionAxes);
    this.kernelInitializer = checkInitializer(where, 'kernelInitializer', a.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = checkInitializer(where, 'biasInitializer', a.biasInitializer ?? 'zeros');
    this.kernelRegularizer = checkRegularizer(where, 'kernelRegularizer', a.kernelRegularizer);
    this.biasRegularizer = checkRegularizer(where, 'biasRegularizer', a.biasRegularizer);
    this.kernelConstraint = checkConstraint(where, 'kernelConstraint', a.kernelConstraint);
    this.biasConstraint = checkConstraint(where, 'biasConstraint', a.biasConstraint);
    this.useCausalMask = checkBool(where, 'useCausalMask', a.useCausalMask, false);
    this.returnAttentionScores = checkBool(where, 'returnAttentionScores', a.returnAttentionScores, false);
    if (a.flashAttention !== undefined && a.flashAttention !== null && a.flashAttention !== false) {
      throw new Error(`${where}: flashAttention = ${typeof a.flashAttention === 'boolean' ? String(a.flashAttention) : describe(a.flashAttention)} is not supported (rnnlab has no fused attention kernel; leave it null or false, which computes the same)`);
    }
    // Keras ≥ 3.14 writes use_gate in every config (null: a config from before it, the same as false).
    this.useGate = a.useGate === null ? false : checkBool(where, 'useGate', a.useGate, false);
    this.declaredShapes = (['queryShape', 'valueShape', 'keyShape'] as const).map((k) => declaredShapeOf(where, k, a[k]));
    this.slidingWindow = a.slidingWindow === undefined || a.slidingWindow === null ? null : checkPositiveInt(where, 'slidingWindow', a.slidingWindow);
    // Keras hands activity_regularizer to the four inner projections, not to the layer's output: not implemented.
    if (this.activityRegularizer) throw new Error(`${where}: activityRegularizer is not supported on MultiHeadAttention (Keras applies it to each of its four projections' outputs, which rnnlab does not implement)`);
  }

  protected inputCountRange(): [number, number] { return [2, 3]; }

  private get scoresWanted(): boolean { return this.callOptions?.returnAttentionScores ?? this.returnAttentionScores; }

  protected mergedShapes(shapes: SymbolicShape[]): SymbolicShape[] {
    const [q, v, k = v] = shapes;
    this.checkDeclaredShapes([q, v, k]);
    if (q.length !== 3 || v.length !== 3 || k.length !== 3) {
      throw new Error(`${this.where}: query, value and key must be (batch, steps, features) (rnnlab attends over the steps axis only), got ${shapes.map(kerasShape).join(', ')}`);
    }
    if (v[1] !== null && k[1] !== null && v[1] !== k[1]) {
      throw new Error(`${this.where}: key and value must have the same number of steps, got value ${kerasShape(v)} and key ${kerasShape(k)}`);
    }
    const out: SymbolicShape = [q[0], q[1], ...(this.projectedShape ?? [q[2]])];
    return this.scoresWanted ? [out, [q[0], this.numHeads, q[1], v[1]]] : [out];
  }

  /** A tf.keras 2 config's query_shape/value_shape/key_shape must be the shapes this graph calls the layer on. */
  private checkDeclaredShapes(actual: SymbolicShape[]): void {
    (['queryShape', 'valueShape', 'keyShape'] as const).forEach((k, i) => {
      const want = this.declaredShapes[i];
      const got = actual[i];
      if (!want) return;
      if (want.length !== got.length || want.some((d, j) => d !== null && got[j] !== null && d !== got[j])) {
        throw new Error(`${this.where}: ${k} ${kerasShape(want)} from the saved config disagrees with the input it is called on, ${kerasShape(got)}`);
      }
    });
  }

  weightSpecsFor(shapes: SymbolicShape[]): WeightSpec[] {
    const [q, v, k = v] = shapes;
    const dim = (s: SymbolicShape, what: string): number => {
      const d = s[s.length - 1];
      if (d === null) throw new Error(`${this.where}: the ${what}'s feature size must be known, got ${kerasShape(s)}`);
      return d;
    };
    const H = this.numHeads;
    const outShape = this.projectedShape ?? [dim(q, 'query')];
    return [
      ...this.projection('query', [dim(q, 'query'), H, this.keyDim], [H, this.keyDim]),
      ...this.projection('key', [dim(k, 'key'), H, this.keyDim], [H, this.keyDim]),
      // Keras builds its gate sublayer between key and value, so its weights come there in Keras's order.
      ...(this.useGate ? this.projection('gate', [dim(q, 'query'), H, this.valueDim], [H, this.valueDim]) : []),
      ...this.projection('value', [dim(v, 'value'), H, this.valueDim], [H, this.valueDim]),
      ...this.projection('attention_output', [H, this.valueDim, ...outShape], outShape),
    ];
  }

  /** One of Keras's EinsumDense sublayers: '<name>/kernel' and, with useBias, '<name>/bias'. */
  private projection(name: string, kernel: number[], bias: number[]): WeightSpec[] {
    return kernelBiasWeightSpecs(this, kernel, bias, `${name}/`);
  }

  /** x [B, T, in] through kernel [...in axes, ...out axes] (+ bias [...out axes]) -> [B, T, prod(out axes)]. */
  private project(x: Tensor, name: string, inDim: number, act: 'linear' | 'sigmoid' = 'linear'): Tensor {
    const kernel = this.weightNamed(`${name}/kernel`)!;
    const bias = this.weightNamed(`${name}/bias`);
    if (x.shape[x.rank - 1] !== inDim) {
      throw new Error(`${this.where}: was built for ${name} features of size ${inDim}, got an input of shape [${x.shape.join(', ')}]`);
    }
    const outDim = kernel.size / inDim;
    return ops.dense(x, ops.reshape(kernel, [inDim, outDim]), bias ? ops.reshape(bias, [outDim]) : null, act);
  }

  /** The feature size a projection's kernel [features, heads, dim] was built for. */
  private builtWidth(name: string): number { return this.weightNamed(`${name}/kernel`)!.shape[0]; }

  /** [B, T, H * d] -> [B * H, T, d]: one batch entry per head for the batched products. */
  private splitHeads(x: Tensor, d: number): Tensor {
    const [B, T] = x.shape;
    return ops.reshape(permuteAxes(ops.reshape(x, [B, T, this.numHeads, d]), [0, 2, 1, 3]), [B * this.numHeads, T, d]);
  }

  /** Keras's output mask: the query's (its steps are the query's). */
  protected override outputMask(_inputs: Tensor[], masks: (Uint8Array | null)[]): Uint8Array | null { return masks[0]; }

  protected merge(inputs: Tensor[], ctx: CallContext): Tensor[] {
    const [query, value, key = value] = inputs;
    checkSameBatch(this.where, inputs);
    const B = query.shape[0], Tq = query.shape[1], Tv = value.shape[1];
    const H = this.numHeads;
    const masks = inputs.map((_, i) => ctx.inputMasks?.[i] ?? (i === 0 ? ctx.mask : null));
    const keep = this.attentionKeep(B, Tq, Tv, masks, this.callOptions?.attentionMask ?? null);
    const q = this.splitHeads(this.project(query, 'query', this.builtWidth('query')), this.keyDim);
    const k = this.splitHeads(this.project(key, 'key', this.builtWidth('key')), this.keyDim);
    const v = this.splitHeads(this.project(value, 'value', this.builtWidth('value')), this.valueDim);
    const scores = ops.reshape(batchMatMul(q, k, false, true), [B, H, Tq, Tv]);
    const weights = maskedScaledSoftmax(scores, 1 / Math.sqrt(this.keyDim), keep);
    // Keras returns the weights before dropout (unlike its Attention layer) and drops only while training.
    const applied = ctx.training && this.dropout > 0 ? ops.dropout(weights, this.dropout) : weights;
    const heads = batchMatMul(ops.reshape(applied, [B * H, Tq, Tv]), v);
    const merged = ops.reshape(permuteAxes(ops.reshape(heads, [B, H, Tq, this.valueDim]), [0, 2, 1, 3]), [B, Tq, H * this.valueDim]);
    // The gate's [B, Tq, H * valueDim] has merged's layout (head-major), as both come from [.., heads, valueDim].
    const gated = this.useGate ? ops.merge(merged, this.project(query, 'gate', this.builtWidth('gate'), 'sigmoid'), 'mul') : merged;
    const projected = this.project(gated, 'attention_output', H * this.valueDim);
    const out = ops.reshape(projected, [B, Tq, ...(this.projectedShape ?? [query.shape[2]])]);
    return this.scoresWanted ? [out, weights] : [out];
  }

  /**
   * Which (b, h, i, j) scores count, [B, H, Tq, Tv] bytes, or null when all do: Keras's AND of query mask [B, Tq, 1],
   * value and key masks [B, 1, Tv], the causal mask (j <= i), the sliding window (|i - j| < slidingWindow) and the
   * attention mask, broadcast over batch and heads.
   */
  private attentionKeep(B: number, Tq: number, Tv: number, masks: (Uint8Array | null)[], attention: Tensor | null): Uint8Array | null {
    const [qm, vm, km] = masks;
    const causal = this.callOptions?.useCausalMask ?? this.useCausalMask;
    const am = attention ? this.attentionMaskView(attention, B, Tq, Tv) : null;
    const w = this.slidingWindow;
    if (!qm && !vm && !km && !causal && !am && !w) return null;
    const H = this.numHeads;
    const keep = new Uint8Array(B * H * Tq * Tv);
    for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let i = 0; i < Tq; i++) for (let j = 0; j < Tv; j++) {
      const ok = (!qm || qm[b * Tq + i]) && (!vm || vm[b * Tv + j]) && (!km || km[b * Tv + j]) && (!causal || j <= i) && (!w || Math.abs(i - j) < w) && (!am || am(b, h, i, j));
      keep[((b * H + h) * Tq + i) * Tv + j] = ok ? 1 : 0;
    }
    return keep;
  }

  /** The attention mask as a lookup (b, h, i, j) -> allowed, after checking its shape broadcasts to [B, H, Tq, Tv]. */
  private attentionMaskView(m: Tensor, B: number, Tq: number, Tv: number): (b: number, h: number, i: number, j: number) => boolean {
    const H = this.numHeads;
    const s = m.shape;
    const full = [B, H, Tq, Tv];
    const dims = s.length === 2 ? [1, 1, ...s] : s.length === 3 ? [s[0], 1, s[1], s[2]] : s.length === 4 ? [...s] : null;
    if (!dims || dims.some((d, i) => d !== full[i] && !(d === 1 && i < 2))) {
      throw new Error(`${this.where}: attentionMask must be [Tq, Tv], [batch or 1, Tq, Tv] or [batch or 1, heads or 1, Tq, Tv] = [${B}, ${H}, ${Tq}, ${Tv}], got a tensor of shape [${s.join(', ')}]`);
    }
    const d = m.dataSync() as ArrayLike<number | boolean>;
    const [db, dh] = [dims[0] === 1 ? 0 : 1, dims[1] === 1 ? 0 : 1];
    return (b, h, i, j) => Boolean(d[((b * db * dims[1] + h * dh) * Tq + i) * Tv + j]);
  }

  /**
   * Keras's call arguments: on real tensors, attentionMask, returnAttentionScores and useCausalMask hold for this call
   * (a single mask tensor goes with each input that is the query itself, as a Keras mask rides on its tensor). On
   * symbolic tensors the graph keeps no per-call options: the layer's own (its constructor's) hold, and others are refused.
   */
  override apply(x: SymbolicTensor | SymbolicTensor[], args?: MultiHeadAttentionApplyArgs): SymbolicTensor | SymbolicTensor[] | AsEitherKind;
  override apply(x: Tensor | Tensor[], args?: MultiHeadAttentionApplyArgs): Tensor | Tensor[] | AsEitherKind;
  override apply(x: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], args?: MultiHeadAttentionApplyArgs): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    // Kwargs that are no object (apply([q, v], 5)): Layer's apply refuses them, naming what it takes.
    const notObject = args !== undefined && args !== null && (typeof args !== 'object' || Array.isArray(args) || args instanceof Tensor);
    const given = (notObject ? {} : args ?? {}) as Record<string, unknown>;
    if (notObject || !CALL_OPTIONS.some((k) => k in given) && !(Array.isArray(x) && given.mask instanceof Tensor)) {
      return super.apply(x as Tensor, args as ApplyArgs);
    }
    const rest: Record<string, unknown> = {};
    for (const k of Object.keys(given)) if (!(CALL_OPTIONS as readonly string[]).includes(k)) rest[k] = given[k];
    if ('training' in given && !('training' in rest)) rest.training = given.training;
    if ('mask' in given && !('mask' in rest)) rest.mask = given.mask;
    const list = (Array.isArray(x) ? x : [x]) as unknown[];
    if (list.some(isSymbolic)) {
      this.refuseSymbolicOptions(given);
      return super.apply(x as SymbolicTensor[], rest as ApplyArgs);
    }
    const where = this.where;
    const attentionMask = given.attentionMask ?? null;
    if (attentionMask !== null && !(attentionMask instanceof Tensor)) throw new Error(`${where}: attentionMask must be a tensor of 0/1 or bools, got ${describe(attentionMask)}`);
    if (rest.mask instanceof Tensor && list.length > 1) {
      const m = rest.mask;
      rest.mask = list.map((t, i) => (i === 0 || t === list[0] ? m : null));
      maskBytes(where, m, list[0] as Tensor);
    }
    const options: CallOptions = {
      attentionMask,
      returnAttentionScores: checkBool(where, 'returnAttentionScores', given.returnAttentionScores, this.returnAttentionScores),
      useCausalMask: checkBool(where, 'useCausalMask', given.useCausalMask, this.useCausalMask),
    };
    this.callOptions = options;
    try {
      return super.apply(x as Tensor[], rest as ApplyArgs);
    } finally {
      this.callOptions = null;
    }
  }

  /** A symbolic call records no options of its own: ones that differ from the layer's are refused, naming what to do. */
  private refuseSymbolicOptions(given: Record<string, unknown>): void {
    if (given.attentionMask !== undefined && given.attentionMask !== null) {
      throw new Error(`${this.where}: attentionMask is not taken on symbolic inputs (a functional model does not record it); use the padding masks of embedding({maskZero}) or masking, useCausalMask, or call the layer inside a custom layer's call() with a real mask tensor`);
    }
    for (const k of ['returnAttentionScores', 'useCausalMask'] as const) {
      const v = given[k];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'boolean') throw new Error(`${this.where}: ${k} must be true or false, got ${describe(v)}`);
      if (v !== this[k]) throw new Error(`${this.where}: ${k} = ${v} on a symbolic call differs from the layer's (${this[k]}); rnnlab keeps it per layer in a functional model: give ${k}: ${v} to the layer's constructor`);
    }
  }

  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = {
      ...super.getConfig(), numHeads: this.numHeads, keyDim: this.keyDim, valueDim: this.valueDim, dropout: this.dropout, useBias: this.useBias,
      outputShape: this.projectedShape ? [...this.projectedShape] : null, attentionAxes: this.attentionAxes ? [...this.attentionAxes] : null,
      // activityRegularizer is refused at construction, so it is written as null.
      ...kernelBiasOptionsConfig(this),
    };
    if (this.useCausalMask) c.useCausalMask = true;
    if (this.returnAttentionScores) c.returnAttentionScores = true;
    if (this.slidingWindow !== null) c.slidingWindow = this.slidingWindow;
    if (this.useGate) c.useGate = true;
    return c;
  }
}

/** A saved build shape (tf.keras 2's query_shape, ...): a list of sizes or nulls, or null. */
function declaredShapeOf(where: string, key: string, v: unknown): SymbolicShape | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.some((d) => d !== null && !(Number.isSafeInteger(d) && d > 0))) throw new Error(`${where}: ${key} must be a list of sizes (or nulls), got ${describe(v)}`);
  return v as SymbolicShape;
}

/** Keras's output_shape: a size or a list of sizes (null: the query's features). */
function projectedShapeOf(where: string, v: unknown): number[] | null {
  if (v === undefined || v === null) return null;
  const list = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) throw new Error(`${where}: outputShape must be a positive integer or a list of them, got ${describe(v)}`);
  return list.map((d) => checkPositiveInt(where, 'outputShape', d));
}

/** Keras's attention_axes for (batch, steps, features) inputs: the steps axis (1, or -2 counted on the projected rank 4). */
function attentionAxesOf(where: string, v: unknown): number[] | null {
  if (v === undefined || v === null) return null;
  const list = typeof v === 'number' ? [v] : v;
  if (Array.isArray(list) && list.length === 1 && (list[0] === 1 || list[0] === -2)) return [1];
  throw new Error(`${where}: attentionAxes = ${Array.isArray(v) ? shownList(v) : describe(v)} is not supported (rnnlab's MultiHeadAttention takes (batch, steps, features) inputs and attends over the steps axis: null, 1 or [1])`);
}

registerLayer(MultiHeadAttention);
