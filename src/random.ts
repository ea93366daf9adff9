/**
 * One seeded generator for everything random in rnnlab: initializers, shuffles, dropout masks, data
 * generation. `setSeed(n)` plays numpy.random.seed's role: same seed, same run.
 */
import { randomBytes } from 'node:crypto';

/**
 * xoshiro128** (Blackman & Vigna, 2018), its state filled by splitmix32 from the seed. Only 32-bit integer
 * ops, so a seed gives the same stream on every platform. It does not reproduce numpy's MT19937 streams;
 * it promises determinism per seed.
 */
export class Random {
  private s = new Uint32Array(4);
  private spareNormal: number | null = null;

  constructor(seed = Date.now()) {
    this.seed(seed);
  }

  seed(seed: number): void {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${String(seed)}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    let a = (lo ^ Math.imul(hi, 0x85ebca6b)) | 0;
    for (let i = 0; i < 4; i++) {
      a = (a + 0x9e3779b9) | 0;
      let t = a ^ (a >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      this.s[i] = (t ^ (t >>> 15)) >>> 0;
    }
    this.spareNormal = null;
  }

  /** The full state, so checkpoints can resume a run bit for bit. */
  getState(): number[] { return [...this.s, this.spareNormal ?? NaN]; }
  setState(state: number[]): void {
    if (!Array.isArray(state) || state.length !== 5 || state.slice(0, 4).some((v) => !Number.isInteger(v))) {
      throw new Error('random state must be an array of 4 integers and the spare normal');
    }
    for (let i = 0; i < 4; i++) this.s[i] = state[i] >>> 0;
    this.spareNormal = Number.isNaN(state[4]) ? null : state[4];
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
  nextFloat(): number { return this.next(); }

  uniform(lo: number, hi: number): number { return lo + (hi - lo) * this.next(); }

  /** Uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) throw new RangeError(`integer bound must be in [1, 2^32], got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }
  nextInt(n: number): number { return this.int(n); }

  normal(): number {
    if (this.spareNormal !== null) { const v = this.spareNormal; this.spareNormal = null; return v; }
    let u = 0, v = 0, s = 0;
    do { u = this.next() * 2 - 1; v = this.next() * 2 - 1; s = u * u + v * v; } while (s >= 1 || s === 0);
    const f = Math.sqrt(-2 * Math.log(s) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /** Fisher–Yates, in place; returns its argument. */
  shuffle<T extends { length: number; [i: number]: any }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]; a[i] = a[j]; a[j] = t;
    }
    return a;
  }

  /** A shuffled 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

function rotl(x: number, k: number): number { return (x << k) | (x >>> (32 - k)); }

/** The global generator behind setSeed. */
export const globalRandom = new Random(Date.now());

/** The seed setSeed was last given (null before any), and how many seeds have been derived from it since. */
let lastSeed: number | null = null;
let derivedCount = 0;

export function setSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new Error(`setSeed: seed must be an integer, got ${seed}`);
  globalRandom.seed(seed);
  lastSeed = seed;
  derivedCount = 0;
}

/**
 * The seed `seed + k` (k a small non-negative offset: a task's second stream), wrapped to stay a safe integer, so a
 * seed up to Number.MAX_SAFE_INTEGER, which every seed flag takes, still works; below the wrap it is seed + k.
 */
export function offsetSeed(seed: number, k: number): number {
  const max = Number.MAX_SAFE_INTEGER;
  // seed + k - (2 max + 1), summed in two exact parts
  return seed <= max - k ? seed + k : (seed - max) + (k - max - 1);
}

/**
 * A seed for something random made without one (an unseeded dataset shuffle): after setSeed, the next of a sequence
 * derived from its seed (the same sequence after the same setSeed, in the order they are asked for), as Keras derives
 * an op's seed from the global one; before any setSeed, a fresh one each time (tfjs's sub-millisecond clock gives two
 * shuffles made in a row their own orders; the millisecond clock alone would give them one). It is not drawn from
 * globalRandom, so asking for one leaves the stream of initializers and dropout masks as it was.
 */
export function derivedSeed(): number {
  if (lastSeed === null) return freshSeed();
  derivedCount++;
  // The seed's low 32 bits and the count as the high ones: a safe integer for any seed and the first 2^20 counts.
  const low = ((lastSeed % 4294967296) + 4294967296) % 4294967296;
  return new Random(low + 4294967296 * (derivedCount % 1048576)).int(2 ** 31);
}

let freshCount = 0;

/**
 * An unseeded seed: the count of those drawn in this process as the high bits, so no two in one process are the same
 * (for the first 2^20), and 32 bits of crypto randomness as the low ones, so two processes started together differ too.
 */
function freshSeed(): number {
  const low = randomBytes(4).readUInt32LE(0);
  freshCount = (freshCount + 1) % 1048576;
  return low + 4294967296 * freshCount;
}
