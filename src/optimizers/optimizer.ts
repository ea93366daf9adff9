/** Optimizers update variables in place from their gradients, one fused kernel per variable. */
import { allocPersistent, kernels, type FArray } from '../backend/index.js';
import type { Variable } from '../variable.js';

export interface OptimizerArgs {
  learningRate?: number;
  /** Clip each gradient tensor to this L2 norm (Keras clipnorm). */
  clipnorm?: number;
  /** Clip each gradient value to [-clipvalue, clipvalue] (Keras clipvalue). */
  clipvalue?: number;
}

export function checkHyper(owner: string, name: string, v: unknown, { min = 0, maxExclusive = Infinity, allowZero = true } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (!allowZero && v === 0) || v >= maxExclusive) {
    const range = maxExclusive === Infinity ? `${allowZero ? '>=' : '>'} ${min}` : `in [${min}, ${maxExclusive})`;
    throw new Error(`${owner}: ${name} must be a finite number ${range}, got ${String(v)}`);
  }
  return v;
}

export abstract class Optimizer {
  abstract readonly className: string;
  learningRate: number;
  readonly clipnorm?: number;
  readonly clipvalue?: number;
  iterations = 0;
  protected slots = new Map<Variable, FArray[]>();

  constructor(args: OptimizerArgs, defaultLr: number) {
    this.learningRate = checkHyper(this.constructor.name, 'learningRate', args.learningRate ?? defaultLr, { allowZero: false });
    if (args.clipnorm !== undefined) this.clipnorm = checkHyper(this.constructor.name, 'clipnorm', args.clipnorm, { allowZero: false });
    if (args.clipvalue !== undefined) this.clipvalue = checkHyper(this.constructor.name, 'clipvalue', args.clipvalue, { allowZero: false });
  }

  protected abstract slotCount(): number;
  protected abstract updateOne(v: FArray, g: FArray, slots: FArray[]): void;

  /** Applies one step to every variable that received a gradient, then clears the gradients. */
  applyGradients(vars: Variable[]): void {
    this.iterations++;
    const K = kernels();
    for (const v of vars) {
      const g = v.grad;
      if (!g) continue;
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
      let s = this.slots.get(v);
      if (!s) {
        s = Array.from({ length: this.slotCount() }, () => allocPersistent(v.size));
        this.slots.set(v, s);
      }
      this.updateOne(v.data as FArray, g, s);
      v.grad = null;
    }
  }

  /** Slot arrays in the order of vars, for checkpoints. */
  getSlots(vars: Variable[]): FArray[][] {
    return vars.map((v) => this.slots.get(v) ?? []);
  }

  setSlots(vars: Variable[], slots: ArrayLike<number>[][], iterations: number): void {
    if (slots.length !== vars.length) throw new Error(`${this.className}: optimizer state has ${slots.length} entries for ${vars.length} variables`);
    this.slots.clear();
    vars.forEach((v, i) => {
      if (slots[i].length === 0) return;
      if (slots[i].length !== this.slotCount() || slots[i].some((s) => s.length !== v.size)) {
        throw new Error(`${this.className}: optimizer state for ${v.name} does not match its shape [${v.shape.join(', ')}]`);
      }
      this.slots.set(v, slots[i].map((s) => { const a = allocPersistent(v.size); a.set(s); return a; }));
    });
    this.iterations = iterations;
  }

  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, ...(this.clipnorm !== undefined ? { clipnorm: this.clipnorm } : {}),
      ...(this.clipvalue !== undefined ? { clipvalue: this.clipvalue } : {}) };
  }
}
