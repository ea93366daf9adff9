/** Trainable state: a tensor that receives gradients and that optimizers update in place. */
import { allocPersistent, type FArray } from './backend/index.js';
import { markWeightWritten } from './backend/bf16_weight_cache.js';
import { Tensor, type Shape } from './tensor.js';

/**
 * Every Variable alive (rl.variable's and layers' weights), held weakly: tfjs registers both kinds with its engine,
 * and variableGrads / minimize without a varList consider all trainable ones.
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

export class Variable extends Tensor {
  /** Applied in place after every optimizer step (Keras's weight constraints). */
  constraint: { apply(w: Float32Array | Float64Array, shape: readonly number[]): void } | null = null;

  private trainableFlag: boolean;

  constructor(public readonly name: string, shape: Shape, trainable = true) {
    super(allocPersistent(shape.reduce((a, b) => a * b, 1)), shape, 'float32');
    this.trainableFlag = trainable;
    this.requiresGrad = trainable;
    const ref = new WeakRef(this);
    everyVariable.add(ref);
    forget.register(this, ref);
  }

  /** tfjs's variable.trainable: setting it turns the variable's gradients on or off with it (tfjs code flips it). */
  get trainable(): boolean { return this.trainableFlag; }
  set trainable(value: boolean) {
    if (typeof value !== 'boolean') throw new Error(`variable '${this.name}': trainable must be true or false, got ${JSON.stringify(value)}`);
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

  /** tfjs's LayerVariable.write(): assign, then the weight's constraint, as after an optimizer step. */
  write(newValue: Tensor): this {
    if (!(newValue instanceof Tensor)) throw new Error(`weight '${this.name}': write expects a Tensor`);
    this.assign(newValue);
    if (this.constraint) {
      this.constraint.apply(this.values as Float32Array, this.shape);
      markWeightWritten(this.values as Float32Array);
    }
    return this;
  }

  /** tfjs's LayerVariable.originalName: names are not uniquified here, so it is the name. */
  get originalName(): string {
    return this.name;
  }
}
