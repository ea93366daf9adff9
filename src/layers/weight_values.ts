/** getWeights/setWeights as tfjs has them on a model: copies as Tensors with their shapes in, Tensors or arrays out. */
import type { FArray } from '../backend/index.js';
import { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';

export function weightTensors(ws: readonly Variable[]): Tensor[] {
  // A copy in the variable's own array type: under setPrecision(64) a Float32Array copy would round the weights, so
  // setWeights(getWeights()) and EarlyStopping's restore would not give them back exactly.
  return ws.map((w) => new Tensor((w.values as FArray).slice(), [...w.shape], 'float32'));
}

/**
 * Accepts Tensors (shapes checked) or flat arrays, one per weight in getWeights order. All or nothing, as tfjs's
 * setWeights (it checks every shape first): a refused entry leaves every weight as it was. constrained: each value
 * then goes through its weight's constraint, as tfjs's setWeights writes them (LayerVariable.write); a restore of
 * values the model held (EarlyStopping's) leaves it false, to give them back exactly.
 */
export function assignWeights(model: string, ws: readonly Variable[], values: readonly (Tensor | ArrayLike<number>)[], constrained = false): void {
  if (!Array.isArray(values) || values.length !== ws.length) throw new Error(`${model}: setWeights expected ${ws.length} arrays, got ${Array.isArray(values) ? values.length : String(values)}`);
  ws.forEach((w, i) => {
    const v = values[i];
    if (v instanceof Tensor && v.isDisposed) throw new Error(`${model}: setWeights[${i}] ('${w.name}') is disposed`);
    if (v instanceof Tensor && (v.rank !== w.rank || v.shape.some((d, k) => d !== w.shape[k]))) {
      throw new Error(`${model}: setWeights[${i}] ('${w.name}') has shape [${v.shape.join(', ')}], expected [${w.shape.join(', ')}]`);
    }
  });
  // What only the weight's own assign checks (a plain array's length and contents, a tensor's dtype) may still refuse
  // an entry: the weights written before it get their old values back.
  const before: FArray[] = [];
  // A value that is one of these weights (setWeights([w1, w0]) of a model's own) is read before any is written.
  const own = new Set<unknown>(ws.map((w) => w.values));
  const incoming = values.map((v) => (v instanceof Tensor ? (own.has(v.values) ? (v.values as FArray).slice() : v.values) : v));
  try {
    ws.forEach((w, i) => {
      before.push((w.values as FArray).slice());
      // tfjs writes nothing, constraint included, when the value is the weight itself.
      if (constrained && values[i] !== w) w.assignConstrained(incoming[i]);
      else w.assign(incoming[i]);
    });
  } catch (e) {
    before.forEach((old, i) => ws[i].assign(old));
    throw e;
  }
}
