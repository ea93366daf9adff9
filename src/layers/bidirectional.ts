import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { Layer, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';
import { RNN } from './recurrent.js';
import { LSTM } from './lstm.js';
import { GRU } from './gru.js';
import { SimpleRNN } from './simple_rnn.js';

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

export interface BidirectionalArgs extends LayerArgs {
  layer: RNN;
  mergeMode?: MergeMode;
}

/** Runs a recurrent layer forwards and a copy of it backwards, then merges the two outputs. */
export class Bidirectional extends Layer {
  readonly className = 'Bidirectional';
  readonly forwardLayer: RNN;
  readonly backwardLayer: RNN;
  readonly mergeMode: MergeMode;

  constructor(args: BidirectionalArgs) {
    super(args, 'bidirectional');
    if (!(args.layer instanceof RNN)) throw new Error(`${this.name}: 'layer' must be a recurrent layer (simpleRNN, lstm or gru)`);
    const mode = args.mergeMode ?? 'concat';
    if (!['concat', 'sum', 'mul', 'ave'].includes(mode)) throw new Error(`${this.name}: mergeMode must be concat, sum, mul or ave, got '${mode}'`);
    this.mergeMode = mode;
    const inner = args.layer.name;
    this.forwardLayer = args.layer;
    this.forwardLayer.name = `forward_${inner}`;
    const config = { ...args.layer.getConfig(), name: `backward_${inner}`, goBackwards: !args.layer.goBackwards } as never;
    const Cls = args.layer.constructor as typeof LSTM | typeof GRU | typeof SimpleRNN;
    this.backwardLayer = new Cls(config);
  }

  build(inputShape: SymbolicShape): void {
    this.forwardLayer.build(inputShape);
    this.backwardLayer.build(inputShape);
    this.weights = [...this.forwardLayer.weights, ...this.backwardLayer.weights];
    super.build(inputShape);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const s = this.forwardLayer.computeOutputShape(inputShape);
    if (this.mergeMode !== 'concat') return s;
    return [...s.slice(0, -1), (s[s.length - 1] as number) * 2];
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    const mask = ctx.mask;
    const f = this.forwardLayer.call(x, ctx);
    ctx.mask = mask;
    let b = this.backwardLayer.call(x, ctx);
    // The backward layer emits its sequence in processing order; flip it to line up with time.
    if (this.forwardLayer.returnSequences) b = ops.reverseTime(b);
    return this.mergeMode === 'concat' ? ops.concatLast(f, b) : ops.merge(f, b, this.mergeMode);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), mergeMode: this.mergeMode,
      layer: { className: this.forwardLayer.className, config: { ...this.forwardLayer.getConfig(), name: this.forwardLayer.name.replace(/^forward_/, '') } } };
  }
}
