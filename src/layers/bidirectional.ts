import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { COMPUTE, BuiltInLayer, Layer, type CallContext, type LayerArgs, type SymbolicShape, type WeightPenalty, type WeightSpec } from './layer.js';
import { RNN, sequenceOutputMask } from './recurrent.js';
import { CellRNN } from './rnn_layer.js';
import { deserializeLayer, layerClass, registerLayer, serializeLayer } from './registry.js';
import { fromConfigArgs } from './from_config_args.js';
import { builtInMethod } from './built_in_classes.js';
import { userFromConfig, type UserLayerClass } from './serialization.js';

export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

/** What Bidirectional wraps: SimpleRNN, LSTM, GRU, or rl.layers.rnn over any cell (Keras's RNN(cell), tfjs's rnn({cell})). */
export type WrappedRNN = RNN | CellRNN;

export interface BidirectionalArgs extends LayerArgs {
  layer: WrappedRNN;
  /** Default 'concat'; null gives the two directions' outputs separately (a functional model's two tensors). */
  mergeMode?: MergeMode | null;
}

/**
 * Runs a copy of a recurrent layer forwards and another backwards, then merges the two outputs.
 *
 * Keras's Bidirectional sets zero_output_for_mask to return_sequences on both directions; this one keeps the wrapped
 * layer's zeroOutputForMask (the backward copy takes it from the config). Keras 3 writes the value it set into the
 * file; Keras 2 does not (it saves the layer it was given and sets the value again on load), so src/io gives a Keras 2
 * file's wrapped layer zeroOutputForMask = returnSequences before building it: both Keras versions' files load as
 * Keras computes them. A layer made with rl.layers.bidirectional (tfjs's API) and files tfjs or rnnlab wrote keep
 * the flag they carry (tfjs 4.22's masked steps repeat the last output, as rnnlab's ONNX export writes them).
 */
export class Bidirectional extends BuiltInLayer {
  static override readonly className: string = 'Bidirectional';
  override supportsMasking = true;
  readonly forwardLayer: WrappedRNN;
  readonly backwardLayer: WrappedRNN;
  readonly mergeMode: MergeMode | null;

  constructor(args: BidirectionalArgs) {
    super(args, 'bidirectional');
    const given = args.layer as unknown;
    if (!(given instanceof RNN || given instanceof CellRNN)) {
      throw new Error(`${this.name}: the wrapped layer must be SimpleRNN, LSTM, GRU or an RNN over cells (rl.layers.rnn({cell})), got ${given instanceof Layer ? given.className : describe(given)}`);
    }
    if (given.stateful) throw new Error(`${this.name} (Bidirectional): a stateful wrapped layer is not supported (stateful works on recurrent layers used directly)`);
    // The copies run on rnnlab's engine, never through call(): refused as the layer itself refuses it when applied.
    if (!builtInMethod(given, 'call')) {
      throw new Error(`${this.name} (Bidirectional): the wrapped ${given.name} (${given.className}) overrides call(), which is not supported on a subclass of this layer (rnnlab computes it without call()); subclass rl.layers.Layer and use the layer inside it instead`);
    }
    const mode = args.mergeMode === undefined ? 'concat' : args.mergeMode;
    if (mode !== null && !['concat', 'sum', 'mul', 'ave'].includes(mode as string)) {
      throw new Error(`${this.name}: mergeMode must be concat, sum, mul, ave or null, got ${JSON.stringify(mode)}`);
    }
    this.mergeMode = mode;
    // Both directions are copies made from the given layer's config, as Keras and tfjs make them: the given layer
    // keeps its name and weights, and two wrappers of one layer (or the layer also used on its own) share nothing.
    // tfjs prefixes the name as it is (a layer named forward_x gives forward_forward_x), so the weights' names match its files.
    const inner = args.layer.name;
    const copy = (name: string, goBackwards: boolean): WrappedRNN => {
      const config = { ...args.layer.getConfig(), name, goBackwards };
      return given instanceof CellRNN ? copiedCells(this.name, name, given, config) : new (given.constructor as new (c: never) => RNN)(config as never);
    };
    this.forwardLayer = copy(`forward_${inner}`, args.layer.goBackwards);
    this.backwardLayer = copy(`backward_${inner}`, !args.layer.goBackwards);
    // Held as TimeDistributed holds its layer: disposing the wrapper disposes the copies, which then say so by name.
    this.forwardLayer.modelRefs++;
    this.backwardLayer.modelRefs++;
    // Made frozen (or loaded from a file saying so), both copies are frozen, as setting the flag later makes them. Made
    // trainable, copies of a frozen layer stay frozen (its config says so), as in tfjs and Keras 3.
    if (args.trainable === false) this.trainable = false;
  }

  /**
   * Setting the flag passes it down to both directions, as tfjs's Bidirectional and Keras 3's Layer setters do: the
   * saved config then says what rnnlab trains, and tfjs, which trains by the directions' own flags, trains the same
   * weights (pairing an includeOptimizer file's state with them). (The Layer constructor sets the flag before the
   * copies exist.)
   */
  override get trainable(): boolean { return super.trainable; }
  override set trainable(value: boolean) {
    super.trainable = value;
    if (this.forwardLayer) this.forwardLayer.trainable = value;
    if (this.backwardLayer) this.backwardLayer.trainable = value;
  }

  protected override heldLayers(): Layer[] { return [this.forwardLayer, this.backwardLayer]; }

  /**
   * The wrapped layer arrives as {className, config}. Keras 3 always writes backward_layer, the mirror of the
   * forward one (its config less name, go_backwards flipped) and names the wrapped layer forward_<inner>: such a
   * file loads as the layer it describes; any other backward_layer stays refused (rnnlab builds only the mirror).
   * Keras's from_config(config) or tfjs's fromConfig(cls, config) (see fromConfigArgs).
   */
  static fromConfig(this: typeof Bidirectional, first: Record<string, unknown> | typeof Bidirectional, second?: Record<string, unknown>): Layer {
    const { cls, config } = fromConfigArgs(this, 'Bidirectional', first, second);
    const layer = deserializeLayer(config.layer, 'wrapped layer');
    const rest = { ...config };
    if (rest.backwardLayer !== undefined && rest.backwardLayer !== null && isMirror(layer, deserializeLayer(rest.backwardLayer, 'backward layer'))) {
      delete rest.backwardLayer;
      layer.name = layer.name.replace(/^forward_/, '');
    }
    return new cls({ ...rest, layer } as BidirectionalArgs);
  }

  /** Keras and tfjs scope the two copies as forward_<inner>/ and backward_<inner>/. */
  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    const scoped = (l: WrappedRNN) => l.weightSpecs(inputShape).map((s) => ({ ...s, name: `${l.name}/${s.name}` }));
    return [...scoped(this.forwardLayer), ...scoped(this.backwardLayer)];
  }

  weightPenalties(): WeightPenalty[] {
    return [...this.forwardLayer.weightPenalties(), ...this.backwardLayer.weightPenalties()];
  }

  build(inputShape: SymbolicShape): void {
    // An RNN over a user's cell is built already when its weights were planned (weightSpecs runs the cell's build).
    for (const l of [this.forwardLayer, this.backwardLayer]) if (!l.built) l.build(inputShape);
    this.weights = [...this.forwardLayer.weights, ...this.backwardLayer.weights];
    this.markBuilt(inputShape);
  }

  /** The merged output's shape; with mergeMode null, each of the two outputs'. */
  private mergedShape(inputShape: SymbolicShape): SymbolicShape {
    const s = this.forwardLayer.sequenceOutputShape(inputShape);
    if (this.mergeMode !== 'concat') return s;
    return [...s.slice(0, -1), (s[s.length - 1] as number) * 2];
  }

  /** tfjs's: one shape, or the list of every output's (mergeMode null's two, then the states with returnState). */
  computeMask(_inputs: Tensor | Tensor[], mask: Tensor | null | (Tensor | null)[]): Tensor | null {
    return sequenceOutputMask(this.returnSequences, mask);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (this.mergeMode !== null && !this.returnState) return this.mergedShape(inputShape);
    return this.computeOutputShapes([inputShape]) as unknown as SymbolicShape;
  }

  /** The wrapped layer's returnState: its final states follow the output(s), the forward layer's then the backward's (tfjs). */
  get returnState(): boolean { return this.forwardLayer.returnState; }

  get returnSequences(): boolean { return this.forwardLayer.returnSequences; }

  /** apply([x, ...states]) is apply(x, {initialState: states}), as tfjs's standardizeArgs reads it. */
  override get takesInitialStateList(): boolean { return true; }

  /**
   * tfjs's initial states: the forward layer's then the backward layer's, given as initialState or (as tfjs and a
   * loaded inbound node give them) after the input in one list. Returns how many each direction takes.
   */
  private splitStates(count: number): number {
    if (count === 0) return 0;
    const per = stateCount(this.forwardLayer);
    if (count !== 2 * per) {
      throw new Error(`${this.name} (Bidirectional): expected ${2 * per} initial state tensors (the forward ${this.forwardLayer.className}'s ${per} then the backward one's), got ${count}`);
    }
    return per;
  }

  /** Both directions' outputs lined up in time, and their final states (forward's first) when returnState. */
  private directions(inputs: Tensor[], ctx: CallContext): { f: Tensor; b: Tensor; states: Tensor[] } {
    const [x, ...initial] = inputs;
    const per = this.splitStates(initial.length);
    this.checkInput(x);
    const mask = ctx.mask;
    const [f, ...fStates] = runDirection(this.forwardLayer, [x, ...initial.slice(0, per)], ctx);
    ctx.mask = mask;
    const [b, ...bStates] = runDirection(this.backwardLayer, [x, ...initial.slice(per)], ctx);
    // The backward layer emits its sequence in processing order; flip it to line up with time.
    return { f, b: this.returnSequences ? ops.reverseTime(b) : b, states: [...fStates, ...bStates] };
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    const extra = this.extraOutputsOption();
    if (extra) throw new Error(`${this.name} (Bidirectional): ${extra} gives several outputs; apply the layer in a functional model`);
    const { f, b } = this.directions([x], ctx);
    return this.merged(f, b)[0];
  }

  private merged(f: Tensor, b: Tensor): Tensor[] {
    if (this.mergeMode === null) return [f, b];
    return [this.mergeMode === 'concat' ? ops.concatLast(f, b) : ops.merge(f, b, this.mergeMode)];
  }

  /** [x, ...initialStates] -> [merged output (or forward, backward), ...forward states, ...backward states]. */
  callTensors(inputs: Tensor[], ctx: CallContext): Tensor[] {
    const { f, b, states } = this.directions(inputs, ctx);
    return [...this.merged(f, b), ...states];
  }

  computeOutputShapes(inputShapes: SymbolicShape[]): SymbolicShape[] {
    const [x, ...initial] = inputShapes;
    const per = this.splitStates(initial.length);
    // The wrapped layer checks each direction's initial state shapes.
    directionShapes(this.forwardLayer, [x, ...initial.slice(0, per)]);
    const [, ...states] = directionShapes(this.forwardLayer, [x, ...initial.slice(per)]);
    const out = this.mergedShape(x);
    return [...(this.mergeMode === null ? [out, [...out]] : [out]), ...states, ...states.map((s) => [...s])];
  }

  buildFor(inputShapes: SymbolicShape[]): void {
    this.splitStates(inputShapes.length - 1);
    this.ensureBuilt(inputShapes[0]);
  }

  /** Separate outputs have nowhere to go in a Sequential model. */
  extraOutputsOption(): string | null {
    if (this.mergeMode === null) return 'mergeMode null';
    return this.returnState ? 'returnState' : null;
  }

  getConfig(): Record<string, unknown> {
    const inner = serializeLayer(this.forwardLayer);
    // tfjs trains both directions by this flag: false where the wrapper is frozen, even where the forward layer's own
    // flag was set back to true afterwards (rnnlab trains none of its weights then).
    const trainable = this.trainable && this.forwardLayer.trainable;
    // The file has one flag for both directions (tfjs's format; Keras writes a backward_layer only for one the user
    // gave): directions frozen apart would come back both trainable or both frozen.
    if (this.trainable && this.forwardLayer.trainable !== this.backwardLayer.trainable) {
      const [frozen, other] = this.forwardLayer.trainable ? ['backward', 'forward'] : ['forward', 'backward'];
      throw new Error(`${this.name} (Bidirectional): its ${frozen} layer is frozen and its ${other} layer is not, which its config cannot say ` +
        `(one trainable flag for both directions, as tfjs and Keras save it): set ${this.name}'s trainable, or both directions' alike, before saving`);
    }
    return { ...super.getConfig(), mergeMode: this.mergeMode,
      layer: { ...inner, config: { ...inner.config, name: this.forwardLayer.name.replace(/^forward_/, ''), trainable } } };
  }
}

/** backward is forward's mirror: the same class and config but for its name and a flipped goBackwards. */
function isMirror(forward: Layer, backward: Layer): boolean {
  const wrapped = (l: Layer): l is WrappedRNN => l instanceof RNN || l instanceof CellRNN;
  if (!wrapped(forward) || !wrapped(backward) || forward.className !== backward.className) return false;
  if (backward.goBackwards === forward.goBackwards) return false;
  const plain = (l: WrappedRNN) => JSON.stringify({ ...l.getConfig(), name: null, goBackwards: null });
  return plain(forward) === plain(backward);
}

/**
 * A direction's copy of an RNN over cells: its config (cells serialized) made again, so each direction has cells of
 * its own. A user's cell, and a user's subclass of the RNN itself, is made again from its registered class, as tfjs
 * (deserialize(serialize(layer))) and Keras make it: the copies are of the wrapped layer's class. A subclass the
 * registry does not know by its className (loaded through customObjects under a built-in's key, {RNN: MyRNN}) is
 * made by its own class's fromConfig, as the registry's entry for it would make it.
 */
function copiedCells(owner: string, name: string, given: CellRNN, config: Record<string, unknown>): CellRNN {
  let copy: Layer;
  try {
    if (given.constructor === CellRNN) copy = CellRNN.fromConfig(config);
    else if (layerClass(given.className)) copy = deserializeLayer({ ...serializeLayer(given), config }, 'wrapped layer');
    else copy = userFromConfig(given.constructor as unknown as UserLayerClass, config);
  } catch (e) {
    throw new Error(`${owner} (Bidirectional): cannot make the ${name.split('_')[0]} copy of the wrapped RNN from its config: ${(e as Error).message}` +
      ' (a cell or RNN subclass of your own needs its class registered with rl.serialization.registerClass, and a getConfig that makes it again)', { cause: e });
  }
  // An unregistered subclass (its className inherited) would come back as the plain RNN, silently without its code.
  if (Object.getPrototypeOf(copy) !== Object.getPrototypeOf(given)) {
    const label = (given.constructor as { name?: string }).name || 'the subclass';
    throw new Error(`${owner} (Bidirectional): the ${name.split('_')[0]} copy of the wrapped ${given.name} (class ${label}) came back as ${copy.className}; give ${label} its own static className and register it with rl.serialization.registerClass(${label}), so its copies are made as that class`);
  }
  return copy as CellRNN;
}

function stateCount(l: WrappedRNN): number {
  return l instanceof CellRNN ? l.stateSize.length : l.stateCount;
}

/** [x, ...initialStates] -> [output, ...finalStates] of one direction. */
function runDirection(l: WrappedRNN, inputs: Tensor[], ctx: CallContext): Tensor[] {
  return l instanceof CellRNN ? l.callTensors(inputs, ctx) : l.callTensors(inputs, ctx, false, 1);
}

function directionShapes(l: WrappedRNN, shapes: SymbolicShape[]): SymbolicShape[] {
  return l instanceof CellRNN ? l.computeOutputShapes(shapes) : l.computeOutputShapes(shapes, 1);
}

registerLayer(Bidirectional);
