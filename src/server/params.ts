/**
 * Request bodies checked against a JSON Schema with ajv (the same approach as the RunRecord), so every bad value is
 * a 400 that names the field and what it accepts. `Fields` is the older field-by-field checker the remaining
 * endpoints in server.ts still use.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { badRequest } from './http.js';

const ajv = new Ajv({ allErrors: true, verbose: true, coerceTypes: true });

/** A compiled checker for request bodies of one kind ("job"). */
export function requestChecker(schema: Record<string, unknown>): ValidateFunction {
  return ajv.compile(schema);
}

function range(s: { minimum?: number; maximum?: number; exclusiveMaximum?: number } | undefined): string {
  if (s?.minimum !== undefined && s.exclusiveMaximum !== undefined) return ` from ${s.minimum} up to but not including ${s.exclusiveMaximum}`;
  return s && s.minimum !== undefined && s.maximum !== undefined ? ` from ${s.minimum} to ${s.maximum}` : '';
}

/** One sentence for an ajv error, naming the field and the value it got. */
function describe(e: ErrorObject): string {
  const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'the body';
  const got = JSON.stringify(e.data)?.slice(0, 40);
  const s = e.parentSchema as { minimum?: number; maximum?: number; exclusiveMaximum?: number; enum?: unknown[]; type?: string } | undefined;
  switch (e.keyword) {
    case 'enum': return `${field} must be one of ${(s?.enum ?? []).join(', ')}; got ${got}`;
    case 'minimum': case 'maximum': case 'exclusiveMaximum': return `${field} must be${range(s)}, got ${got}`;
    case 'maxLength': return `${field} is ${String(e.data).length} characters long; the limit is ${String((e.params as { limit: number }).limit)}`;
    case 'type': {
      const t = (e.params as { type: string }).type;
      if (t === 'boolean') return `${field} must be true or false, got ${got}`;
      if (t === 'integer' || t === 'number') return `${field} must be ${t === 'integer' ? 'an integer' : 'a number'}${range(s)}, got ${got}`;
      return `${field} must be a ${t}, got ${got}`;
    }
    default: return `${field} ${e.message ?? 'is invalid'}`;
  }
}

/**
 * The body after the checker's coercions ("3" -> 3); null and '' count as absent, as an empty form field.
 * Throws a 400 naming unknown fields, or the first bad field.
 */
export function checkRequest(check: ValidateFunction, body: Record<string, unknown>, where: string): Record<string, unknown> {
  const clean = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null && v !== ''));
  refuseOddCoercions(check, clean);
  if (check(clean)) return clean;
  const errors = check.errors ?? [];
  const extra = errors.filter((e) => e.keyword === 'additionalProperties').map((e) => (e.params as { additionalProperty: string }).additionalProperty);
  if (extra.length) throw badRequest(`unknown field${extra.length > 1 ? 's' : ''} in the ${where}: ${extra.join(', ')}`);
  throw badRequest(describe(errors[0]));
}

/**
 * The checker turns text into numbers ("3" -> 3, as a form or a hand-written request sends them), but ajv would also
 * turn true into 1, 1 into true, 123 into "123", and read "Infinity" or "0x10" as numbers: a wrong value taken for a
 * right one. Those are refused here, naming the field.
 */
/** A number as text: decimal digits with an optional fraction and exponent ("Infinity" and "0x10" are not). */
export const DECIMAL = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

function refuseOddCoercions(check: ValidateFunction, body: Record<string, unknown>): void {
  const props = ((check.schema as { properties?: Record<string, { type?: string; minimum?: number; maximum?: number; exclusiveMaximum?: number }> }).properties) ?? {};
  for (const [k, v] of Object.entries(body)) {
    const s = props[k];
    if (!s?.type) continue;
    // JSON has no Infinity, but 1e309 parses to it (and would print as null).
    const got = typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v)?.slice(0, 40);
    const numeric = typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' && DECIMAL.test(v) && Number.isFinite(Number(v));
    if ((s.type === 'integer' || s.type === 'number') && !numeric) {
      throw badRequest(`${k} must be ${s.type === 'integer' ? 'an integer' : 'a number'}${range(s)}, got ${got}`);
    }
    if (s.type === 'boolean' && typeof v !== 'boolean') throw badRequest(`${k} must be true or false, got ${got}`);
    if (s.type === 'string' && typeof v !== 'string') throw badRequest(`${k} must be a string, got ${got}`);
  }
}

export class Fields {
  private used = new Set<string>();

  constructor(private readonly body: Record<string, unknown>, private readonly where = 'request') {}

  private take(key: string): unknown {
    this.used.add(key);
    const v = this.body[key];
    return v === null ? undefined : v;
  }

  has(key: string): boolean {
    return this.body[key] !== undefined && this.body[key] !== null;
  }

  int(key: string, min: number, max: number): number | undefined;
  int(key: string, min: number, max: number, fallback: number): number;
  int(key: string, min: number, max: number, fallback?: number): number | undefined {
    const v = this.take(key);
    if (v === undefined || v === '') return fallback;
    const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw badRequest(`${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    if (n < min || n > max) throw badRequest(`${key} must be from ${min} to ${max}, got ${n}`);
    return n;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.take(key);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw badRequest(`${key} must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  oneOf<T extends string>(key: string, choices: readonly T[]): T | undefined;
  oneOf<T extends string>(key: string, choices: readonly T[], fallback: T): T;
  oneOf<T extends string>(key: string, choices: readonly T[], fallback?: T): T | undefined {
    const v = this.take(key);
    if (v === undefined || v === '') return fallback;
    if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
      throw badRequest(`${key} must be one of ${choices.join(', ')}; got ${JSON.stringify(v)}`);
    }
    return v as T;
  }

  str(key: string, maxLength: number, required: true): string;
  str(key: string, maxLength: number, required?: false): string | undefined;
  str(key: string, maxLength: number, required = false): string | undefined {
    const v = this.take(key);
    if (v === undefined) {
      if (required) throw badRequest(`${key} is required`);
      return undefined;
    }
    if (typeof v !== 'string') throw badRequest(`${key} must be a string, got ${JSON.stringify(v)?.slice(0, 40)}`);
    if (v.length > maxLength) throw badRequest(`${key} is ${v.length} characters long; the limit is ${maxLength}`);
    if (required && v.trim() === '') throw badRequest(`${key} must not be empty`);
    return v;
  }

  strings(key: string, maxItems: number, maxLength: number): string[] | undefined {
    const v = this.take(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw badRequest(`${key} must be an array of strings`);
    const long = v.findIndex((s: string) => s.length > maxLength);
    if (long >= 0) throw badRequest(`${key}[${long}] is ${(v[long] as string).length} characters long; the limit is ${maxLength}`);
    if (v.length > maxItems) throw badRequest(`${key} has ${v.length} entries; the limit is ${maxItems}`);
    return v as string[];
  }

  /** Rejects fields nobody asked for: a typo ("epoch") should not be silently ignored. */
  done(): void {
    const extra = Object.keys(this.body).filter((k) => !this.used.has(k));
    if (extra.length) throw badRequest(`unknown field${extra.length > 1 ? 's' : ''} in the ${this.where}: ${extra.join(', ')}`);
  }
}

/** The query parameters of a paged listing (GET /api/runs). */
export const PAGE_PARAMS = ['limit', 'offset'] as const;
/** A page of a listing: `limit` items from `offset` (0 is the newest); the page size the view asks for, at most MAX. */
export const PAGE_LIMITS = { defaultLimit: 100, maxLimit: 1000, maxOffset: 1_000_000 } as const;

/** One query parameter as a whole number in [min, max], given at most once; a 400 naming it otherwise. */
function queryInt(url: URL, key: string, min: number, max: number, fallback: number): number {
  const all = url.searchParams.getAll(key);
  if (all.length > 1) throw badRequest(`${key} is given ${all.length} times in the query; give it once`);
  if (all.length === 0) return fallback;
  const v = all[0];
  if (!/^\d{1,10}$/.test(v)) throw badRequest(`${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v.slice(0, 40))}`);
  const n = Number(v);
  if (n < min || n > max) throw badRequest(`${key} must be from ${min} to ${max}, got ${n}`);
  return n;
}

/** ?limit=&offset= of a paged listing, checked; the defaults when absent. */
export function pageOf(url: URL): { limit: number; offset: number } {
  return {
    limit: queryInt(url, 'limit', 1, PAGE_LIMITS.maxLimit, PAGE_LIMITS.defaultLimit),
    offset: queryInt(url, 'offset', 0, PAGE_LIMITS.maxOffset, 0),
  };
}
