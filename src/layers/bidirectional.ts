import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { Layer, type CallContext, type LayerArgs, type SymbolicShape, type WeightPenalty, type WeightSpec } from './layer.js';
import { RNN } from './recurrent.js';
import { deserializeLayer, registerLayer, serializeLayer } from './registry.js';

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

export interface BidirectionalArgs extends LayerArgs {
  layer: RNN;
  /** Default 'concat'; null gives the two directions' outputs separately (a functional model's two tensors). */
  mergeMode?: MergeMode | null;
}

/** Runs a recurrent layer forwards and a copy of it backwards, then merges the two outputs. */
export class Bidirectional extends Layer {
  static override readonly className: string = 'Bidirectional';
  readonly forwardLayer: RNN;
  readonly backwardLayer: RNN;
  readonly mergeMode: MergeMode | null;

  constructor(args: BidirectionalArgs) {
    super(args, 'bidirectional');
    const given = args.layer as unknown;
    if (!(given instanceof RNN)) {
      throw new Error(`${this.name}: the wrapped layer must be SimpleRNN, LSTM or GRU, got ${given instanceof Layer ? given.className : describe(given)}`);
    }
    if (given.stateful) throw new Error(`${this.name} (Bidirectional): a stateful wrapped layer is not supported (stateful works on SimpleRNN, LSTM and GRU used directly)`);
    const extra = given.extraOutputsOption();
    if (extra) throw new Error(`${this.name} (Bidirectional): ${extra} of the wrapped layer is not supported`);
    const mode = args.mergeMode === undefined ? 'concat' : args.mergeMode;
    if (mode !== null && !['concat', 'sum', 'mul', 'ave'].includes(mode as string)) {
      throw new Error(`${this.name}: mergeMode must be concat, sum, mul, ave or null, got ${JSON.stringify(mode)}`);
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
    if (this.mergeMode !== 'concat') return s; // null: each of the two outputs has this shape
    return [...s.slice(0, -1), (s[s.length - 1] as number) * 2];
  }

  /** Both directions' outputs, lined up in time. */
  private directions(x: Tensor, ctx: CallContext): [Tensor, Tensor] {
    const mask = ctx.mask;
    const f = this.forwardLayer.call(x, ctx);
    ctx.mask = mask;
    const b = this.backwardLayer.call(x, ctx);
    // The backward layer emits its sequence in processing order; flip it to line up with time.
    return [f, this.forwardLayer.returnSequences ? ops.reverseTime(b) : b];
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    const [f, b] = this.directions(x, ctx);
    if (this.mergeMode === null) throw new Error(`${this.name} (Bidirectional): mergeMode null gives two outputs; apply the layer in a functional model`);
    return this.mergeMode === 'concat' ? ops.concatLast(f, b) : ops.merge(f, b, this.mergeMode);
  }

  callTensors(inputs: Tensor[], ctx: CallContext, logits: boolean, inputCount = inputs.length): Tensor[] {
    if (this.mergeMode !== null) return super.callTensors(inputs, ctx, logits, inputCount);
    this.requireOneInput(inputs.length, inputCount);
    this.checkInput(inputs[0]);
    return this.directions(inputs[0], ctx);
  }

  computeOutputShapes(inputShapes: SymbolicShape[], inputCount = inputShapes.length): SymbolicShape[] {
    const shapes = super.computeOutputShapes(inputShapes, inputCount);
    return this.mergeMode === null ? [shapes[0], shapes[0]] : shapes;
  }

  /** Separate outputs have nowhere to go in a Sequential model. */
  extraOutputsOption(): string | null { return this.mergeMode === null ? 'mergeMode null' : null; }

  getConfig(): Record<string, unknown> {
    const inner = serializeLayer(this.forwardLayer);
    return { ...super.getConfig(), mergeMode: this.mergeMode,
      layer: { ...inner, config: { ...inner.config, name: this.forwardLayer.name.replace(/^forward_/, '') } } };
  }
}

registerLayer(Bidirectional);
