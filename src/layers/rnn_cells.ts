/**
 * tfjs's and Keras's recurrent cells: SimpleRNNCell, LSTMCell, GRUCell and StackedRNNCells. A cell holds a cell
 * config and its weights; the arithmetic is the matching recurrent layer's (its "engine", a SimpleRNN, LSTM or GRU
 * made from the cell's config), so rl.layers.rnn({cell}) runs on the same fused kernels as the layer. A cell called
 * on real tensors [x_t, h(, c)] computes one step (the engine over one time step) and returns [output, ...states].
 */
import * as ops from '../autograd/ops.js';
import type { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { GRU } from './gru.js';
import { isShapeList } from './base_merge.js';
import { builtInMethod } from './built_in_classes.js';
import { COMPUTE, BuiltInLayer, Layer, builtByEngine, hasAutomaticName, kerasShape, type CallContext, type Kwargs, type LayerArgs, type SymbolicShape, type WeightSpec } from './layer.js';
import { LSTM } from './lstm.js';
import { setCellOfLayer, type RNN } from './recurrent.js';
import { deserializeLayer, registerLayer, serializeLayer } from './registry.js';
import { fromConfigArgs } from './from_config_args.js';
import { SimpleRNN } from './simple_rnn.js';
import { UserCellLoop, builtWeightSpecs, hasStateSize, runCellBuild, userOutputSize, userStateSizes, whileNamed } from './user_cell.js';
import { checkOptionKeys } from '../near_name.js';
import type { CellDriver, SequenceOptions } from './cell_driver.js';
import type { Variable } from '../variable.js';

/** What a cell takes: the recurrent layer's options that concern one step. */
const STEP_OPTIONS = ['units', 'activation', 'useBias', 'kernelInitializer', 'recurrentInitializer', 'biasInitializer',
  'kernelRegularizer', 'recurrentRegularizer', 'biasRegularizer', 'kernelConstraint', 'recurrentConstraint', 'biasConstraint',
  'dropout', 'recurrentDropout', 'implementation', 'seed', 'name', 'trainable', 'dtype', 'activityRegularizer'];
const GATED_OPTIONS = ['recurrentActivation'];
/** Options of the rnn layer, not of a cell: named in the error a cell gives for them. */
const SEQUENCE_OPTIONS = ['returnSequences', 'returnState', 'goBackwards', 'stateful', 'unroll', 'timeMajor', 'inputShape', 'batchInputShape', 'batchSize', 'inputDim', 'inputLength'];
/** Keys of the engine's config that belong to the rnn layer, dropped from a cell's config. */
const ENGINE_ONLY = ['returnSequences', 'returnState', 'goBackwards', 'stateful', 'unroll', 'batchInputShape', 'zeroOutputForMask'];

const userLoops = new WeakMap<Layer, UserCellLoop>();

/** The driver of a cell (rnnlab's own cells drive themselves; a user's cell gets one loop for its life). */
export function driverOf(cell: Layer): CellDriver {
  if (cell instanceof RNNCell) return cell;
  let loop = userLoops.get(cell);
  if (!loop) userLoops.set(cell, (loop = new UserCellLoop(cell)));
  return loop;
}

/** True for a user's cell (a layer with stateSize that is neither rnnlab's cell nor a stack). */
export function isUserCell(cell: unknown): boolean {
  return hasStateSize(cell) && !(cell instanceof RNNCell) && !(cell instanceof StackedRNNCells) && !builtInMethod(cell, 'call');
}

/** rnnlab's cells run on their layers' kernels, never through call(): a subclass's call() would be skipped. */
export function refuseCallOverride(where: string, cell: unknown): void {
  if (cell instanceof RNNCell && !builtInMethod(cell, 'call')) {
    throw new Error(`${where}: ${cell.className} extends ${Object.getPrototypeOf(Object.getPrototypeOf(cell)).constructor.name} and overrides call(), which rnn would skip (the cell runs on its layer's kernels); write the cell as an rl.layers.Layer with stateSize instead`);
  }
}

type EngineClass = new (args: never) => RNN;

/** The rl.layers factory of a cell class, named in its option errors (SimpleRNNCell -> simpleRNNCell). */
function factoryName(className: string): string {
  return className === 'SimpleRNNCell' ? 'simpleRNNCell' : className === 'LSTMCell' ? 'lstmCell' : 'gruCell';
}

export abstract class RNNCell extends BuiltInLayer {
  /** The cell's constructor arguments (validated by making its engine from them). */
  private readonly cellArgs: Record<string, unknown>;
  /** The recurrent layer computing this cell: over one step standalone, over the sequence inside an rnn layer. */
  engine: RNN;
  /** The rnn layer that owns this cell, once given to one. */
  owner: string | null = null;

  protected constructor(args: Record<string, unknown>, prefix: string, extraOptions: string[]) {
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new Error(`${prefix}: expected an options object like {units: 8}, got ${describe(args)}`);
    super({ name: args.name, trainable: args.trainable, dtype: args.dtype } as LayerArgs, prefix);
    const where = `${this.name} (${this.className})`;
    const allowed = new Set([...STEP_OPTIONS, ...extraOptions]);
    for (const [k, v] of Object.entries(args)) {
      if (v !== undefined && SEQUENCE_OPTIONS.includes(k)) throw new Error(`${where}: ${k} is an option of the rnn layer, not of a cell (rl.layers.rnn({cell, ${k}}))`);
    }
    checkOptionKeys(`rl.layers.${factoryName(this.className)}`, args, [...allowed]);
    // Keras never applies a cell's activity regularizer (the rnn loop calls cell.call, not the layer); put it on the rnn layer.
    if (args.activityRegularizer !== undefined && args.activityRegularizer !== null) throw new Error(`${where}: activityRegularizer on a cell is not applied by Keras; give it to the rnn layer`);
    this.cellArgs = { ...args };
    delete this.cellArgs.name;
    this.engine = this.makeEngine(this.name, { returnSequences: false, goBackwards: false, stateful: false });
  }

  protected abstract engineClass(): EngineClass;

  private makeEngine(name: string, seq: SequenceOptions): RNN {
    const Engine = this.engineClass();
    return new Engine({ ...this.cellArgs, name, ...seq } as never);
  }

  get units(): number { return this.engine.units; }
  /** tfjs's stateSize: LSTMCell's [units, units] (h and c); GRUCell's and SimpleRNNCell's the number units. */
  get stateSize(): number | number[] { return this.engine.stateCount === 1 ? this.units : this.stateSizes; }
  /** One size per state tensor, whatever the cell's stateSize spells. */
  get stateSizes(): number[] { return Array.from({ length: this.engine.stateCount }, () => this.units); }

  /** tfjs's cell.kernel, recurrentKernel and bias: the engine's variables, undefined until built (bias: null without useBias). */
  get kernel(): Variable | undefined { return this.engine.built ? this.engine.kernel : undefined; }
  get recurrentKernel(): Variable | undefined { return this.engine.built ? this.engine.recurrentKernel : undefined; }
  get bias(): Variable | null | undefined { return this.engine.built ? this.engine.bias : undefined; }

  /**
   * The cell of a SimpleRNN, LSTM or GRU layer (tfjs's layer.cell): the layer is its engine, so the cell's weights are
   * the layer's variables, it is built when the layer is, and the layer builds it (as an rnn layer builds its cells).
   */
  static ofLayer(layer: RNN): RNNCell {
    const [Cell, fixedName] = layer instanceof LSTM ? [LSTMCell, 'lstm_cell'] : layer instanceof GRU ? [GRUCell, 'gru_cell'] : [SimpleRNNCell, 'simple_rnn_cell'];
    // tfjs makes the cell from the layer's options: a named layer's cell takes its name. An unnamed one's takes Keras 3's
    // fixed name (lstm_cell), not one drawn from the automatic names: reading layer.cell leaves later names as they were.
    const cell = new Cell({ units: layer.units, name: hasAutomaticName(layer) ? fixedName : layer.name, trainable: layer.trainable });
    cell.engine = layer;
    cell.owner = layer.name;
    // A cell's getter answers for a cell applied on its own (rl.input()s); otherwise only the layer has an output.
    const layerOutputShape = Object.getOwnPropertyDescriptor(RNNCell.prototype, 'outputShape')!.get!;
    const fixed = (what: string) => () => { throw new Error(`${cell.name} (${cell.className}): the cell's ${what} are its layer's; build or load the layer instead`); };
    // The holds models take on the cell (applied on its own to rl.input()s): each holds the layer too, whose weights
    // the cell computes with, so they live while any model using the cell or the layer does.
    let holds = 0;
    Object.defineProperties(cell, {
      built: { get: () => layer.built, set: fixed('build state and weights'), enumerable: true, configurable: true },
      weights: { get: () => layer.weights, set: fixed('weights'), enumerable: true, configurable: true },
      builtInputShape: {
        get: () => (layer.builtInputShape ? [layer.builtInputShape[0], layer.builtInputShape[2]] : null),
        set: fixed('build state and weights'), enumerable: true, configurable: true,
      },
      modelRefs: {
        get: () => holds,
        set: (n: number) => { layer.modelRefs = Math.max(0, layer.modelRefs + n - holds); holds = n; },
        enumerable: true, configurable: true,
      },
      // A model's dispose lets go of its hold on the layer (the last hold frees the weights, once). Called with no
      // model holding the cell, it is refused: freeing the layer's variables through the cell would leave the layer
      // live on freed weights (tfjs refuses to dispose a cell never used on its own).
      dispose: {
        value: () => {
          if (holds === 0) throw new Error(`${cell.name} (${cell.className}): the cell computes with layer ${layer.name}'s weights; dispose the layer, or the model holding it`);
          holds--;
          return layer.dispose();
        },
        enumerable: false, configurable: true, writable: true,
      },
      disposed: { get: () => layer.disposed, set: fixed('disposal and weights'), enumerable: true, configurable: true },
      outputShape: {
        get: () => {
          const first = cell.inboundNodes[0];
          if (!first) throw new Error(`${cell.name} (${cell.className}): the cell of layer ${layer.name} has no call of its own, so no output shape; read the layer's outputShape`);
          // What a cell of its own records at its first call (markBuilt, which the layer's build stands in for here).
          cell.outputShapeValue ??= cell.computeOutputShape(first.inputs[0].shape);
          return layerOutputShape.call(cell);
        },
        enumerable: false, configurable: true,
      },
    });
    return cell;
  }

  /** An rnn layer takes this cell: its engine is remade with the layer's sequence options. */
  adopt(owner: string, seq: SequenceOptions): void {
    const where = `${this.name} (${this.className})`;
    if (this.owner !== null) throw new Error(`${where}: the cell already belongs to rnn layer '${this.owner}'; give each rnn layer its own cells`);
    if (this.built) throw new Error(`${where}: the cell was already built by a call of its own; give the rnn layer a new cell`);
    this.owner = owner;
    this.engine = this.makeEngine(this.name, seq);
  }

  /** The owning rnn layer built the engine under this name for input [batch, steps, features]. */
  builtAs(engineName: string, inputShape: SymbolicShape): void {
    this.engine.name = engineName;
    this.engine.build(inputShape);
    this.weights = this.engine.weights;
    this.markBuilt([inputShape[0], inputShape[2]]);
  }

  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    return this.engine.weightSpecs(stepAsSequence(this, inputShape));
  }

  sequenceWeightSpecs(inputShape: SymbolicShape, scope: string, layer: string): WeightSpec[] {
    const under = `${scope}/`.slice(layer.length + 1);
    return this.engine.weightSpecs(inputShape).map((s) => ({ ...s, name: `${under}${s.name}` }));
  }

  build(inputShape: SymbolicShape): void {
    if (this.owner !== null) throw new Error(`${this.name} (${this.className}): the cell belongs to rnn layer '${this.owner}', which builds it`);
    // Named as the cell is now: a custom layer holding the cell renames it <holder>/<attribute> before building it.
    this.engine.name = this.name;
    this.engine.build(stepAsSequence(this, inputShape));
    this.weights = this.engine.weights;
    this.markBuilt(inputShape);
  }

  weightPenalties() { return this.engine.weightPenalties(); }

  /** Built for a step's x: what the step gives, [output, ...new states], each (batch, units). */
  protected override markBuilt(inputShape: SymbolicShape): void {
    super.markBuilt(inputShape);
    const out: SymbolicShape = [inputShape[0], this.units];
    this.outputShapeValue = [out, ...this.stateSizes.map(() => [...out])] as unknown as SymbolicShape;
  }

  /**
   * tfjs's layer.outputShape, read from the calls on rl.input()s: [output, ...new states] for a cell applied to
   * [x, ...states], x's shape for one applied to x alone (as tfjs's docs print it). A cell built by its rnn or run on
   * tensors only answers from its build: its step's outputs.
   */
  override get outputShape(): SymbolicShape {
    return stepOutputShape(this, super.outputShape);
  }

  /**
   * The list [x, ...states] answers as apply([x, ...states]) does: [output, ...new states], each (batch, units), the
   * step Keras's cell computes (tfjs's Layer default would echo the list, x's width as the output's). x alone keeps
   * tfjs's Layer default, so tfjs's docs print the same: a cell applied to x alone reports x's shape.
   */
  computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    if (isShapeList(inputShape)) return this.computeOutputShapes(inputShape) as unknown as SymbolicShape;
    return [...inputShape];
  }

  /** [x_t, ...states] -> [output, ...new states], each (batch, units); x_t alone as tfjs (see computeOutputShape). */
  computeOutputShapes(inputShapes: SymbolicShape[]): SymbolicShape[] {
    const [x, ...states] = inputShapes;
    if (x.length !== 2) throw new Error(`${this.name} (${this.className}): a cell step takes x of shape (batch, features), got ${kerasShape(x)}`);
    if (states.length === 0) return [this.computeOutputShape(x)];
    this.checkStateCount(states.length);
    states.forEach((s, i) => {
      if (s.length !== 2 || (s[1] !== null && s[1] !== this.units)) throw new Error(`${this.name} (${this.className}): state ${i} must have shape (batch, ${this.units}), got ${kerasShape(s)}`);
    });
    const out: SymbolicShape = [x[0], this.units];
    return [out, ...states.map(() => out)];
  }

  buildFor(inputShapes: SymbolicShape[]): void {
    this.ensureBuilt(inputShapes[0]);
  }

  private checkStateCount(n: number): void {
    const want = this.engine.stateCount;
    if (n !== want) throw new Error(`${this.name} (${this.className}): a step takes [x, ${want === 2 ? 'h, c' : 'h'}], got ${n} state tensor(s)`);
  }

  /** One step on real tensors: the engine over a single time step, from the given states. */
  callTensors(inputs: Tensor[], ctx: CallContext): Tensor[] {
    const [x, ...states] = inputs;
    const where = `${this.name} (${this.className})`;
    if (states.length === 0) throw new Error(`${where}: a cell step needs its states: apply([x, ${this.engine.stateCount === 2 ? 'h, c' : 'h'}]) (tfjs's cell.call convention)`);
    this.checkStateCount(states.length);
    if (this.engine.stateful) throw new Error(`${where}: the cell belongs to a stateful rnn layer; a separate step would overwrite its carried states`);
    if (x.rank !== 2) throw new Error(`${where}: a cell step takes x of shape [batch, features], got [${x.shape.join(', ')}]`);
    this.checkInput(x);
    const r = this.engine.run(ops.reshape(x, [x.shape[0], 1, x.shape[1]]), { ...ctx, mask: null, trace: undefined, stateGrads: undefined }, states);
    return [r.states[0], ...r.states];
  }

  /** tfjs's cell.call([x_t, ...states], kwargs?) -> [output, ...new states]. */
  override call(inputs: Tensor[], kwargs?: Kwargs): Tensor[] {
    return super.call(inputs, kwargs) as Tensor[];
  }

  /** The engine's single-tensor form; a user's subclass's super.call([x_t, ...states], kwargs?) comes here with the list. */
  protected [COMPUTE](x: Tensor | Tensor[], ctx: CallContext): Tensor | Tensor[] {
    return Array.isArray(x) ? this.callTensors(x, ctx) : this.callTensors([x], ctx)[0];
  }

  getConfig(): Record<string, unknown> {
    // A cell has no activity regularizer (the constructor refuses one); a layer's cell's engine is the layer, whose is its own.
    const c: Record<string, unknown> = { ...this.engine.getConfig(), name: this.name, activityRegularizer: null };
    for (const k of ENGINE_ONLY) delete c[k];
    return c;
  }
}

/**
 * A cell's or a stack's outputShape, as tfjs reads it from the first call on rl.input()s: the list of the step's
 * outputs after apply([x, ...states]), one shape after apply(x); without such a call, what its build recorded.
 * `built` is Layer's getter's answer, read first so a shared layer whose calls differ is refused as any layer is.
 */
function stepOutputShape(layer: Layer, built: SymbolicShape): SymbolicShape {
  const node = layer.inboundNodes[0];
  if (!node) return built;
  const shapes = node.outputs.map((t) => t.shape);
  return shapes.length === 1 ? shapes[0] : shapes as unknown as SymbolicShape;
}

/** A step's (batch, features) as the engine's (batch, steps, features). */
function stepAsSequence(cell: Layer, s: SymbolicShape): SymbolicShape {
  if (s.length !== 2 || s[1] === null) throw new Error(`${cell.name} (${cell.className}): a cell step takes x of shape (batch, features), got ${kerasShape(s)}`);
  return [s[0], null, s[1]];
}

const LSTM_OPTIONS = [...GATED_OPTIONS, 'unitForgetBias'];
const GRU_OPTIONS = [...GATED_OPTIONS, 'resetAfter'];

export class SimpleRNNCell extends RNNCell {
  static override readonly className: string = 'SimpleRNNCell';
  constructor(args: Record<string, unknown>) { super(args, 'simple_rnn_cell', []); }
  protected engineClass(): EngineClass { return SimpleRNN; }
}

export class LSTMCell extends RNNCell {
  static override readonly className: string = 'LSTMCell';
  constructor(args: Record<string, unknown>) { super(args, 'lstm_cell', LSTM_OPTIONS); }
  protected engineClass(): EngineClass { return LSTM; }
}

export class GRUCell extends RNNCell {
  static override readonly className: string = 'GRUCell';
  constructor(args: Record<string, unknown>) { super(args, 'gru_cell', GRU_OPTIONS); }
  protected engineClass(): EngineClass { return GRU; }
}

export interface StackedRNNCellsArgs { cells: Layer[]; name?: string; trainable?: boolean; dtype?: unknown }

/** A list of cells run as one: each cell's output sequence feeds the next (only inside rl.layers.rnn). */
export class StackedRNNCells extends BuiltInLayer {
  static override readonly className: string = 'StackedRNNCells';
  readonly cells: Layer[];

  constructor(args: StackedRNNCellsArgs) {
    const given = (args ?? {}) as unknown as Record<string, unknown>;
    super({ name: given.name, trainable: given.trainable, dtype: given.dtype } as LayerArgs, 'stacked_rnn_cells');
    checkOptionKeys('rl.layers.stackedRNNCells', given, ['cells', 'name', 'trainable', 'dtype']);
    this.cells = checkCells(this.name, given.cells);
  }

  /** The cells arrive as a list of {className, config}. Keras's from_config(config) or tfjs's fromConfig(cls, config). */
  static fromConfig(this: typeof StackedRNNCells, first: Record<string, unknown> | typeof StackedRNNCells, second?: Record<string, unknown>): Layer {
    const { cls, config } = fromConfigArgs(this, 'StackedRNNCells', first, second);
    const raw = config.cells;
    if (!Array.isArray(raw)) throw new Error(`StackedRNNCells: cells must be a list of {className, config}, got ${describe(raw)}`);
    return new cls({ ...config, cells: raw.map((c, i) => deserializeLayer(c, `cells[${i}]`)) } as StackedRNNCellsArgs);
  }

  /** tfjs's order: the last cell's states first. */
  get stateSize(): number[] { return [...this.cells].reverse().flatMap((c) => driverOf(c).stateSizes); }

  /** A flat list in tfjs's order, split per cell in stacking order. */
  perCell<T>(flat: T[]): T[][] {
    const out: T[][] = [];
    let k = 0;
    for (const c of [...this.cells].reverse()) {
      const n = driverOf(c).stateSizes.length;
      out.unshift(flat.slice(k, k + n));
      k += n;
    }
    return out;
  }

  /** Per-cell lists back to tfjs's flat order. */
  flatten<T>(perCell: T[][]): T[] {
    return [...perCell].reverse().flat();
  }

  /** Its rnn layer built the cells (for a step's x, (batch, features)): the stack holds their weights and is built as its own call builds it. */
  builtByLayer(stepShape: SymbolicShape, weights: Variable[]): void {
    this.weights = weights;
    this.markBuilt(stepShape);
  }

  /** Built for a step's x: what the step gives, [last cell's output, ...new states], as RNNCell records its own. */
  protected override markBuilt(inputShape: SymbolicShape): void {
    super.markBuilt(inputShape);
    const states = this.stateSize.map((n): SymbolicShape => [inputShape[0], n]);
    this.outputShapeValue = this.computeOutputShapes([inputShape, ...states]) as unknown as SymbolicShape;
  }

  /**
   * After apply([x, ...states]) on rl.input()s: [last cell's output, ...new states] (see RNNCell's); x's shape after
   * apply(x); built by a call on tensors only, the step's outputs its build recorded.
   */
  override get outputShape(): SymbolicShape {
    return stepOutputShape(this, super.outputShape);
  }

  /** The list [x, ...states] (tfjs's order) answers as apply does (see RNNCell's); x alone, tfjs's Layer default. */
  computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    if (isShapeList(inputShape)) return this.computeOutputShapes(inputShape) as unknown as SymbolicShape;
    return [...inputShape];
  }

  /** [x_t, ...states] (tfjs's order) -> [last cell's output, ...new states]. */
  computeOutputShapes(inputShapes: SymbolicShape[]): SymbolicShape[] {
    const [x, ...states] = this.checkStep(inputShapes);
    const outs = this.perCell(states).map((s, i) => {
      const c = this.cells[i];
      return isUserCell(c) ? [[x[0], userOutputSize(c)], ...s] : c.computeOutputShapes([x, ...s]);
    });
    return [outs[outs.length - 1][0], ...this.flatten(outs.map((o) => o.slice(1)))];
  }

  private checkStep<T>(inputs: T[]): T[] {
    const want = this.stateSize.length;
    if (inputs.length - 1 !== want) throw new Error(`${this.name} (StackedRNNCells): a step takes [x, ...${want} states] (the last cell's first), got ${inputs.length - 1} state tensor(s)`);
    return inputs;
  }

  /** Each cell's input (batch, features): x's for the first, the previous cell's units for the rest. */
  private cellInputs(x: SymbolicShape): SymbolicShape[] {
    return this.cells.map((_c, i) => (i === 0 ? x : [x[0], driverOf(this.cells[i - 1]).units]));
  }

  /** tfjs's scopes: RNNCell_<i>/ per cell. */
  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    if (this.cells.some(isUserCell)) {
      // A user's build is known only by running it.
      if (!this.built) this.buildFor([inputShape]);
      return builtWeightSpecs(this.cells.map((c, i) => ({ weights: c.weights, scope: `${this.name}/RNNCell_${i}` })), this.name, `${this.name} (StackedRNNCells)`);
    }
    const shapes = this.cellInputs(inputShape);
    return this.cells.flatMap((c, i) => c.weightSpecs(shapes[i]).map((w) => ({ ...w, name: `RNNCell_${i}/${w.name}` })));
  }

  build(inputShape: SymbolicShape): void { this.buildFor([inputShape]); }

  /** Each cell is built for the previous cell's units. */
  buildFor(inputShapes: SymbolicShape[]): void {
    const x = inputShapes[0];
    const shapes = this.cellInputs(x);
    // Each cell carries its scope's name while it builds, so its weights are named <stack>/RNNCell_<i>/<weight> (tfjs).
    // tfjs's build calls every cell's build whatever its built flag says: a user's cell whose constructor set built
    // (the engine never built it) is built too; one a call of its own built keeps its weights.
    this.cells.forEach((c, i) => {
      const scope = `${this.name}/RNNCell_${i}`;
      if (isUserCell(c) && (!c.built || !builtByEngine(c))) runCellBuild(c, scope, shapes[i], c.built, { what: `the stack '${this.name}'`, tfjs: "tfjs's StackedRNNCells" });
      else if (!c.built) whileNamed(c, scope, () => c.ensureBuilt(shapes[i]));
    });
    this.weights = this.cells.flatMap((c) => c.weights);
    this.markBuilt(x);
  }

  /** One step through every cell, each cell's output the next one's input. */
  callTensors(inputs: Tensor[], ctx: CallContext): Tensor[] {
    const [x, ...states] = this.checkStep(inputs);
    if (!this.built) this.buildFor([[null, x.shape[1]]]);
    let y = x;
    const next = this.perCell(states).map((s, i) => {
      const [out, ...rest] = this.cells[i].callTensors([y, ...s], ctx, false, 1 + s.length);
      y = out;
      return rest;
    });
    return [y, ...this.flatten(next)];
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    return this.callTensors([x], ctx)[0];
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cells: this.cells.map(serializeLayer) };
  }
}

/** A non-empty list of cells, each a SimpleRNNCell, LSTMCell, GRUCell or a user's cell (a layer with stateSize). */
export function checkCells(where: string, cells: unknown): Layer[] {
  if (!Array.isArray(cells) || cells.length === 0) throw new Error(`${where}: cells must be a non-empty list of rl.layers.simpleRNNCell/lstmCell/gruCell or user cells, got ${describe(cells)}`);
  cells.forEach((c, i) => {
    if (c instanceof StackedRNNCells) throw new Error(`${where}: cells[${i}] is a StackedRNNCells; give its cells in the list instead`);
    if (!(c instanceof RNNCell) && !isUserCell(c)) {
      throw new Error(`${where}: cells[${i}] must be a SimpleRNNCell, LSTMCell, GRUCell or a user's cell (a layer with stateSize whose call([x, ...states]) returns [output, ...newStates]), got ${c instanceof Layer ? `${c.className} without stateSize` : describe(c)}`);
    }
    if (isUserCell(c)) userStateSizes(c);
    refuseCallOverride(where, c);
  });
  return cells as Layer[];
}

const layerCells = new WeakMap<RNN, RNNCell>();
setCellOfLayer((layer) => {
  let cell = layerCells.get(layer);
  if (!cell) layerCells.set(layer, (cell = RNNCell.ofLayer(layer)));
  return cell;
});

registerLayer(SimpleRNNCell);
registerLayer(LSTMCell);
registerLayer(GRUCell);
registerLayer(StackedRNNCells);
