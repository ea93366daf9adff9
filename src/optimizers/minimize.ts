/** tfjs's optimizer.minimize(f, returnCost, varList), on every rnnlab optimizer. */
import { costAndGradients } from '../autograd/variables.js';
import { track } from '../ops/memory.js';
import type { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { Optimizer } from './optimizer.js';

declare module './optimizer.js' {
  interface Optimizer {
    /** tfjs's minimize: one step on the variables f's scalar cost depends on; the cost when returnCost. */
    minimize(f: () => Tensor, returnCost?: boolean, varList?: Variable[]): Tensor | null;
  }
}

Optimizer.prototype.minimize = function (this: Optimizer, f: () => Tensor, returnCost = false, varList?: Variable[]): Tensor | null {
  const { cost, vars } = costAndGradients(f, varList, `${this.className}.minimize`);
  this.applyGradients(vars);
  // f's tensors were disposed with the step; the cost handed back is the caller's, counted as tfjs counts it.
  return returnCost ? track(cost) : null;
};
