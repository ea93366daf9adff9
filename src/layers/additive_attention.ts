import { additiveScores } from '../autograd/attention_ops.js';
import type { Tensor } from '../tensor.js';
import { Attention, type AttentionArgs } from './attention.js';
import type { SymbolicShape, WeightSpec } from './layer.js';
import { registerLayer } from './registry.js';

export type AdditiveAttentionArgs = Omit<AttentionArgs, 'scoreMode'>;

/**
 * Bahdanau-style additive attention (Keras AdditiveAttention): scores[i, j] = sum_d scale[d] * tanh(query[i, d] +
 * key[j, d]), with scale [features] learned (glorotUniform) when useScale (default true); masking, causality and
 * the weighted sum are Attention's.
 */
export class AdditiveAttention extends Attention {
  static override readonly className: string = 'AdditiveAttention';

  constructor(args: AdditiveAttentionArgs = {}) {
    if ((args as AttentionArgs).scoreMode !== undefined) throw new Error(`${args.name ?? 'additive_attention'} (AdditiveAttention): scoreMode is not an option of AdditiveAttention`);
    super(args, 'additive_attention', true);
  }

  weightSpecsFor(shapes: SymbolicShape[]): WeightSpec[] {
    const dim = shapes[0][shapes[0].length - 1];
    if (dim === null) throw new Error(`${this.where}: the query's feature size must be known, got ${JSON.stringify(shapes[0])}`);
    return this.useScale ? [{ name: 'scale', shape: [dim], initializer: 'glorotUniform' }] : [];
  }

  protected scores(q: Tensor, k: Tensor): Tensor {
    return additiveScores(q, k, this.scale);
  }

  getConfig(): Record<string, unknown> {
    const { scoreMode: _dotOnly, ...c } = super.getConfig();
    return c;
  }
}

registerLayer(AdditiveAttention);
