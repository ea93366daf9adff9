/**
 * Keras's full initializer catalogue as objects with configs and seeds (rl.initializers.heNormal({seed: 1})).
 * A seeded initializer draws from its own generator, so the same seed gives the same values every call;
 * unseeded ones draw from the global generator (rl.setSeed).
 */
import { Random, globalRandom } from '../random.js';
import { refusingExtraArguments } from '../factory.js';
import type { Shape } from '../tensor.js';
import { Tensor } from '../tensor.js';
import { checkOptionKeys } from '../near_name.js';
import { orthogonal } from './orthogonal.js';
import { tfjsSpelled } from './tfjs_spellings.js';

type Out = { length: number; [i: number]: number };
type Draw = (shape: Shape, out: Out, rng: Random) => void;
export type Mode = 'fan_in' | 'fan_out' | 'fan_avg';
export type Distribution = 'truncated_normal' | 'untruncated_normal' | 'uniform' | 'normal';

/** Keras's fans: the kernel's last two axes are (in, out); earlier axes are the receptive field. */
export function fans(shape: Shape): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

// The standard deviation of a unit normal truncated at +-2: Keras divides by it to keep the variance.
const TRUNCATED_STD = 0.87962566103423978;

function truncated(rng: Random, mean: number, std: number, out: Out): void {
  for (let i = 0; i < out.length; i++) {
    let v: number;
    do v = rng.normal(); while (Math.abs(v) > 2);
    out[i] = mean + v * std;
  }
}

export class Initializer {
  /** The name saved in model.json: a subclass's own static className, else the one given to the constructor. */
  readonly className: string;
  readonly config: Record<string, unknown>;
  private readonly draw: Draw | null;

  /** A subclass in tfjs's form passes nothing and overrides apply(shape); the catalogue passes its class, config and fill. */
  constructor(className?: string, config: Record<string, unknown> = {}, draw?: Draw) {
    const own = new.target as { className?: unknown };
    // One name for saving and registerClass: a static className wins over the one passed to super().
    this.className = Object.hasOwn(own, 'className') && typeof own.className === 'string' ? own.className : className ?? '';
    this.config = config;
    this.draw = draw ?? null;
    if (this.draw === null && this.apply === Initializer.prototype.apply) {
      const label = new.target === Initializer ? 'rl.Initializer' : new.target.name || 'the initializer subclass';
      throw new Error(`${label}: an initializer without a fill function must override apply(shape) (make built-in ones with rl.initializers.*)`);
    }
  }

  /** Fills out for a weight of this shape. */
  fill(shape: Shape, out: Out): void {
    if (this.draw === null) throw new Error(`${this.className || this.constructor.name}.fill: this initializer fills through its apply(shape)`);
    const seed = this.config.seed;
    this.draw(shape, out, typeof seed === 'number' ? new Random(seed) : globalRandom);
  }

  /** tfjs's initializer.apply(shape, dtype): a new tensor of initial values; weights are float32 here, so only that dtype. */
  apply(shape: Shape, dtype: string = 'float32'): Tensor {
    if (dtype !== 'float32') throw new Error(`${this.className}.apply: dtype '${dtype}' is not supported (rnnlab's weights are float32)`);
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
    this.fill(shape, out);
    return new Tensor(out, [...shape], 'float32');
  }

  getClassName(): string { return this.className; }

  /**
   * A built-in's config in tfjs's spelling (mode 'fanAvg', distribution 'normal', tfjs's truncated normal), as tfjs's
   * getConfig gives it and its fromConfig takes it; `config` holds Keras's, which files write. A user's class's config
   * is its own.
   */
  getConfig(): Record<string, unknown> {
    return this.constructor === Initializer && isBuiltInInitializerClass(this.className) ? tfjsSpelled(this.config) : { ...this.config };
  }
}

function seedOf(owner: string, seed: unknown): number | null {
  if (seed === undefined || seed === null) return null;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new Error(`${owner}: seed must be an integer, got ${shown(seed)}`);
  return seed;
}

/** A value as an error shows it: numbers as written (JSON would turn NaN and Infinity into null). */
function shown(v: unknown): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v);
}

function num(owner: string, name: string, v: unknown, dflt: number, positive = false): number {
  const x = v ?? dflt;
  if (typeof x !== 'number' || !Number.isFinite(x) || (positive && x <= 0)) throw new Error(`${owner}: ${name} must be a ${positive ? 'positive' : 'finite'} number, got ${shown(v)}`);
  return x;
}

/** owner is the Keras class name: these factories also rebuild initializers from loaded configs. */
function rejectUnknown(owner: string, args: object, known: string[]): void {
  checkOptionKeys(owner, args, known);
}

export interface SeedArgs { seed?: number | null }
export interface VarianceScalingArgs extends SeedArgs { scale?: number; mode?: Mode | 'fanIn' | 'fanOut' | 'fanAvg'; distribution?: Distribution | 'truncatedNormal' | 'untruncatedNormal' }

const MODES: Record<string, Mode> = { fan_in: 'fan_in', fanIn: 'fan_in', fan_out: 'fan_out', fanOut: 'fan_out', fan_avg: 'fan_avg', fanAvg: 'fan_avg' };
// tfjs's 'normal' is the truncated normal, as Keras 2's was.
const DISTRIBUTIONS: Record<string, Distribution> = { truncated_normal: 'truncated_normal', truncatedNormal: 'truncated_normal', normal: 'truncated_normal', untruncated_normal: 'untruncated_normal', untruncatedNormal: 'untruncated_normal', uniform: 'uniform' };

export function varianceScaling(args: VarianceScalingArgs = {}, className = 'VarianceScaling'): Initializer {
  rejectUnknown(className, args, ['scale', 'mode', 'distribution', 'seed']);
  const scale = num(className, 'scale', args.scale, 1, true);
  const mode = MODES[String(args.mode ?? 'fan_in')];
  if (!mode) throw new Error(`${className}: mode must be fan_in, fan_out or fan_avg, got ${shown(args.mode)}`);
  const distribution = DISTRIBUTIONS[String(args.distribution ?? 'truncated_normal')];
  if (!distribution) throw new Error(`${className}: distribution must be truncated_normal, untruncated_normal or uniform, got ${shown(args.distribution)}`);
  const seed = seedOf(className, args.seed);
  const config = className === 'VarianceScaling' ? { scale, mode, distribution, seed } : { seed };
  return new Initializer(className, config, (shape, out, rng) => {
    const [fi, fo] = fans(shape);
    const n = Math.max(1, mode === 'fan_in' ? fi : mode === 'fan_out' ? fo : (fi + fo) / 2);
    if (distribution === 'uniform') {
      const limit = Math.sqrt((3 * scale) / n);
      for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
    } else if (distribution === 'truncated_normal') truncated(rng, 0, Math.sqrt(scale / n) / TRUNCATED_STD, out);
    else { const std = Math.sqrt(scale / n); for (let i = 0; i < out.length; i++) out[i] = rng.normal() * std; }
  });
}

const preset = (className: string, scale: number, mode: Mode, distribution: Distribution) =>
  (args: SeedArgs = {}) => { rejectUnknown(className, args, ['seed']); return varianceScaling({ scale, mode, distribution, seed: args.seed }, className); };

/**
 * Zeros and Ones take no options, as tfjs's zeros() and ones(): a value meant for constant({value}) is an error,
 * not silently ones.
 */
function filled(className: string, args: unknown, value: number): Initializer {
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args) || Object.keys(args).length > 0)) {
    const given = typeof args === 'object' && args !== null && !Array.isArray(args) ? `option '${Object.keys(args)[0]}'` : `argument ${shown(args)}`;
    throw new Error(`${className}: unknown ${given}; ${className} takes no options (rl.initializers.constant({value}) fills with a given value)`);
  }
  return new Initializer(className, {}, (_s, out) => { for (let i = 0; i < out.length; i++) out[i] = value; });
}

/**
 * The config a model file holds for an initializer: its own, except where tfjs 4.22 would not load the class name.
 * Keras's LecunNormal and LecunUniform are registered in tfjs only as LeCunNormal and LeCunUniform, a name Keras does
 * not know; the VarianceScaling they are (as tfjs itself saves them) loads in both, and draws the same here.
 */
export function savedInitializer(className: string, config: Record<string, unknown>): { className: string; config: Record<string, unknown> } {
  const lecun: Record<string, Distribution> = { LecunNormal: 'truncated_normal', LecunUniform: 'uniform' };
  if (!Object.hasOwn(lecun, className)) return { className, config: { ...config } };
  return { className: 'VarianceScaling', config: varianceScaling({ scale: 1, mode: 'fan_in', distribution: lecun[className], seed: config.seed as number | null | undefined }).getConfig() };
}

export interface RandomNormalArgs extends SeedArgs { mean?: number; stddev?: number }
export interface RandomUniformArgs extends SeedArgs { minval?: number; maxval?: number }

function normalLike(className: string, trunc: boolean) {
  return (args: RandomNormalArgs = {}): Initializer => {
    rejectUnknown(className, args, ['mean', 'stddev', 'seed']);
    const mean = num(className, 'mean', args.mean, 0), stddev = num(className, 'stddev', args.stddev, 0.05, true);
    return new Initializer(className, { mean, stddev, seed: seedOf(className, args.seed) }, (_s, out, rng) => {
      if (trunc) truncated(rng, mean, stddev, out);
      else for (let i = 0; i < out.length; i++) out[i] = mean + stddev * rng.normal();
    });
  };
}

/** rl.initializers: tfjs-layers' factory names; each returns an Initializer any layer's *Initializer option takes. */
export const initializers = refusingExtraArguments('rl.initializers', {
  zeros: (args?: Record<string, never>) => filled('Zeros', args, 0),
  ones: (args?: Record<string, never>) => filled('Ones', args, 1),
  constant: (args: { value?: number } = {}) => {
    rejectUnknown('Constant', args, ['value']);
    const value = num('Constant', 'value', args.value, 0);
    return new Initializer('Constant', { value }, (_s, out) => { for (let i = 0; i < out.length; i++) out[i] = value; });
  },
  randomNormal: normalLike('RandomNormal', false),
  truncatedNormal: normalLike('TruncatedNormal', true),
  randomUniform: (args: RandomUniformArgs = {}) => {
    rejectUnknown('RandomUniform', args, ['minval', 'maxval', 'seed']);
    const minval = num('RandomUniform', 'minval', args.minval, -0.05), maxval = num('RandomUniform', 'maxval', args.maxval, 0.05);
    // Equal bounds fill with that value, as tfjs and Keras do.
    if (!(maxval >= minval)) throw new Error(`RandomUniform: maxval ${maxval} must not be below minval ${minval}`);
    return new Initializer('RandomUniform', { minval, maxval, seed: seedOf('RandomUniform', args.seed) }, (_s, out, rng) => {
      for (let i = 0; i < out.length; i++) out[i] = rng.uniform(minval, maxval);
    });
  },
  varianceScaling: (args: VarianceScalingArgs = {}) => varianceScaling(args),
  glorotNormal: preset('GlorotNormal', 1, 'fan_avg', 'truncated_normal'),
  glorotUniform: preset('GlorotUniform', 1, 'fan_avg', 'uniform'),
  heNormal: preset('HeNormal', 2, 'fan_in', 'truncated_normal'),
  heUniform: preset('HeUniform', 2, 'fan_in', 'uniform'),
  leCunNormal: preset('LecunNormal', 1, 'fan_in', 'truncated_normal'),
  leCunUniform: preset('LecunUniform', 1, 'fan_in', 'uniform'),
  orthogonal: (args: { gain?: number; seed?: number | null } = {}) => {
    rejectUnknown('Orthogonal', args, ['gain', 'seed']);
    const gain = num('Orthogonal', 'gain', args.gain, 1);
    return new Initializer('Orthogonal', { gain, seed: seedOf('Orthogonal', args.seed) }, (shape, out, rng) => {
      if (shape.length < 2) throw new Error(`Orthogonal initializer: needs a weight of rank 2 or more, got shape [${shape.join(', ')}]`);
      orthogonal(shape, out, rng, gain);
    });
  },
  identity: (args: { gain?: number } = {}) => {
    rejectUnknown('Identity', args, ['gain']);
    const gain = num('Identity', 'gain', args.gain, 1);
    return new Initializer('Identity', { gain }, (shape, out) => {
      if (shape.length !== 2) throw new Error(`Identity initializer: needs a 2-D weight, got shape [${shape.join(', ')}]`);
      for (let r = 0; r < shape[0]; r++) for (let c = 0; c < shape[1]; c++) out[r * shape[1] + c] = r === c ? gain : 0;
    });
  },
});

/**
 * A config as Keras and tfjs files write it, less the keys that carry nothing here: dtype (TF1-era files; weights are
 * float32) and, for classes that draw nothing, a null seed (Keras 2.15 writes one on Zeros). Any other key is left for
 * the factory to refuse by name, as Keras's cls(**config) does.
 */
function fileConfig(className: string, c: Record<string, unknown>, seeded: boolean): Record<string, unknown> {
  const { dtype, ...rest } = c;
  if (dtype !== undefined && dtype !== null && dtype !== 'float32') throw new Error(`${className}: dtype ${JSON.stringify(dtype)} is not supported (rnnlab's weights are float32)`);
  if (!seeded && rest.seed === null) delete rest.seed;
  return rest;
}

const noArgs = (className: string, make: (args: Record<string, never>) => Initializer) => (c: Record<string, unknown>) =>
  make(fileConfig(className, c, false) as Record<string, never>);

/** Whether a class name (Keras's, tfjs's or snake_case) is one of the catalogue's classes. */
export function isBuiltInInitializerClass(name: string): boolean {
  return Object.hasOwn(INITIALIZER_CLASSES, name.replace(/_/g, '').toLowerCase());
}

/** Keras class names (lowercased, underscores dropped) -> the factory that rebuilds them from a config. */
export const INITIALIZER_CLASSES: Record<string, (config: Record<string, unknown>) => Initializer> = {
  zeros: noArgs('Zeros', initializers.zeros), ones: noArgs('Ones', initializers.ones),
  constant: (c) => initializers.constant(fileConfig('Constant', c, false)),
  randomnormal: (c) => initializers.randomNormal(fileConfig('RandomNormal', c, true)),
  truncatednormal: (c) => initializers.truncatedNormal(fileConfig('TruncatedNormal', c, true)),
  randomuniform: (c) => initializers.randomUniform(fileConfig('RandomUniform', c, true)),
  variancescaling: (c) => initializers.varianceScaling(fileConfig('VarianceScaling', c, true)),
  glorotnormal: (c) => initializers.glorotNormal(fileConfig('GlorotNormal', c, true)),
  glorotuniform: (c) => initializers.glorotUniform(fileConfig('GlorotUniform', c, true)),
  henormal: (c) => initializers.heNormal(fileConfig('HeNormal', c, true)),
  heuniform: (c) => initializers.heUniform(fileConfig('HeUniform', c, true)),
  lecunnormal: (c) => initializers.leCunNormal(fileConfig('LecunNormal', c, true)),
  lecununiform: (c) => initializers.leCunUniform(fileConfig('LecunUniform', c, true)),
  identity: (c) => initializers.identity(fileConfig('Identity', c, false)),
  orthogonal: (c) => initializers.orthogonal(fileConfig('Orthogonal', c, true) as { gain?: number; seed?: number }),
};
