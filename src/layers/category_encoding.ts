import type { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { categoricalModeOf, categoricalShape, checkNotSparse, encodeCategorical, type CategoricalMode } from './categorical_output.js';
import { COMPUTE, BuiltInLayer, checkPositiveInt, kerasShape, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { registerLayer } from './registry.js';

export type CategoryOutputMode = 'oneHot' | 'multiHot' | 'count';

export interface CategoryEncodingArgs extends LayerArgs {
  /** Ids run from 0 to numTokens - 1; the output has numTokens columns. */
  numTokens: number;
  /** 'oneHot' (one id per sample), 'multiHot' (1 where an id occurs; the default, as tfjs) or 'count'; Keras's one_hot, multi_hot also. */
  outputMode?: CategoryOutputMode | 'one_hot' | 'multi_hot';
  /** Keras 3's sparse output: only false. */
  sparse?: boolean;
}

/** tfjs's spelling in code (the outputMode property) of each shared mode it takes ('int' is not one). */
const TFJS_SPELLING: Partial<Record<CategoricalMode, CategoryOutputMode>> = { one_hot: 'oneHot', multi_hot: 'multiHot', count: 'count' };

/**
 * Integer ids (batch,) or (batch, ids) -> (batch, numTokens) one-hot, multi-hot or count rows (Keras's and tfjs's
 * CategoryEncoding), encoded by the code IntegerLookup, Hashing and Discretization share. Not differentiable: it
 * reads ids, as Embedding does. Saved with outputMode as tfjs writes it ('one_hot', Keras's spelling).
 * Where the three libraries part, rnnlab keeps one row per sample: ids (batch,) are one id per sample in every mode
 * (tfjs's and Keras's multiHot and count would count the whole batch as one sample and drop the batch axis), and
 * rank 3 or more is refused (tfjs refuses it; Keras 3's call reduces axis 1 while its compute_output_shape replaces
 * the last axis, so its symbolic and eager shapes disagree). A scalar id is one sample of one id, as Keras 3 upranks
 * it: (numTokens,) in multiHot and count, (1, numTokens) in oneHot (Keras's call; its compute_output_shape says
 * (numTokens,) there, the values decide), as IntegerLookup, Hashing and Discretization treat a scalar.
 */
export class CategoryEncoding extends BuiltInLayer {
  static override readonly className: string = 'CategoryEncoding';
  static override readonly argAliases: readonly string[] = ['sparse'];
  readonly numTokens: number;
  readonly outputMode: CategoryOutputMode;
  private readonly mode: CategoricalMode;

  constructor(args: CategoryEncodingArgs) {
    super(args, 'category_encoding');
    const where = this.where;
    this.numTokens = checkPositiveInt(where, 'numTokens', args?.numTokens);
    const m: unknown = args.outputMode ?? 'multiHot';
    const mode = categoricalModeOf(m);
    const spelling = mode && TFJS_SPELLING[mode];
    if (!mode || !spelling) {
      throw new Error(`${where}: outputMode must be 'oneHot', 'multiHot' or 'count', got ${typeof m === 'string' ? JSON.stringify(m) : describe(m)}`);
    }
    this.mode = mode;
    this.outputMode = spelling;
    checkNotSparse(where, args.sparse);
  }

  private get where(): string { return `${this.name} (CategoryEncoding)`; }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const where = this.where;
    if (inputShape.length === 0) return categoricalShape(where, [], this.mode, this.numTokens);
    if (inputShape.length > 2) {
      throw new Error(`${where}: expected ids (batch,) or (batch, ids), got ${kerasShape(inputShape)} (tfjs refuses rank 3 or more; Keras 3's own shape for it disagrees with its output)`);
    }
    if (this.outputMode === 'oneHot' && inputShape.length === 2 && inputShape[1] !== 1) {
      throw new Error(`${where}: outputMode 'oneHot' takes one id per sample, (batch,) or (batch, 1), got ${kerasShape(inputShape)}; use 'multiHot' or 'count' for several`);
    }
    return [inputShape[0], this.numTokens];
  }

  /** Keras upranks a scalar to one sample of one id: taken whatever rank the layer was built for, as it holds no weights. */
  protected override checkInput(x: Tensor): void {
    if (x.rank > 0) super.checkInput(x);
  }

  protected [COMPUTE](x: Tensor, _ctx: CallContext): Tensor {
    this.computeOutputShape(x.shape);
    const k = x.rank < 2 ? 1 : x.shape[1], N = this.numTokens;
    const ids = x.dataSync() as ArrayLike<number>;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= N) {
        throw new Error(`${this.where}: ids must be integers in [0, numTokens = ${N}), got ${id} (sample ${Math.floor(i / k)})`);
      }
    }
    return encodeCategorical(this.where, ids, x.rank === 0 ? [] : [x.shape[0], k], this.mode, N);
  }

  /** outputMode as tfjs 4.22 writes it to a file (its serializer snake-cases the value: 'one_hot'), which is Keras's spelling too. */
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), numTokens: this.numTokens, outputMode: this.mode }; }
}

registerLayer(CategoryEncoding);
