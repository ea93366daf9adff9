/**
 * Keras's weight regularizers: l1 * sum|w| + l2 * sum w^2 added to the loss (in fit, evaluate and trainOnBatch, as
 * Keras and tfjs do), with the matching gradient. One class covers L1, L2 and L1L2, as tfjs's L1L2 does.
 */
import { describe } from '../describe.js';
import { refuseExtraArguments } from '../factory.js';
import { checkOptionKeys, nearName } from '../near_name.js';
import { add, mul, square, sum } from '../autograd/public_ops.js';
import { addWeightPenalty } from '../autograd/ops.js';
import { abs } from '../autograd/differentiable_ops.js';
import { Tensor, toTensor, type TensorLike } from '../tensor.js';
import { UserClassRegistry } from './user_classes.js';

export interface RegularizerArgs { l1?: number; l2?: number }

export class L1L2 {
  static readonly className: string = 'L1L2';
  readonly l1: number;
  readonly l2: number;
  constructor(args: RegularizerArgs = {}) {
    this.l1 = checkFactor('l1', args.l1 ?? 0);
    this.l2 = checkFactor('l2', args.l2 ?? 0);
  }
  getConfig(): Record<string, unknown> { return { l1: this.l1, l2: this.l2 }; }
  /** tfjs's name: 'L1L2' for l1, l2 and l1l2 alike; a subclass's own static className (the name saved in model.json). */
  getClassName(): string { return (this.constructor as { className?: unknown }).className as string; }
  /** tfjs's regularizer.apply(x): the penalty l1 * sum|x| + l2 * sum x^2 as a scalar, recorded on the tape. */
  apply(x: TensorLike): Tensor {
    const t = toTensor(x, 'regularizer.apply: x');
    let penalty: Tensor = new Tensor(Float32Array.of(0), [], 'float32');
    if (this.l1 !== 0) penalty = add(penalty, mul(this.l1, sum(abs(t))));
    if (this.l2 !== 0) penalty = add(penalty, mul(this.l2, sum(square(t))));
    return penalty;
  }
  /** Keras's from_config(config), or tfjs's static fromConfig(cls, config). */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  static fromConfig(first: RegularizerArgs | Function, config?: RegularizerArgs): L1L2 {
    // A subclass's inherited fromConfig builds that subclass, as tfjs's `new cls(config)`.
    const cls = typeof first === 'function' ? first : this ?? L1L2;
    if (cls !== L1L2) return new (cls as new (c: unknown) => L1L2)((typeof first === 'function' ? config : first) ?? {});
    const c = checkOptionKeys('L1L2.fromConfig', typeof first === 'function' ? config : first, ['l1', 'l2']);
    return checkRegularizer('L1L2.fromConfig', 'config', { className: L1L2.className, config: c ?? {} }) as L1L2;
  }
}

function checkFactor(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`regularizer: ${what} must be a finite number >= 0, got ${typeof v === 'number' ? v : describe(v)}`);
  return v;
}

/**
 * Keras's positional l2(0.01) / l1_l2(0.01, 0.02): tfjs's factories take an object, so a number says which one
 * (checkOptionKeys's "must be an object" alone did not). Past the options object, an argument would be dropped.
 */
function refusePositional(name: string, given: readonly unknown[], keys: readonly string[]): void {
  if (typeof given[0] !== 'number') {
    refuseExtraArguments(`rl.regularizers.${name}`, ['options'], given);
    return;
  }
  const fields = keys.filter((_, i) => given[i] !== undefined).map((k, i) => `${k}: ${String(given[i])}`);
  throw new Error(`regularizers.${name}: the options argument must be an object, got ${String(given[0])}; write rl.regularizers.${name}({${fields.join(', ')}}) (tfjs's form of Keras's ${name}(${given.filter((v) => v !== undefined).map(String).join(', ')}))`);
}

/** A regularizer factory taking one options object, Keras's positional form and any further argument refused. */
function regularizerFactory<A>(name: string, keys: readonly string[], make: (args: A) => L1L2): (args?: A) => L1L2 {
  return (...given: unknown[]) => {
    refusePositional(name, given, keys);
    return make((given[0] ?? {}) as A);
  };
}

/** tfjs's factories (default factor 0.01, as tfjs and Keras). */
export const regularizers = {
  // An option the factory does not read (l1({l2: 0.5})) is an error naming it, not a silent 0.01.
  l1: regularizerFactory('l1', ['l1'], (args: { l1?: number }) =>
    new L1L2({ l1: checkOptionKeys('regularizers.l1', args, ['l1']).l1 as number ?? 0.01 })),
  l2: regularizerFactory('l2', ['l2'], (args: { l2?: number }) =>
    new L1L2({ l2: checkOptionKeys('regularizers.l2', args, ['l2']).l2 as number ?? 0.01 })),
  l1l2: regularizerFactory('l1l2', ['l1', 'l2'], (args: RegularizerArgs) => {
    checkOptionKeys('regularizers.l1l2', args, ['l1', 'l2']);
    return new L1L2({ l1: args.l1 ?? 0.01, l2: args.l2 ?? 0.01 });
  }),
};

/**
 * The strings a regularizer option takes, exactly: tfjs's identifiers, which are also Keras 3's snake_case ones, and
 * the class names; each is its factory with factor 0.01, as tfjs builds them. Other spellings ('l1_l2', which
 * Keras 3's regularizers.get refuses too) are errors rather than a guess at a penalty.
 */
const NAMED: Record<string, () => L1L2> = {
  l1: () => regularizers.l1(), l2: () => regularizers.l2(), l1l2: () => regularizers.l1l2(),
  L1: () => regularizers.l1(), L2: () => regularizers.l2(), L1L2: () => regularizers.l1l2(),
};

export type RegularizerIdentifier = L1L2 | 'l1' | 'l2' | 'l1l2' | { className: string; config?: RegularizerArgs } | null;

/** A regularizer from a name, a Keras/tfjs {className, config} (L1, L2, L1L2), or an instance; null for none. */
export function checkRegularizer(layer: string, what: string, v: unknown): L1L2 | null {
  if (v === undefined || v === null) return null;
  if (v instanceof L1L2) return checkSubclass(layer, what, v);
  try {
    const className = typeof v === 'object' && !Array.isArray(v) ? (v as { className?: unknown }).className : undefined;
    if (userRegularizers.has(className)) return userRegularizers.make(className, (v as { config?: unknown }).config ?? {});
    if (typeof v === 'string') {
      if (Object.hasOwn(NAMED, v)) return NAMED[v]();
    } else if (typeof v === 'object' && !Array.isArray(v)) {
      const { className, config = {} } = v as { className?: unknown; config?: RegularizerArgs };
      // Keras's own L1 and L2 classes default their factor to 0.01 when the config leaves it out.
      if (className === 'L1') return new L1L2({ l1: checkOptionKeys('L1', config, ['l1']).l1 as number ?? 0.01 });
      if (className === 'L2') return new L1L2({ l2: checkOptionKeys('L2', config, ['l2']).l2 as number ?? 0.01 });
      if (className === 'L1L2') return new L1L2(checkOptionKeys('L1L2', config, ['l1', 'l2']));
    }
  } catch (e) {
    throw new Error(`${layer}: ${what}: ${(e as Error).message}`);
  }
  const className = typeof v === 'object' && !Array.isArray(v) ? (v as { className?: unknown }).className : undefined;
  const given = typeof v === 'string' ? JSON.stringify(v) : typeof className === 'string' ? `class ${JSON.stringify(className)}` : describe(v);
  const near = typeof v === 'string' ? nearName(v, Object.keys(NAMED)) : undefined;
  const hint = typeof className === 'string' && !nearName(className, BUILT_IN_NAMES) ? ` (a custom regularizer class is loaded once registered with rl.serialization.registerClass(${className}))`
    : near !== undefined ? ` (did you mean '${near}'?)` : '';
  throw new Error(`${layer}: ${what} ${given} is not a regularizer; use 'l1', 'l2', 'l1l2', rl.regularizers.* or {className: 'L1' | 'L2' | 'L1L2', config}${hint}`);
}

export function serializeRegularizer(r: L1L2 | null): { className: string; config: Record<string, unknown> } | null {
  return r ? { className: r.getClassName(), config: r.getConfig() } : null;
}

const BUILT_IN_NAMES = ['L1L2', 'L1', 'L2'];

/**
 * A subclass whose penalty is its own (apply overridden) is saved under its class name: under 'L1L2' it would load
 * as the plain l1/l2 penalty, silently another loss.
 */
function checkSubclass(layer: string, what: string, r: L1L2): L1L2 {
  if (r.constructor === L1L2 || r.apply === L1L2.prototype.apply) return r;
  const name = r.getClassName();
  if (typeof name !== 'string' || BUILT_IN_NAMES.includes(name)) {
    throw new Error(`${layer}: ${what}: ${r.constructor.name || 'the regularizer class'} overrides apply() but is named ${JSON.stringify(name)}, the built-in regularizer's name, which saved models load as; give it its own static className (and rl.serialization.registerClass it to load saved models)`);
  }
  return r;
}

/** The custom regularizer classes rl.serialization.registerClass made known to loading. */
export const userRegularizers = new UserClassRegistry<L1L2>('regularizer', L1L2, (name) => BUILT_IN_NAMES.includes(name));

/** A weight's or output's penalty term (scale: 1 for a weight, 1 / batch for an activity regularizer). */
export interface PenaltyTerm { variable: Tensor; regularizer: L1L2; scale?: number }

/**
 * loss plus every term's penalty, recorded for backward: the built-in l1/l2 penalty by one fused kernel, a subclass
 * that overrides apply() by its apply(w) on the tape (as tfjs's regularizer.apply(weight)).
 */
export function addPenalties(loss: Tensor, terms: readonly PenaltyTerm[]): Tensor {
  const own = terms.filter((t) => t.regularizer.apply !== L1L2.prototype.apply);
  let total = addWeightPenalty(loss, own.length ? terms.filter((t) => !own.includes(t)) : terms);
  for (const t of own) {
    const p = appliedPenalty(t.regularizer, t.variable);
    total = add(total, t.scale === undefined || t.scale === 1 ? p : mul(t.scale, p));
  }
  return total;
}

/** A subclass's apply(w), checked to be the scalar penalty tfjs expects. */
export function appliedPenalty(r: L1L2, w: Tensor): Tensor {
  const p = r.apply(w);
  if (!(p instanceof Tensor) || p.size !== 1) {
    throw new Error(`regularizer ${r.getClassName()}: apply(w) must return the penalty as a scalar rl.Tensor, got ${p instanceof Tensor ? `shape [${p.shape.join(', ')}]` : describe(p)}`);
  }
  return p.rank === 0 ? p : sum(p);
}
