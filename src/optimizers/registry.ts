/** Optimizer classes by name, filled by each optimizer file; names match case-insensitively, as in Keras. */
import type { Optimizer } from './optimizer.js';

export interface OptimizerClass {
  readonly className: string;
  readonly kerasName?: string;
  readonly aliases?: readonly string[];
  readonly slotNames: readonly string[];
  new (args?: never): Optimizer;
  fromConfig(config: Record<string, unknown>, savedName?: string): Optimizer;
}

const classes = new Map<string, OptimizerClass>();

export function registerOptimizer(cls: OptimizerClass): void {
  for (const n of [cls.className, cls.kerasName ?? cls.className, ...(cls.aliases ?? [])]) classes.set(n.toLowerCase(), cls);
}

export function optimizerClass(name: string): OptimizerClass | undefined {
  return classes.get(name.toLowerCase());
}

export function optimizerClassNames(): string[] {
  return [...new Set([...classes.values()].map((c) => c.className))];
}
