import * as ops from '../autograd/ops.js';
import { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import type { InitializerName } from './initializers.js';
import { Layer, checkPositiveInt, fmt, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';

export interface EmbeddingArgs extends LayerArgs {
  inputDim: number;
  outputDim: number;
  inputLength?: number;
  maskZero?: boolean;
  embeddingsInitializer?: InitializerName;
}

/** Token ids [B, T] -> vectors [B, T, outputDim]. With maskZero, id 0 is padding for the layers that follow. */
export class Embedding extends Layer {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly inputLength: number | null;
  readonly maskZero: boolean;
  readonly embeddingsInitializer: InitializerName;
  embeddings!: Variable;

  constructor(args: EmbeddingArgs) {
    const { inputDim: _ignored, ...rest } = args;
    super({ ...rest, inputShape: args.inputShape ?? (args.inputLength !== undefined ? [args.inputLength] : undefined) }, 'embedding');
    this.inputDim = checkPositiveInt(this.name, 'inputDim', args.inputDim);
    this.outputDim = checkPositiveInt(this.name, 'outputDim', args.outputDim);
    this.inputLength = args.inputLength === undefined ? null : checkPositiveInt(this.name, 'inputLength', args.inputLength);
    this.maskZero = args.maskZero ?? false;
    this.embeddingsInitializer = args.embeddingsInitializer ?? 'uniform';
  }

  build(inputShape: SymbolicShape): void {
    this.embeddings = this.addWeight('embeddings', [this.inputDim, this.outputDim], this.embeddingsInitializer);
    // Without inputLength, any sequence length is accepted (as in Keras), whatever the first batch had.
    super.build(this.inputLength === null && !this.batchInputShape ? inputShape.map((d, i) => (i === 0 ? d : null)) : inputShape);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...inputShape, this.outputDim];
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    const ids = this.checkIds(x);
    if (this.maskZero) {
      if (x.rank !== 2) throw new Error(`${this.name}: maskZero needs input of shape (batch, steps), got [${x.shape.join(', ')}]`);
      const mask = new Uint8Array(ids.length);
      for (let i = 0; i < ids.length; i++) mask[i] = ids[i] !== 0 ? 1 : 0;
      ctx.mask = mask;
    }
    return ops.embedding(new Tensor(ids, x.shape, 'int32'), this.embeddings);
  }

  /** Ids must be integers in [0, inputDim): a bad id names its position. */
  private checkIds(x: Tensor): Int32Array {
    const d = x.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (!(v >= 0 && v < this.inputDim && Number.isInteger(v))) {
        const pos = unravel(i, x.shape);
        throw new Error(`${this.name} (Embedding): token id ${v} at position [${pos.join(', ')}] of input ${fmt([null, ...x.shape.slice(1)])} is outside [0, ${this.inputDim}) (inputDim ${this.inputDim})`);
      }
    }
    return d instanceof Int32Array ? d : Int32Array.from(d);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), inputDim: this.inputDim, outputDim: this.outputDim, inputLength: this.inputLength,
      maskZero: this.maskZero, embeddingsInitializer: this.embeddingsInitializer };
  }
}

function unravel(i: number, shape: number[]): number[] {
  const pos = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) { pos[d] = i % shape[d]; i = Math.floor(i / shape[d]); }
  return pos;
}
