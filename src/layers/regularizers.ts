/**
 * Keras's weight regularizers: l1 * sum|w| + l2 * sum w^2 added to the loss (in fit, evaluate and trainOnBatch, as
 * Keras and tfjs do), with the matching gradient. One class covers L1, L2 and L1L2, as tfjs's L1L2 does.
 */
import { describe } from '../describe.js';

export interface RegularizerArgs { l1?: number; l2?: number }

export class L1L2 {
  static readonly className = 'L1L2';
  readonly l1: number;
  readonly l2: number;
  constructor(args: RegularizerArgs = {}) {
    this.l1 = checkFactor('l1', args.l1 ?? 0);
    this.l2 = checkFactor('l2', args.l2 ?? 0);
  }
  getConfig(): Record<string, unknown> { return { l1: this.l1, l2: this.l2 }; }
}

function checkFactor(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`regularizer: ${what} must be a finite number >= 0, got ${typeof v === 'number' ? v : describe(v)}`);
  return v;
}

/** tfjs's factories (default factor 0.01, as tfjs and Keras). */
export const regularizers = {
  l1: (args: { l1?: number } = {}) => new L1L2({ l1: args.l1 ?? 0.01 }),
  l2: (args: { l2?: number } = {}) => new L1L2({ l2: args.l2 ?? 0.01 }),
  l1l2: (args: RegularizerArgs = {}) => new L1L2({ l1: args.l1 ?? 0.01, l2: args.l2 ?? 0.01 }),
};

export type RegularizerIdentifier = L1L2 | 'l1' | 'l2' | 'l1l2' | { className: string; config?: RegularizerArgs } | null;

/** A regularizer from a name, a Keras/tfjs {className, config} (L1, L2, L1L2), or an instance; null for none. */
export function checkRegularizer(layer: string, what: string, v: unknown): L1L2 | null {
  if (v === undefined || v === null) return null;
  if (v instanceof L1L2) return v;
  try {
    if (typeof v === 'string') {
      const key = v.replace(/_/g, '').toLowerCase();
      if (Object.hasOwn(regularizers, key)) return (regularizers as Record<string, () => L1L2>)[key]();
    } else if (typeof v === 'object' && !Array.isArray(v)) {
      const { className, config = {} } = v as { className?: unknown; config?: RegularizerArgs };
      // Keras's own L1 and L2 classes default their factor to 0.01 when the config leaves it out.
      if (className === 'L1') return new L1L2({ l1: config.l1 ?? 0.01 });
      if (className === 'L2') return new L1L2({ l2: config.l2 ?? 0.01 });
      if (className === 'L1L2') return new L1L2(config);
    }
  } catch (e) {
    throw new Error(`${layer}: ${what}: ${(e as Error).message}`);
  }
  throw new Error(`${layer}: ${what} ${typeof v === 'string' ? JSON.stringify(v) : describe(v)} is not a regularizer; use 'l1', 'l2', 'l1l2', rl.regularizers.* or {className: 'L1' | 'L2' | 'L1L2', config}`);
}

export function serializeRegularizer(r: L1L2 | null): { className: string; config: Record<string, unknown> } | null {
  return r ? { className: L1L2.className, config: r.getConfig() } : null;
}
