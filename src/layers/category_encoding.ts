import { allocFloat } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { Layer, checkPositiveInt, kerasShape, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
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

const MODES: Record<string, CategoryOutputMode> = { oneHot: 'oneHot', one_hot: 'oneHot', multiHot: 'multiHot', multi_hot: 'multiHot', count: 'count' };

/**
 * Integer ids (batch,) or (batch, ids) -> (batch, numTokens) one-hot, multi-hot or count rows (Keras's and tfjs's
 * CategoryEncoding). Not differentiable: it reads ids, as Embedding does. Saved with tfjs's outputMode spelling.
 */
export class CategoryEncoding extends Layer {
  static override readonly className: string = 'CategoryEncoding';
  static override readonly argAliases: readonly string[] = ['sparse'];
  readonly numTokens: number;
  readonly outputMode: CategoryOutputMode;

  constructor(args: CategoryEncodingArgs) {
    super(args, 'category_encoding');
    const where = `${this.name} (CategoryEncoding)`;
    this.numTokens = checkPositiveInt(where, 'numTokens', args?.numTokens);
    const m: unknown = args.outputMode ?? 'multiHot';
    if (typeof m !== 'string' || !Object.hasOwn(MODES, m)) {
      throw new Error(`${where}: outputMode must be 'oneHot', 'multiHot' or 'count', got ${typeof m === 'string' ? JSON.stringify(m) : describe(m)}`);
    }
    this.outputMode = MODES[m];
    if (args.sparse !== undefined && args.sparse !== null && args.sparse !== false) throw new Error(`${where}: sparse = ${describe(args.sparse)} is not supported (outputs are dense)`);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const where = `${this.name} (CategoryEncoding)`;
    if (inputShape.length < 1 || inputShape.length > 2) throw new Error(`${where}: expected ids (batch,) or (batch, ids), got ${kerasShape(inputShape)}`);
    if (this.outputMode === 'oneHot' && inputShape.length === 2 && inputShape[1] !== 1) {
      throw new Error(`${where}: outputMode 'oneHot' takes one id per sample, (batch,) or (batch, 1), got ${kerasShape(inputShape)}; use 'multiHot' or 'count' for several`);
    }
    return [inputShape[0], this.numTokens];
  }

  call(x: Tensor, _ctx: CallContext): Tensor {
    const B = x.shape[0], k = x.rank === 1 ? 1 : x.shape[1], N = this.numTokens;
    const y = allocFloat(B * N);
    for (let i = 0; i < B * k; i++) {
      const id = x.values[i];
      if (!Number.isInteger(id) || id < 0 || id >= N) {
        throw new Error(`${this.name} (CategoryEncoding): ids must be integers in [0, numTokens = ${N}), got ${id} (sample ${Math.floor(i / k)})`);
      }
      const at = Math.floor(i / k) * N + id;
      y[at] = this.outputMode === 'count' ? y[at] + 1 : 1;
    }
    return new Tensor(y, [B, N], 'float32');
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), numTokens: this.numTokens, outputMode: this.outputMode }; }
}

registerLayer(CategoryEncoding);
