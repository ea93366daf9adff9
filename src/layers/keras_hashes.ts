/**
 * The two string hashes behind Keras's Hashing layer and IntegerLookup's hashed OOV buckets, which TensorFlow
 * computes (tf.strings.to_hash_bucket_fast / _strong): FarmHash's Fingerprint64 (farmhashna's 64-bit hash) and
 * SipHash-2-4 with a 128-bit key. Written from the published algorithms, on 64-bit BigInts (inputs are short).
 */
import { describe } from '../describe.js';

const M = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;

const mul = (a: bigint, b: bigint): bigint => (a * b) & M;
const add = (...xs: bigint[]): bigint => xs.reduce((s, x) => s + x, 0n) & M;
const rot = (v: bigint, s: bigint): bigint => (s === 0n ? v : ((v >> s) | (v << (64n - s))) & M);
const shiftMix = (v: bigint): bigint => v ^ (v >> 47n);

function fetch64(b: Uint8Array, i: number): bigint {
  let v = 0n;
  for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(b[i + k]);
  return v;
}

function fetch32(b: Uint8Array, i: number): bigint {
  return BigInt((b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0);
}

function hashLen16(u: bigint, v: bigint, m: bigint): bigint {
  let a = mul(u ^ v, m);
  a ^= a >> 47n;
  let b = mul(v ^ a, m);
  b ^= b >> 47n;
  return mul(b, m);
}

function hashLen0to16(s: Uint8Array): bigint {
  const len = s.length;
  const n = BigInt(len);
  if (len >= 8) {
    const m = add(K2, n * 2n);
    const a = add(fetch64(s, 0), K2);
    const b = fetch64(s, len - 8);
    const c = add(mul(rot(b, 37n), m), a);
    const d = mul(add(rot(a, 25n), b), m);
    return hashLen16(c, d, m);
  }
  if (len >= 4) {
    const m = add(K2, n * 2n);
    return hashLen16(add(n, fetch32(s, 0) << 3n), fetch32(s, len - 4), m);
  }
  if (len > 0) {
    const y = BigInt((s[0] + (s[len >> 1] << 8)) >>> 0);
    const z = BigInt((len + (s[len - 1] << 2)) >>> 0);
    return mul(shiftMix(mul(y, K2) ^ mul(z, K0)), K2);
  }
  return K2;
}

function hashLen17to32(s: Uint8Array): bigint {
  const len = s.length;
  const m = add(K2, BigInt(len) * 2n);
  const a = mul(fetch64(s, 0), K1);
  const b = fetch64(s, 8);
  const c = mul(fetch64(s, len - 8), m);
  const d = mul(fetch64(s, len - 16), K2);
  return hashLen16(add(rot(add(a, b), 43n), rot(c, 30n), d), add(a, rot(add(b, K2), 18n), c), m);
}

function hashLen33to64(s: Uint8Array): bigint {
  const len = s.length;
  const m = add(K2, BigInt(len) * 2n);
  const a = mul(fetch64(s, 0), K2);
  const b = fetch64(s, 8);
  const c = mul(fetch64(s, len - 8), m);
  const d = mul(fetch64(s, len - 16), K2);
  const y = add(rot(add(a, b), 43n), rot(c, 30n), d);
  const z = hashLen16(y, add(a, rot(add(b, K2), 18n), c), m);
  const e = mul(fetch64(s, 16), m);
  const f = fetch64(s, 24);
  const g = mul(add(y, fetch64(s, len - 32)), m);
  const h = mul(add(z, fetch64(s, len - 24)), m);
  return hashLen16(add(rot(add(e, f), 43n), rot(g, 30n), h), add(e, rot(add(f, a), 18n), g), m);
}

/** The pair FarmHash's long-input loop carries: 32 bytes at i folded into seeds a and b. */
function weakHashLen32(s: Uint8Array, i: number, a: bigint, b: bigint): [bigint, bigint] {
  const w = fetch64(s, i), x = fetch64(s, i + 8), y = fetch64(s, i + 16), z = fetch64(s, i + 24);
  a = add(a, w);
  b = rot(add(b, a, z), 21n);
  const c = a;
  a = add(a, x, y);
  b = add(b, rot(a, 44n));
  return [add(a, z), add(b, c)];
}

/** FarmHash Fingerprint64 of bytes, as an unsigned 64-bit BigInt (TensorFlow's Fingerprint64). */
export function fingerprint64(s: Uint8Array): bigint {
  const len = s.length;
  if (len <= 16) return hashLen0to16(s);
  if (len <= 32) return hashLen17to32(s);
  if (len <= 64) return hashLen33to64(s);
  const seed = 81n;
  let x = seed;
  let y = add(mul(seed, K1), 113n);
  let z = mul(shiftMix(add(mul(y, K2), 113n)), K2);
  let v: [bigint, bigint] = [0n, 0n], w: [bigint, bigint] = [0n, 0n];
  x = add(mul(x, K2), fetch64(s, 0));
  const end = Math.floor((len - 1) / 64) * 64;
  const last64 = end + ((len - 1) & 63) - 63;
  let p = 0;
  do {
    x = mul(rot(add(x, y, v[0], fetch64(s, p + 8)), 37n), K1);
    y = mul(rot(add(y, v[1], fetch64(s, p + 48)), 42n), K1);
    x ^= w[1];
    y = add(y, v[0], fetch64(s, p + 40));
    z = mul(rot(add(z, w[0]), 33n), K1);
    v = weakHashLen32(s, p, mul(v[1], K1), add(x, w[0]));
    w = weakHashLen32(s, p + 32, add(z, w[1]), add(y, fetch64(s, p + 16)));
    [z, x] = [x, z];
    p += 64;
  } while (p !== end);
  const m = add(K1, (z & 0xffn) << 1n);
  p = last64;
  w[0] = add(w[0], BigInt((len - 1) & 63));
  v[0] = add(v[0], w[0]);
  w[0] = add(w[0], v[0]);
  x = mul(rot(add(x, y, v[0], fetch64(s, p + 8)), 37n), m);
  y = mul(rot(add(y, v[1], fetch64(s, p + 48)), 42n), m);
  x ^= mul(w[1], 9n);
  y = add(y, mul(v[0], 9n), fetch64(s, p + 40));
  z = mul(rot(add(z, w[0]), 33n), m);
  v = weakHashLen32(s, p, mul(v[1], m), add(x, w[0]));
  w = weakHashLen32(s, p + 32, add(z, w[1]), add(y, fetch64(s, p + 16)));
  [z, x] = [x, z];
  return hashLen16(add(hashLen16(v[0], w[0], m), mul(shiftMix(y), K0), z), add(hashLen16(v[1], w[1], m), x), m);
}

function sipRound(v: bigint[]): void {
  v[0] = add(v[0], v[1]); v[1] = rot(v[1], 51n) ^ v[0]; v[0] = rot(v[0], 32n);
  v[2] = add(v[2], v[3]); v[3] = rot(v[3], 48n) ^ v[2];
  v[0] = add(v[0], v[3]); v[3] = rot(v[3], 43n) ^ v[0];
  v[2] = add(v[2], v[1]); v[1] = rot(v[1], 47n) ^ v[2]; v[2] = rot(v[2], 32n);
}

/**
 * SipHash-2-4 of bytes under the key (k0, k1), as an unsigned 64-bit BigInt (TensorFlow's to_hash_bucket_strong
 * with key [k0, k1]). Rotations are written as right rotations by 64 minus SipHash's left amounts.
 */
export function sipHash24(k0: bigint, k1: bigint, s: Uint8Array): bigint {
  const v = [k0 ^ 0x736f6d6570736575n, k1 ^ 0x646f72616e646f6dn, k0 ^ 0x6c7967656e657261n, k1 ^ 0x7465646279746573n];
  const full = s.length - (s.length % 8);
  const block = (m: bigint): void => {
    v[3] ^= m;
    sipRound(v); sipRound(v);
    v[0] ^= m;
  };
  for (let i = 0; i < full; i += 8) block(fetch64(s, i));
  let last = BigInt(s.length & 0xff) << 56n;
  for (let i = full; i < s.length; i++) last |= BigInt(s[i]) << BigInt(8 * (i - full));
  block(last);
  v[2] ^= 0xffn;
  for (let r = 0; r < 4; r++) sipRound(v);
  return v[0] ^ v[1] ^ v[2] ^ v[3];
}

const utf8 = new TextEncoder();

/** Keras's bin for an integer: its decimal string (tf.as_string) hashed, modulo bins. */
export function integerBucket(value: bigint, bins: number, salt: readonly [bigint, bigint] | null): number {
  const bytes = utf8.encode(value.toString());
  const h = salt ? sipHash24(salt[0], salt[1], bytes) : fingerprint64(bytes);
  return Number(h % BigInt(bins));
}

/** Keras's salt: one integer for both key halves, or two; each a non-negative safe integer (TensorFlow's key is unsigned). */
export function checkSalt(where: string, v: unknown): [number, number] | null {
  if (v === undefined || v === null) return null;
  const pair = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((k) => Number.isSafeInteger(k) && k >= 0)) {
    throw new Error(`${where}: salt must be a non-negative integer or a list of two, got ${typeof v === 'number' ? v : Array.isArray(v) ? JSON.stringify(v) : describe(v)}`);
  }
  return [pair[0], pair[1]];
}
