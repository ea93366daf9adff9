import { describe } from '../describe.js';
import type { Tensor } from '../tensor.js';
import { categoricalShape, checkCategoricalMode, checkNotSparse, encodeCategorical, integerDtype, withoutIntDtype, type CategoricalMode } from './categorical_output.js';
import { checkSalt, integerBucket } from './keras_hashes.js';
import { COMPUTE, BuiltInLayer, checkPositiveInt, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';

export interface HashingArgs extends LayerArgs {
  /** Number of bins, the mask's bin 0 included when maskValue is set (required). */
  numBins: number;
  /** A value sent to bin 0 (the others hash into bins 1..numBins-1); default none. Numbers only (rnnlab has no string tensors). */
  maskValue?: number | null;
  /** SipHash-2-4 with this key ([k0, k1], or one integer for both) instead of FarmHash Fingerprint64; default none. */
  salt?: number | [number, number] | null;
  /** 'int' (the default: the bin), 'one_hot', 'multi_hot' or 'count'. */
  outputMode?: CategoricalMode | 'oneHot' | 'multiHot';
  /** Keras 3's sparse output: only false. */
  sparse?: boolean;
}

/**
 * Keras 3's Hashing on numbers: each value is truncated to an integer, written in decimal and hashed as Keras does
 * through TensorFlow (FarmHash Fingerprint64, or SipHash-2-4 with a salt), so the bins are Keras's bins. Not
 * trainable and not differentiable; a padding mask ends here.
 */
export class Hashing extends BuiltInLayer {
  static override readonly className: string = 'Hashing';
  readonly numBins: number;
  readonly maskValue: number | null;
  readonly salt: [number, number] | null;
  readonly outputMode: CategoricalMode;
  private readonly key: [bigint, bigint] | null;
  /** Keras 3's dtype for Hashing's integer bins ('int64' in its saved configs), kept to be written back. */
  private readonly intDtype: 'int32' | 'int64' | null;

  constructor(args: HashingArgs) {
    super(withoutIntDtype(args), 'hashing');
    const where = this.where;
    this.intDtype = integerDtype(args?.dtype);
    this.numBins = checkPositiveInt(where, 'numBins', args?.numBins);
    const mask: unknown = args.maskValue ?? null;
    if (mask !== null && (typeof mask !== 'number' || !Number.isFinite(mask))) {
      throw new Error(`${where}: maskValue must be a finite number or null, got ${describe(mask)} (string inputs are not supported: rnnlab's tensors hold numbers)`);
    }
    this.maskValue = mask as number | null;
    this.salt = checkSalt(where, args.salt);
    this.key = this.salt ? [BigInt(this.salt[0]), BigInt(this.salt[1])] : null;
    this.outputMode = checkCategoricalMode(where, args.outputMode);
    checkNotSparse(where, args.sparse);
  }

  private get where(): string { return `${this.name} (Hashing)`; }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return categoricalShape(this.where, inputShape, this.outputMode, this.numBins);
  }

  /** Keras's bin of each value: with a mask value, the mask goes to 0 and the rest hash into numBins - 1 bins shifted by one. */
  bins(values: ArrayLike<number>): Int32Array {
    const masked = this.maskValue !== null && this.numBins > 1;
    const hashBins = masked ? this.numBins - 1 : this.numBins;
    // TensorFlow's equal runs in the input's dtype, so a float32 input meets the mask value rounded to float32
    // (0.1 matches 0.1); int32 and float64 values compare exactly.
    const f32 = values instanceof Float32Array;
    const mask = f32 ? Math.fround(this.maskValue ?? 0) : this.maskValue;
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) throw new Error(`${this.where}: got ${v} at flat index ${i}; values must be finite (Keras hashes their integer part)`);
      // TensorFlow compares with the mask before its cast to int64, and the cast truncates toward zero.
      if (masked && v === mask) continue;
      const b = integerBucket(BigInt(Math.trunc(v)), hashBins, this.key);
      out[i] = masked ? b + 1 : b;
    }
    return out;
  }

  /** Keras upranks a scalar to one sample of one value: taken whatever rank the layer was built for, as it holds no weights. */
  protected override checkInput(x: Tensor): void {
    if (x.rank > 0) super.checkInput(x);
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    ctx.mask = null;
    return encodeCategorical(this.where, this.bins(x.dataSync() as ArrayLike<number>), x.shape, this.outputMode, this.numBins);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...(this.intDtype ? { dtype: this.intDtype } : {}), numBins: this.numBins, maskValue: this.maskValue, salt: this.salt, outputMode: this.outputMode, sparse: false };
  }
}

registerLayer(Hashing);
