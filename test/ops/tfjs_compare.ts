/** Comparing an rnnlab result with tfjs 4.22's, for the tfjs parity tests: outcomes, malformed tfjs results, mismatches. */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { serialize, type Plain } from './plain_results.js';

export type Lib = any;
export type Outcome = { ok: Plain } | { err: Error };

export function outcome(lib: Lib, f: (l: Lib) => unknown): Outcome {
  try { return { ok: serialize(f(lib)) }; } catch (e) { return { err: e as Error }; }
}

/** A tensor result tfjs built wrongly (a null or boolean in the shape, a value count that is not the shape's size, bools other than 0/1). */
export function malformed(p: Plain): boolean {
  if (Array.isArray(p)) return p.some(malformed);
  if (p === null || typeof p !== 'object') return false;
  if (Array.isArray(p.shape) && Array.isArray(p.values)) {
    const shape = p.shape as unknown[];
    if (shape.some((d) => typeof d !== 'number')) return true;
    if ((p.values as unknown[]).length !== (shape as number[]).reduce((a, b) => a * b, 1)) return true;
    return p.dtype === 'bool' && (p.values as unknown[]).some((v) => v !== 0 && v !== 1);
  }
  return Object.values(p).some(malformed);
}

/** '' when got matches want: same structure, dtype and shape; numbers within 1e-6 relative (exact for int32 and bool). */
export function mismatch(got: Plain, want: Plain, exact = false, path = ''): string {
  if (typeof want === 'number' && typeof got === 'number') {
    const ok = exact ? got === want : Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want));
    return ok ? '' : `${path}: ${got} vs tfjs ${want}`;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) return `${path}: ${JSON.stringify(got)?.slice(0, 200)} vs tfjs ${JSON.stringify(want).slice(0, 200)}`;
    for (let i = 0; i < want.length; i++) { const d = mismatch(got[i], want[i], exact, `${path}[${i}]`); if (d) return d; }
    return '';
  }
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object' || Array.isArray(got)) return `${path}: ${JSON.stringify(got)?.slice(0, 200)} vs tfjs ${JSON.stringify(want).slice(0, 200)}`;
    const keys = Object.keys(want).sort();
    if (Object.keys(got).sort().join() !== keys.join()) return `${path}: keys ${Object.keys(got)} vs tfjs ${keys}`;
    const ints = want.dtype === 'int32' || want.dtype === 'bool';
    for (const k of keys) { const d = mismatch(got[k], want[k], exact || ints, `${path}.${k}`); if (d) return d; }
    return '';
  }
  return got === want ? '' : `${path}: ${JSON.stringify(got)} vs tfjs ${JSON.stringify(want)}`;
}
