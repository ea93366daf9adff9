/**
 * tfjs's and Keras's generic RNN layer, rl.layers.rnn({cell}): runs a cell (or a list of cells, stacked) over the
 * time steps. Each cell's engine (the matching SimpleRNN, LSTM or GRU) runs its whole sequence on the fused kernels;
 * a stack chains them, each cell's output sequence feeding the next, which is what Keras's step-by-step loop over
 * StackedRNNCells computes (masked steps carry every cell's state and output). Saved as tfjs saves it: class 'RNN',
 * config.cell = {className: 'LSTMCell', config} or StackedRNNCells, weights '<rnn>/kernel' for one cell and
 * '<rnn>/RNNCell_<i>/kernel' for a stack (a user's cell's constructor weight: '<rnn>/g', see cellWeightSpecs and distinctSpecs).
 */
import { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { COMPUTE, BuiltInLayer, Layer, checkBool, kerasShape, type CallContext, type LayerArgs, type SymbolicShape, type WeightPenalty, type WeightSpec } from './layer.js';
import { RNNCell, StackedRNNCells, checkCells, driverOf, isUserCell, refuseCallOverride } from './rnn_cells.js';
import type { CellDriver } from './cell_driver.js';
import { distinctSpecs } from './user_cell.js';
import { deserializeLayer, registerLayer, serializeLayer } from './registry.js';
import { fromConfigArgs } from './from_config_args.js';
import { checkOptionKeys } from '../near_name.js';
import { positionalFormError } from './option_probe.js';
import { checkHasSteps, checkInputLength, dimInputShape } from './recurrent_input_shape.js';
import { detachedCopy, sequenceOutputMask, zeroMaskedSteps } from './recurrent.js';
import { allocPersistent } from '../backend/index.js';

export interface RNNLayerArgs extends LayerArgs {
  /**
   * One cell, a list of cells (stacked) or rl.layers.stackedRNNCells({cells}). A cell is rnnlab's (simpleRNNCell,
   * lstmCell, gruCell) or a user's: a layer with stateSize whose call([x, ...states]) returns [output, ...newStates].
   */
  cell: Layer | Layer[] | StackedRNNCells;
  /** Default false: only the last output. */
  returnSequences?: boolean;
  /** Default false. The final states of every cell as extra outputs, flattened in tfjs's order (the last cell's first). */
  returnState?: boolean;
  /** Default false. The first cell reads the input backwards; outputs come in processing order (Keras). */
  goBackwards?: boolean;
  /** Default false. Every cell carries its final states into the next batch until resetStates(); needs a fixed batch size. */
  stateful?: boolean;
  /** Keras's unroll: accepted either way, computes the same (the fused kernels never unroll). */
  unroll?: boolean;
  /** tfjs: with inputDim, the input shape [inputLength, inputDim]. */
  inputLength?: number;
  /** Default false. Keras's zero_output_for_mask: masked steps output zeros (see RNNArgs.zeroOutputForMask). */
  zeroOutputForMask?: boolean;
}

const OWN_OPTIONS = ['cell', 'returnSequences', 'returnState', 'goBackwards', 'stateful', 'unroll', 'inputLength', 'name', 'inputShape',
  'batchInputShape', 'batchSize', 'inputDim', 'trainable', 'activityRegularizer', 'dtype', 'timeMajor', 'zeroOutputForMask'];

export class CellRNN extends BuiltInLayer {
  static override readonly className: string = 'RNN';
  /** Read into the declared input shape / written only when true; see checkKnownArgs. */
  static override readonly argAliases: readonly string[] = ['inputLength', 'zeroOutputForMask'];
  /** fromConfig checks every key itself: tfjs spreads the cell's config into the layer's (see fromConfig). */
  static fromConfigKeys(config: Record<string, unknown>): readonly string[] { return Object.keys(config); }
  override supportsMasking = true;
  /** The cell as given (a list becomes a StackedRNNCells, as tfjs does). */
  readonly cell: Layer;
  readonly cells: Layer[];
  /** How each cell runs over the sequence: rnnlab's cells on their fused kernels, a user's step by step. */
  private readonly drivers: CellDriver[];
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  private readonly statefulFlag: boolean;
  /** Whether batchInputShape itself was given (not made from inputShape), for the advice when its batch is open. */
  private readonly batchInputShapeGiven: boolean;
  /** States set before the build (tfjs's order, detached copies), handed to the cells when it builds; null: zeros. */
  private pendingStates: Tensor[] | null = null;
  readonly unroll: boolean;
  readonly zeroOutputForMask: boolean;

  constructor(args: RNNLayerArgs) {
    // Keras's RNN(LSTMCell(8)): the cell read as options gave "unknown option 'id'".
    if (args instanceof Layer) throw positionalFormError('RNN', [args], 'rl.layers.rnn') as Error;
    if (typeof args !== 'object' || args === null) throw new Error(`rnn: expected an options object like {cell: rl.layers.lstmCell({units: 8})}, got ${describe(args)}`);
    const raw = args as unknown as Record<string, unknown>;
    const dimShape = dimInputShape(args);
    super({ ...args, stateful: undefined, unroll: undefined, ...(dimShape ? { inputShape: dimShape, inputDim: undefined } : {}) } as LayerArgs, 'rnn');
    const where = `${this.name} (RNN)`;
    // Cell options such as units are unknown here: they go to the cell.
    checkOptionKeys('rl.layers.rnn', raw, OWN_OPTIONS);
    checkInputLength(where, args);
    this.returnSequences = checkBool(where, 'returnSequences', args.returnSequences, false);
    this.returnState = checkBool(where, 'returnState', args.returnState, false);
    this.goBackwards = checkBool(where, 'goBackwards', args.goBackwards, false);
    this.statefulFlag = checkBool(where, 'stateful', args.stateful, false);
    this.batchInputShapeGiven = args.batchInputShape !== undefined && args.batchInputShape !== null;
    this.unroll = checkBool(where, 'unroll', args.unroll, false);
    this.zeroOutputForMask = checkBool(where, 'zeroOutputForMask', args.zeroOutputForMask, false);
    const given = args.cell as unknown;
    if (given === undefined || given === null) throw new Error(`${where}: missing required field 'cell' (rl.layers.lstmCell({units}) or a list of cells)`);
    if (Array.isArray(given)) this.cell = new StackedRNNCells({ cells: checkCells(where, given) });
    else if (given instanceof RNNCell || given instanceof StackedRNNCells || isUserCell(given)) this.cell = given as Layer;
    else {
      const got = given instanceof Layer ? `${given.className} without stateSize` : describe(given);
      throw new Error(`${where}: cell must be a SimpleRNNCell, LSTMCell, GRUCell, a user's cell (a layer with stateSize whose call([x, ...states]) returns [output, ...newStates]), a list of cells or a StackedRNNCells, got ${got}`);
    }
    refuseCallOverride(where, this.cell);
    this.cells = this.cell instanceof StackedRNNCells ? this.cell.cells : [this.cell];
    this.drivers = this.cells.map(driverOf);
    const last = this.cells.length - 1;
    // Inner cells hand their whole sequence to the next; only the first reads the input backwards (the rest see processing order).
    this.drivers.forEach((c, i) => c.adopt(this.name, { returnSequences: i < last || this.returnSequences, goBackwards: i === 0 && this.goBackwards, stateful: this.stateful }));
    // Held as a model holds a layer: the layer shares the cells' weights, which live while any holder does.
    for (const c of this.cells) c.modelRefs++;
  }

  protected override heldLayers(): Layer[] { return this.cells; }

  /**
   * The cell arrives as {className, config}. tfjs also spreads the cell's config into the layer's (units, cells, ...):
   * those keys are accepted when they repeat the cell's values, and an error where they differ. Keras's
   * from_config(config) or tfjs's fromConfig(cls, config) (see fromConfigArgs).
   */
  static fromConfig(this: typeof CellRNN, first: Record<string, unknown> | typeof CellRNN, second?: Record<string, unknown>): Layer {
    const { cls, config } = fromConfigArgs(this, 'RNN', first, second);
    const cell = deserializeLayer(config.cell, 'cell');
    const cellConfig = (config.cell as { config?: Record<string, unknown> }).config ?? {};
    const own: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) {
      if (OWN_OPTIONS.includes(k)) own[k] = v;
      else if (!Object.hasOwn(cellConfig, k)) throw new Error(`unknown option '${k}' (neither an RNN option nor one of its cell's)`);
      else if (!sameValue(v, cellConfig[k])) throw new Error(`${k} = ${describe(v)} disagrees with the cell's ${k} (config.cell)`);
    }
    return new cls({ ...own, cell } as unknown as RNNLayerArgs);
  }

  /** Fixed when the layer is made. */
  override get stateful(): boolean { return this.statefulFlag; }
  override set stateful(_value: boolean) { throw new Error(`${this.name} (RNN): stateful is fixed when the layer is made; make a new layer with stateful: ${!this.statefulFlag}`); }

  /** One entry per state tensor, tfjs's order (the last cell's states first). */
  get stateSize(): number[] { return this.cell instanceof StackedRNNCells ? this.cell.stateSize : this.drivers[0].stateSizes; }

  private get units(): number { return this.drivers[this.drivers.length - 1].units; }

  /** Each cell's input shape: the layer's input for the first, the previous cell's sequence for the rest. */
  private cellInputs(inputShape: SymbolicShape): SymbolicShape[] {
    if (inputShape.length !== 3 || inputShape[2] === null) throw new Error(`${this.name} (RNN): needs input (batch, steps, features), got ${kerasShape(inputShape)}`);
    return this.drivers.map((_c, i) => (i === 0 ? [...inputShape] : [inputShape[0], inputShape[1], this.drivers[i - 1].units]));
  }

  /** The name cell i's weights are made under (tfjs's): the layer's for one cell, its RNNCell_<i> in a stack. */
  private scopeName(i: number): string { return this.cells.length === 1 ? this.name : `${this.name}/RNNCell_${i}`; }

  weightSpecs(inputShape: SymbolicShape): WeightSpec[] {
    const shapes = this.cellInputs(inputShape);
    // A user's cell makes its weights in its own build, known only by running it.
    if (!this.built && this.cells.some(isUserCell)) this.build(inputShape);
    const specs = this.drivers.map((c, i) => ({ specs: c.sequenceWeightSpecs(shapes[i], this.scopeName(i), this.name), weights: c.weights }));
    return distinctSpecs(specs, this.name, `${this.name} (RNN)`);
  }

  build(inputShape: SymbolicShape): void {
    const shapes = this.cellInputs(inputShape);
    // Checked here so the error names this layer, not the engine of its first cell.
    if (this.stateful && inputShape[0] === null) {
      throw new Error(`${this.name} (RNN): stateful needs a fixed batch size; give the first layer batchInputShape `
        + `(or batchSize with inputShape), or rl.input a batchShape; got input ${kerasShape(inputShape)}`);
    }
    const set = this.pendingStates?.[0]?.shape[0];
    if (set !== undefined && set !== inputShape[0]) {
      throw new Error(`${this.name} (RNN): its states were set for batches of ${set} (batchInputShape) before it was built, `
        + `but it is built for input ${kerasShape(inputShape)}; call resetStates() first, or give it input of batch ${set}`);
    }
    this.drivers.forEach((c, i) => c.builtAs(this.scopeName(i), shapes[i]));
    this.weights = this.drivers.flatMap((c) => c.weights);
    // Built as a call of its own on a step builds it, so its outputShape and built answer as a single cell's do.
    if (this.cell instanceof StackedRNNCells) this.cell.builtByLayer([inputShape[0], inputShape[2]], this.weights);
    this.markBuilt(inputShape);
    if (this.pendingStates) {
      this.perCell(this.pendingStates).forEach((s, i) => this.drivers[i].engine.resetStates(s));
      this.pendingStates = null;
    }
  }

  weightPenalties(): WeightPenalty[] {
    return this.drivers.flatMap((c) => c.weightPenalties());
  }

  /** The output's shape alone (the states, with returnState, follow it in computeOutputShapes). */
  sequenceOutputShape(inputShape: SymbolicShape): SymbolicShape {
    this.cellInputs(inputShape);
    return this.returnSequences ? [inputShape[0], inputShape[1], this.units] : [inputShape[0], this.units];
  }

  /** tfjs's and Keras's: with returnState, the list [output, ...states] of shapes; else the output's shape. */
  computeMask(_inputs: Tensor | Tensor[], mask: Tensor | null | (Tensor | null)[]): Tensor | null {
    return sequenceOutputMask(this.returnSequences, mask);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (!this.returnState) return this.sequenceOutputShape(inputShape);
    return this.computeOutputShapes([inputShape]) as unknown as SymbolicShape;
  }

  /** apply([x, ...states]) is apply(x, {initialState: states}), as tfjs reads it. */
  override get takesInitialStateList(): boolean { return true; }

  /** [x, ...initialStates] (given as initialState or, as tfjs allows, in the input list) -> [output, ...finalStates]. */
  computeOutputShapes(inputShapes: SymbolicShape[]): SymbolicShape[] {
    const [x, ...states] = inputShapes;
    this.checkStates(states.map((s) => s as (number | null)[]), kerasShape);
    const out = this.sequenceOutputShape(x);
    return this.returnState ? [out, ...this.stateSize.map((u) => [x[0], u])] : [out];
  }

  buildFor(inputShapes: SymbolicShape[]): void {
    this.ensureBuilt(inputShapes[0]);
  }

  /** The initial states in tfjs's order: a count and a (batch, units) shape each. */
  private checkStates(shapes: (number | null)[][], show: (s: (number | null)[]) => string): void {
    if (shapes.length === 0) return;
    const sizes = this.stateSize;
    if (shapes.length !== sizes.length) throw new Error(`${this.name} (RNN): expected ${sizes.length} initial state tensor(s) (the last cell's first), got ${shapes.length}`);
    shapes.forEach((s, i) => {
      if (s.length !== 2 || (s[1] !== null && s[1] !== sizes[i])) throw new Error(`${this.name} (RNN): initial state ${i} must have shape (batch, ${sizes[i]}), got ${show(s)}`);
    });
  }

  /** A flat list in tfjs's order, split per cell in stacking order. */
  private perCell<T>(flat: T[]): T[][] {
    return this.cell instanceof StackedRNNCells ? this.cell.perCell(flat) : [flat];
  }

  private flatten<T>(perCell: T[][]): T[] {
    return this.cell instanceof StackedRNNCells ? this.cell.flatten(perCell) : perCell[0];
  }

  callTensors(inputs: Tensor[], ctx: CallContext): Tensor[] {
    const [x, ...states] = inputs;
    this.checkStates(states.map((s) => s.shape), (s) => `[${s.join(', ')}]`);
    this.checkInput(x);
    checkHasSteps(`${this.name} (RNN)`, x.shape);
    const initial = states.length ? this.perCell(states) : null;
    // Only the stack's output is zeroed (Keras's loop zeroes the step's output; each cell's states carry over).
    const mask = ctx.mask;
    // With goBackwards the first cell hands on its sequence in processing order (last step first): the cells after
    // it read the mask in that order too, so each skips the steps Keras's loop skips for the whole stack.
    const laterMask = mask && this.goBackwards && this.cells.length > 1 ? stepsReversed(mask, x.shape[0], x.shape[1]) : mask;
    let y = x;
    const finals: Tensor[][] = [];
    this.drivers.forEach((c, i) => {
      ctx.mask = i === 0 ? mask : laterMask;
      const r = c.engine.run(y, ctx, initial ? initial[i] : undefined);
      y = r.output;
      finals.push(r.states);
    });
    if (this.zeroOutputForMask && mask) y = zeroMaskedSteps(y, mask, x.shape[1], this.goBackwards);
    // The output's mask is the input's, in time order (Keras's compute_mask), and none without returnSequences.
    ctx.mask = this.returnSequences ? mask : null;
    return this.returnState ? [y, ...this.flatten(finals)] : [y];
  }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor {
    return this.callTensors([x], ctx)[0];
  }

  /** A stateful layer is built for the batch size it first sees (its cells check every later batch). */
  protected checkInput(x: Tensor): void {
    if (this.stateful && !this.built) this.build([...x.shape]);
    super.checkInput(x);
  }

  extraOutputsOption(): string | null { return this.returnState ? 'returnState' : null; }

  /** tfjs's resetStates(states?): zeros, or the given states (tfjs's order) as the next call's initial states. */
  resetStates(states?: Tensor | Tensor[] | null): void {
    if (!this.stateful) throw new Error(`${this.name} (RNN): resetStates() needs a layer made with stateful: true`);
    if (states === undefined || states === null) {
      this.pendingStates = null;
      for (const c of this.drivers) c.engine.resetStates();
      return;
    }
    const list = Array.isArray(states) ? states : [states];
    if (list.length !== this.stateSize.length) throw new Error(`${this.name} (RNN): resetStates expects ${this.stateSize.length} state tensor(s) (the last cell's first), got ${list.length}`);
    // Every state is checked before any cell takes its own, so a refused call leaves all cells as they were, and
    // the error names the index in the list given (each cell would count its own states from 0).
    const B = this.built ? this.getStates()[0]?.shape[0] : this.declaredBatch();
    const sizes = this.stateSize;
    list.forEach((s, j) => {
      if (!(s instanceof Tensor) || s.rank !== 2 || s.shape[0] !== B || s.shape[1] !== sizes[j]) {
        throw new Error(`${this.name} (RNN): resetStates: state ${j} must be a tensor of shape [${B}, ${sizes[j]}] (tfjs's order, the last cell's states first: [${sizes.map((u) => `[${B}, ${u}]`).join(', ')}]), got ${s instanceof Tensor ? `[${s.shape.join(', ')}]` : describe(s)}`);
      }
    });
    if (!this.built) { this.pendingStates = list.map(detachedCopy); return; }
    this.perCell(list).forEach((s, i) => this.drivers[i].engine.resetStates(s));
  }

  /** The states the next call of a stateful layer starts from, in tfjs's order. */
  getStates(): Tensor[] {
    if (!this.stateful) throw new Error(`${this.name} (RNN): getStates() needs a layer made with stateful: true`);
    if (!this.built) {
      const B = this.declaredBatch();
      return this.pendingStates ? this.pendingStates.map(detachedCopy)
        : this.stateSize.map((n) => new Tensor(allocPersistent(B * n).fill(0), [B, n], 'float32'));
    }
    return this.flatten(this.drivers.map((c) => c.engine.getStates()));
  }

  /**
   * A stateful layer's batch before its build, as simpleRNN, lstm and gru read it: batchInputShape's (or batchSize's),
   * which the build then binds; without one, an error saying what would fix it.
   */
  private declaredBatch(): number {
    const B = this.batchInputShape?.[0];
    if (typeof B === 'number') return B;
    const fix = !this.batchInputShape ? 'give it batchInputShape' : this.batchInputShapeGiven ? 'give its batchInputShape a batch size' : 'give it batchSize with its inputShape';
    throw new Error(`${this.name} (RNN): stateful layer is not built yet, so its batch size is unknown (${fix}, or call it once)`);
  }

  /**
   * tfjs's layer.states (tfjs's order): getStates() when stateful and its batch is known (built, or declared as
   * simpleRNN's, lstm's and gru's), else one null per state; assigning resets.
   */
  get states(): (Tensor | null)[] {
    if (!this.stateful || (!this.built && typeof this.batchInputShape?.[0] !== 'number')) return this.stateSize.map(() => null);
    return this.getStates();
  }

  set states(states: Tensor[]) { this.resetStates(states); }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), returnSequences: this.returnSequences, returnState: this.returnState, goBackwards: this.goBackwards,
      stateful: this.stateful, unroll: this.unroll, ...(this.zeroOutputForMask ? { zeroOutputForMask: true } : {}), cell: serializeLayer(this.cell) };
  }
}

/** A [B, T] mask with each row's steps in reverse order. */
function stepsReversed(mask: Uint8Array, B: number, T: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out[b * T + t] = mask[b * T + T - 1 - t];
  return out;
}

/** Config values compared as JSON (tfjs writes the same object twice). */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

registerLayer(CellRNN);
