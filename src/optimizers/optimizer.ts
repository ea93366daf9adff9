/** Optimizers update variables in place from their gradients, one fused kernel per variable. */
import { allocPersistent, kernels, type FArray } from '../backend/index.js';
import { markWeightWritten } from '../backend/bf16_weight_cache.js';
import { Variable, applyConstraint, type PerVariableState } from '../variable.js';
import { Tensor } from '../tensor.js';
import { variableForGradient } from '../autograd/variables.js';
import { checkOptionKeys, kerasKey } from '../near_name.js';
import { BEYOND_FLOAT32, float32Holds } from './float32.js';
import { InverseTimeDecay, LearningRateSchedule, scheduleFromConfig, scheduleToConfig } from './schedules.js';
import { describe } from '../describe.js';

export interface OptimizerArgs {
  /** A number, or a schedule (rl.optimizers.schedules) evaluated at each step. */
  learningRate?: number | LearningRateSchedule;
  /** Keras 2's name for learningRate. */
  lr?: number | LearningRateSchedule;
  /** Clip each gradient tensor to this L2 norm (Keras clipnorm). */
  clipnorm?: number;
  /** Clip each gradient value to [-clipvalue, clipvalue] (Keras clipvalue). */
  clipvalue?: number;
  /** Keras's optimizer name: kept as opt.name and written by getConfig when given. */
  name?: string;
  /**
   * Keras 3's decoupled weight decay (weight_decay): before each update, every weight that has a gradient and is not
   * excluded (excludeFromWeightDecay) becomes w - w * weightDecay * learningRate. null or unset: none.
   */
  weightDecay?: number | null;
}

/**
 * A number in range: maxExclusive bounds it above as [min, max), max as [min, max]. float32 (the default): the
 * update holds or computes with it in float32 (float32.ts), so a value float32 turns into Infinity is refused.
 */
export function checkHyper(owner: string, name: string, v: unknown, { min = 0, maxExclusive = Infinity, max = Infinity, allowZero = true, float32 = true } = {}): number {
  if (typeof v === 'function') throw new Error(callableRateMessage(owner, name));
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (!allowZero && v === 0) || v >= maxExclusive || v > max) {
    const range = maxExclusive !== Infinity ? `in [${min}, ${maxExclusive})` : max !== Infinity ? `in [${min}, ${max}]` : `${allowZero ? '>=' : '>'} ${min}`;
    throw new Error(`${owner}: ${name} must be a finite number ${range}, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  }
  if (float32 && !float32Holds(v)) {
    throw new Error(`${owner}: ${name} is ${v}, ${BEYOND_FLOAT32}: Keras computes with it in float32, where it becomes Infinity`);
  }
  return v;
}

/**
 * clipnorm and clipvalue bound the gradients in float64 (the gradients are float32): a bound above float32's range
 * clips nothing, and is taken as it always was.
 */
const CLIP_BOUND = { allowZero: false, float32: false };

/**
 * Keras 3 also takes a callable with no arguments as the learning rate; rnnlab does not (it could not be saved or
 * checkpointed): the error says so and names what to use instead.
 */
function callableRateMessage(owner: string, name: string): string {
  return `${owner}: ${name} must be a number or a schedule, got a function; rnnlab does not support a callable learning rate ` +
    '(Keras 3 calls one with no arguments each step): subclass rl.optimizers.schedules.LearningRateSchedule instead (rateAt(step) gives the rate, getConfig() what is saved)';
}


/** Keras options rnnlab does not implement, with the values that mean "off"; others are errors naming the option. */
const UNSUPPORTED_OPTIONS: Record<string, unknown[]> = {
  amsgrad: [false], centered: [false], globalClipnorm: [null], useEma: [false], decay: [0],
  emaMomentum: [null, 0.99], emaOverwriteFrequency: [null], lossScaleFactor: [null], gradientAccumulationSteps: [null],
};

/**
 * Keys tf.keras 2.11-2.15 writes in every optimizer config (and its from_config reads) that choose how Keras runs,
 * never what it computes (the legacy-optimizer flag, XLA): in a serialized config (a loaded file, fromConfig,
 * compile's {className, config}) any value reads as nothing. Keras 3's constructors refuse them ("Argument(s) not
 * recognized"), and so do rnnlab's constructors and factories: an option there is one the user chose to set.
 */
const CONFIG_EXTRAS = ['isLegacyOptimizer', 'jitCompile'];
/** Keras's EMA settings, which it never reads while useEma is false: then any value is taken, as Keras takes it. */
const EMA_SETTINGS = ['emaMomentum', 'emaOverwriteFrequency'];

/** Options as read: camelCase values, and for each the key it was given under (beta_1), for errors. */
export interface ReadOptions { values: Record<string, unknown>; spelling: Record<string, string> }

/**
 * Reads an optimizer's options (or a saved Keras or tfjs config) under their camelCase names or Keras's snake_case
 * ones (learning_rate, beta_1), refusing keys that would be silently dropped: an unknown key (null-valued too) is
 * checkOptionKeys's error naming `where` (rl.optimizers.adam, rl.Adam) and the key as given, an unsupported Keras
 * option anything but its off value, and one option given under both spellings. null means unset, as Keras writes
 * it (except decay, whose off value is 0). `serialized`: c is a saved config, which may carry CONFIG_EXTRAS.
 */
export function readOptimizerOptions(where: string, c: unknown, known: readonly string[], serialized = false, defaultRate?: number): ReadOptions {
  const spellings = new Map<string, string>();
  for (const n of [...known, ...CONFIG_EXTRAS, ...Object.keys(UNSUPPORTED_OPTIONS)]) {
    if (!spellings.has(n)) spellings.set(n, n);
    const s = kerasKey(n);
    if (!spellings.has(s)) spellings.set(s, n);
  }
  const listed = [...new Set([...known, ...known.map(kerasKey)])];
  // Anything but an object (or nothing) is checkOptionKeys's error: new Adam(0.01) would otherwise run at the default rate.
  if (typeof c === 'number' && known.includes('learningRate') && where.startsWith('rl.')) {
    // Keras's Adam(0.01): the rate given positionally.
    throw new Error(`${where}: the options argument must be an object, got ${c}; write new ${where}({learningRate: ${c}})`);
  }
  if (typeof c !== 'object' || c === null || Array.isArray(c)) { checkOptionKeys(where, c, listed); return { values: {}, spelling: {} }; }
  const values: Record<string, unknown> = {}, spelling: Record<string, string> = {}, unknown: Record<string, unknown> = {};
  const emaOff = Object.entries(c).some(([k, v]) => spellings.get(k) === 'useEma' && v === false);
  let decay: [string, unknown] | undefined;
  for (const [k, v] of Object.entries(c)) {
    if (v === undefined) continue;
    const n = spellings.get(k);
    if (n === undefined) { unknown[k] = v; continue; }
    if (CONFIG_EXTRAS.includes(n) && !serialized) {
      throw new Error(`${where}: Argument(s) not recognized: '${k}', as in Keras 3's constructors (it chooses only how tf.keras 2.11-2.15 runs; ` +
        "a saved config carrying it is read by fromConfig, compile's {className, config} and loading)");
    }
    if (v === null && n !== 'decay') continue;
    if (Object.hasOwn(spelling, n)) throw new Error(`${where}: give ${n} or its Keras name ${kerasKey(n)}, not both`);
    spelling[n] = k;
    if (known.includes(n) || CONFIG_EXTRAS.includes(n)) { values[n] = v; continue; }
    if (emaOff && EMA_SETTINGS.includes(n)) continue;
    if (n === 'decay') { decay = [k, v]; continue; }
    if (!UNSUPPORTED_OPTIONS[n].includes(v)) throw new Error(`${where}: option '${k}' = ${typeof v === 'object' ? 'an object' : JSON.stringify(v)} is not supported by rnnlab`);
  }
  checkOptionKeys(where, unknown, listed);
  if (decay && !UNSUPPORTED_OPTIONS.decay.includes(decay[1])) throw new Error(decayMessage(where, decay[0], decay[1], values.learningRate ?? values.lr ?? defaultRate));
  return { values, spelling };
}

/**
 * The refusal of a `decay` that is a learning-rate decay in an options object (Keras 3's form, which dropped the
 * option; Adamax's aside). The rate at step t was learningRate / (1 + decay * t), and an InverseTimeDecay schedule
 * with decaySteps 1 gives those very rates. Adamax's decay in options (tfjs's AdamaxOptimizer has it) and a saved
 * config's decay (tf.keras 2's optimizers', tfjs's Adamax's) become that schedule instead (rateWithDecay);
 * RMSprop's decay in options is tfjs's name for rho, taken as such.
 */
export function decayMessage(where: string, key: string, v: unknown, rate: unknown, whose = "Keras 2's optimizers'"): string {
  const base = `${where}: option '${key}' = ${typeof v === 'object' && v !== null ? 'an object' : JSON.stringify(v)} is not supported by rnnlab`;
  if (typeof v !== 'number' || !Number.isFinite(v)) return base;
  const initial = typeof rate === 'number' ? String(rate) : '<the learning rate>';
  return `${base}: it is ${whose} learning-rate decay (the rate at step t is learningRate / (1 + decay * t)), which Keras 3's optimizers and rnnlab's do not take; ` +
    `the same rates come from the schedule new rl.optimizers.schedules.InverseTimeDecay({initialLearningRate: ${initial}, decaySteps: 1, decayRate: ${v}}) as the learning rate`;
}

/**
 * The learning rate with a learning-rate decay applied: tfjs's Adamax and Keras 2's optimizers both step at rate
 * learningRate / (1 + decay * t), t their 0-based iteration, and InverseTimeDecay with decaySteps 1, which rnnlab
 * evaluates at the same 0-based step, gives those rates, so the optimizer trains as the one that was written. decay
 * 0, null (tfjs's constructor then decays by nothing) or absent leaves the rate as given; so does a rate that is no
 * number, for the constructor to refuse. `whose` names the decay in errors ("tfjs's Adamax's").
 */
export function rateWithDecay(where: string, learningRate: unknown, decay: unknown, defaultRate: number, whose: string): unknown {
  if (decay === undefined || decay === null || decay === 0) return learningRate;
  if (typeof decay !== 'number' || !Number.isFinite(decay) || decay < 0) {
    throw new Error(`${where}: decay must be a finite number >= 0 (${whose} learning-rate decay: the rate at step t is learningRate / (1 + decay * t)), got ${describe(decay)}`);
  }
  if (learningRate instanceof LearningRateSchedule) {
    throw new Error(`${where}: decay ${decay} (${whose} learning-rate decay) and the ${learningRate.className} schedule given as the learning rate would each set the rate; give one of them`);
  }
  const initial = learningRate ?? defaultRate;
  if (typeof initial !== 'number' || !Number.isFinite(initial) || initial < 0) return learningRate;
  return new InverseTimeDecay({ initialLearningRate: initial, decaySteps: 1, decayRate: decay });
}

/** readOptimizerOptions for its checks only (the factories check under their own names). */
export function checkOptimizerConfig(where: string, c: unknown, known: readonly string[], defaultRate?: number): void {
  readOptimizerOptions(where, c, known, false, defaultRate);
}

/** fromConfig's config: Keras's from_config(config), or tfjs's static fromConfig(cls, config) with the class first. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function configArgument(first: Record<string, unknown> | Function, second?: unknown): Record<string, unknown> {
  return (typeof first === 'function' ? second : first) as Record<string, unknown>;
}

/**
 * A number from a loaded config, or undefined when absent (the loader prefixes the optimizer's name); errors name
 * the key as the config spells it (`spelled`).
 */
export function configNumber(c: Record<string, unknown>, k: string, spelled = k): number | undefined {
  const v = c[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number') throw new Error(`${spelled} must be a number, got ${typeof v === 'object' ? 'an object' : JSON.stringify(v)}`);
  return v;
}

/** A saved learning rate: a number, or a schedule's {className, config}. */
function configRate(c: Record<string, unknown>, k: string, spelled = k): number | LearningRateSchedule | undefined {
  const v = c[k];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? scheduleFromConfig(v as Record<string, unknown>) : configNumber(c, k, spelled);
}

/** learningRate (or Keras 2's lr), the clipping options and the name every optimizer shares, from read options. */
function baseArgs({ values: c, spelling }: ReadOptions): OptimizerArgs {
  const name = c.name;
  if (name !== undefined && typeof name !== 'string') throw new Error(`${spelling.name ?? 'name'} must be a string, got ${typeof name === 'object' ? 'an object' : JSON.stringify(name)}`);
  return { learningRate: configRate(c, 'learningRate', spelling.learningRate) ?? configRate(c, 'lr'),
    clipnorm: configNumber(c, 'clipnorm'), clipvalue: configNumber(c, 'clipvalue'), name,
    weightDecay: configNumber(c, 'weightDecay', spelling.weightDecay) };
}

export const BASE_OPTIONS = ['learningRate', 'lr', 'clipnorm', 'clipvalue', 'weightDecay'] as const;

/**
 * An optimizer from a saved config. Files saved before clipnorm with clipvalue was refused (and Keras 2's) still
 * load, with a warning, clipping as rnnlab always did: value, then norm.
 */
export function fromSavedArgs<T extends Optimizer>(args: OptimizerArgs, make: (args: OptimizerArgs) => T): T {
  if (args.clipnorm == null || args.clipvalue == null) return make(args);
  const { clipvalue, ...rest } = args;
  const opt = make(rest);
  console.warn(`${opt.className}: the saved optimizer has both clipnorm and clipvalue (new ones are refused, as in Keras 3); both apply, clipvalue first`);
  (opt as { clipvalue?: number }).clipvalue = checkHyper(opt.className, 'clipvalue', clipvalue, CLIP_BOUND);
  return opt;
}

/** Where a loaded config's errors point (the loader prefixes the file and the optimizer's class). */
export const SAVED_CONFIG = 'config';

/** What a class says about its options: the table of numbers, the other options, the other spellings files use. */
type OptionTable = Pick<typeof Optimizer, 'hyperparameters' | 'extraOptions' | 'savedNames' | 'savedRateDecay' | 'className' | 'defaultLearningRate'>;

/**
 * A saved config (Keras's or tfjs's, camelCase or snake_case keys) as the class's constructor options, after
 * refusing any key the class would drop: the base options, the table's numbers, the extra options (as saved: the
 * constructor checks them) and any option saved under another name (tfjs's useNesterov for nesterov), each under the
 * config's spelling. Every optimizer's fromConfig reads this way.
 */
export function savedOptions(cls: OptionTable, config: Record<string, unknown>): OptimizerArgs & Record<string, unknown> {
  const read = readOptimizerOptions(SAVED_CONFIG, config, [...optionNames(cls), ...Object.keys(cls.savedNames), ...(cls.savedRateDecay ? ['decay'] : [])], true);
  const { values: c, spelling } = read;
  const out: Record<string, unknown> = { ...baseArgs(read) };
  if (cls.savedRateDecay) out.learningRate = rateWithDecay(SAVED_CONFIG, out.learningRate, c.decay, cls.defaultLearningRate, `a saved ${cls.className}'s`);
  for (const n of Object.keys(cls.hyperparameters)) out[n] = configNumber(c, n, spelling[n]);
  for (const n of cls.extraOptions) out[n] = c[n] ?? undefined;
  for (const [saved, option] of Object.entries(cls.savedNames)) {
    const a = c[option] ?? undefined, b = c[saved] ?? undefined;
    if (a !== undefined && b !== undefined && a !== b) {
      throw new Error(`${SAVED_CONFIG}: '${spelling[option]}' (${JSON.stringify(a)}) and '${spelling[saved]}' (${JSON.stringify(b)}) are two spellings of one option and disagree; give one`);
    }
    if (out[option] === undefined) out[option] = b;
  }
  // Under the config's own spelling (beta_1): the constructor reads both, and its errors then name the key as saved.
  for (const [n, k] of Object.entries(spelling)) {
    if (k !== n && Object.hasOwn(out, n)) { out[k] = out[n]; delete out[n]; }
  }
  return out;
}

/** A numeric hyperparameter of an optimizer class: its Keras default and the range checkHyper enforces. */
export interface Hyperparameter { default: number; maxExclusive?: number; max?: number }

/** Every option an optimizer class's constructor reads under its own name (a saved config is read by these). */
export function optionNames(cls: Pick<typeof Optimizer, 'hyperparameters' | 'extraOptions'>): string[] {
  return [...BASE_OPTIONS, ...Object.keys(cls.hyperparameters), ...cls.extraOptions, 'name'];
}

/**
 * optionNames and the other names the constructor and factory take for them (RMSprop's decay, tfjs's rho), and
 * decay where it is a learning-rate decay (optionRateDecay).
 */
export function constructorOptionNames(cls: Pick<typeof Optimizer, 'hyperparameters' | 'extraOptions' | 'optionAliases' | 'optionRateDecay'>): string[] {
  return [...optionNames(cls), ...Object.keys(cls.optionAliases), ...(cls.optionRateDecay ? ['decay'] : [])];
}

type ConcreteOptimizer = (new (args: OptimizerArgs) => Optimizer) & OptionTable;

/**
 * An optimizer class describes itself: its names, its slots per variable and a table of numeric hyperparameters,
 * from which the base class checks the constructor's arguments, sets the fields (each subclass declares them),
 * reads a saved config and writes getConfig; a subclass adds its update rule and anything the table cannot say.
 */
export abstract class Optimizer<Args extends OptimizerArgs = OptimizerArgs> {
  /** rnnlab's class name (rl.Adam etc.); each subclass sets it. */
  static readonly className: string = 'Optimizer';
  /** The class name written into model.json (tfjs's and Keras's spelling) where it is not className. */
  static readonly kerasName?: string;
  /** What the optimizer keeps per variable, in checkpoint order (Adam: m, v). */
  static readonly slotNames: readonly string[] = [];
  /** Keras's default learning rate for the class. */
  static readonly defaultLearningRate: number = 0.001;
  /** The numeric hyperparameters besides learningRate, in getConfig's order. */
  static readonly hyperparameters: Readonly<Record<string, Hyperparameter>> = {};
  /** Constructor options besides the table's and the base's (SGD's nesterov). */
  static readonly extraOptions: readonly string[] = [];
  /** Other spellings a saved config may use for an option: {savedKey: option} (SGD reads tfjs's useNesterov). */
  static readonly savedNames: Readonly<Record<string, string>> = {};
  /**
   * Other names the constructor and factory take for an option: {alias: option} (RMSprop's decay, tfjs's name for
   * rho). Not read from a saved config, where a key may mean something else (Keras 2's RMSprop decay).
   */
  static readonly optionAliases: Readonly<Record<string, string>> = {};
  /**
   * Whether a saved config's `decay` is a learning-rate decay read as an InverseTimeDecay schedule (rateWithDecay):
   * tf.keras 2's optimizers' (OptimizerV2 steps at learningRate / (1 + decay * t)) and tfjs's Adamax's. Elsewhere a
   * saved decay is refused unless 0 (decayMessage).
   */
  static readonly savedRateDecay: boolean = false;
  /**
   * Whether the constructor and factory take `decay` as that learning-rate decay too (Adamax: tfjs's AdamaxOptimizer
   * has it); elsewhere it is refused in options unless 0, as Keras 3 refuses it.
   */
  static readonly optionRateDecay: boolean = false;
  /** The weight decay when none is given (AdamW's 0.004; the others have none, as in Keras 3). */
  static readonly defaultWeightDecay?: number;
  /** The fixed rate, or the schedule the rate comes from. */
  private rate: number | LearningRateSchedule;
  /** The rate of the step being applied (updateOne reads it; a schedule's value at the step). */
  protected stepLearningRate = 0;
  private applying = false;
  readonly clipnorm?: number;
  readonly clipvalue?: number;
  /** Keras 3's weight_decay (see OptimizerArgs), or undefined for none. */
  readonly weightDecay?: number;
  /** What excludeFromWeightDecay named: variables, and a pattern searched in variable names. */
  private decayExcluded = new Set<Variable>();
  private decayExcludedNames?: RegExp;
  /** Keras's name: the one given, else Keras 3's default for the class ('adam', 'rmsprop', 'SGD'). */
  readonly name: string;
  /** Whether a name was given (getConfig writes it then; tfjs's configs have none). */
  private readonly nameGiven: boolean;
  iterations = 0;
  /** Slot arrays per variable stepped; a variable's entry goes when the variable is disposed (forgetVariable). */
  protected slots = new Map<Variable, FArray[]>();
  /** What each variable holding slots keeps of this optimizer (weak: the variable does not keep it alive). */
  private readonly selfRef = new WeakRef<PerVariableState>(this);
  /** Slots set by variable name (setWeights) for variables this optimizer has not stepped yet, taken at their first step. */
  private pendingSlots = new Map<string, { shape: number[]; slots: FArray[] }>();

  private get cls(): typeof Optimizer { return this.constructor as typeof Optimizer; }
  get className(): string { return this.cls.className; }
  get kerasName(): string { return this.cls.kerasName ?? this.cls.className; }
  /** What this optimizer keeps per variable (the class's list unless options add slots, as RMSprop's momentum). */
  get slotNames(): readonly string[] { return this.cls.slotNames; }
  /** Slot arrays per variable. */
  get slotCount(): number { return this.slotNames.length; }

  /**
   * The rate the next step uses: the fixed rate, or the schedule's value at iterations (0-based, as Keras's
   * optimizer.learning_rate).
   */
  get learningRate(): number {
    // Inside a step (a subclass's updateOne), the step's own rate: the count has already moved on.
    if (this.applying) return this.stepLearningRate;
    return this.rate instanceof LearningRateSchedule ? this.rate.rateAt(this.iterations) : this.rate;
  }
  /**
   * Sets a fixed rate (callbacks do) with the constructor's check (a finite number >= 0), or a schedule (as Keras's
   * setter takes one); a number is refused when the rate is a schedule, as Keras refuses.
   */
  set learningRate(v: number | LearningRateSchedule) {
    if (v instanceof LearningRateSchedule) { this.rate = v; return; }
    if (typeof v === 'function') throw new Error(callableRateMessage(this.className, 'learningRate'));
    if (this.rate instanceof LearningRateSchedule) {
      throw new Error(`${this.className}: the learning rate comes from a schedule (${this.rate.className}) and cannot be set (Keras refuses too); callbacks that set the rate (ReduceLROnPlateau, LearningRateScheduler) need an optimizer with a numeric learningRate`);
    }
    this.rate = checkHyper(this.className, 'learningRate', v, { allowZero: true });
  }
  /** tfjs's SGD / Momentum setLearningRate(lr): the setter above, with the constructor's check (a finite rate >= 0, as Keras and tfjs accept 0). */
  setLearningRate(learningRate: number): void {
    this.learningRate = checkHyper(this.className, 'learningRate', learningRate, { allowZero: true });
  }
  /** Keras's spelling (`model.optimizer.learning_rate = 1e-4`): the same property as learningRate. */
  get learning_rate(): number { return this.learningRate; }
  set learning_rate(v: number | LearningRateSchedule) { this.learningRate = v; }
  /** The schedule the learning rate comes from, or undefined for a fixed rate. */
  get learningRateSchedule(): LearningRateSchedule | undefined {
    return this.rate instanceof LearningRateSchedule ? this.rate : undefined;
  }

  constructor(given: Args = {} as Args) {
    const cls = this.cls;
    // An option the class does not know (a typo, amsgrad: true) would otherwise be dropped; Keras's snake_case names
    // (learning_rate, beta_1) are read as the camelCase ones. Named as the class is exported (new rl.Adam); the
    // factories check first under their own names.
    const { values, spelling } = readOptimizerOptions(`rl.${cls.className}`, given, constructorOptionNames(cls), false, cls.defaultLearningRate);
    const said = (n: string): string => spelling[n] ?? n;
    for (const [alias, option] of Object.entries(cls.optionAliases)) {
      const a = values[alias], o = values[option];
      delete values[alias];
      if (a === undefined || a === null) continue;
      if (o !== undefined && o !== null && o !== a) {
        throw new Error(`${cls.className}: ${said(alias)} is tfjs's name for ${said(option)}; give one, not both with different values (got ${said(option)} ${JSON.stringify(o)} and ${said(alias)} ${JSON.stringify(a)})`);
      }
      values[option] = a;
      if (o === undefined || o === null) spelling[option] = said(alias);
    }
    const args = values as Args;
    if (args.learningRate !== undefined && args.lr !== undefined) throw new Error(`${cls.className}: give ${said('learningRate')} or its Keras 2 alias lr, not both`);
    let lr = args.learningRate ?? args.lr;
    if (cls.optionRateDecay) {
      // The same schedule as rl.train.adamax's positional decay and a saved config's (rateWithDecay).
      lr = rateWithDecay(cls.className, lr, values.decay, cls.defaultLearningRate, `${cls.className}'s`) as typeof lr;
      delete values.decay;
    }
    const lrName = args.learningRate !== undefined ? said('learningRate') : args.lr !== undefined ? 'lr' : 'learningRate';
    if (typeof lr === 'object' && lr !== null && !(lr instanceof LearningRateSchedule)) {
      throw new Error(`${cls.className}: ${lrName} must be a number or a schedule (rl.optimizers.schedules.ExponentialDecay etc.), got an object`);
    }
    this.rate = lr instanceof LearningRateSchedule ? lr : checkHyper(this.constructor.name, lrName, lr ?? cls.defaultLearningRate, { allowZero: true });
    // Keras 3 refuses both (Keras 2 clipped by norm first, rnnlab by value first): which one wins must not be a guess.
    if (args.clipnorm != null && args.clipvalue != null) {
      throw new Error(`${cls.className}: give clipnorm or clipvalue, not both (Keras allows only one), got clipnorm ${String(args.clipnorm)} and clipvalue ${String(args.clipvalue)}`);
    }
    if (args.clipnorm !== undefined) this.clipnorm = checkHyper(this.constructor.name, 'clipnorm', args.clipnorm, CLIP_BOUND);
    if (args.clipvalue !== undefined) this.clipvalue = checkHyper(this.constructor.name, 'clipvalue', args.clipvalue, CLIP_BOUND);
    const weightDecay = args.weightDecay ?? cls.defaultWeightDecay;
    if (weightDecay !== undefined && weightDecay !== null) this.weightDecay = checkHyper(cls.className, said('weightDecay'), weightDecay);
    for (const [name, { default: fallback, ...range }] of Object.entries(cls.hyperparameters)) {
      this.hyperValues[name] = checkHyper(this.className, said(name), (args as Record<string, unknown>)[name] ?? fallback, range);
    }
    if (args.name !== undefined && typeof args.name !== 'string') throw new Error(`${cls.className}: name must be a string, got ${typeof args.name === 'object' ? 'an object' : JSON.stringify(args.name)}`);
    this.nameGiven = args.name !== undefined;
    this.name = args.name ?? kerasDefaultName(this.className);
  }

  /** The table's hyperparameters live as fields of the subclass (this.rho); this is their by-name view. */
  private get hyperValues(): Record<string, number> { return this as unknown as Record<string, number>; }

  /** Reads a saved Keras config (camelCase), refusing options the class would drop; tfjs's (cls, config) form too. */
  static fromConfig(this: ConcreteOptimizer, c: Record<string, unknown> | Function, tfjsConfig?: Record<string, unknown> | string): Optimizer {
    return fromSavedArgs(savedOptions(this, configArgument(c, tfjsConfig)), (args) => new this(args));
  }

  protected abstract updateOne(v: FArray, g: FArray, slots: FArray[]): void;

  /**
   * Keras 3's exclude_from_weight_decay: the variables in varList, and those whose weight name ('bias', the part of
   * rnnlab's 'layer/bias' that is Keras 3's variable.name) matches one of varNames (regular expressions, searched as
   * Keras's re.search does: 'bias' matches every bias),
   * take no weight decay. As in Keras, only before the optimizer's first step, and a call replaces the exclusions of
   * the calls before it. Keras's snake_case keys work too.
   */
  excludeFromWeightDecay(options: { varList?: Variable[]; varNames?: string[]; var_list?: Variable[]; var_names?: string[] } = {}): void {
    const where = `${this.className}.excludeFromWeightDecay`;
    checkOptionKeys(where, options, ['varList', 'varNames', 'var_list', 'var_names']);
    if (options.varList !== undefined && options.var_list !== undefined) throw new Error(`${where}: give varList or var_list, not both`);
    if (options.varNames !== undefined && options.var_names !== undefined) throw new Error(`${where}: give varNames or var_names, not both`);
    // Keras accepts the call and does nothing with it; here exclusions without a decay would be accepted and ignored.
    if (this.weightDecay === undefined) {
      throw new Error(`${where}: this ${this.className} has no weightDecay, so there is nothing to exclude from; give the optimizer a weightDecay option when creating it`);
    }
    if (this.iterations > 0 || this.slots.size > 0) {
      throw new Error(`${where}: the optimizer has already taken a step (${this.iterations}); as in Keras, exclusions are set before the first step`);
    }
    const list = options.varList ?? options.var_list, names = options.varNames ?? options.var_names;
    if (list !== undefined) {
      if (!Array.isArray(list)) throw new Error(`${where}: varList must be an array of variables (model.trainableWeights), got ${typeof list}`);
      list.forEach((v, i) => { if (!(v instanceof Variable)) throw new Error(`${where}: varList[${i}] is not a variable (use model.trainableWeights or layer.weights)`); });
    }
    if (names !== undefined) {
      if (!Array.isArray(names)) throw new Error(`${where}: varNames must be an array of strings, got ${typeof names}`);
      names.forEach((n, i) => {
        if (typeof n !== 'string' || n === '') throw new Error(`${where}: varNames[${i}] must be a non-empty string, got ${JSON.stringify(n)}`);
        try { new RegExp(n); } catch (e) { throw new Error(`${where}: varNames[${i}] '${n}' is not a regular expression: ${(e as Error).message}`); }
      });
    }
    // Each call replaces the exclusions before it, as Keras's does.
    this.decayExcluded = new Set(list ?? []);
    this.decayExcludedNames = names?.length ? new RegExp(names.map((n) => `(?:${n})`).join('|')) : undefined;
  }
  /** Keras's spelling: exclude_from_weight_decay(var_list, var_names), positional. */
  exclude_from_weight_decay(varList?: Variable[] | null, varNames?: string[] | null): void {
    this.excludeFromWeightDecay({ varList: varList ?? undefined, varNames: varNames ?? undefined });
  }

  /**
   * Whether weight decay applies to v this step. Names are matched as Keras 3 matches variable.name: the weight's own
   * name ('bias'), without its layer's.
   */
  private decays(v: Variable): boolean {
    return this.weightDecay !== undefined && this.weightDecay !== 0 && !this.decayExcluded.has(v) &&
      !this.decayExcludedNames?.test(v.name.slice(v.name.lastIndexOf('/') + 1));
  }

  /** A fresh slot's starting values (zeros unless an optimizer says otherwise, as Adagrad's accumulator). */
  protected initSlot(_slot: FArray): void {}

  /**
   * Applies one step to every variable that received a gradient, then clears the gradients. Also tfjs's forms:
   * {variableName: gradient} or [{name, tensor}] (the names of rl.variable()s or layer weights, e.g. 'dense/kernel'),
   * where a null gradient skips its variable. A name listed twice in [{name, tensor}] updates its variable once per
   * entry, in order, as tfjs's loop does; the step count moves once per call.
   */
  applyGradients(given: Variable[] | Record<string, Tensor | null> | { name: string; tensor: Tensor | null }[]): void {
    const updates = gradientUpdates(given, this.className);
    try {
      this.slotVariables();
      this.stepLearningRate = this.checkStep(updates);
      const before = this.iterations;
      this.iterations++;
      this.applying = true;
      let moved = false;
      try {
        this.applyStep(updates, () => { moved = true; });
      } catch (e) {
        // A kernel that refuses before its first variable moved leaves the step unapplied: the count goes back too.
        if (!moved) this.iterations = before;
        throw e;
      } finally {
        this.applying = false;
      }
    } finally {
      // Applied or refused, the gradients (the step's backward set them) must not reach the next step.
      for (const { v } of updates) v.grad = null;
    }
  }

  /** The step's learning rate, once the step is checked: refused before the count moves or any variable does. */
  private checkStep(updates: GradientUpdate[]): number {
    // A schedule's rate for this step, before the count moves (Keras evaluates it at the 0-based step).
    const rate = this.learningRate;
    const schedule = this.learningRateSchedule;
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
      throw new Error(schedule
        ? `${this.className}: the ${schedule.className} learning-rate schedule gave ${String(rate)} at step ${this.iterations}; a rate must be a finite number >= 0`
        : `${this.className}: learningRate is ${String(rate)}; it must be a finite number >= 0`);
    }
    if (schedule && !float32Holds(rate)) {
      throw new Error(`${this.className}: the ${schedule.className} learning-rate schedule gave ${rate} at step ${this.iterations}, ${BEYOND_FLOAT32}, in which the step computes with it`);
    }
    // Checked before the count moves or any variable does, so a refused step changes no state.
    for (const { v } of updates) {
      const pending = this.slots.has(v) ? undefined : this.pendingSlots.get(v.name);
      if (pending && pending.shape.join() !== v.shape.join()) {
        throw new Error(`${this.className}: the optimizer weights set for '${v.name}' have shape [${pending.shape.join(', ')}], the variable [${v.shape.join(', ')}]`);
      }
    }
    return rate;
  }

  private applyStep(updates: GradientUpdate[], onMoved: () => void): void {
    const K = kernels();
    for (const { v, g } of updates) {
      if (this.clipvalue !== undefined) {
        const c = this.clipvalue;
        for (let i = 0; i < g.length; i++) g[i] = g[i] > c ? c : g[i] < -c ? -c : g[i];
      }
      if (this.clipnorm !== undefined) {
        const norm = Math.sqrt(K.sumSquares(g));
        if (norm > this.clipnorm) {
          const s = this.clipnorm / norm;
          for (let i = 0; i < g.length; i++) g[i] *= s;
        }
      }
      if (this.decays(v)) {
        decayWeights(v.values as FArray, this.weightDecay!, this.stepLearningRate);
        // The weights moved: the step counts even if the update below refuses, and packings of the old values are stale.
        onMoved();
        markWeightWritten(v.values as FArray);
      }
      let s = this.slots.get(v);
      const pending = s ? undefined : this.pendingSlots.get(v.name);
      if (pending) {
        s = pending.slots;
        this.pendingSlots.delete(v.name);
        this.keepSlots(v, s);
      }
      if (!s) {
        s = Array.from({ length: this.slotCount }, () => allocPersistent(v.size));
        for (const slot of s) this.initSlot(slot);
        this.keepSlots(v, s);
      }
      this.updateOne(v.values as FArray, g, s);
      onMoved();
      if (v.constraint) applyConstraint(v.constraint, v.values as FArray, v.shape);
      // Without a constraint the values are the update's own, so bf16 packings it made are current.
      markWeightWritten(v.values as FArray, !v.constraint);
    }
  }

  /** Slot arrays in the order of vars, for checkpoints. */
  getSlots(vars: Variable[]): FArray[][] {
    // Slots set by name (setWeights) and not yet taken count too, so a checkpoint right after setWeights keeps them.
    return vars.map((v) => this.slots.get(v) ?? this.pendingSlots.get(v.name)?.slots ?? []);
  }

  /** The variables holding slots, in the order they first received a gradient (tfjs's getWeights order). */
  slotVariables(): Variable[] {
    // rl.dispose(v) frees a variable without its dispose() method: its slots go here, before anything reads them.
    for (const v of this.slots.keys()) if (v.isDisposed) this.slots.delete(v);
    return [...this.slots.keys()];
  }

  private keepSlots(v: Variable, s: FArray[]): void {
    this.slots.set(v, s);
    v.keptBy(this.selfRef);
  }

  /** A disposed variable's slots are dropped: no step can reach it again, and getWeights and saves leave it out. */
  forgetVariable(v: Variable): void { this.slots.delete(v); }

  /** Slots set by name and not yet taken by a variable's first step. */
  pendingSlotsByName(): ReadonlyMap<string, { shape: number[]; slots: FArray[] }> { return this.pendingSlots; }

  /**
   * Replaces all state by slots given per variable name (setWeights): a variable already stepped takes its slots
   * now (its shape checked), any other at its first step; variables not named start fresh.
   */
  setSlotsByName(byName: Map<string, { shape: number[]; slots: ArrayLike<number>[] }>, iterations: number): void {
    const known = new Map(this.slotVariables().map((v) => [v.name, v]));
    for (const [name, { shape }] of byName) {
      const v = known.get(name);
      if (v && v.shape.join() !== shape.join()) {
        throw new Error(`${this.className}: the optimizer weights given for '${name}' have shape [${shape.join(', ')}], the variable [${v.shape.join(', ')}]`);
      }
    }
    this.slots.clear();
    this.pendingSlots.clear();
    for (const [name, { shape, slots }] of byName) {
      const copies = slots.map((src) => { const a = allocPersistent(src.length); a.set(src); return a; });
      const v = known.get(name);
      if (v) this.keepSlots(v, copies); else this.pendingSlots.set(name, { shape: [...shape], slots: copies });
    }
    this.iterations = iterations;
  }

  setSlots(vars: Variable[], slots: ArrayLike<number>[][], iterations: number): void {
    if (slots.length !== vars.length) throw new Error(`${this.className}: optimizer state has ${slots.length} entries for ${vars.length} variables`);
    this.slots.clear();
    this.pendingSlots.clear();
    vars.forEach((v, i) => {
      if (slots[i].length === 0) return;
      if (slots[i].length !== this.slotCount || slots[i].some((s) => s.length !== v.size)) {
        throw new Error(`${this.className}: optimizer state for ${v.name} does not match its shape [${v.shape.join(', ')}]`);
      }
      this.keepSlots(v, slots[i].map((s) => { const a = allocPersistent(v.size); a.set(s); return a; }));
    });
    this.iterations = iterations;
  }

  /** Keras's config with camelCase keys (src/io writes snake_case). */
  getConfig(): Record<string, unknown> {
    return { ...(this.nameGiven ? { name: this.name } : {}),
      learningRate: this.rate instanceof LearningRateSchedule ? scheduleToConfig(this.rate) : this.rate, ...(this.clipnorm !== undefined ? { clipnorm: this.clipnorm } : {}),
      ...(this.clipvalue !== undefined ? { clipvalue: this.clipvalue } : {}),
      ...(this.weightDecay !== undefined ? { weightDecay: this.weightDecay } : {}),
      ...Object.fromEntries(Object.keys(this.cls.hyperparameters).map((n) => [n, this.hyperValues[n]])) };
  }
}

/**
 * w - w * weightDecay * rate in float32, operation by operation as Keras computes it on a float32 variable, so the
 * bits match Keras's (each product rounded to float32 before the next).
 */
function decayWeights(w: FArray, weightDecay: number, rate: number): void {
  const wd = Math.fround(weightDecay), lr = Math.fround(rate);
  for (let i = 0; i < w.length; i++) w[i] = Math.fround(w[i] - Math.fround(Math.fround(w[i] * wd) * lr));
}

/** Keras 3's default optimizer names (3.0 to 3.14): 'SGD', otherwise the class name in lower case ('adam', 'rmsprop'). */
function kerasDefaultName(className: string): string {
  return className === 'SGD' ? 'SGD' : className.toLowerCase();
}

/** One update of a step: a variable and the gradient it moves by (clipping may change g in place). */
interface GradientUpdate { v: Variable; g: FArray }

/**
 * applyGradients's argument as the updates to apply, in order: the variables carrying a gradient (each once), or tfjs's
 * named forms resolved by name, one update per entry.
 */
function gradientUpdates(given: unknown, owner: string): GradientUpdate[] {
  const where = `${owner}.applyGradients`;
  if (Array.isArray(given) && given.every((v) => v instanceof Variable)) {
    // A variable listed twice carries one gradient: it moves once.
    return [...new Set(given as Variable[])].filter((v) => v.grad).map((v) => ({ v, g: v.grad! }));
  }
  let entries: [string, unknown][];
  if (Array.isArray(given)) {
    entries = given.map((e, i) => {
      if (typeof e !== 'object' || e === null || typeof (e as { name?: unknown }).name !== 'string') {
        throw new Error(`${where}: element ${i} must be a Variable or tfjs's {name, tensor}`);
      }
      // tfjs skips an entry whose tensor is missing; a misspelt key ({name, value}) would then drop a gradient unseen.
      if (!('tensor' in e)) throw new Error(`${where}: element ${i} ('${(e as { name: string }).name}') has no tensor (tfjs's {name, tensor}; tensor null skips it)`);
      return [(e as { name: string }).name, (e as { tensor?: unknown }).tensor];
    });
  } else if (typeof given === 'object' && given !== null && Object.getPrototypeOf(given) === Object.prototype) {
    entries = Object.entries(given);
  } else {
    throw new Error(`${where}: expected a list of variables, {variableName: gradient} or [{name, tensor}]`);
  }
  // Every entry is checked before any update is made: a refused call moves nothing.
  // A null gradient is skipped, name unread, as tfjs does: variableGrads gives one for a listed variable that does not
  // train, and tfjs code masks a variable out of a step by setting its entry to null.
  const resolved = entries.filter(([, g]) => g != null).map(([name, g]) => {
    if (!(g instanceof Tensor)) throw new Error(`${where}: the gradient for '${name}' must be a Tensor (or null to skip it)`);
    let v: Variable;
    try { v = variableForGradient(name, g); } catch (e) { throw new Error(`${where}: ${(e as Error).message}`); }
    if (g.shape.join() !== v.shape.join()) {
      throw new Error(`${where}: the gradient for '${name}' has shape [${g.shape.join(', ')}], the variable [${v.shape.join(', ')}]`);
    }
    return { v, g };
  });
  return resolved.map(({ v, g }) => {
    const copy = allocPersistent(v.size);
    copy.set(g.values as ArrayLike<number>);
    return { v, g: copy };
  });
}
