import { batchMatMul } from '../autograd/merge_ops.js';
import { maskScores, scaleBy, zeroRows } from '../autograd/attention_ops.js';
import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { MultiInputLayer } from './base_merge.js';
import { describe } from '../describe.js';
import { checkBool, checkRate, kerasShape, type ApplyArgs, type AsEitherKind, type CallContext, type LayerArgs, type SymbolicShape, type WeightSpec } from './layer.js';
import type { SymbolicTensor } from './symbolic.js';
import { registerLayer } from './registry.js';

export interface AttentionArgs extends LayerArgs {
  /** Default false (Attention) / true (AdditiveAttention): learn a scale for the scores. */
  useScale?: boolean;
  /** Default 'dot'. Keras's 'concat' scores are not implemented (an error). */
  scoreMode?: 'dot';
  /** Default 0: fraction of attention weights dropped while training. */
  dropout?: number;
  /** Default false: position i attends only to value positions <= i (Keras 2's causal, Keras 3's use_causal_mask). */
  causal?: boolean;
  /** Alias of causal, as Keras 3 names the call argument. */
  useCausalMask?: boolean;
  /** Default false: also output the attention weights [batch, Tq, Tv] (Keras's call argument, fixed per layer here). */
  returnAttentionScores?: boolean;
}

/** Query, value and key rows pair up by batch index: different batch sizes are refused (Keras's matmul fails on them). */
export function checkSameBatch(where: string, inputs: Tensor[]): void {
  const names = ['query', 'value', 'key'];
  const odd = inputs.findIndex((t) => t.shape[0] !== inputs[0].shape[0]);
  if (odd > 0) {
    throw new Error(`${where}: ${names[0]} and ${names[odd]} must have the same batch size, got [${inputs[0].shape.join(', ')}] and [${inputs[odd].shape.join(', ')}]`);
  }
}

/**
 * Luong-style dot-product attention (Keras Attention). Inputs [query [B, Tq, D], value [B, Tv, D]] or
 * [query, value, key]: scores = query · keyᵀ (times the learned scale), softmax over the value steps with masked
 * value steps (and, causal, later steps) pushed to -1e9, output = weights · value [B, Tq, D]; query steps a
 * mask marks as padding output zeros.
 */
export class Attention extends MultiInputLayer {
  static override readonly className: string = 'Attention';
  /** It reads the query's and value's masks (Keras's Attention says so; tfjs has no Attention). */
  override supportsMasking = true;
  /** Written only when true (tfjs has neither), or read as an alias (useCausalMask). */
  static override readonly argAliases: readonly string[] = ['causal', 'useCausalMask', 'returnAttentionScores'];
  /**
   * Keras 3's call arguments, which a saved file records with each call and rnnlab keeps per layer
   * (src/io/functional_json.ts applies them); its call takes the inputs as one list, so none by keyword.
   */
  static readonly callOptionArgs: readonly string[] = ['useCausalMask', 'returnAttentionScores'];
  static readonly callInputNames: readonly string[] = [];
  readonly useScale: boolean;
  readonly scoreMode: 'dot';
  readonly dropout: number;
  readonly causal: boolean;
  readonly returnAttentionScores: boolean;

  constructor(args: AttentionArgs = {}, prefix = 'attention', useScaleDefault = false) {
    super(args, prefix);
    const a = args as AttentionArgs & Record<string, unknown>;
    this.useScale = checkBool(this.name, 'useScale', a.useScale, useScaleDefault);
    if (a.scoreMode !== undefined && a.scoreMode !== 'dot') {
      throw new Error(`${this.where}: scoreMode = ${JSON.stringify(a.scoreMode)} is not supported (rnnlab implements 'dot')`);
    }
    this.scoreMode = 'dot';
    this.dropout = checkRate(this.name, 'dropout', a.dropout ?? 0);
    const causal = checkBool(this.name, 'causal', a.causal, false);
    const useCausal = checkBool(this.name, 'useCausalMask', a.useCausalMask, false);
    // tf.keras 2 configs write causal: false beside a call's use_causal_mask: true, which turns it on; an explicit
    // useCausalMask: false beside causal: true would be dropped.
    if (causal && a.useCausalMask === false) {
      throw new Error(`${this.where}: causal = true and useCausalMask = false disagree; they name one option (Keras 2's and Keras 3's), give one`);
    }
    this.causal = causal || useCausal;
    this.returnAttentionScores = checkBool(this.name, 'returnAttentionScores', a.returnAttentionScores, false);
  }

  protected inputCountRange(): [number, number] { return [2, 3]; }

  /** Keras's mask list is [query_mask, value_mask], the key sharing the value's: a third is optional. */
  protected override fewestMasks(n: number): number { return Math.min(n, 2); }

  /**
   * Keras 3 refuses a mask that is not a list: a single one would mask the query's steps (the first input's), where
   * the value's padding is what it usually means, so neither is guessed.
   */
  override apply(x: SymbolicTensor | SymbolicTensor[], args?: ApplyArgs): SymbolicTensor | SymbolicTensor[] | AsEitherKind;
  override apply(x: Tensor | Tensor[], args?: ApplyArgs): Tensor | Tensor[] | AsEitherKind;
  override apply(x: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], args?: ApplyArgs): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    const mask = args !== null && typeof args === 'object' ? args.mask : undefined;
    if (mask !== undefined && mask !== null && !Array.isArray(mask)) {
      throw new Error(`${this.where}: mask must be a list [queryMask, valueMask] (null for a side without one), got ${describe(mask)}; ` +
        'for the value\'s padding give [null, valueMask]');
    }
    return super.apply(x as Tensor, args);
  }

  weightSpecsFor(_shapes: SymbolicShape[]): WeightSpec[] {
    return this.useScale ? [{ name: 'scale', shape: [], initializer: 'ones' }] : [];
  }

  get scale(): Variable | null { return this.weightNamed('scale'); }

  protected mergedShapes(shapes: SymbolicShape[]): SymbolicShape[] {
    const [q, v, k = v] = shapes;
    if (q.length !== 3 || v.length !== 3 || k.length !== 3) {
      throw new Error(`${this.where}: query, value and key must be (batch, steps, features), got ${shapes.map(kerasShape).join(', ')}`);
    }
    const known = (a: number | null, b: number | null) => a === null || b === null || a === b;
    if (!known(k[1], v[1])) throw new Error(`${this.where}: key and value must have the same number of steps, got ${kerasShape(k)} and ${kerasShape(v)}`);
    this.checkFeatures(q, k);
    const out: SymbolicShape = [q[0], q[1], v[2]];
    return this.returnAttentionScores ? [out, [q[0], q[1], v[1]]] : [out];
  }

  /** Dot scores need query and key of one width; additive attention says the same. */
  protected checkFeatures(q: SymbolicShape, k: SymbolicShape): void {
    if (q[2] !== null && k[2] !== null && q[2] !== k[2]) {
      throw new Error(`${this.where}: query and key must have the same number of features, got ${kerasShape(q)} and ${kerasShape(k)}`);
    }
  }

  /** [B, Tq, Tv] scores before masking and softmax. */
  protected scores(q: Tensor, k: Tensor): Tensor {
    const s = batchMatMul(q, k, false, true);
    return this.scale ? scaleBy(s, this.scale) : s;
  }

  /** Keras 3's: the output carries the query's mask (its steps are the query's). */
  protected override outputMask(_inputs: Tensor[], masks: (Uint8Array | null)[]): Uint8Array | null { return masks[0]; }

  protected merge(inputs: Tensor[], ctx: CallContext): Tensor[] {
    const [q, v, k = v] = inputs;
    checkSameBatch(this.where, inputs);
    const [B, Tq] = q.shape;
    const Tv = v.shape[1];
    const [qMask, vMask] = [ctx.inputMasks?.[0] ?? null, ctx.inputMasks?.[1] ?? null];
    let s = this.scores(q, k);
    if (vMask || this.causal) {
      const keep = new Uint8Array(B * Tq * Tv);
      for (let b = 0; b < B; b++) for (let i = 0; i < Tq; i++) for (let j = 0; j < Tv; j++) {
        keep[(b * Tq + i) * Tv + j] = (!vMask || vMask[b * Tv + j]) && (!this.causal || j <= i) ? 1 : 0;
      }
      s = maskScores(s, keep);
    }
    let w = ops.activation(s, 'softmax');
    // As Keras: the returned scores are the weights actually applied (after dropout).
    if (ctx.training && this.dropout > 0) w = ops.dropout(w, this.dropout);
    let out = batchMatMul(w, v);
    if (qMask) out = zeroRows(out, qMask);
    return this.returnAttentionScores ? [out, w] : [out];
  }

  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { ...super.getConfig(), useScale: this.useScale, scoreMode: this.scoreMode, dropout: this.dropout };
    if (this.causal) c.causal = true;
    if (this.returnAttentionScores) c.returnAttentionScores = true;
    return c;
  }
}

registerLayer(Attention);
