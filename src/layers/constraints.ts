/**
 * Keras's weight constraints, applied to a weight after every optimizer step (as Keras's optimizer does):
 * maxNorm, unitNorm and minMaxNorm rescale the vectors along `axis` (default 0: for a Dense kernel [in, out], each
 * unit's incoming weights), nonNeg zeroes negative values.
 */
import { describe } from '../describe.js';
import { refusingExtraArguments } from '../factory.js';
import { nearName, readKerasOptions } from '../near_name.js';
import { withoutTape } from '../autograd/tape.js';
import { dispose, tensorsIn, tidy } from '../ops/memory.js';
import { Tensor } from '../tensor.js';
import { unnamedClassName, unnamedLabel, UserClassRegistry } from './user_classes.js';

/** Keras's backend epsilon, added to norms before dividing. */
const EPSILON = 1e-7;

export type ConstraintKind = 'MaxNorm' | 'UnitNorm' | 'MinMaxNorm' | 'NonNeg';

export interface ConstraintArgs { maxValue?: number; minValue?: number; rate?: number; axis?: number | number[] }

/** The options each class takes (tfjs's names; Keras's max_value, min_value are read as aliases). */
const OPTIONS: Record<ConstraintKind, readonly string[]> = {
  MaxNorm: ['maxValue', 'axis'], UnitNorm: ['axis'], MinMaxNorm: ['minValue', 'maxValue', 'rate', 'axis'], NonNeg: [],
};

export class Constraint {
  /** tfjs's name of the built-in rescaling, or (a subclass that brings its own apply(w) and no kind) its static className. */
  readonly className: string;
  readonly maxValue: number;
  readonly minValue: number;
  readonly rate: number;
  readonly axis: number[];
  /** The built-in rescaling; null for a subclass that brings its own apply(w) (tfjs's form, super() with no arguments). */
  private readonly kind: ConstraintKind | null;

  constructor(kind?: ConstraintKind, given: ConstraintArgs = {}) {
    const sub = new.target !== Constraint ? new.target.name || 'the constraint subclass' : null;
    if (kind === undefined && sub !== null) {
      // tfjs's Constraint takes no arguments: its subclasses say what they do in apply(w) alone.
      if (this.apply === Constraint.prototype.apply) throw new Error(`${sub}: a constraint subclass that passes no kind to super() must override apply(w) (or pass one of ${KIND_LIST})`);
      if (given !== undefined && Object.keys(given ?? {}).length > 0) throw new Error(`${sub}: super(undefined, options) has no kind to take options ${JSON.stringify(Object.keys(given))}; keep them on the subclass`);
      this.kind = null;
      this.className = staticName(this) ?? sub;
      this.maxValue = 1; this.minValue = 0; this.rate = 1; this.axis = [0];
      return;
    }
    if (typeof kind !== 'string' || !Object.hasOwn(OPTIONS, kind)) throw new Error(`${sub ?? 'rl.Constraint'}: kind ${describe(kind)} is not one of ${KIND_LIST}; make built-in constraints with rl.constraints.*`);
    this.kind = kind;
    this.className = kind;
    // Keras's from_config is cls(**config): an unknown key is an error there too.
    const args = readKerasOptions(`constraint ${kind}`, given, OPTIONS[kind], { nullIsNone: true }) as ConstraintArgs;
    this.maxValue = checkNumber('maxValue', args.maxValue ?? (kind === 'MaxNorm' ? 2 : 1));
    this.minValue = checkNumber('minValue', args.minValue ?? 0);
    this.rate = checkNumber('rate', args.rate ?? 1);
    const axis = args.axis ?? 0;
    this.axis = Array.isArray(axis) ? axis : [axis];
    if (!this.axis.every((a) => Number.isInteger(a))) throw new Error(`constraint ${kind}: axis must be an integer or a list of integers, got ${JSON.stringify(args.axis)}`);
  }

  /** Fails for a weight shape the axes do not fit (called when the weight is created, not mid-step). */
  checkShape(shape: readonly number[], where = 'constraint'): void {
    if (this.kind === null || this.kind === 'NonNeg') return;
    if (!this.axis.every((a) => a >= -shape.length && a < shape.length)) {
      const given = this.axis.length === 1 ? this.axis[0] : this.axis;
      throw new Error(`${where}: constraint ${this.className}: axis ${JSON.stringify(given)} is outside a weight of rank ${shape.length} (shape [${shape.join(', ')}])`);
    }
  }

  /** tfjs's constraint.apply(w): a new tensor, w left as it is. */
  apply(w: Tensor): Tensor {
    // A tensor-like that is not an rl.Tensor (a tfjs tensor) has no flat values to rescale: refused, not skipped.
    if (!(w instanceof Tensor)) throw new Error(`constraint ${this.className}: apply takes an rl.Tensor, got ${describe(w)}`);
    const out = Float32Array.from(w.values as ArrayLike<number>);
    this.applyInPlace(out, w.shape);
    return new Tensor(out, [...w.shape], 'float32');
  }

  /**
   * The optimizer's step (and LayerVariable.write): constrains a weight's values in place. The built-in rescaling
   * runs on the values directly; a subclass's apply(w) gets them as a tensor, and its result is copied back.
   */
  constrainInPlace(values: Float32Array | Float64Array, shape: readonly number[]): void {
    if (this.apply === Constraint.prototype.apply) {
      this.applyInPlace(values, shape);
      return;
    }
    const w = new Tensor(values.slice(), [...shape], 'float32');
    let r: unknown;
    try {
      // Recording off: the step is not differentiated. tidy disposes what apply made on the way, but for the tensors
      // the instance holds afterwards (a cache it made there), returned with the result so that tidy keeps them.
      [r] = withoutTape(() => tidy(() => [this.apply(w) as unknown as Tensor, ...tensorsIn(this)])) as unknown[];
      if (!(r instanceof Tensor) || r.dtype !== 'float32' || r.shape.length !== shape.length || r.shape.some((d, i) => d !== shape[i])) {
        const got = r instanceof Tensor ? `${r.dtype} shape [${r.shape.join(', ')}]` : describe(r);
        throw new Error(`constraint ${this.getClassName()}: apply(w) must return the constrained weight as a float32 rl.Tensor of w's shape [${shape.join(', ')}], got ${got}`);
      }
      values.set(r.values as ArrayLike<number>);
    } finally {
      const held = tensorsIn(this);
      for (const t of r === w ? [w] : [w, r]) if (t instanceof Tensor && !held.includes(t)) dispose(t);
    }
  }

  /** tfjs's name for the class ('MaxNorm', 'UnitNorm', 'MinMaxNorm', 'NonNeg'; Keras's too); a subclass's own static className. */
  getClassName(): string {
    return staticName(this) ?? this.className;
  }

  private applyInPlace(w: { length: number; [i: number]: number }, shape: readonly number[]): void {
    if (this.kind === null) return;
    if (this.kind === 'NonNeg') {
      for (let i = 0; i < w.length; i++) if (w[i] < 0) w[i] = 0;
      return;
    }
    const group = groupIndex(shape, this.axis.map((a) => (a < 0 ? a + shape.length : a)));
    const sq = new Float64Array(group.count);
    for (let i = 0; i < w.length; i++) sq[group.of[i]] += w[i] * w[i];
    const scale = Array.from(sq, (s) => {
      const norm = Math.sqrt(s);
      const desired = this.kind === 'UnitNorm' ? 1
        : this.kind === 'MaxNorm' ? Math.min(Math.max(norm, 0), this.maxValue)
          : this.rate * Math.min(Math.max(norm, this.minValue), this.maxValue) + (1 - this.rate) * norm;
      return desired / (EPSILON + norm);
    });
    for (let i = 0; i < w.length; i++) w[i] *= scale[group.of[i]];
  }

  getConfig(): Record<string, unknown> {
    const axis = this.axis.length === 1 ? this.axis[0] : this.axis;
    switch (this.kind) {
      case 'MaxNorm': return { maxValue: this.maxValue, axis };
      case 'UnitNorm': return { axis };
      case 'MinMaxNorm': return { minValue: this.minValue, maxValue: this.maxValue, rate: this.rate, axis };
      default: return {};
    }
  }
}

const KIND_LIST = Object.keys(OPTIONS).map((k) => `'${k}'`).join(', ');

/** A subclass's own static className (the name saved in model.json), if it declares one. */
function staticName(c: Constraint): string | undefined {
  const ctor = c.constructor as { className?: unknown };
  return Object.hasOwn(ctor, 'className') && typeof ctor.className === 'string' ? ctor.className : undefined;
}

function checkNumber(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`constraint: ${what} must be a finite number >= 0, got ${typeof v === 'number' ? v : describe(v)}`);
  return v;
}

/** For each element, the index of its vector: its position with the reduced axes left out. */
function groupIndex(shape: readonly number[], axes: number[]): { of: Int32Array; count: number } {
  if (!axes.every((a) => a >= 0 && a < shape.length)) throw new Error(`constraint: axis ${JSON.stringify(axes)} is outside a weight of rank ${shape.length}`);
  const kept = shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const size = shape.reduce((a, b) => a * b, 1);
  const of = new Int32Array(size);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    let g = 0;
    for (const d of kept) g = g * shape[d] + idx[d];
    of[i] = g;
    for (let d = shape.length - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
  }
  return { of, count: kept.reduce((a, d) => a * shape[d], 1) };
}

/** tfjs's factories. */
export const constraints = refusingExtraArguments('rl.constraints', {
  maxNorm: (args: { maxValue?: number; axis?: number } = {}) => new Constraint('MaxNorm', args),
  unitNorm: (args: { axis?: number } = {}) => new Constraint('UnitNorm', args),
  minMaxNorm: (args: { minValue?: number; maxValue?: number; rate?: number; axis?: number } = {}) => new Constraint('MinMaxNorm', args),
  // tfjs's nonNeg() takes no options; one given is refused rather than dropped.
  nonNeg: (args?: Record<string, never>) => new Constraint('NonNeg', args),
});

export type ConstraintIdentifier = Constraint | 'maxNorm' | 'unitNorm' | 'minMaxNorm' | 'nonNeg' | { className: string; config?: ConstraintArgs } | null;

const KINDS: Record<string, ConstraintKind> = { maxnorm: 'MaxNorm', unitnorm: 'UnitNorm', minmaxnorm: 'MinMaxNorm', nonneg: 'NonNeg' };
const CLASS_LIST = Object.values(KINDS).map((k) => `'${k}'`).join(' | ');

/** A constraint from a name ('maxNorm', Keras's 'max_norm'), a Keras/tfjs {className, config}, or an instance; null for none. */
export function checkConstraint(layer: string, what: string, v: unknown): Constraint | null {
  if (v === undefined || v === null) return null;
  if (v instanceof Constraint) return checkSubclass(layer, what, v);
  const given = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as { className?: unknown }).className : undefined;
  const unnamed = unnamedLabel(given);
  if (unnamed !== null) throw new Error(`${layer}: ${what}: the constraint ${unnamed} has no static className, so a layer cannot be rebuilt from its config (a Bidirectional's backward copy, a clone, a saved model); give the class one`);
  if (userConstraints.has(given)) {
    try { return userConstraints.make(given, (v as { config?: unknown }).config ?? {}); } catch (e) { throw new Error(`${layer}: ${what}: ${(e as Error).message}`); }
  }
  let name: unknown = v, config: ConstraintArgs = {};
  if (typeof v === 'object' && !Array.isArray(v)) {
    name = (v as { className?: unknown }).className;
    config = (v as { config?: ConstraintArgs }).config ?? {};
  }
  const key = typeof name === 'string' ? name.replace(/_/g, '').toLowerCase() : '';
  if (!Object.hasOwn(KINDS, key)) {
    const given = typeof v === 'string' ? JSON.stringify(v) : typeof name === 'string' ? `class ${JSON.stringify(name)}` : describe(v);
    const hint = typeof name === 'string' && typeof v === 'object' && !nearName(name, Object.values(KINDS)) ? ` (a custom constraint class is loaded once registered with rl.serialization.registerClass(${name}))` : '';
    throw new Error(`${layer}: ${what} ${given} is not a constraint; use 'maxNorm', 'unitNorm', 'minMaxNorm', 'nonNeg', rl.constraints.* or {className: ${CLASS_LIST}, config}${hint}`);
  }
  try {
    return new Constraint(KINDS[key], config);
  } catch (e) {
    throw new Error(`${layer}: ${what}: ${(e as Error).message}`);
  }
}

export function serializeConstraint(c: Constraint | null): { className: string; config: Record<string, unknown> } | null {
  if (c && c.constructor !== Constraint && c.apply !== Constraint.prototype.apply && staticName(c) === undefined) {
    return { className: unnamedClassName(c.constructor.name || 'the constraint class'), config: c.getConfig() };
  }
  return c ? { className: c.getClassName(), config: c.getConfig() } : null;
}

const isBuiltInName = (name: string): boolean => Object.hasOwn(KINDS, name.replace(/_/g, '').toLowerCase());

/**
 * A subclass that changes what the constraint does (apply overridden) is saved under its class name: under a built-in
 * one ('NonNeg') it would load as that constraint, silently another one.
 */
function checkSubclass(layer: string, what: string, c: Constraint): Constraint {
  if (c.constructor === Constraint || c.apply === Constraint.prototype.apply) return c;
  const name = c.getClassName(), label = c.constructor.name || 'the constraint class';
  if (typeof name !== 'string' || isBuiltInName(name)) {
    throw new Error(`${layer}: ${what}: ${label} overrides apply() but is named ${JSON.stringify(name)}, the built-in constraint's name, which saved models load as; give it its own static className (and rl.serialization.registerClass it to load saved models)`);
  }
  // Without a static className it trains, as in tfjs; saving it is refused (modelTopology), as no file could load it.
  return c;
}

/** The custom constraint classes rl.serialization.registerClass made known to loading. */
export const userConstraints = new UserClassRegistry<Constraint>('constraint', Constraint, (name) => isBuiltInName(name));
