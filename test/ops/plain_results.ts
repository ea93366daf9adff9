/** Results of tfjs_parity_cases.ts as plain JSON (NaN and infinities as strings) so rnnlab's and tfjs's can be compared. */
/* eslint-disable @typescript-eslint/no-explicit-any */
export type Plain = null | number | string | boolean | Plain[] | { [k: string]: Plain };

const num = (v: number): number | string => (Number.isFinite(v) ? v : String(v));

export function serialize(v: any): Plain {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return num(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(serialize);
  if (typeof v.dataSync === 'function' && Array.isArray(v.shape)) {
    return { dtype: v.dtype, shape: [...v.shape], values: Array.from(v.dataSync() as ArrayLike<number>, (x) => num(Number(x))) };
  }
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, serialize(x)]));
  throw new Error(`cannot serialize ${typeof v}`);
}
