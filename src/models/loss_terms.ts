/**
 * One model output's loss on a batch, as compile resolved it: a built-in loss (one kernel) or a user function
 * (yTrue, yPred) => loss built from rl ops, which record on the tape so the model trains through it; either
 * weighted per sample (fit's sampleWeight/classWeight, evaluate's sampleWeight) with Keras's reduction, and masked
 * by the output's padding mask as Keras's Loss.__call__ does.
 */
import { lossOp, weightedLossOp, type LossKind } from '../autograd/loss_ops.js';
import { mergeElementwise } from '../autograd/merge_ops.js';
import { mean, mul, reshape } from '../autograd/public_ops.js';
import { lossKind, losses } from '../losses.js';
import { checkOutputKeys } from '../metrics/output_keys.js';
import { isPlainObject } from '../plain_object.js';
import { Tensor, shapeStr } from '../tensor.js';

/** tfjs's LossOrMetricFn: per-sample losses [batch, ...] (reduced by the mean, as Keras) or one scalar. */
export type LossFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

export interface CompiledLoss { kind: LossKind; fn: LossFunction | null; name: string }

/** compile's loss: one for every output, a list (one per output), or a map from output layer name; each a name or a function. */
export type LossSpec = string | LossFunction | (string | LossFunction)[] | Record<string, string | LossFunction>;

const LOSS_FORMS = 'a loss name or a function (yTrue, yPred) => loss, or a list of them (one per output) or {outputName: loss}';

/**
 * compile's loss resolved for each output, in output order (names: the model's outputNames), as Keras and tfjs take
 * it for any model, a Sequential included: one loss for all, a list of one per output, or {outputName: loss}.
 */
/**
 * A Keras-style {className, config} (or class_name) loss object reads as {outputName: loss}, whose keys then name no
 * output: say what the object is taken for, as the optimizer takes that form and the user may expect the same here.
 */
function refuseSerializedLoss(spec: Record<string, unknown>, names: readonly string[], where: string): void {
  const key = ['className', 'class_name'].find((k) => k in spec && !names.includes(k));
  if (key === undefined) return;
  throw new Error(`${where}: loss {${key}, config} is not read: a loss is ${LOSS_FORMS}; options of a built-in loss (such as Huber's delta) are not taken, so write a function (yTrue, yPred) => loss for them`);
}

export function perOutputLosses(spec: unknown, names: readonly string[], where: string): CompiledLoss[] {
  if (typeof spec === 'string' || typeof spec === 'function') return names.map(() => compiledLoss(spec, where));
  const outputs = `${names.length} output${names.length === 1 ? '' : 's'} (${names.join(', ')})`;
  if (Array.isArray(spec)) {
    if (spec.length !== names.length) throw new Error(`${where}: loss lists ${spec.length} losses but the model has ${outputs}`);
    return spec.map((l) => compiledLoss(l, where));
  }
  if (!isPlainObject(spec)) throw new Error(`${where}: loss must be ${LOSS_FORMS}, got ${describeLoss(spec)}`);
  refuseSerializedLoss(spec, names, where);
  checkOutputKeys(Object.keys(spec), names, `${where}: loss`);
  return names.map((n) => {
    if (spec[n] === undefined) throw new Error(`${where}: loss gives no loss for output '${n}'`);
    return compiledLoss(spec[n], where);
  });
}

function describeLoss(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return `an object of class ${(v as object).constructor?.name ?? 'unknown'}`;
  return `${typeof v} ${String(v)}`;
}

/** compile's loss for one output: a name (tfjs or Keras spelling) or a function. */
export function compiledLoss(spec: unknown, where: string): CompiledLoss {
  if (typeof spec === 'function') {
    const name = spec.name || 'custom_loss';
    // A saved model records a user loss by its name: one named like a built-in (its own 'mse') would load as that
    // built-in, silently another loss. rl.losses' own functions are the built-ins, so they keep their names.
    if (!(Object.values(losses) as unknown[]).includes(spec) && isBuiltinLossName(name)) {
      throw new Error(`${where}: the loss function '${name}' has the name of the built-in loss '${name}' (a saved model records the loss by name and would load the built-in in its place); give the function another name, or pass the name '${name}' for the built-in`);
    }
    return { kind: 'custom', fn: spec as LossFunction, name };
  }
  if (typeof spec !== 'string') throw new Error(`${where}: each output's loss must be a loss name or a function (yTrue, yPred) => loss, got ${describeLoss(spec)}`);
  try {
    return { kind: lossKind(spec), fn: null, name: spec };
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

function isBuiltinLossName(name: string): boolean {
  try { return lossKind(name) !== 'custom'; } catch { return false; }
}

/**
 * The padding mask [B, T] that weighs an output's loss: the mask the model carried to that output (an embedding with
 * maskZero, a masking layer), when the output is per step ([B, T, ..., units]) and the mask fits its batch and steps.
 * A layer that drops the time axis (an RNN without returnSequences, pooling, flatten) drops the mask too: null.
 */
export function outputLossMask(out: Tensor, mask: Uint8Array | null | undefined): Uint8Array | null {
  if (!mask || out.rank < 3) return null;
  return mask.length === out.shape[0] * out.shape[1] ? mask : null;
}

// Keras's backend.epsilon() in apply_mask's total / (valid + epsilon).
const MASK_EPSILON = 1e-7;

/**
 * Keras's apply_mask for the sum-over-batch-size reduction, merged with the sample weights: one weight per sample
 * and step, sampleWeight x mask x total / valid (total = B x T, valid = the real steps), so the mean over every
 * step becomes sum(weight x loss over the real steps) / valid.
 */
function maskedStepWeights(mask: Uint8Array, B: number, T: number, weights: Tensor | null, where: string): Float64Array {
  let valid = 0;
  for (let i = 0; i < mask.length; i++) valid += mask[i];
  const scale = (B * T) / (valid + MASK_EPSILON);
  const out = new Float64Array(B * T);
  if (weights && weights.size !== B && weights.size !== B * T) {
    throw new Error(`${where}: sample weights of shape [${weights.shape.join(', ')}] fit neither the ${B} samples nor their ${T} steps`);
  }
  const perStep = weights !== null && weights.size === B * T && T !== 1;
  for (let i = 0; i < out.length; i++) {
    if (!mask[i]) continue;
    const w = weights ? weights.values[perStep ? i : Math.floor(i / T)] : 1;
    out[i] = w * scale;
  }
  return out;
}

/**
 * fit and evaluate shaped the targets like the output's declared shape (computeOutputShape's); a user's layer whose
 * call returns another shape would have its targets read as a flat buffer in the wrong layout (or NaN), so the
 * actual output is checked against them here. output: how the error names the output.
 */
function checkPredictionShape(kind: LossKind, pred: Tensor, target: Tensor, output: string): void {
  const sparse = kind === 'sparseCategoricalCrossentropy';
  const want = sparse ? pred.shape.slice(0, -1) : pred.shape;
  if (target.rank === want.length && want.every((d, i) => d === target.shape[i])) {
    // Class ids were checked against the declared classes: more than the call returned would be read past each row.
    const C = pred.shape[pred.shape.length - 1];
    const bad = sparse ? target.values.findIndex((v) => v >= C) : -1;
    if (bad < 0) return;
    throw new Error(`${output} has shape ${shapeStr(pred.shape)} (what its layer's call returned), ${C} classes, but its targets hold class id ${target.values[bad]} ` +
      `(checked against the output's computeOutputShape); make the layer's computeOutputShape return the shape its call returns`);
  }
  const targets = sparse ? `class ids (one per row of the output) of shape ${shapeStr(target.shape)}` : `targets of shape ${shapeStr(target.shape)}`;
  throw new Error(`${output} has shape ${shapeStr(pred.shape)} (what its layer's call returned), which does not fit its ${targets} ` +
    `(shaped as the output's computeOutputShape declares it); targets are never read in another layout: make the layer's computeOutputShape return the shape its call returns`);
}

export function lossTerm(loss: CompiledLoss, pred: Tensor, target: Tensor, fromLogits: boolean, weights: Tensor | null, mask: Uint8Array | null = null, output = 'the output'): Tensor {
  checkPredictionShape(loss.kind, pred, target, output);
  if (!loss.fn) {
    if (mask) {
      const [B, T] = pred.shape;
      const steps = maskedStepWeights(mask, B, T, weights, 'loss');
      // The kernel weighs rows [B, T, ...] of the output: each (sample, step) covers rows / (B x T) of them.
      const rows = pred.size / pred.shape[pred.rank - 1], per = rows / (B * T);
      const w = per === 1 ? steps : Float64Array.from({ length: rows }, (_, r) => steps[Math.floor(r / per)]);
      return weightedLossOp(loss.kind, pred, target, fromLogits, w);
    }
    return weights ? weightedLossOp(loss.kind, pred, target, fromLogits, weights.values) : lossOp(loss.kind, pred, target, fromLogits);
  }
  const where = `loss function '${loss.name}'`;
  const out = loss.fn(target, pred);
  if (!(out instanceof Tensor)) throw new Error(`${where} must return a Tensor, got ${out === null ? 'null' : typeof out}`);
  // (A prediction that carries no gradient, as a frozen model's, cannot pass one on: nothing to check then.)
  if (!out.requiresGrad && pred.requiresGrad) {
    throw new Error(`${where}: its result does not depend on yPred through differentiable ops; build it from rl.add, rl.sub, rl.mul, rl.mean, ... or the tensor methods of those ops`);
  }
  if (mask && out.rank === 0) {
    // Keras multiplies a scalar by the mask weights, which average out: the padding counts as if unmasked. Refused
    // rather than accepted and ignored.
    throw new Error(`${where}: the output [${pred.shape.join(', ')}] carries a padding mask, which weighs each sample and step, but the function returned ` +
      'one scalar, which the mask cannot weigh (the padded steps would count); return one loss per sample and step ' +
      `([${pred.shape[0]}, ${pred.shape[1]}, ...], e.g. rl.mean(rl.square(rl.sub(yPred, yTrue)), -1)), or compile the loss by name ('mse', ...), which is masked`);
  }
  if (mask) {
    const [B, T] = pred.shape;
    if (out.rank < 2 || out.shape[0] !== B || out.shape[1] !== T) {
      throw new Error(`${where}: the output [${pred.shape.join(', ')}] carries a padding mask, which weighs each sample and step, but the function returned shape [${out.shape.join(', ')}]; return one loss per sample and step ([${B}, ${T}, ...])`);
    }
    const steps = maskedStepWeights(mask, B, T, weights, where);
    const w = new Tensor(Float32Array.from(steps), [B, T, ...out.shape.slice(2).map(() => 1)], 'float32');
    return mean(mul(out, w));
  }
  if (weights) {
    const n = pred.shape[0];
    if (out.rank === 0 || out.shape[0] !== n) {
      throw new Error(`${where}: sample weights need one loss per sample (shape [${n}, ...]), but it returned shape [${out.shape.join(', ')}]`);
    }
    if (weights.rank > out.rank || weights.shape.some((d, i) => d !== out.shape[i])) {
      throw new Error(`${where}: sample weights of shape [${weights.shape.join(', ')}] do not fit its losses of shape [${out.shape.join(', ')}]`);
    }
    // Keras: the weights broadcast over any further axes of the per-sample (or per-step) losses, then the mean of everything.
    return mean(mul(out, reshape(weights, [...weights.shape, ...out.shape.slice(weights.rank).map(() => 1)])));
  }
  return out.rank === 0 ? out : mean(out);
}

/** A model's loss on a batch: the total (what backward trains) and each output's own term. */
export interface OutputLosses {
  /** sum over outputs of lossWeight x term (Keras's loss_weights; all 1 by default). */
  loss: Tensor;
  /** Each output's unweighted loss (Keras and tfjs log it as '<output>_loss' for several outputs). */
  terms: Tensor[];
  /** The padding mask that weighed each output's loss (null where none): compiled metrics read it too. */
  masks: (Uint8Array | null)[];
}

/**
 * Every output's loss term (sampleWeight shared by all outputs, as Keras repeats it, or a list: one per output; each output masked by its own
 * padding mask when it carries one) and their weighted sum.
 */
export function outputsLoss(losses: readonly CompiledLoss[], folds: readonly boolean[], outs: Tensor[], ys: Tensor[], sampleWeight: Tensor | null | readonly (Tensor | null)[],
  outMasks: readonly (Uint8Array | null | undefined)[], lossWeights: readonly number[] | null | undefined, outputNames?: readonly string[]): OutputLosses {
  const masks = outs.map((o, i) => outputLossMask(o, outMasks[i]));
  const terms = outs.map((o, i) => lossTerm(losses[i], o, ys[i], folds[i], Array.isArray(sampleWeight) ? sampleWeight[i] ?? null : sampleWeight as Tensor | null, masks[i],
    outputNames?.[i] !== undefined ? `output '${outputNames[i]}'` : undefined));
  const weighted = terms.map((t, i) => (lossWeights && lossWeights[i] !== 1 ? mul(t, lossWeights[i]) : t));
  return { loss: weighted.length === 1 ? weighted[0] : mergeElementwise(weighted, 'add'), terms, masks };
}
