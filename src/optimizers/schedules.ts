/**
 * Keras's learning-rate schedules (keras.optimizers.schedules): a rate per optimizer step, evaluated at the
 * optimizer's iterations before the step (0-based, as Keras), with Keras's formulas and saved config shape.
 * Options are camelCase with Keras's snake_case names accepted too (initial_learning_rate).
 */
import { checkOptionKeys, kerasKey } from '../near_name.js';

/** A schedule's Keras config: {className, config} (src/io writes class_name and snake_case keys). */
export interface ScheduleConfig { className: string; config: Record<string, unknown> }

/**
 * The base class: a subclass gives rateAt(step) (Keras's __call__) and getConfig; one registered with
 * registerSchedule also loads from a saved model.
 */
export abstract class LearningRateSchedule {
  static readonly className: string = 'LearningRateSchedule';
  get className(): string { return (this.constructor as typeof LearningRateSchedule).className; }
  /** The rate for the 0-based optimizer step. */
  abstract rateAt(step: number): number;
  /** Keras's config, camelCase keys. */
  abstract getConfig(): Record<string, unknown>;
}

type ScheduleClass = (new (args: Record<string, unknown>) => LearningRateSchedule) & { readonly className: string };
const registered = new Map<string, ScheduleClass>();

/** Makes a schedule class loadable by its className (Keras matches the class name exactly). */
export function registerSchedule(loadable: (new (config: never) => LearningRateSchedule) & { readonly className: string }): void {
  // Loading calls the constructor with the saved config (camelCase keys).
  const cls = loadable as unknown as ScheduleClass;
  const had = registered.get(cls.className);
  if (had && had !== cls) throw new Error(`registerSchedule: a schedule named '${cls.className}' is registered already (give the class another static className)`);
  registered.set(cls.className, cls);
}

const snake = kerasKey;

/**
 * Reads a schedule's options under their camelCase or snake_case names, refusing unknown keys (named) and an
 * option given under both names; returns them camelCase.
 */
function readOptions(where: string, args: unknown, names: readonly string[]): Record<string, unknown> {
  const known = [...names, ...names.map(snake).filter((s) => !names.includes(s))];
  const raw = checkOptionKeys(where, args ?? {}, known);
  const out: Record<string, unknown> = {};
  for (const n of names) {
    const s = snake(n);
    if (s !== n && raw[n] !== undefined && raw[s] !== undefined) throw new Error(`${where}: give ${n} or its Keras name ${s}, not both`);
    out[n] = raw[n] ?? raw[s];
  }
  return out;
}

interface NumberRules { fallback?: number; positive?: boolean; min?: number }

function num(where: string, name: string, v: unknown, { fallback, positive = false, min = 0 }: NumberRules = {}): number {
  const x = v ?? fallback;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < min || (positive && x === 0)) {
    throw new Error(`${where}: ${name} must be a finite number ${positive ? '>' : '>='} ${min}, got ${x === undefined ? 'nothing' : JSON.stringify(x) ?? String(x)}`);
  }
  return x;
}

/** One option's reader: checks the given value (errors name `where` and the option) and gives the field's value. */
type Read<T> = (where: string, name: string, v: unknown) => T;

const number = (rules: NumberRules = {}): Read<number> => (w, n, v) => num(w, n, v, rules);

const numberOrNull: Read<number | null> = (w, n, v) => (v === undefined || v === null ? null : num(w, n, v));

const numbers = (min: number): Read<number[]> => (w, n, v) => {
  if (!Array.isArray(v)) throw new Error(`${w}: ${n} must be a list of numbers, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  return v.map((x, i) => num(w, `${n}[${i}]`, x, { min }));
};

const flag: Read<boolean> = (w, n, v) => {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new Error(`${w}: ${n} must be true or false, got ${JSON.stringify(v)}`);
  return v;
};

const label = (fallback: string): Read<string> => (w, _n, v) => {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw new Error(`${w}: name must be a string, got ${JSON.stringify(v)}`);
  return v;
};

const where = (cls: string): string => `rl.optimizers.schedules.${cls}`;

/**
 * What every schedule's constructor does with its options (given, or a saved config's): reads them under their
 * camelCase or Keras names (unknown keys refused), each with its reader in the order listed, and returns the
 * fields by name for Object.assign.
 */
function readFields<F extends object>(className: string, args: unknown, readers: { [K in keyof F]: Read<F[K]> }): F {
  const w = where(className);
  const o = readOptions(w, args, Object.keys(readers));
  return Object.fromEntries(Object.entries(readers).map(([n, read]) => [n, (read as Read<unknown>)(w, n, o[n])])) as F;
}

export interface ExponentialDecayArgs { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean; name?: string }
export type InverseTimeDecayArgs = ExponentialDecayArgs;

/** ExponentialDecay's and InverseTimeDecay's options (Keras gives both the same four); subclasses give the curve. */
abstract class StepDecay extends LearningRateSchedule {
  declare readonly initialLearningRate: number; declare readonly decaySteps: number; declare readonly decayRate: number;
  declare readonly staircase: boolean; declare readonly name: string;
  constructor(className: string, args: ExponentialDecayArgs) {
    super();
    Object.assign(this, readFields<Required<ExponentialDecayArgs>>(className, args, {
      initialLearningRate: number(), decaySteps: number({ positive: true }), decayRate: number(), staircase: flag, name: label(className),
    }));
  }
  /** step / decaySteps, floored with staircase. */
  protected progress(step: number): number {
    const p = step / this.decaySteps;
    return this.staircase ? Math.floor(p) : p;
  }
  getConfig(): Record<string, unknown> {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, decayRate: this.decayRate, staircase: this.staircase, name: this.name };
  }
}

/** initialLearningRate * decayRate ^ (step / decaySteps); with staircase the exponent is floored. */
export class ExponentialDecay extends StepDecay {
  static readonly className = 'ExponentialDecay';
  constructor(args: ExponentialDecayArgs) { super(ExponentialDecay.className, args); }
  rateAt(step: number): number { return this.initialLearningRate * this.decayRate ** this.progress(step); }
}

/** initialLearningRate / (1 + decayRate * step / decaySteps); with staircase step / decaySteps is floored. */
export class InverseTimeDecay extends StepDecay {
  static readonly className = 'InverseTimeDecay';
  constructor(args: InverseTimeDecayArgs) { super(InverseTimeDecay.className, args); }
  rateAt(step: number): number { return this.initialLearningRate / (1 + this.decayRate * this.progress(step)); }
}

export interface PiecewiseConstantDecayArgs { boundaries: number[]; values: number[]; name?: string }

/** values[0] up to and including boundaries[0], values[i] for boundaries[i-1] < step <= boundaries[i], then the last value. */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  static readonly className = 'PiecewiseConstantDecay';
  declare readonly boundaries: readonly number[]; declare readonly values: readonly number[]; declare readonly name: string;
  constructor(args: PiecewiseConstantDecayArgs) {
    super();
    const w = where(PiecewiseConstantDecay.className);
    const { boundaries, values, name } = readFields<Required<PiecewiseConstantDecayArgs>>(PiecewiseConstantDecay.className, args, {
      boundaries: numbers(-Infinity), values: numbers(0), name: label('PiecewiseConstant'),
    });
    if (values.length !== boundaries.length + 1) throw new Error(`${w}: values must have one entry more than boundaries, got ${values.length} values for ${boundaries.length} boundaries`);
    boundaries.forEach((b, i) => { if (i > 0 && !(b > boundaries[i - 1])) throw new Error(`${w}: boundaries must increase strictly, got ${JSON.stringify(boundaries)}`); });
    Object.assign(this, { boundaries, values, name });
  }
  rateAt(step: number): number {
    const i = this.boundaries.findIndex((b) => step <= b);
    return this.values[i < 0 ? this.values.length - 1 : i];
  }
  getConfig(): Record<string, unknown> { return { boundaries: [...this.boundaries], values: [...this.values], name: this.name }; }
}

export interface PolynomialDecayArgs { initialLearningRate: number; decaySteps: number; endLearningRate?: number; power?: number; cycle?: boolean; name?: string }

/**
 * (initial - end) * (1 - step / decaySteps) ^ power + end, the step held at decaySteps; with cycle, decaySteps is
 * the first multiple of it not below the step (1 x at step 0). Keras defaults: endLearningRate 1e-4, power 1.
 */
export class PolynomialDecay extends LearningRateSchedule {
  static readonly className = 'PolynomialDecay';
  declare readonly initialLearningRate: number; declare readonly decaySteps: number; declare readonly endLearningRate: number;
  declare readonly power: number; declare readonly cycle: boolean; declare readonly name: string;
  constructor(args: PolynomialDecayArgs) {
    super();
    Object.assign(this, readFields<Required<PolynomialDecayArgs>>(PolynomialDecay.className, args, {
      initialLearningRate: number(), decaySteps: number({ positive: true }), endLearningRate: number({ fallback: 0.0001 }),
      power: number({ fallback: 1 }), cycle: flag, name: label('PolynomialDecay'),
    }));
  }
  rateAt(step: number): number {
    let steps = this.decaySteps, s = step;
    if (this.cycle) steps *= step === 0 ? 1 : Math.ceil(step / this.decaySteps);
    else s = Math.min(step, steps);
    return (this.initialLearningRate - this.endLearningRate) * (1 - s / steps) ** this.power + this.endLearningRate;
  }
  getConfig(): Record<string, unknown> {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, endLearningRate: this.endLearningRate, power: this.power, cycle: this.cycle, name: this.name };
  }
}

export interface CosineDecayArgs { initialLearningRate: number; decaySteps: number; alpha?: number; warmupTarget?: number | null; warmupSteps?: number; name?: string }

/**
 * Keras 3's CosineDecay: without warmupTarget, initial * ((1 - alpha) * 0.5 (1 + cos(pi min(step, decaySteps) /
 * decaySteps)) + alpha). With it, a linear rise from initialLearningRate to warmupTarget over warmupSteps, then the
 * same decay from warmupTarget over decaySteps (the step held at warmupSteps + decaySteps).
 */
export class CosineDecay extends LearningRateSchedule {
  static readonly className = 'CosineDecay';
  declare readonly initialLearningRate: number; declare readonly decaySteps: number; declare readonly alpha: number;
  declare readonly warmupTarget: number | null; declare readonly warmupSteps: number; declare readonly name: string;
  constructor(args: CosineDecayArgs) {
    super();
    Object.assign(this, readFields<Required<CosineDecayArgs>>(CosineDecay.className, args, {
      initialLearningRate: number(), decaySteps: number({ positive: true }), alpha: number({ fallback: 0 }),
      warmupTarget: numberOrNull, warmupSteps: number({ fallback: 0 }), name: label('CosineDecay'),
    }));
    // Keras ignores warmup steps without a target: refused here rather than dropped.
    if (this.warmupTarget === null && this.warmupSteps > 0) throw new Error(`${where(CosineDecay.className)}: warmupSteps ${this.warmupSteps} needs a warmupTarget (the rate the warmup rises to)`);
  }
  private decayed(step: number, from: number): number {
    const cosine = 0.5 * (1 + Math.cos((Math.PI * step) / this.decaySteps));
    return from * ((1 - this.alpha) * cosine + this.alpha);
  }
  rateAt(step: number): number {
    if (this.warmupTarget === null) return this.decayed(Math.min(step, this.decaySteps), this.initialLearningRate);
    const s = Math.min(step, this.decaySteps + this.warmupSteps);
    if (s < this.warmupSteps) return (this.warmupTarget - this.initialLearningRate) * (s / this.warmupSteps) + this.initialLearningRate;
    return this.decayed(s - this.warmupSteps, this.warmupTarget);
  }
  getConfig(): Record<string, unknown> {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, alpha: this.alpha, name: this.name, warmupTarget: this.warmupTarget, warmupSteps: this.warmupSteps };
  }
}

for (const cls of [ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay]) registerSchedule(cls);

/** A schedule as the optimizer's config writes it. */
export function scheduleToConfig(s: LearningRateSchedule): ScheduleConfig {
  return { className: s.className, config: s.getConfig() };
}

/**
 * A schedule from a saved config: Keras 2's {className, config} or Keras 3's, which adds module and registeredName
 * (where Python finds the class; rnnlab finds it by className); the keys camelCase or as Keras writes them
 * (class_name, registered_name).
 */
export function scheduleFromConfig(raw: Record<string, unknown>): LearningRateSchedule {
  const { className, config } = readOptions('learningRate', raw, ['className', 'config', 'module', 'registeredName']);
  const cls = typeof className === 'string' ? registered.get(className) : undefined;
  if (!cls) throw new Error(`learningRate: unknown learning-rate schedule ${JSON.stringify(className)} (rnnlab has ${[...registered.keys()].join(', ')})`);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error(`learningRate: the ${cls.className} schedule's config must be an object`);
  try {
    return new cls(config as Record<string, unknown>);
  } catch (e) {
    // Errors name the schedule as the file holds it, not as the rl.optimizers.schedules constructor.
    throw new Error((e as Error).message.replace(where(cls.className), `learningRate (${cls.className})`));
  }
}
