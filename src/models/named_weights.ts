/**
 * tfjs's LayersModel.getNamedWeights and loadWeights. Both use the names model.save writes ('<layer>/<leaf>', a
 * wrapper's inner layer under the wrapper: 'bidirectional/forward_lstm/kernel'), which is what tfjs files hold and
 * tf.io.decodeWeights gives back, so a map read from any saved model loads by name.
 */
import type { Layer } from '../layers/layer.js';
import { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { describe } from '../describe.js';
import { checkOptionKeys } from '../near_name.js';
import { NestedModel } from './nested.js';
import { assignWeights } from '../layers/weight_values.js';

export interface NamedWeightsModel {
  readonly name: string;
  readonly layers: Layer[];
  readonly weights: Variable[];
  readonly trainableWeights: Variable[];
  getWeights(trainableOnly?: boolean): Tensor[];
}

/**
 * Each weight's saved name, layer by layer as src/io names them: a built-in layer's from its weight specs (the
 * first call's input shapes), a user's layer's from its variables (it names them itself in addWeight).
 */
export function savedWeightNames(layers: readonly Layer[], names = new Map<Variable, string>()): Map<Variable, string> {
  for (const l of layers) {
    if (l instanceof NestedModel) { savedWeightNames(l.model.layers, names); continue; }
    if (l.weights.length === 0 || l.weights.every((w) => names.has(w))) continue;
    const node = l.inboundNodes[0];
    const shapes = node ? node.inputs.map((t) => t.shape) : l.builtInputShape ? [l.builtInputShape] : null;
    const specs = shapes ? l.weightSpecsFor(shapes) : [];
    l.weights.forEach((w, i) => names.set(w, specs.length === l.weights.length ? `${l.name}/${specs[i].name}` : w.name));
  }
  return names;
}

/** tfjs's getNamedWeights(config): [{name, tensor}] in model.weights' order; config.trainableOnly: trainableWeights'. */
export function namedWeightsOf(model: NamedWeightsModel, config?: unknown): { name: string; tensor: Tensor }[] {
  const what = `${model.name}.getNamedWeights`;
  const { trainableOnly = false } = checkOptionKeys(what, config, ['trainableOnly'], { nullIsNone: true });
  if (typeof trainableOnly !== 'boolean') throw new Error(`${what}: trainableOnly must be true or false, got ${describe(trainableOnly)}`);
  const names = savedWeightNames(model.layers);
  const ws = trainableOnly ? model.trainableWeights : model.weights;
  const values = model.getWeights(trainableOnly);
  return ws.map((w, i) => ({ name: names.get(w) ?? w.name, tensor: values[i] }));
}

/**
 * TF 2.2+ writes a recurrent layer's weights under its cell's scope ('lstm/lstm_cell/kernel'); tfjs drops the
 * second-to-last segment when the full name matches no weight, and so does this.
 */
function unscoped(name: string): string {
  const segs = name.split('/');
  return [...segs.slice(0, -2), segs[segs.length - 1]].join('/');
}

/**
 * tfjs's loadWeights(weights, strict = true): sets each weight from {savedName: Tensor}. strict: every name must
 * be a weight of the model and every weight must be given; strict false loads the names that match and leaves the
 * rest as they are. Everything is checked before any weight changes; each value goes through the weight's
 * constraint, as tfjs's LayerVariable.write does.
 */
export function loadNamedWeights(model: NamedWeightsModel, weights: unknown, strict: unknown = true): void {
  const what = `${model.name}.loadWeights`;
  if (typeof weights !== 'object' || weights === null || Array.isArray(weights) || weights instanceof Tensor) {
    throw new Error(`${what}: weights must be a map {weightName: Tensor} (as tf.io.decodeWeights gives), got ${describe(weights)}; for a list in getWeights order use setWeights`);
  }
  if (typeof strict !== 'boolean') throw new Error(`${what}: strict must be true or false, got ${describe(strict)}`);
  const byName = new Map<string, Variable>();
  const own = new Set(model.weights);
  for (const [w, name] of savedWeightNames(model.layers)) {
    if (!own.has(w)) continue;
    if (byName.has(name)) throw new Error(`${what}: two weights of the model are named '${name}'; rename one of their layers`);
    byName.set(name, w);
  }
  const assigned: [Variable, Tensor][] = [];
  const unset = new Set(byName.keys());
  for (const [given, value] of Object.entries(weights as Record<string, unknown>)) {
    const name = byName.has(given) ? given : unscoped(given);
    const w = byName.get(name);
    if (!w) {
      if (strict) throw new Error(`${what}: the model has no weight named '${given}' (it has ${[...byName.keys()].join(', ')}); pass strict false to skip names it lacks`);
      continue;
    }
    if (!(value instanceof Tensor)) throw new Error(`${what}: weights['${given}'] must be a Tensor, got ${describe(value)}`);
    if (value.isDisposed) throw new Error(`${what}: weights['${given}'] is disposed`);
    if (value.dtype !== w.dtype) throw new Error(`${what}: weights['${given}'] has dtype ${value.dtype}, but weight '${name}' holds ${w.dtype} values`);
    if (value.rank !== w.rank || value.shape.some((d, k) => d !== w.shape[k])) {
      throw new Error(`${what}: weights['${given}'] has shape [${value.shape.join(', ')}], but weight '${name}' has shape [${w.shape.join(', ')}]`);
    }
    if (!unset.delete(name)) throw new Error(`${what}: weight '${name}' is given twice (as '${given}' and under another name)`);
    assigned.push([w, value]);
  }
  if (strict && unset.size > 0) {
    throw new Error(`${what}: ${unset.size} of ${byName.size} weights are not given: ${[...unset].join(', ')}; pass strict false to leave them as they are`);
  }
  // A constraint may still throw (a user's apply(w)): assignWeights then gives every weight its old value back.
  assignWeights(what, assigned.map(([w]) => w), assigned.map(([, value]) => value), true);
}
