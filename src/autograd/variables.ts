/**
 * tfjs-core's variables: rl.variable(x), x.variable(), rl.variableGrads(f, varList) (optimizer.minimize is in
 * src/optimizers/minimize.ts). f runs on an autograd tape (the differentiable ops of custom layers and
 * losses); without a varList, every live trainable variable is a candidate (rl.variable's and the weights of
 * layers not frozen), as tfjs's registered variables are, and those f's cost depends on receive gradients.
 */
import { recordNestedGradient, withTape } from './tape.js';
import type { FArray } from '../backend/index.js';
import { Tensor, toTensor, type DType, type TensorLike } from '../tensor.js';
import { allVariables, checkTrainable, Variable } from '../variable.js';
import { dispose, isDisposed, keep, tidy, track } from '../ops/memory.js';
import { describe } from '../describe.js';
import { shownArg } from '../ops/convert.js';
import { floatCopy } from './gradients_api.js';

/** The variables rl.variable made (variable.ts keeps every Variable alive in one weak registry; this only marks them). */
const madeHere = new WeakSet<Variable>();
let nextId = 0;
/**
 * Names given to rl.variable that an auto name could take ('1'): skipped, so an auto name never repeats a live
 * variable's (layer weights' names hold a '/', so only these can clash) and never throws as a duplicate.
 */
const explicitNumericNames = new Set<string>();

function autoName(): string {
  let name = String(nextId++);
  while (explicitNumericNames.has(name)) name = String(nextId++);
  return name;
}

declare module '../tensor.js' {
  interface Tensor {
    /** tfjs's tensor.variable(trainable = true, name?, dtype?): a Variable holding a copy of the values. */
    variable(trainable?: boolean, name?: string, dtype?: DType): Variable;
  }
}

/** tfjs's tf.variable(initialValue, trainable = true, name?, dtype?): float32 only (weights are float32). */
export function variable(initialValue: TensorLike, trainable = true, name?: string, dtype?: DType): Variable {
  const t = toTensor(initialValue, 'variable: initialValue');
  checkTrainable(trainable, 'variable');
  const dt = dtype ?? t.dtype;
  if (dt !== 'float32') throw new Error(`variable: dtype ${dt} is not supported (variables are float32); cast the initial value first`);
  if (name !== undefined) {
    if (typeof name !== 'string' || name === '') throw new Error(`variable: name must be a non-empty string, got ${shownArg(name)}`);
    if (liveVariables().some((other) => other.name === name)) throw new Error(`Variable with name ${name} was already registered`);
    if (/^\d+$/.test(name)) explicitNumericNames.add(name);
  }
  const v = new Variable(name ?? autoName(), [...t.shape], trainable);
  v.assign(t.values);
  madeHere.add(v);
  // Counted by memory() as tfjs counts variables, but no tidy() disposes one (tfjs's variables outlive tidy).
  return keep(track(v));
}

Tensor.prototype.variable = function (this: Tensor, trainable?: boolean, name?: string, dtype?: DType): Variable {
  return variable(this, trainable, name, dtype);
};

/** Variables made by rl.variable that are neither collected nor disposed (a disposed one frees its name, as in tfjs). */
function liveVariables(): Variable[] {
  return allVariables().filter((v) => madeHere.has(v) && !isDisposed(v));
}

/** rl.variable's trainable ones and the weights of layers that train (a frozen layer's have requiresGrad off). */
function trainableVariables(): Variable[] {
  return allVariables().filter((v) => v.trainable && v.requiresGrad && !isDisposed(v));
}

/**
 * The live variable named name (an rl.variable or a layer weight, e.g. 'dense/kernel'): what tfjs's
 * optimizer.applyGradients({name: gradient}) looks up. Throws when none or several live variables have it.
 */
export function variableNamed(name: string): Variable {
  const found = allVariables().filter((v) => v.name === name && !isDisposed(v));
  if (found.length === 0) throw new Error(`No live variable is named '${name}'`);
  if (found.length > 1) throw new Error(`${found.length} live variables are named '${name}' (two models with the same layer names); pass the variables themselves`);
  return found[0];
}

/** A variable tfjs counts as trainable: trainable by nature and not in a frozen layer. */
function isTrainable(v: Variable): boolean {
  return v.trainable && v.requiresGrad;
}

/** varList as tfjs reads it: null or undefined means every live trainable variable; anything else must be a list of them. */
function checkVarList(varList: unknown, what: string): Variable[] | null {
  if (varList == null) return null;
  if (!Array.isArray(varList)) {
    const got = varList instanceof Variable ? 'a single Variable (wrap it in an array)' : varList instanceof Tensor ? 'a Tensor' : describe(varList);
    throw new Error(`${what}: varList must be an array of variables (or null for every trainable one), got ${got}`);
  }
  const bad = varList.findIndex((v) => !(v instanceof Variable));
  if (bad >= 0) throw new Error(`${what}: varList must hold rl.variable()s (a layer's weights are), got ${describe(varList[bad])} at index ${bad}`);
  return varList as Variable[];
}

/**
 * The cost, each variable's gradient (a copy: no variable keeps a .grad), the listed variables that do not train, and
 * the tracked tensors the cost depends on (for gradients made from these inside another gradient computation).
 */
export interface CostAndGradients { cost: Tensor; grads: Map<Variable, FArray>; frozen: Variable[]; dependsOn: Tensor[] }

/**
 * Runs f on a tape and returns the gradients of its scalar result for the trainable variables (of varList, else every
 * live one) it depends on. Inside tidy(), as tfjs's gradients: the tensors f and the backward pass make are disposed;
 * the cost returned is a fresh tensor, not counted by memory().
 */
export function costAndGradients(f: () => Tensor, varList: Variable[] | null | undefined, what: string): CostAndGradients {
  let out: CostAndGradients | undefined;
  tidy(() => { out = costAndGradientsInScope(f, varList, what); });
  return out!;
}

function costAndGradientsInScope(f: () => Tensor, varList: Variable[] | null | undefined, what: string): CostAndGradients {
  checkCostFunction(f, what);
  const listed = checkVarList(varList, what);
  const vars = (listed ?? trainableVariables()).filter(isTrainable);
  // Checked before f runs, as tfjs does: otherwise the error would blame the cost, which may well use these variables.
  if (vars.length === 0) throw new Error(noTrainableVariableMessage(listed, what));
  const { value, gradients } = withTape(() => {
    const y = f();
    if (!(y instanceof Tensor)) throw new Error(`${what}: f must return a Tensor`);
    if (y.size !== 1) throw new Error(`${what}: f must return a scalar, got shape [${y.shape.join(', ')}]`);
    return y;
  });
  // Isolated: variables left out of varList get gradients too, which must not reach the next fit step. A backward that
  // throws (an op without a gradient) leaves none either.
  let dependsOn: Tensor[] = [];
  const grads = gradients(value, (gave, outside) => {
    dependsOn = outside;
    return new Map(vars.filter(gave).map((v) => [v, floatCopy(v.grad!)]));
  });
  if (grads.size === 0) throw new Error(`${what}: the cost does not depend on any trainable variable through differentiable ops`);
  // f's dtype kept, as tfjs's variableGrads and rnnlab's valueAndGrad keep it (v.toInt().sum() gives an int32 cost).
  const cost = new Tensor(value.dtype === 'float32' ? floatCopy(value.values) : Int32Array.from(value.values), [], value.dtype);
  recordNestedGradient([cost], dependsOn, displayName(what));
  return { cost, grads, frozen: listed ? listed.filter((v) => !isTrainable(v)) : [], dependsOn };
}

/**
 * The usual slip opt.minimize(loss), the cost tensor instead of a function computing it, would otherwise fail inside
 * the tape as 'f is not a function'.
 */
function checkCostFunction(f: unknown, what: string): void {
  if (typeof f === 'function') return;
  const got = f instanceof Tensor ? 'a Tensor (compute the cost inside f: () => loss)' : describe(f);
  throw new Error(`The f passed in ${displayName(what)}(f) must be a function returning the scalar cost, got ${got}`);
}

/** Why no variable can receive a gradient: varList empty, none of it trainable, or no trainable variable at all. */
function noTrainableVariableMessage(listed: Variable[] | null, what: string): string {
  if (listed === null) {
    return `${what}: there is no trainable variable to differentiate for (no trainable rl.variable, and no weight of a built layer that trains)`;
  }
  if (listed.length === 0) return `${what}: varList is empty; list the variables to differentiate for, or pass null for every trainable one`;
  const which = listed.length === 1 ? `the only variable in varList, '${listed[0].name}', is not trainable` : `none of the ${listed.length} variables in varList is trainable`;
  return `${what}: ${which} (made with trainable false, or a weight of a layer that does not train); at least one must be, as in tfjs`;
}

/** An optimizer names itself (SGD.minimize); the functions are rl's. */
function displayName(what: string): string {
  return what.includes('.') ? what : `rl.${what}`;
}

/**
 * tfjs's variableGrads(f, varList?): {value, grads: {variableName: gradient}}, a variable of varList that does not
 * train mapping to null as in tfjs (typed as tfjs types it). Inside tidy(), as tfjs's: what f and the backward pass
 * make is disposed (keep() a tensor made in f to read it after), and the value and the gradients are counted by
 * memory() like any op's result.
 */
export function variableGrads(f: () => Tensor, varList?: Variable[] | null): { value: Tensor; grads: Record<string, Tensor> } {
  return namedGradients(f, varList, 'variableGrads');
}

/** variableGrads for a caller that names itself in its errors (an optimizer's computeGradients). */
export function namedGradients(f: () => Tensor, varList: Variable[] | null | undefined, what: string): { value: Tensor; grads: Record<string, Tensor> } {
  return tidy(() => {
    const { cost, grads, frozen, dependsOn } = costAndGradients(f, varList, what);
    const named: Record<string, Tensor | null> = {};
    const claim = (v: Variable): void => {
      if (Object.hasOwn(named, v.name)) {
        throw new Error(`${what}: two variables of the result are both named '${v.name}' (models with the same layer names): give the layers distinct names`);
      }
    };
    for (const [v, g] of grads) {
      claim(v);
      const t = track(new Tensor(g, [...v.shape], 'float32'));
      gradientOwners.set(t, v);
      named[v.name] = t;
    }
    recordNestedGradient(Object.values(named) as Tensor[], dependsOn, displayName(what));
    for (const v of new Set(frozen)) { claim(v); named[v.name] = null; }
    return { value: track(cost), grads: named as Record<string, Tensor> };
  });
}

/**
 * The variable each gradient variableGrads returned belongs to: applyGradients({name: g}) finds it by the tensor, so
 * a same-named weight of another model (not yet collected) cannot make the name ambiguous.
 */
const gradientOwners = new WeakMap<Tensor, Variable>();

/**
 * The variable applyGradients({name: gradient}) updates: the live variable named name, as tfjs looks it up, whatever
 * variable the gradient was computed for (gradients of one model applied under another's names update the other).
 * Only where several live variables share the name does the gradient's own variable decide among them.
 */
export function variableForGradient(name: string, gradient: Tensor): Variable {
  const owner = gradientOwners.get(gradient);
  if (owner && owner.name === name && !isDisposed(owner)) return owner;
  return variableNamed(name);
}

/** tfjs's disposeVariables(): disposes every live variable made by rl.variable (layers' weights are not among them). */
export function disposeVariables(): void {
  dispose(liveVariables());
}
