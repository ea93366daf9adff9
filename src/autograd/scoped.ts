/**
 * Runs a composite op inside tidy(), as tfjs's op() scopes every op: the intermediates it makes are disposed and
 * only its outputs stay counted by memory(). Recording is unaffected (the tape keeps what backward reads).
 */
import { tidy, type TensorContainer } from '../ops/memory.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function scoped<F extends (...args: any[]) => any>(fn: F): F {
  const wrapped = (...args: Parameters<F>): ReturnType<F> => tidy(() => fn(...args) as TensorContainer) as ReturnType<F>;
  Object.defineProperty(wrapped, 'name', { value: fn.name });
  return wrapped as unknown as F;
}
