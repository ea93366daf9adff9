/**
 * A plain `{...}` record: an object literal, a mapping JSON.parse or a YAML parser gives, or Object.create(null)'s.
 * Arrays and class instances (a Tensor, a Map, a Date, an rl.regularizers object) are not: their fields are their
 * own business, so configs, specs and dataset elements never read or rebuild them as records.
 */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
