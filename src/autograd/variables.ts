/**
 * tfjs-core's variables: rl.variable(x), x.variable(), rl.variableGrads(f, varList) (optimizer.minimize is in
 * src/optimizers/minimize.ts). f runs on an autograd tape (the differentiable ops of custom layers and
 * losses); without a varList, every live trainable variable made by rl.variable is a candidate, as tfjs's
 * registered variables are, and those f's cost depends on receive gradients.
 */
import { withTape } from './tape.js';
import { Tensor, toTensor, type DType, type TensorLike } from '../tensor.js';
import { Variable } from '../variable.js';

const live = new Set<WeakRef<Variable>>();
let nextId = 0;

declare module '../tensor.js' {
  interface Tensor {
    /** tfjs's tensor.variable(trainable = true, name?, dtype?): a Variable holding a copy of the values. */
    variable(trainable?: boolean, name?: string, dtype?: DType): Variable;
  }
}

/** tfjs's tf.variable(initialValue, trainable = true, name?, dtype?): float32 only (weights are float32). */
export function variable(initialValue: TensorLike, trainable = true, name?: string, dtype?: DType): Variable {
  const t = toTensor(initialValue, 'variable: initialValue');
  const dt = dtype ?? t.dtype;
  if (dt !== 'float32') throw new Error(`variable: dtype ${dt} is not supported (variables are float32); cast the initial value first`);
  const v = new Variable(name ?? String(nextId++), [...t.shape], trainable);
  v.assign(t.values);
  live.add(new WeakRef(v));
  return v;
}

Tensor.prototype.variable = function (this: Tensor, trainable?: boolean, name?: string, dtype?: DType): Variable {
  return variable(this, trainable, name, dtype);
};

function trainableVariables(): Variable[] {
  const out: Variable[] = [];
  for (const ref of live) {
    const v = ref.deref();
    if (!v) live.delete(ref);
    else if (v.trainable) out.push(v);
  }
  return out;
}

/** Runs f on a tape and fills .grad of the variables its scalar result depends on. */
export function costAndGradients(f: () => Tensor, varList: Variable[] | undefined, what: string): { cost: Tensor; vars: Variable[] } {
  const vars = varList ?? trainableVariables();
  if (varList !== undefined && !varList.every((v) => v instanceof Variable)) throw new Error(`${what}: varList must hold rl.variable()s`);
  for (const v of vars) v.grad = null;
  const { value, backward } = withTape(() => {
    const y = f();
    if (!(y instanceof Tensor)) throw new Error(`${what}: f must return a Tensor`);
    if (y.size !== 1) throw new Error(`${what}: f must return a scalar, got shape [${y.shape.join(', ')}]`);
    return y;
  });
  backward(value);
  const used = vars.filter((v) => v.grad);
  if (used.length === 0) throw new Error(`${what}: the cost does not depend on any trainable variable through differentiable ops`);
  return { cost: new Tensor(Float32Array.from(value.values), [], 'float32'), vars: used };
}

/** tfjs's variableGrads(f, varList?): {value, grads: {variableName: gradient}}. */
export function variableGrads(f: () => Tensor, varList?: Variable[]): { value: Tensor; grads: Record<string, Tensor> } {
  const { cost, vars } = costAndGradients(f, varList, 'variableGrads');
  const grads = Object.fromEntries(vars.map((v) => [v.name, new Tensor(Float32Array.from(v.grad!), [...v.shape], 'float32')]));
  for (const v of vars) v.grad = null;
  return { value: cost, grads };
}
