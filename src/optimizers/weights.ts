/**
 * tfjs's optimizer.getWeights() / setWeights(): the state as named tensors, 'iter' (the step count) first, then each
 * slot kind for every variable in the order the variables first stepped, named '<variable>/<slot>' in tfjs's
 * spelling, so state passes between tfjs and rnnlab optimizers. Also tfjs's getClassName(), dispose() and
 * computeGradients().
 */
import type { FArray } from '../backend/index.js';
import { namedGradients } from '../autograd/variables.js';
import { scalar, tensor } from '../ops/creation.js';
import { Tensor } from '../tensor.js';
import type { Variable } from '../variable.js';
import { Optimizer } from './optimizer.js';

export interface NamedTensor { name: string; tensor: Tensor }

declare module './optimizer.js' {
  interface Optimizer {
    /** tfjs's getWeights: [{name: 'iter'}, {name: '<variable>/<slot>'}...]. */
    getWeights(): Promise<NamedTensor[]>;
    /** tfjs's setWeights: replaces the step count and every slot (by variable name; unnamed variables start fresh). */
    setWeights(weightValues: NamedTensor[]): Promise<void>;
    /** tfjs's getClassName(): the class name saved files use ('Adam', 'RMSProp', 'SGD'). */
    getClassName(): string;
    /** tfjs's dispose(): drops the slots and the step count (the optimizer can still be used, starting fresh). */
    dispose(): void;
    /** tfjs's computeGradients(f, varList): {value, grads: {variableName: gradient}} without applying them. */
    computeGradients(f: () => Tensor, varList?: Variable[] | null): { value: Tensor; grads: Record<string, Tensor> };
  }
}

/**
 * One slot kind as tfjs names it: which of rnnlab's slots holds it (null: tfjs keeps a slot with no effect on the
 * update, RMSProp's momentum at momentum 0, written as zeros and read back unused) and the factor from rnnlab's
 * value to tfjs's.
 */
interface SlotSpec { name: string; slot: number | null; toTfjs: number; refused?: string }

/** The slot kinds at `step`, the step count the state goes with (the next step's rate converts SGD's momentum). */
function layout(o: Optimizer, step: number): SlotSpec[] {
  const h = o as unknown as Record<string, number | boolean>;
  switch (o.className) {
    // tfjs's Momentum accumulates m·acc + g and steps by lr·acc; Keras's velocity is m·v - lr·g: v = -lr·acc, with
    // lr the rate of the next step, so that both libraries take the same next step.
    case 'SGD': return h.momentum === 0 ? [] : [sgdMomentum(o, step)];
    case 'Adagrad': return [{ name: 'accumulator', slot: 0, toTfjs: 1 }];
    case 'Adadelta': return [{ name: 'accum_grad', slot: 0, toTfjs: 1 }, { name: 'accum_var', slot: 1, toTfjs: 1 }];
    case 'RMSprop': return [{ name: 'rms', slot: 0, toTfjs: 1 }, { name: 'momentum', slot: (h.momentum as number) > 0 ? 1 : null, toTfjs: 1 },
      ...(h.centered ? [{ name: 'mg', slot: o.slotCount - 1, toTfjs: 1 }] : [])];
    // Adam's are tfjs's names; Adamax (tfjs 4.22 cannot get or set its weights) and Nadam use Keras's.
    default: return o.slotNames.map((name, slot) => ({ name, slot, toTfjs: 1 }));
  }
}

function sgdMomentum(o: Optimizer, step: number): SlotSpec {
  const schedule = o.learningRateSchedule;
  const rate = schedule ? schedule.rateAt(step) : o.learningRate;
  if (Number.isFinite(rate) && rate > 0) return { name: 'momentum', slot: 0, toTfjs: -1 / rate };
  const from = schedule ? ` (from the ${schedule.className} schedule)` : '';
  return { name: 'momentum', slot: 0, toTfjs: NaN,
    refused: `the momentum slot converts to tfjs's as velocity / -learningRate, and the learning rate at step ${step} is ${rate}${from}; it must be a finite number > 0` };
}

/** Refuses to convert a slot whose factor is undefined (SGD momentum at a rate of 0). */
function checked(spec: SlotSpec, where: string): SlotSpec {
  if (spec.refused) throw new Error(`${where}: ${spec.refused}`);
  return spec;
}

/** The largest step count an int32 'iter' holds. */
const INT32_MAX = 2 ** 31 - 1;

/**
 * getWeights' values, synchronously: what model.save({includeOptimizer}) writes (tfjs's getWeights is asynchronous,
 * rnnlab's state is at hand, and the synchronous rl.io.modelArtifactsOf writes it too).
 */
export function tfjsOptimizerWeights(o: Optimizer): { name: string; shape: number[]; values: Float32Array | Int32Array }[] {
  const specs = layout(o, o.iterations);
  // 'iter' is int32 in tfjs and in files: a Float32Array would round counts above 2^24 (one step off in Adam's bias correction).
  if (o.iterations > INT32_MAX) throw new Error(`${o.className}.getWeights: the step count ${o.iterations} is over ${INT32_MAX}, the most tfjs's int32 'iter' holds`);
  const vars = o.slotVariables();
  const held = o.getSlots(vars);
  const entries: { name: string; shape: number[]; slots: FArray[] }[] = [
    ...vars.map((v, i) => ({ name: v.name, shape: v.shape, slots: held[i] })),
    ...[...o.pendingSlotsByName()].map(([name, p]) => ({ name, ...p })),
  ];
  const out: { name: string; shape: number[]; values: Float32Array | Int32Array }[] = [{ name: 'iter', shape: [], values: Int32Array.of(o.iterations) }];
  for (const spec of specs) {
    for (const e of entries) {
      const size = e.shape.reduce((a, b) => a * b, 1);
      const { slot, toTfjs } = checked(spec, `${o.className}.getWeights`);
      const values = slot === null ? new Float32Array(size) : Float32Array.from(e.slots[slot], (x) => x * toTfjs);
      out.push({ name: `${e.name}/${spec.name}`, shape: [...e.shape], values });
    }
  }
  return out;
}

Optimizer.prototype.getWeights = async function (this: Optimizer): Promise<NamedTensor[]> {
  // 'iter' is int32, as tfjs's getWeights gives it and saved files hold it.
  return tfjsOptimizerWeights(this).map((w) => ({ name: w.name, tensor: w.name === 'iter' ? scalar(w.values[0], 'int32') : tensor(w.values, w.shape) }));
};

Optimizer.prototype.setWeights = async function (this: Optimizer, weightValues: NamedTensor[]): Promise<void> {
  const where = `${this.className}.setWeights`;
  if (!Array.isArray(weightValues)) throw new Error(`${where}: expected a list of {name, tensor} (as getWeights gives)`);
  weightValues.forEach((w, i) => {
    if (typeof w !== 'object' || w === null || typeof w.name !== 'string' || !(w.tensor instanceof Tensor)) {
      throw new Error(`${where}: entry ${i} must be {name: string, tensor: Tensor}`);
    }
  });
  const [iter, ...rest] = weightValues;
  const steps = iter?.tensor.size === 1 ? Number(iter.tensor.values[0]) : NaN;
  if (!iter || iter.name !== 'iter' || !Number.isInteger(steps) || steps < 0) {
    throw new Error(`${where}: the first entry must be 'iter', the step count as a scalar integer >= 0 (as getWeights gives), got ${iter ? `'${iter.name}'` : 'nothing'}`);
  }
  // A float32 'iter' can hold larger whole numbers, which getWeights and saved files (int32) could not give back.
  if (steps > INT32_MAX) throw new Error(`${where}: 'iter' is ${steps}, over ${INT32_MAX}, the most tfjs's int32 step count holds`);
  const specs = layout(this, steps);
  const byName = new Map<string, { shape: number[]; values: Map<string, Tensor> }>();
  for (const { name, tensor: t } of rest) {
    const cut = name.lastIndexOf('/');
    const spec = specs.find((s) => s.name === name.slice(cut + 1));
    if (cut < 0 || !spec) {
      const kinds = specs.length ? specs.map((s) => `'<variable>/${s.name}'`).join(', ') : 'none (only iter)';
      throw new Error(`${where}: '${name}' is not a weight of this optimizer: its weights are ${kinds}`);
    }
    const varName = name.slice(0, cut);
    const entry = byName.get(varName) ?? { shape: t.shape, values: new Map<string, Tensor>() };
    if (entry.shape.join() !== t.shape.join()) throw new Error(`${where}: '${name}' has shape [${t.shape.join(', ')}], other weights of '${varName}' [${entry.shape.join(', ')}]`);
    if (entry.values.has(spec.name)) throw new Error(`${where}: '${name}' is given twice`);
    entry.values.set(spec.name, t);
    byName.set(varName, entry);
  }
  const slots = new Map<string, { shape: number[]; slots: FArray[] }>();
  for (const [varName, { shape, values }] of byName) {
    const missing = specs.filter((s) => !values.has(s.name));
    if (missing.length) throw new Error(`${where}: '${varName}' lacks ${missing.map((s) => `'${varName}/${s.name}'`).join(', ')}`);
    const arrays: FArray[] = Array.from({ length: this.slotCount }, () => new Float32Array(0));
    for (const s of specs) {
      const { slot, toTfjs } = checked(s, where);
      if (slot !== null) arrays[slot] = Float32Array.from(values.get(s.name)!.values, (x) => x / toTfjs);
    }
    slots.set(varName, { shape, slots: arrays });
  }
  this.setSlotsByName(slots, steps);
};

Optimizer.prototype.getClassName = function (this: Optimizer): string { return this.kerasName; };

Optimizer.prototype.dispose = function (this: Optimizer): void { this.setSlotsByName(new Map(), 0); };

Optimizer.prototype.computeGradients = function (this: Optimizer, f: () => Tensor, varList?: Variable[] | null) {
  return namedGradients(f, varList, `${this.getClassName()}.computeGradients`);
};
