/** Trainable state: a tensor that receives gradients and that optimizers update in place. */
import { allocPersistent } from './backend/index.js';
import { markWeightWritten } from './backend/bf16_weight_cache.js';
import { Tensor, type Shape } from './tensor.js';

export class Variable extends Tensor {
  /** Applied in place after every optimizer step (Keras's weight constraints). */
  constraint: { apply(w: Float32Array | Float64Array, shape: readonly number[]): void } | null = null;

  constructor(public readonly name: string, shape: Shape, public trainable = true) {
    super(allocPersistent(shape.reduce((a, b) => a * b, 1)), shape, 'float32');
    this.requiresGrad = trainable;
  }

  /** Copies values in, checking the count: the safe way to load weights. */
  assign(given: ArrayLike<number> | Tensor): void {
    // tfjs's v.assign(tensor) checks the shape; flat arrays only the count.
    if (given instanceof Tensor && given.shape.join() !== this.shape.join()) {
      throw new Error(`weight '${this.name}': assign expected shape [${this.shape.join(', ')}], got [${given.shape.join(', ')}]`);
    }
    const values = given instanceof Tensor ? given.values : given;
    if (values.length !== this.size) {
      throw new Error(`weight '${this.name}': expected ${this.size} values for shape [${this.shape.join(', ')}], got ${values.length}`);
    }
    (this.values as Float32Array).set(values);
    markWeightWritten(this.values as Float32Array);
  }
}
