/**
 * Keras's weight constraints, applied to a weight after every optimizer step (as Keras's optimizer does):
 * maxNorm, unitNorm and minMaxNorm rescale the vectors along `axis` (default 0: for a Dense kernel [in, out], each
 * unit's incoming weights), nonNeg zeroes negative values.
 */
import { describe } from '../describe.js';
import { readKerasOptions } from '../near_name.js';
import { Tensor } from '../tensor.js';

/** Keras's backend epsilon, added to norms before dividing. */
const EPSILON = 1e-7;

export type ConstraintKind = 'MaxNorm' | 'UnitNorm' | 'MinMaxNorm' | 'NonNeg';

export interface ConstraintArgs { maxValue?: number; minValue?: number; rate?: number; axis?: number | number[] }

/** The options each class takes (tfjs's names; Keras's max_value, min_value are read as aliases). */
const OPTIONS: Record<ConstraintKind, readonly string[]> = {
  MaxNorm: ['maxValue', 'axis'], UnitNorm: ['axis'], MinMaxNorm: ['minValue', 'maxValue', 'rate', 'axis'], NonNeg: [],
};

export class Constraint {
  readonly className: ConstraintKind;
  readonly maxValue: number;
  readonly minValue: number;
  readonly rate: number;
  readonly axis: number[];

  constructor(kind: ConstraintKind, given: ConstraintArgs = {}) {
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
    if (this.className === 'NonNeg') return;
    if (!this.axis.every((a) => a >= -shape.length && a < shape.length)) {
      const given = this.axis.length === 1 ? this.axis[0] : this.axis;
      throw new Error(`${where}: constraint ${this.className}: axis ${JSON.stringify(given)} is outside a weight of rank ${shape.length} (shape [${shape.join(', ')}])`);
    }
  }

  /** tfjs's constraint.apply(w): a new tensor, w left as it is. */
  apply(w: Tensor): Tensor;
  /** Rescales (or clips) w of this shape in place (the optimizer's step). */
  apply(w: { length: number; [i: number]: number }, shape: readonly number[]): void;
  apply(w: Tensor | { length: number; [i: number]: number }, shape?: readonly number[]): Tensor | void {
    if (w instanceof Tensor) {
      const out = Float32Array.from(w.values as ArrayLike<number>);
      this.applyInPlace(out, w.shape);
      return new Tensor(out, [...w.shape], 'float32');
    }
    // A tensor-like that is not an rl.Tensor (a tfjs tensor) has no flat values to rescale: refused, not skipped.
    if (shape === undefined || typeof w.length !== 'number') throw new Error(`constraint ${this.className}: apply takes an rl.Tensor, got ${describe(w)}`);
    this.applyInPlace(w, shape);
  }

  /** tfjs's name for the class ('MaxNorm', 'UnitNorm', 'MinMaxNorm', 'NonNeg'; Keras's too). */
  getClassName(): string { return this.className; }

  private applyInPlace(w: { length: number; [i: number]: number }, shape: readonly number[]): void {
    if (this.className === 'NonNeg') {
      for (let i = 0; i < w.length; i++) if (w[i] < 0) w[i] = 0;
      return;
    }
    const group = groupIndex(shape, this.axis.map((a) => (a < 0 ? a + shape.length : a)));
    const sq = new Float64Array(group.count);
    for (let i = 0; i < w.length; i++) sq[group.of[i]] += w[i] * w[i];
    const scale = Array.from(sq, (s) => {
      const norm = Math.sqrt(s);
      const desired = this.className === 'UnitNorm' ? 1
        : this.className === 'MaxNorm' ? Math.min(Math.max(norm, 0), this.maxValue)
          : this.rate * Math.min(Math.max(norm, this.minValue), this.maxValue) + (1 - this.rate) * norm;
      return desired / (EPSILON + norm);
    });
    for (let i = 0; i < w.length; i++) w[i] *= scale[group.of[i]];
  }

  getConfig(): Record<string, unknown> {
    const axis = this.axis.length === 1 ? this.axis[0] : this.axis;
    switch (this.className) {
      case 'MaxNorm': return { maxValue: this.maxValue, axis };
      case 'UnitNorm': return { axis };
      case 'MinMaxNorm': return { minValue: this.minValue, maxValue: this.maxValue, rate: this.rate, axis };
      default: return {};
    }
  }
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
export const constraints = {
  maxNorm: (args: { maxValue?: number; axis?: number } = {}) => new Constraint('MaxNorm', args),
  unitNorm: (args: { axis?: number } = {}) => new Constraint('UnitNorm', args),
  minMaxNorm: (args: { minValue?: number; maxValue?: number; rate?: number; axis?: number } = {}) => new Constraint('MinMaxNorm', args),
  // tfjs's nonNeg() takes no options; one given is refused rather than dropped.
  nonNeg: (args?: Record<string, never>) => new Constraint('NonNeg', args),
};

export type ConstraintIdentifier = Constraint | 'maxNorm' | 'unitNorm' | 'minMaxNorm' | 'nonNeg' | { className: string; config?: ConstraintArgs } | null;

const KINDS: Record<string, ConstraintKind> = { maxnorm: 'MaxNorm', unitnorm: 'UnitNorm', minmaxnorm: 'MinMaxNorm', nonneg: 'NonNeg' };
const CLASS_LIST = Object.values(KINDS).map((k) => `'${k}'`).join(' | ');

/** A constraint from a name ('maxNorm', Keras's 'max_norm'), a Keras/tfjs {className, config}, or an instance; null for none. */
export function checkConstraint(layer: string, what: string, v: unknown): Constraint | null {
  if (v === undefined || v === null) return null;
  if (v instanceof Constraint) return v;
  let name: unknown = v, config: ConstraintArgs = {};
  if (typeof v === 'object' && !Array.isArray(v)) {
    name = (v as { className?: unknown }).className;
    config = (v as { config?: ConstraintArgs }).config ?? {};
  }
  const key = typeof name === 'string' ? name.replace(/_/g, '').toLowerCase() : '';
  if (!Object.hasOwn(KINDS, key)) {
    const given = typeof v === 'string' ? JSON.stringify(v) : typeof name === 'string' ? `class ${JSON.stringify(name)}` : describe(v);
    throw new Error(`${layer}: ${what} ${given} is not a constraint; use 'maxNorm', 'unitNorm', 'minMaxNorm', 'nonNeg', rl.constraints.* or {className: ${CLASS_LIST}, config}`);
  }
  try {
    return new Constraint(KINDS[key], config);
  } catch (e) {
    throw new Error(`${layer}: ${what}: ${(e as Error).message}`);
  }
}

export function serializeConstraint(c: Constraint | null): { className: string; config: Record<string, unknown> } | null {
  return c ? { className: c.className, config: c.getConfig() } : null;
}
