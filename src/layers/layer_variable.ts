/**
 * tfjs's tf.LayerVariable, for the instanceof checks and type names tfjs code uses on layer weights: a layer's weight
 * here is an rl.Variable (its own value, with tfjs's read(), val and trainable), so any Variable passes.
 */
import { Variable } from '../variable.js';

export const LayerVariable: { new (...args: never[]): Variable; [Symbol.hasInstance](v: unknown): boolean } = class LayerVariable {
  // tfjs's constructor (val, dtype, name, trainable, constraint) makes a free weight; rnnlab's come from addWeight.
  constructor() {
    throw new Error('rl.LayerVariable is for instanceof checks only: a layer makes its weights with addWeight, and rl.variable(value, trainable, name) makes a free one');
  }
  static [Symbol.hasInstance](v: unknown): boolean { return v instanceof Variable; }
} as never;
export type LayerVariable = Variable;
