/**
 * A user's recurrent cell inside rl.layers.rnn({cell}): any layer with tfjs's `stateSize` (a size, or one per state)
 * whose call([x_t, ...states], kwargs) returns [output, ...newStates], as tfjs's RNN takes one (Keras's cells with
 * state_size are the same contract). rnnlab's own cells run whole sequences on the fused kernels; a user's cell runs
 * step by step here, each step its own call on the autograd tape, so it trains through the ops it uses. The loop
 * follows Keras's: a masked step keeps every state and repeats the previous output (zeros before the first), and
 * with goBackwards the steps are read last first and the outputs come in that order.
 */
import { stack, unstack, where as select } from '../autograd/differentiable_ops.js';
import { describe } from '../describe.js';
import { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { Layer, builtByEngine, kerasShape, madeWhileBuilding, type CallContext, type SymbolicShape, type WeightPenalty, type WeightSpec } from './layer.js';
import type { CellWeightSpec, SequenceOptions } from './cell_driver.js';
import { detachedCopy } from './recurrent.js';

/** A layer that is a user's cell: it says its state sizes (rnnlab's own cells are RNNCell and StackedRNNCells). */
export function hasStateSize(cell: unknown): cell is Layer {
  return cell instanceof Layer && (cell as { stateSize?: unknown }).stateSize !== undefined;
}

/** The cell's stateSize as a list of sizes, checked (tfjs takes a number or a list of numbers). */
export function userStateSizes(cell: Layer): number[] {
  const raw = (cell as unknown as { stateSize: unknown }).stateSize;
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0 || !list.every((d) => Number.isInteger(d) && (d as number) > 0)) {
    throw new Error(`${cell.name} (${cell.className}): stateSize must be a positive integer or a non-empty list of them (one per state), got ${Array.isArray(raw) ? `[${raw.map((d) => (typeof d === 'number' ? String(d) : describe(d))).join(', ')}]` : describe(raw)}`);
  }
  return list as number[];
}

/** The size of each step's output: Keras's output_size when the cell gives one (outputSize), else the first state's. */
export function userOutputSize(cell: Layer): number {
  const given = (cell as unknown as { outputSize?: unknown }).outputSize;
  if (given === undefined || given === null) return userStateSizes(cell)[0];
  if (!Number.isInteger(given) || (given as number) <= 0) throw new Error(`${cell.name} (${cell.className}): outputSize must be a positive integer, got ${describe(given)}`);
  return given as number;
}

/** The sequence loop over one user's cell, with the same face as a built-in cell's engine (CellDriver, cell_driver.ts). */
export class UserCellLoop {
  /** The rnn layer that owns the cell, once given to one. */
  owner: string | null = null;
  private seq: SequenceOptions = { returnSequences: false, goBackwards: false, stateful: false };
  /** A stateful layer's final states of its last call (detached copies); null: zeros. */
  private carried: Tensor[] | null = null;
  /** The batch size a stateful layer was built for. */
  private batch: number | null = null;
  /** The cell came marked built by its constructor: the rnn still runs its build, as tfjs's RNN.build always does. */
  private builtByConstructor = false;

  constructor(readonly cell: Layer) {
    userStateSizes(cell);
    userOutputSize(cell);
  }

  private get where(): string { return `${this.cell.name} (${this.cell.className})`; }
  get units(): number { return userOutputSize(this.cell); }
  get stateSizes(): number[] { return userStateSizes(this.cell); }
  get weights(): Variable[] { return this.cell.weights; }
  get built(): boolean { return this.cell.built && !this.builtByConstructor; }
  weightPenalties(): WeightPenalty[] { return this.cell.weightPenalties(); }
  /** The loop is its own engine: CellRNN runs `driver.engine.run(...)` for every kind of cell. */
  get engine(): UserCellLoop { return this; }

  adopt(owner: string, seq: SequenceOptions): void {
    if (this.owner !== null) throw new Error(`${this.where}: the cell already belongs to rnn layer '${this.owner}'; give each rnn layer its own cells`);
    // Built by a call of its own, its build made its weights under its own name ('<cell>/k'), not the rnn's. One that
    // set built in its constructor (tfjs's RNN takes it, its weights named bare) is built again by the rnn, as tfjs does;
    // so is one whose build() the user called directly, which the engine cannot tell apart (see refuseRemade).
    if (this.cell.built && builtByEngine(this.cell)) throw new Error(`${this.where}: the cell was already built by a call of its own; give the rnn layer a new cell`);
    this.builtByConstructor = this.cell.built;
    this.owner = owner;
    this.seq = seq;
  }

  /**
   * tfjs's cell.build(stepShape) with stepShape [batch, features], the weights named under `scope` as tfjs names them
   * (<rnn>/<weight>, or <rnn>/RNNCell_<i>/<weight> in a stack): the cell carries that name while it builds.
   */
  builtAs(scope: string, inputShape: SymbolicShape): void {
    if (this.cell.built && !this.builtByConstructor) return;
    if (inputShape.length !== 3 || inputShape[2] === null) throw new Error(`${this.where}: needs input (batch, steps, features), got ${kerasShape(inputShape)}`);
    if (this.seq.stateful && inputShape[0] === null) {
      throw new Error(`${this.owner} (RNN): stateful needs a fixed batch size; give the first layer batchInputShape (or batchSize with inputShape), or rl.input a batchShape; got input ${kerasShape(inputShape)}`);
    }
    const cameBuilt = this.builtByConstructor;
    this.builtByConstructor = false;
    runCellBuild(this.cell, scope, [inputShape[0], inputShape[2]], cameBuilt, { what: 'the rnn layer', tfjs: "tfjs's RNN" });
    this.batch = inputShape[0];
  }

  /** What the build made, as specs named relative to the rnn layer (a user's build is known only by running it); see distinctSpecs. */
  sequenceWeightSpecs(_inputShape: SymbolicShape, scope: string, layer: string): CellWeightSpec[] {
    if (!this.cell.built || this.builtByConstructor) throw new Error(`${this.where}: a user's cell creates its weights in its build; build the rnn layer first`);
    return cellWeightSpecs(this.cell.weights, scope, layer, this.where);
  }

  /** The cell over x [batch, steps, features]: the output (sequence or last step) and the final states. */
  run(x: Tensor, ctx: CallContext, initialState?: Tensor[]): { output: Tensor; states: Tensor[] } {
    const where = this.where;
    if (x.rank !== 3) throw new Error(`${where}: expected input of rank 3 (batch, steps, features), got [${x.shape.join(', ')}]`);
    const [B, T] = x.shape;
    if (T === 0) throw new Error(`${where}: the input has no time steps`);
    if (ctx.stateGrads) throw new Error(`${where}: per-step state gradients are recorded for SimpleRNN, LSTM and GRU cells, not a user's cell`);
    const sizes = this.stateSizes, units = this.units;
    if (this.seq.stateful) {
      // The model's fit, evaluate, predict and their kin check first, naming their own options; this is a direct call's.
      if (B !== this.batch) {
        throw new Error(`${this.owner} (RNN): stateful layer was built for batches of ${this.batch}, got a batch of ${B}; every call must have ${this.batch} samples `
          + `(fit, evaluate, predict: batchSize ${this.batch}; a dataset: .batch(${this.batch}))`);
      }
      initialState ??= this.carried ?? undefined;
    }
    let states = initialState ? this.checkStates(initialState, B, 'initial state') : sizes.map((s) => zeros(B, s));
    const mask = ctx.mask;
    if (mask && mask.length !== B * T) throw new Error(`${where}: mask has ${mask.length} entries, but input [${x.shape.join(', ')}] needs ${B * T} (batch x steps)`);
    const steps = unstack(x, 1);
    const stepCtx: CallContext = { training: ctx.training, mask: null };
    const outputs: Tensor[] = [];
    let previous: Tensor | null = null;
    for (let k = 0; k < T; k++) {
      const t = this.seq.goBackwards ? T - 1 - k : k;
      const result = this.cell.callTensors([steps[t], ...states], stepCtx, false, 1 + states.length);
      if (result.length !== 1 + sizes.length) {
        throw new Error(`${where}: call([x, ...states]) must return [output, ...newStates] (${1 + sizes.length} tensors, as stateSize has ${sizes.length}), got ${result.length}`);
      }
      let [out, ...next] = result;
      if (out.rank !== 2 || out.shape[0] !== B || out.shape[1] !== units) {
        throw new Error(`${where}: a step's output must have shape [${B}, ${units}] (outputSize, or stateSize's first), got [${out.shape.join(', ')}]`);
      }
      next = this.checkStates(next, B, 'new state', sizes);
      const keep = mask ? stepMask(mask, B, T, t) : null;
      if (keep) {
        out = select(keep, out, previous ?? zeros(B, units));
        next = next.map((s, i) => select(keep, s, states[i]));
      }
      states = next;
      previous = out;
      outputs.push(out);
    }
    const sequenceNeeded = this.seq.returnSequences || ctx.trace;
    const sequence = sequenceNeeded ? stack(outputs, 1) : null;
    if (ctx.trace) ctx.trace.push({ layer: this.owner ?? this.cell.name, className: this.cell.className, hiddenStates: sequence! });
    if (this.seq.stateful) this.carried = states.map(detachedCopy);
    return { output: this.seq.returnSequences ? sequence! : outputs[T - 1], states };
  }

  private checkStates(states: Tensor[], B: number, what: string, sizes = this.stateSizes): Tensor[] {
    if (states.length !== sizes.length) throw new Error(`${this.where}: expected ${sizes.length} ${what}(s), got ${states.length}`);
    states.forEach((s, i) => {
      if (!(s instanceof Tensor) || s.rank !== 2 || s.shape[0] !== B || s.shape[1] !== sizes[i]) {
        throw new Error(`${this.where}: ${what} ${i} must have shape [${B}, ${sizes[i]}] (stateSize), got ${s instanceof Tensor ? `[${s.shape.join(', ')}]` : describe(s)}`);
      }
    });
    return states;
  }

  /** Zeros, or the given states (one per stateSize entry) as the next call's initial states. */
  resetStates(states?: Tensor[]): void {
    if (states === undefined) { this.carried = null; return; }
    this.carried = this.checkStates(states, this.statefulBatch(), 'state').map(detachedCopy);
  }

  /** The states the next call of a stateful layer starts from (zeros after a reset); copies. */
  getStates(): Tensor[] {
    const B = this.statefulBatch();
    return this.carried ? this.carried.map(detachedCopy) : this.stateSizes.map((s) => zeros(B, s));
  }

  private statefulBatch(): number {
    if (this.batch === null) throw new Error(`${this.owner} (RNN): stateful layer is not built yet, so its batch size is unknown`);
    return this.batch;
  }
}

/** tfjs's cell.build(stepShape), stepShape [batch, features]; the step's output has outputSize units. */
export function buildUserCell(cell: Layer, stepShape: SymbolicShape): void {
  cell.buildAsCell(stepShape, userStateSizes(cell), [stepShape[0], userOutputSize(cell)]);
}

/**
 * A user's cell built under `scope` for a step's x [batch, features], as tfjs's RNN and StackedRNNCells call
 * cell.build whatever its built flag says: one that came built (cameBuilt: its constructor set built) is built
 * again. A weight that build makes which the cell already has is refused: its build ran before, in a build() call of
 * its own (which the engine cannot see, so the cell passed as one whose constructor set built), or its constructor
 * made a weight of that name (an unbuilt cell's clash is distinctSpecs's). tfjs runs the build all the same and fails
 * ("Duplicate weight name k"). `by`: who runs the build, and tfjs's class that does.
 */
export function runCellBuild(cell: Layer, scope: string, stepShape: SymbolicShape, cameBuilt: boolean, by: { what: string; tfjs: string }): void {
  const had = cameBuilt ? cell.weights.slice() : null;
  cell.built = false;
  whileNamed(cell, scope, () => buildUserCell(cell, stepShape));
  if (!had) return;
  const own = (w: Variable) => (w.name.startsWith(`${cell.name}/`) ? w.name.slice(cell.name.length + 1) : w.name.slice(w.name.lastIndexOf('/') + 1));
  for (const w of cell.weights) {
    if (had.includes(w) || !w.name.startsWith(`${scope}/`)) continue;
    const old = had.find((o) => own(o) === w.name.slice(scope.length + 1));
    if (old) {
      throw new Error(`${cell.name} (${cell.className}): ${by.what} runs the cell's build (as ${by.tfjs} does), which makes weight '${own(old)}' again ('${w.name}'; the cell has '${old.name}'): `
        + `its build ran before, in a build() call of its own, so give ${by.what} a new cell whose build has not run (or, if its constructor made that weight, give it another name)`);
    }
  }
}

/** fn with the layer carrying `name`: what it builds is named under that scope (tfjs's nameScope), then its own name again. */
export function whileNamed(layer: Layer, name: string, fn: () => void): void {
  const own = layer.name;
  layer.name = name;
  try {
    fn();
  } finally {
    layer.name = own;
  }
}

/**
 * One cell's built weights as specs named relative to the rnn layer (or stack) `layer`, its build's weights under its
 * scope ('<layer>' or '<layer>/RNNCell_<i>', tfjs's names); each spec's initializer gives the weight's current values.
 * A weight made outside any build (the cell's constructor) is named by its leaf ('g', saved '<layer>/g') wherever the
 * cell sits, as tfjs names it bare ('g') and its loadWeights reads '<layer>/g' as 'g' (not '<layer>/RNNCell_0/g',
 * which it reads as '<layer>/g'); rnnlab's loaders pair tfjs's bare 'g' with it. In a stack it keeps its scope
 * (`scoped`, rnnlab's name before) where another cell's weight has that leaf too: see distinctSpecs.
 */
export function cellWeightSpecs(weights: Variable[], scope: string, layer: string, where: string): CellWeightSpec[] {
  const under = `${scope}/`.slice(layer.length + 1);
  return weights.map((w) => {
    const spec = { shape: [...w.shape], initializer: (_s: number[], out: Float32Array) => out.set(w.values as Float32Array) };
    if (w.name.startsWith(`${scope}/`)) return { name: under + w.name.slice(scope.length + 1), ...spec };
    // A layer the cell holds that is also applied in a graph keeps its own name: its weight cannot be saved under scope.
    if (madeWhileBuilding(w)) throw new Error(`${where}: weight '${w.name}' was made by a build outside '${scope}/' (a layer the cell holds that is also used outside it?); rnn saves a cell's weights under its own name`);
    const leaf = w.name.slice(w.name.lastIndexOf('/') + 1);
    return { name: leaf, ...spec, ...(under ? { scoped: under + leaf } : {}) };
  });
}

/** A stack's cells' specs (cellWeightSpecs each), checked by distinctSpecs. */
export function builtWeightSpecs(cells: { weights: Variable[]; scope: string }[], layer: string, where: string): WeightSpec[] {
  return distinctSpecs(cells.map(({ weights, scope }) => ({ weights, specs: cellWeightSpecs(weights, scope, layer, where) })), layer, where);
}

/**
 * The specs of an rnn's cells (each cell's aligned with its weights once built). A constructor's weight whose leaf
 * another weight of the stack shares (two instances of one cell class) keeps its scope, '<layer>/RNNCell_<i>/g', as
 * rnnlab saved it before, so such files still load (tfjs names both 'g' and reads neither). Two left with one name
 * (in one cell, a constructor's weight and a build's) are an error naming both.
 */
export function distinctSpecs(cells: { specs: CellWeightSpec[]; weights: Variable[] }[], layer: string, where: string): WeightSpec[] {
  const given = cells.flatMap((c) => c.specs);
  const shared = (name: string) => given.filter((o) => o.name === name).length > 1;
  const specs = given.map(({ scoped, ...sp }) => (scoped !== undefined && shared(sp.name) ? { ...sp, name: scoped } : sp));
  const names = cells.flatMap((c) => c.specs.map((sp, k) => c.weights[k]?.name ?? `${layer}/${sp.name}`));
  specs.forEach((sp, i) => {
    const j = specs.findIndex((o) => o.name === sp.name);
    if (j < i) {
      throw new Error(`${where}: weights '${names[j]}' and '${names[i]}' would both be saved as '${layer}/${sp.name}' (a weight a cell makes outside the rnn's build, in its constructor or a build() call of its own, is saved under its bare name, as tfjs names it); give them different names`);
    }
  });
  return specs;
}

/** Step t's mask as a bool [B, 1] (broadcast over units), or null when every row is real at t. */
function stepMask(mask: Uint8Array, B: number, T: number, t: number): Tensor | null {
  const col = new Int32Array(B);
  let all = true;
  for (let b = 0; b < B; b++) {
    col[b] = mask[b * T + t] ? 1 : 0;
    all &&= col[b] === 1;
  }
  return all ? null : new Tensor(col, [B, 1], 'bool');
}

function zeros(B: number, n: number): Tensor {
  return new Tensor(new Float32Array(B * n), [B, n], 'float32');
}
