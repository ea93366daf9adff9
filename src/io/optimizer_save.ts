/**
 * model.save(..., {includeOptimizer: true}), as tfjs-layers 4.22's LayersModel.save: the optimizer's getWeights
 * ('iter', then '<weight>/<slot>' for each slot kind) appended to the model's weights with group 'optimizer', in
 * the same weight data, and the training config written beside them.
 */
import type { TrainableModel } from '../models/trainable.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { tfjsOptimizerWeights } from '../optimizers/weights.js';
import { ModelFormatError } from './errors.js';
import type { NamedWeight } from './weights.js';

/** Checks includeOptimizer against the model and the other options; true when the optimizer's state is to be written. */
export function wantsOptimizer(model: TrainableModel, opts: { includeOptimizer?: unknown; includeTrainingConfig?: unknown }): boolean {
  const inc = opts.includeOptimizer;
  if (inc === undefined || inc === null || inc === false) return false;
  if (inc !== true) throw new ModelFormatError(`save: includeOptimizer must be true or false, got ${JSON.stringify(inc)}`);
  // tfjs writes nothing then, silently; a request that cannot be met is refused instead.
  if (!model.optimizer || !model.loss) {
    throw new ModelFormatError(`save: includeOptimizer: model '${model.name}' has no optimizer (it is not compiled); compile it, or save without includeOptimizer`);
  }
  if (opts.includeTrainingConfig === false) {
    throw new ModelFormatError("save: includeOptimizer needs the training config (the optimizer's class and settings), which includeTrainingConfig: false leaves out");
  }
  // tfjs 4.22 loads a schedule config as its rate without an error and its first step turns every weight to NaN.
  const schedule = model.optimizer.learningRateSchedule;
  if (schedule) {
    throw new ModelFormatError(`save: includeOptimizer: the ${model.optimizer.className} optimizer's learning rate is a ${schedule.className} schedule, and tfjs 4.22's optimizers take only a numeric rate (tfjs would load the file and train to NaN); save without includeOptimizer (the schedule is kept in the training config), or use rl.io.saveCheckpoint to keep the optimizer's state`);
  }
  // tfjs 4.22's optimizers have no weight decay: tfjs would read the file and go on training without it.
  if (model.optimizer.weightDecay) {
    throw new ModelFormatError(`save: includeOptimizer: the ${model.optimizer.className} optimizer has weightDecay ${model.optimizer.weightDecay}, and tfjs 4.22's optimizers have no weight decay (tfjs would continue training without it); save without includeOptimizer (the weight decay is kept in the training config), or use rl.io.saveCheckpoint to keep the optimizer's state`);
  }
  return true;
}

/**
 * The optimizer's weights under the file's weight names. tfjs's setWeights pairs slots with the model's trainable
 * weights by position, so they are written in the model's trainable-weight order, and state that tfjs would pair
 * wrongly (slots for some trainable weights but not others, or for a weight no longer trainable) is refused.
 */
export function optimizerWeightsToSave(model: TrainableModel, named: { name: string; data: ArrayLike<number> }[]): NamedWeight[] {
  const o = model.optimizer!;
  const fileName = new Map<ArrayLike<number>, string>(named.map((w) => [w.data, w.name]));
  const trainable = model.trainableWeights;
  const rank = new Map(trainable.map((v, i) => [v.name, i]));
  const allVars = new Map(model.weights.map((v) => [v.name, v]));
  if (staleVelocity(o)) throw refusal(o, "its momentum is 0 now but it holds velocity from earlier momentum steps (a later setMomentum would continue from it), and tfjs's SGD, which momentum 0 is written as, has no slot for it; save before setMomentum(0), or give the optimizer a momentum > 0");
  let state: ReturnType<typeof tfjsOptimizerWeights>;
  try { state = tfjsOptimizerWeights(o); } catch (e) { throw new ModelFormatError(`save: includeOptimizer: ${(e as Error).message}`, { cause: e }); }
  const [iter, ...slots] = state;
  const kinds = new Map<string, { varName: string; w: (typeof slots)[number] }[]>();
  for (const w of slots) {
    const cut = w.name.lastIndexOf('/');
    const varName = w.name.slice(0, cut), kind = w.name.slice(cut + 1);
    if (!allVars.has(varName)) throw refusal(o, `it holds state for '${varName}', which is not a weight of model '${model.name}'`);
    if (!rank.has(varName)) throw refusal(o, `it holds state for '${varName}', which is not trainable now; tfjs pairs optimizer weights with the trainable weights by position, so the file would pair them wrongly`);
    if (!kinds.has(kind)) kinds.set(kind, []);
    kinds.get(kind)!.push({ varName, w });
  }
  const out: NamedWeight[] = [{ name: 'iter', shape: [], data: iter.values, dtype: 'int32', group: 'optimizer' }];
  for (const entries of kinds.values()) {
    const have = new Set(entries.map((e) => e.varName));
    const lacking = trainable.find((v) => !have.has(v.name));
    if (lacking) throw refusal(o, `it holds no state yet for the trainable weight '${lacking.name}' but does for others (it has received no gradient); tfjs pairs optimizer weights with the trainable weights by position, so the file would pair them wrongly`);
    entries.sort((a, b) => rank.get(a.varName)! - rank.get(b.varName)!);
    for (const { varName, w } of entries) {
      const file = fileName.get(allVars.get(varName)!.values);
      if (file === undefined) throw refusal(o, `its weight '${varName}' has no name in the model's weights manifest`);
      out.push({ name: `${file}/${w.name.slice(w.name.lastIndexOf('/') + 1)}`, shape: w.shape, data: w.values, group: 'optimizer' });
    }
  }
  return out;
}

/** SGD at momentum 0 with non-zero velocity slots: the file (class SGD, no slots) would lose them. */
function staleVelocity(o: Optimizer): boolean {
  if (o.className !== 'SGD' || (o as unknown as { momentum: number }).momentum !== 0) return false;
  const held = [...o.getSlots(o.slotVariables()), ...[...o.pendingSlotsByName().values()].map((p) => p.slots)];
  return held.some((slots) => slots.some((a) => a.some((x) => x !== 0)));
}

function refusal(o: Optimizer, why: string): ModelFormatError {
  return new ModelFormatError(`save: includeOptimizer: cannot write the ${o.className} optimizer's state: ${why}`);
}

/**
 * The optimizer config written with includeOptimizer, so that tfjs continues with the state as rnnlab would. tfjs's
 * SGD has no momentum and refuses momentum slots: SGD with momentum is written as what tfjs writes for it, class
 * 'Momentum' with use_nesterov. tfjs's RMSProp reads its rho as 'decay' (and ignores 'rho'): decay is written beside
 * rho, as tfjs's own RMSProp config has it. rnnlab reads both back unchanged; without includeOptimizer Keras's
 * config is written as before.
 */
export function optimizerConfigForOptimizerState(config: { class_name: string; config: Record<string, unknown> }, o: Optimizer): { class_name: string; config: Record<string, unknown> } {
  const h = o as unknown as { momentum: number; rho: number };
  if (o.className === 'RMSprop') return { ...config, config: { ...config.config, decay: h.rho } };
  if (o.className !== 'SGD' || !(h.momentum > 0)) return config;
  const { nesterov, ...rest } = config.config;
  return { class_name: 'Momentum', config: { ...rest, use_nesterov: nesterov ?? false } };
}
