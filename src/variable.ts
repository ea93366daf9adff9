/** Trainable state: a tensor that receives gradients and that optimizers update in place. */
import { allocPersistent, type FArray } from './backend/index.js';
import { markWeightWritten } from './backend/bf16_weight_cache.js';
import { Tensor, type Rank, type Shape } from './tensor.js';

/**
 * Every Variable alive (rl.variable's and layers' weights), held weakly: tfjs registers both kinds with its engine,
 * and variableGrads / minimize without a varList consider all trainable ones, and applyGradients finds them by name.
 * V8 keeps a WeakRef's target alive until the running job ends, which in an async loop of awaits can be the whole
 * loop: dispose() (a model's or a layer's) therefore drops the variable's own reference to its values and takes it out
 * of this set, so the values can go at the next collection even while the Variable object is still held; dispose()
 * frees nothing itself, and values another tensor still shares stay.
 */
const everyVariable = new Set<WeakRef<Variable>>();
const forget = new FinalizationRegistry<WeakRef<Variable>>((ref) => everyVariable.delete(ref));

/** The Variables not yet garbage-collected (disposed ones included: callers filter). */
export function allVariables(): Variable[] {
  const out: Variable[] = [];
  for (const ref of everyVariable) {
    const v = ref.deref();
    if (v) out.push(v);
    else everyVariable.delete(ref);
  }
  return out;
}

/**
 * A weight's constraint, applied in place on its flat values: rl.Constraint's constrainInPlace (which also runs a
 * subclass's tensor-returning apply(w)), or any object whose apply(values, shape) works in place.
 */
export type WeightConstraint =
  | { constrainInPlace(w: Float32Array | Float64Array, shape: readonly number[]): void }
  | { apply(w: Float32Array | Float64Array, shape: readonly number[]): void };

export function applyConstraint(c: WeightConstraint, values: Float32Array | Float64Array, shape: readonly number[]): void {
  if ('constrainInPlace' in c) c.constrainInPlace(values, shape);
  else c.apply(values, shape);
}

/** What keeps state per variable (an optimizer's slots): told when the variable is disposed, to drop that state. */
export interface PerVariableState { forgetVariable(v: Variable): void }

/** R: tfjs's rank parameter (tf.Variable<tf.Rank.R2>), as Tensor's. */
export class Variable<R extends Rank = Rank> extends Tensor<R> {
  /** Applied in place after every optimizer step (Keras's weight constraints), by applyConstraint. */
  constraint: WeightConstraint | null = null;

  private trainableFlag = true;
  /** This variable's entry in everyVariable. */
  private readonly registryEntry: WeakRef<Variable>;

  constructor(public readonly name: string, shape: Shape, trainable = true) {
    super(allocPersistent(shape.reduce((a, b) => a * b, 1)), shape, 'float32');
    this.trainable = trainable;
    this.registryEntry = new WeakRef(this);
    everyVariable.add(this.registryEntry);
    forget.register(this, this.registryEntry, this);
  }

  /** Who keeps state for this variable, held weakly: a variable outliving its optimizer must not keep it alive. */
  private stateHolders: Set<WeakRef<PerVariableState>> | null = null;

  /**
   * tfjs's dispose(): the values become unreadable (left to the next collection), the variable is no longer among
   * allVariables(), and every optimizer drops its slots for it (an optimizer shared by a loop of models would otherwise
   * keep each disposed model's slots).
   */
  override dispose(): void {
    super.dispose();
    everyVariable.delete(this.registryEntry);
    forget.unregister(this);
    for (const ref of this.stateHolders ?? []) ref.deref()?.forgetVariable(this);
    this.stateHolders = null;
  }

  /** Registers `holder` (a WeakRef the holder keeps to itself, so repeats are one entry) to hear of dispose(). */
  keptBy(holder: WeakRef<PerVariableState>): void {
    (this.stateHolders ??= new Set()).add(holder);
  }

  /** tfjs's variable.trainable: setting it turns the variable's gradients on or off with it (tfjs code flips it). */
  get trainable(): boolean { return this.trainableFlag; }
  set trainable(value: boolean) {
    checkTrainable(value, `variable '${this.name}'`);
    this.trainableFlag = value;
    this.requiresGrad = value;
  }

  /**
   * tfjs's LayerVariable.val, the tf.Variable behind a layer's weight: here the weight is that variable, so tfjs code
   * passing `layer.trainableWeights.map((w) => w.val)` to minimize or variableGrads runs unchanged.
   */
  get val(): Variable { return this; }

  /** Copies values in, checking the count: the safe way to load weights. */
  assign(given: ArrayLike<number> | Tensor): void {
    // tfjs's v.assign(tensor) checks the shape and the dtype; flat arrays (weight loading) only the count.
    if (given instanceof Tensor && given.shape.join() !== this.shape.join()) {
      throw new Error(`weight '${this.name}': assign expected shape [${this.shape.join(', ')}], got [${given.shape.join(', ')}]`);
    }
    if (given instanceof Tensor && given.dtype !== this.dtype) {
      throw new Error(`weight '${this.name}': assign expected dtype ${this.dtype}, got ${given.dtype} (cast the value first)`);
    }
    const values = given instanceof Tensor ? given.values : given;
    if (!(given instanceof Tensor) && !ArrayBuffer.isView(given)) checkFlatNumbers(this.name, this.shape, given);
    if (values.length !== this.size) {
      throw new Error(`weight '${this.name}': expected ${this.size} values for shape [${this.shape.join(', ')}], got ${values.length}`);
    }
    (this.values as Float32Array).set(values);
    markWeightWritten(this.values as Float32Array);
  }

  /** A copy: optimizers and assign write the values in place, and tfjs's dataSync() of a variable keeps its value. */
  override dataSync(): FArray { return (this.values as FArray).slice(); }

  override viewValues(): FArray { return (this.values as FArray).slice(); }

  /** tfjs's LayerVariable.read(): the weight is its own value here. */
  read(): Tensor {
    return this;
  }

  /**
   * tfjs's LayerVariable.write(): assign, then the weight's constraint, as after an optimizer step. tfjs skips a write
   * of the variable to itself, constraint included.
   */
  write(newValue: Tensor): this {
    if (!(newValue instanceof Tensor)) throw new Error(`weight '${this.name}': write expects a Tensor`);
    if (newValue !== this) this.assignConstrained(newValue);
    return this;
  }

  /**
   * write() for flat arrays too: what every tfjs weight-setting entry (setWeights, loadWeights, loadLayersModel)
   * does. assign stays raw, as tf.Variable.assign is, for restores that must give back the exact values.
   */
  assignConstrained(given: ArrayLike<number> | Tensor): void {
    this.assign(given);
    if (this.constraint) {
      applyConstraint(this.constraint, this.values as Float32Array, this.shape);
      markWeightWritten(this.values as Float32Array);
    }
  }

  /** tfjs's LayerVariable.originalName: names are not uniquified here, so it is the name. */
  get originalName(): string {
    return this.name;
  }
}

/** A truthy non-boolean ('false') would train: trainable must be a boolean wherever it is given. */
export function checkTrainable(value: unknown, owner: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw new Error(`${owner}: trainable must be true or false, got ${JSON.stringify(value) ?? String(value)}`);
}

/** The nested shape of a JS array (its first elements' lengths), for messages. */
function nestedShape(a: unknown): number[] {
  const shape: number[] = [];
  for (let x = a; Array.isArray(x); x = x[0]) shape.push(x.length);
  return shape;
}

/** A plain array given as a weight's values must be flat numbers: Float32Array.set turns anything else into NaN. */
function checkFlatNumbers(name: string, shape: readonly number[], given: ArrayLike<unknown>): void {
  for (let i = 0; i < given.length; i++) {
    const v = given[i];
    if (typeof v === 'number') continue;
    const what = Array.isArray(given) && Array.isArray(v) ? `a nested array of shape [${nestedShape(given).join(', ')}]` : `${JSON.stringify(v) ?? String(v)} at index ${i}`;
    throw new Error(`weight '${name}': expected a Tensor or a flat array of ${shape.reduce((a, b) => a * b, 1)} numbers for shape [${shape.join(', ')}], got ${what}`);
  }
}
