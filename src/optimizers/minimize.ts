/** tfjs's optimizer.minimize(f, returnCost, varList), on every rnnlab optimizer. */
import { costAndGradients } from '../autograd/variables.js';
import { track } from '../ops/memory.js';
import type { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { Optimizer } from './optimizer.js';

declare module './optimizer.js' {
  interface Optimizer {
    /** tfjs's minimize: one step on the variables f's scalar cost depends on; the cost when returnCost. */
    minimize(f: () => Tensor, returnCost?: boolean, varList?: Variable[] | null): Tensor | null;
  }
}

Optimizer.prototype.minimize = function (this: Optimizer, f: () => Tensor, returnCost = false, varList?: Variable[] | null): Tensor | null {
  const { cost, grads } = costAndGradients(f, varList, `${this.className}.minimize`);
  const vars = [...grads.keys()];
  for (const [v, g] of grads) v.grad = g;
  // A refused step (a bad learning rate) must not leave these gradients for the next fit step to add in.
  try { this.applyGradients(vars); } finally { for (const v of vars) v.grad = null; }
  // f's tensors were disposed with the step; the cost handed back is the caller's, counted as tfjs counts it.
  return returnCost ? track(cost) : null;
};
