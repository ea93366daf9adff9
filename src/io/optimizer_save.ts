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
import type { Variable } from '../variable.js';

/** Where the optimizer's state is kept whole when tfjs's file format cannot hold it. */
const KEEP_STATE = 'rl.writeCheckpoint, or rl.callbacks.backupAndRestore in fit';

/**
 * The optimizers whose saved state tfjs 4.22's loadLayersModel refuses outright, with its error: a file holding them
 * fails there whatever their settings, so none of them can be continued wrongly, and rnnlab, which continues from
 * them exactly, writes them. Exported for the tests that check these words against tfjs.
 */
export const TFJS_CANNOT_LOAD: Readonly<Record<string, string>> = {
  Nadam: 'Unknown layer: Nadam',
  AdamW: 'Unknown layer: AdamW',
  Adamax: 'setWeights() is not implemented for Adamax yet',
};

/**
 * Checks includeOptimizer against the model and the other options; true when the optimizer's state is to be written.
 * The rule: rnnlab writes every optimizer state it continues from exactly, and refuses only what a reader would
 * continue from wrongly without an error. tfjs 4.22 loads the other optimizers' files and would silently drop a
 * learning-rate schedule (it trains to NaN) or a weight decay, so those are refused; the TFJS_CANNOT_LOAD ones tfjs
 * refuses to load at all, so they are written with either.
 */
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
  if (Object.hasOwn(TFJS_CANNOT_LOAD, model.optimizer.className)) return true;
  // tfjs 4.22 loads a schedule config as its rate without an error and its first step turns every weight to NaN.
  const schedule = model.optimizer.learningRateSchedule;
  if (schedule) {
    throw new ModelFormatError(`save: includeOptimizer: the ${model.optimizer.className} optimizer's learning rate is a ${schedule.className} schedule, and tfjs 4.22's optimizers take only a numeric rate (tfjs would load the file and train to NaN); save without includeOptimizer (the schedule is kept in the training config), or keep the optimizer's state in an rnnlab checkpoint (${KEEP_STATE})`);
  }
  if (model.optimizer.weightDecay) {
    throw new ModelFormatError(`save: includeOptimizer: the ${model.optimizer.className} optimizer has weightDecay ${model.optimizer.weightDecay}, and tfjs 4.22's optimizers have no weight decay: tfjs would load this file without an error and continue training without it; save without includeOptimizer (the weight decay is kept in the training config), or keep the optimizer's state in an rnnlab checkpoint (${KEEP_STATE})`);
  }
  return true;
}

/**
 * The optimizer's weights under the file's weight names. tfjs's setWeights pairs slots with the model's trainable
 * weights by position, so they are written in the model's trainable-weight order, and state that tfjs would pair
 * wrongly (slots for some trainable weights but not others, or for a weight no longer trainable) is refused.
 * Slots are tied to their Variable, not to its in-memory name: the inner weights of two wrappers (one layer in two
 * Bidirectionals, inner layers given the same name) share a name in memory, and only the saved name tells them
 * apart ('bidirectional/forward_lstm/kernel', 'bidirectional_1/forward_lstm/kernel', as tfjs names them).
 */
export function optimizerWeightsToSave(model: TrainableModel, named: { name: string; data: ArrayLike<number> }[]): NamedWeight[] {
  const o = model.optimizer!;
  const fileName = new Map<ArrayLike<number>, string>(named.map((w) => [w.data, w.name]));
  const trainable = model.trainableWeights;
  const rank = new Map(trainable.map((v, i) => [v, i]));
  if (staleVelocity(o)) throw refusal(o, "its momentum is 0 now but it holds velocity from earlier momentum steps (a later setMomentum would continue from it), and tfjs's SGD, which momentum 0 is written as, has no slot for it; save before setMomentum(0), or give the optimizer a momentum > 0");
  let state: ReturnType<typeof tfjsOptimizerWeights>;
  try { state = tfjsOptimizerWeights(o); } catch (e) { throw new ModelFormatError(`save: includeOptimizer: ${(e as Error).message}`, { cause: e }); }
  const [iter, ...slots] = state;
  const owners = slotOwners(model, o);
  const kinds = new Map<string, { v: Variable; w: (typeof slots)[number] }[]>();
  slots.forEach((w, i) => {
    const cut = w.name.lastIndexOf('/');
    const kind = w.name.slice(cut + 1);
    // tfjsOptimizerWeights lists each slot kind over the same owners in the same order.
    const owner = owners[i % owners.length];
    if (owner.name !== w.name.slice(0, cut)) throw new Error(`save: includeOptimizer: optimizer weight '${w.name}' is out of step with the optimizer's variables`);
    const v = owner.v;
    if (!v) throw refusal(o, `it holds state for '${owner.name}', which is not a weight of model '${model.name}'`);
    if (!rank.has(v)) throw refusal(o, `it holds state for '${owner.name}', which is not trainable now; tfjs pairs optimizer weights with the trainable weights by position, so the file would pair them wrongly`);
    if (!kinds.has(kind)) kinds.set(kind, []);
    kinds.get(kind)!.push({ v, w });
  });
  // iter.values is an Int32Array, so the count is written exactly (a float32 would round it above 2^24).
  const out: NamedWeight[] = [{ name: 'iter', shape: [], data: iter.values, dtype: 'int32', group: 'optimizer' }];
  for (const [kind, entries] of kinds) {
    const have = new Set(entries.map((e) => e.v));
    const lacking = trainable.find((v) => !have.has(v));
    if (lacking) throw refusal(o, `it holds no state yet for the trainable weight '${fileName.get(lacking.values) ?? lacking.name}' but does for others (it has received no gradient); tfjs pairs optimizer weights with the trainable weights by position, so the file would pair them wrongly`);
    entries.sort((a, b) => rank.get(a.v)! - rank.get(b.v)!);
    for (const { v } of entries) {
      const file = fileName.get(v.values);
      if (file === undefined) throw refusal(o, `its weight '${v.name}' has no name in the model's weights manifest`);
    }
    for (const { v, w } of entries) out.push({ name: `${fileName.get(v.values)}/${kind}`, shape: w.shape, data: w.values, group: 'optimizer' });
  }
  return out;
}

/**
 * The variable each of tfjsOptimizerWeights' owners stands for, in its order: the variables holding slots, then the
 * slots set by name and not yet taken, each of which the next step gives to the first trainable weight of that name
 * holding no slots (undefined: the model has no such weight).
 */
function slotOwners(model: TrainableModel, o: Optimizer): { name: string; v: Variable | undefined }[] {
  const stepped = o.slotVariables();
  const holding = new Set(stepped);
  const inModel = new Set(model.weights);
  const owners = stepped.map((v) => ({ name: v.name, v: inModel.has(v) ? v : undefined }));
  for (const name of o.pendingSlotsByName().keys()) {
    const v = model.trainableWeights.find((t) => t.name === name && !holding.has(t)) ?? model.weights.find((t) => t.name === name && !holding.has(t));
    if (v) holding.add(v);
    owners.push({ name, v });
  }
  return owners;
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
