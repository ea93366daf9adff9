import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { describe } from './describe.js';
import { Layer, type CallContext, type LayerArgs, type SymbolicShape, type WeightPenalty, type WeightSpec } from './layer.js';
import { RNN } from './recurrent.js';
import { deserializeLayer, registerLayer, serializeLayer } from './registry.js';

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

export interface BidirectionalArgs extends LayerArgs {
  layer: RNN;
  /** Default 'concat'. null (separate outputs) is not supported. */
  mergeMode?: MergeMode;
}

/** Runs a recurrent layer forwards and a copy of it backwards, then merges the two outputs. */
export class Bidirectional extends Layer {
  static override readonly className: string = 'Bidirectional';
  readonly forwardLayer: RNN;
  readonly backwardLayer: RNN;
  readonly mergeMode: MergeMode;

  constructor(args: BidirectionalArgs) {
    super(args, 'bidirectional');
    const given = args.layer as unknown;
    if (!(given instanceof RNN)) {
      throw new Error(`${this.name}: the wrapped layer must be SimpleRNN, LSTM or GRU, got ${given instanceof Layer ? given.className : describe(given)}`);
    }
    if (given.stateful) throw new Error(`${this.name} (Bidirectional): a stateful wrapped layer is not supported (stateful works on SimpleRNN, LSTM and GRU used directly)`);
    const extra = given.extraOutputsOption();
    if (extra) throw new Error(`${this.name} (Bidirectional): ${extra} of the wrapped layer is not supported`);
    if (args.mergeMode === null) throw new Error(`${this.name}: mergeMode null (separate outputs) is not supported; use concat, sum, mul or ave`);
    const mode = args.mergeMode === undefined ? 'concat' : args.mergeMode;
    if (!['concat', 'sum', 'mul', 'ave'].includes(mode as string)) {
      throw new Error(`${this.name}: mergeMode must be concat, sum, mul or ave, got ${JSON.stringify(mode)}`);
    }
    this.mergeMode = mode;
    const inner = args.layer.name;
    this.forwardLayer = args.layer;
    this.forwardLayer.name = `forward_${inner}`;
    const config = { ...args.layer.getConfig(), name: `backward_${inner}`, goBackwards: !args.layer.goBackwards };
    this.backwardLayer = new (args.layer.constructor as new (c: never) => RNN)(config as never);
  }

  /** The wrapped layer arrives as {className, config}. */
  static fromConfig(config: Record<string, unknown>): Layer {
    return new Bidirectional({ ...config, layer: deserializeLayer(config.layer, 'wrapped layer') } as BidirectionalArgs);
  }

  /** Keras and tfjs scope the two copies as forward_<inner>/ and backward_<inner>/. */
  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    const scoped = (l: RNN) => l.weightSpecs(inputShape).map((s) => ({ ...s, name: `${l.name}/${s.name}` }));
    return [...scoped(this.forwardLayer), ...scoped(this.backwardLayer)];
  }

  weightPenalties(): WeightPenalty[] {
    return [...this.forwardLayer.weightPenalties(), ...this.backwardLayer.weightPenalties()];
  }

  build(inputShape: SymbolicShape): void {
    this.forwardLayer.build(inputShape);
    this.backwardLayer.build(inputShape);
    this.weights = [...this.forwardLayer.weights, ...this.backwardLayer.weights];
    this.markBuilt(inputShape);
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
    const inner = serializeLayer(this.forwardLayer);
    return { ...super.getConfig(), mergeMode: this.mergeMode,
      layer: { ...inner, config: { ...inner.config, name: this.forwardLayer.name.replace(/^forward_/, '') } } };
  }
}

registerLayer(Bidirectional);
