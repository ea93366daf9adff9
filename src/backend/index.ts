/**
 * Chooses the kernels: the native addon where it loaded (per kernel, so a kernel the addon lacks falls back
 * to its reference twin), or the TypeScript reference kernels everywhere when the addon is missing,
 * RNNLAB_BACKEND=reference is set, or float64 precision is on (gradient checks).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import { KERNEL_NAMES, type FArray, type Kernels } from './kernels.js';
import { referenceKernels } from './reference/index.js';
import { checkNativeEnv, envChoice, envFlag } from '../env.js';
import { nativeBf16Support, withBf16 } from './bf16.js';
import { describe } from '../describe.js';

export * from './kernels.js';
export { referenceKernels };

interface Addon extends Partial<Kernels> {
  /** isa: the instruction set in force; isas: those this CPU and build run, best first; features: CPUID's, comma-separated. */
  info(): { threads: number; isa: string; isas: string[]; features: string };
  setThreads(n: number): void;
  setIsa(name: string): string;
}

let addon: Addon | null = null;
let addonError = '';
checkNativeEnv();
{
  const here = path.dirname(fileURLToPath(import.meta.url));
  const require = createRequire(import.meta.url);
  const candidates = [path.resolve(here, '../../build/Release/rnnlab.node'), path.resolve(here, '../../build/Debug/rnnlab.node')];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) addonError = 'build/Release/rnnlab.node not found (run `npm run build`)';
  else {
    try { addon = require(found) as Addon; } catch (e) { addonError = (e as Error).message; }
    // A bad RNNLAB_ISA is the user's mistake, not a missing addon: stop rather than fall back.
    if (addonError.startsWith('RNNLAB_ISA')) throw new Error(addonError);
  }
}

const nativeMerged: Kernels | null = addon
  ? Object.fromEntries(KERNEL_NAMES.map((k) => [k, (addon as Addon)[k] ?? referenceKernels[k]])) as unknown as Kernels
  : null;

export type BackendName = 'native' | 'reference';
let active: BackendName = envChoice('RNNLAB_BACKEND') !== 'reference' && addon ? 'native' : 'reference';
let precision: 32 | 64 = 32;
let announced = false;

function announce(): void {
  if (announced) return;
  announced = true;
  if (!addon) {
    console.warn(`rnnlab: native addon unavailable (${addonError}); running on the TypeScript reference kernels, which are much slower.`);
  } else if (active === 'reference') {
    console.warn('rnnlab: RNNLAB_BACKEND=reference: running on the TypeScript reference kernels.');
  }
}

/** The kernels in force now. */
export function kernels(): Kernels {
  return chosenKernels(bf16Products);
}

/** The kernels in force with fp32 products even under mixed_bfloat16: for calls the bf16 twins cannot take (a dilated conv1d). */
export function float32Kernels(): Kernels {
  return chosenKernels(false);
}

function chosenKernels(bf16: boolean): Kernels {
  if (!announced) announce();
  const native = active === 'native' && precision === 32 && nativeMerged;
  let k = native ? nativeMerged : referenceKernels;
  if (bf16 && precision === 32) k = native ? (nativeBf16 ??= withBf16(nativeMerged, addon as never, envChoice('RNNLAB_BACKEND') === 'reference')) : (referenceBf16 ??= withBf16(referenceKernels, null));
  return profiling ? profiled(k) : k;
}

// The mixed_bfloat16 policy's product kernels (src/backend/bf16.ts), switched by src/mixed_precision.ts.
let bf16Products = false;
let nativeBf16: Kernels | null = null, referenceBf16: Kernels | null = null;
export function setBf16Products(on: boolean): void { bf16Products = on; }
/** Whether the kernels in force run the mixed_bfloat16 policy's bf16 products now. */
export function bf16ProductsActive(): boolean { return bf16Products && precision === 32; }
/** Whether bf16 products can run on the backend in force (the reference emulates them anywhere), and why not. */
export function bf16Support(): { ok: boolean; reason: string } {
  return getBackend() === 'native' ? nativeBf16Support(addon) : { ok: true, reason: '' };
}

/**
 * Per-kernel timing (RNNLAB_PROFILE=1 or setProfiling(true)): wraps every kernel in a timer, so benchmarks
 * can say where a training step's time goes.
 */
let profiling = envFlag('RNNLAB_PROFILE');
const profileTotals = new Map<string, { calls: number; ms: number }>();
const profiledCache = new WeakMap<Kernels, Kernels>();

function profiled(k: Kernels): Kernels {
  let p = profiledCache.get(k);
  if (!p) {
    // Every function of the set: a bf16 set adds kernels beyond KERNEL_NAMES (bf16_shared_packing.ts).
    const names = Object.keys(k).filter((name) => typeof (k as unknown as Record<string, unknown>)[name] === 'function');
    p = Object.fromEntries(names.map((name) => {
      const fn = (k as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
      return [name, (...args: unknown[]) => {
        const t = performance.now();
        const r = fn(...args);
        const e = profileTotals.get(name) ?? { calls: 0, ms: 0 };
        e.calls++;
        e.ms += performance.now() - t;
        profileTotals.set(name, e);
        return r;
      }];
    })) as unknown as Kernels;
    profiledCache.set(k, p);
  }
  return p;
}

export function setProfiling(on: boolean): void {
  // isProfiling() hands the value back as it was given: 'yes' or 1 would not be the boolean it promises.
  if (typeof on !== 'boolean') throw new Error(`setProfiling: on must be true or false, got ${describe(on)}`);
  profiling = on;
}
export function isProfiling(): boolean { return profiling; }

/** Accumulated kernel times since the last reset, largest first. */
export function profileReport(reset = true): { kernel: string; calls: number; ms: number }[] {
  const rows = [...profileTotals].map(([kernel, v]) => ({ kernel, calls: v.calls, ms: +v.ms.toFixed(2) })).sort((a, b) => b.ms - a.ms);
  if (reset) profileTotals.clear();
  return rows;
}

/** The addon's own functions (native only, no fallback), or null when it did not load. */
export function nativeKernels(): Partial<Kernels> | null {
  return addon;
}

/** The native kernel `name` while the native kernels are in force (float32), else undefined: for fast paths with a JS fallback. */
export function nativeFastPath<K extends keyof Kernels>(name: K): Partial<Kernels>[K] | undefined {
  return getBackend() === 'native' ? nativeKernels()?.[name] : undefined;
}

/**
 * True when every value is finite, by the native sum of squares (float32 squares summed in double cannot overflow,
 * so the sum is finite exactly when every value is: one pass on the pool instead of a JS loop over a whole data
 * set on every fit). false when unsure: the caller's loop then finds the bad value.
 */
export function allFinite(d: ArrayLike<number>): boolean {
  const sumSquares = nativeFastPath('sumSquares');
  return !!sumSquares && d instanceof Float32Array && Number.isFinite(sumSquares(d));
}

export function setBackend(name: BackendName): void {
  if (name !== 'native' && name !== 'reference') throw new Error(`unknown backend '${String(name)}': use 'native' or 'reference'`);
  if (name === 'native' && !addon) throw new Error(`the native backend is unavailable: ${addonError}`);
  active = name;
}

export function getBackend(): BackendName {
  return active === 'native' && precision === 32 && addon ? 'native' : 'reference';
}

/** Float64 makes every new float tensor a Float64Array and routes all kernels to the reference set. */
export function setPrecision(bits: 32 | 64): void {
  if (bits !== 32 && bits !== 64) throw new Error(`setPrecision: bits must be the number 32 or 64, got ${describe(bits)}`);
  // The reverse order is refused by setGlobalPolicy: float64 tensors would silently drop the bf16 products while
  // the policy and backendInfo() still name mixed_bfloat16.
  if (bits === 64 && bf16Products) throw new Error("setPrecision(64): the mixed precision policy 'mixed_bfloat16' is in force and needs float32 tensors: call rl.mixedPrecision.setGlobalPolicy('float32') first");
  precision = bits;
}
export function getPrecision(): 32 | 64 { return precision; }

/**
 * Scratch buffers. A training step allocates hundreds of MB of activations and gradients; fresh typed arrays
 * cost a page fault per 4 KB and dominate the step, and at predict's batch 1 every small fresh array is an
 * ArrayBuffer outside the JavaScript heap plus GC work. Inside withScratch(), float32 buffers of every size come
 * from a pool and go back to it when the scope ends, so steady-state steps and calls allocate nothing.
 */
const pool = new Map<number, Float32Array[]>();
const scoped: Float32Array[] = [];
let scopeDepth = 0;
let poison = false;

/** A zeroed float buffer (pooled inside withScratch; pass zero = false when the caller overwrites all of it). */
export function allocFloat(n: number, zero = true): FArray {
  if (precision === 64) return new Float64Array(n);
  if (scopeDepth === 0 || n === 0) return new Float32Array(n);
  // Sizes vary from batch to batch (masks, the last batch), so buffers come in size classes 1/8 of a power of two
  // apart and callers get an exact-length view.
  const cls = sizeClass(n);
  const buf = pool.get(cls)?.pop() ?? new Float32Array(cls);
  scoped.push(buf);
  const view = buf.subarray(0, n);
  if (zero) view.fill(0);
  else if (poison) view.fill(NaN);
  return view;
}

/** A scratch row index (allocFloat's memory seen as int32, same lifetime); contents undefined. */
export function allocIndex(n: number): Int32Array {
  const f = allocFloat(n, false);
  return new Int32Array(f.buffer, f.byteOffset, n);
}

function sizeClass(n: number): number {
  const log2 = n < 2 ** 31 ? 31 - Math.clz32(n) : Math.floor(Math.log2(n));
  const step = 2 ** Math.max(log2 - 3, 0);
  return Math.ceil(n / step) * step;
}

/** A buffer that outlives any scratch scope: weights, optimizer slots, anything cached or returned. */
export function allocPersistent(n: number): FArray {
  return precision === 64 ? new Float64Array(n) : new Float32Array(n);
}

/** Runs fn; every pooled buffer allocated inside is recycled afterwards, so nothing from fn may escape. */
export function withScratch<T>(fn: () => T): T {
  const mark = scoped.length;
  scopeDepth++;
  try {
    return fn();
  } finally {
    scopeDepth--;
    for (let i = mark; i < scoped.length; i++) {
      const buf = scoped[i];
      if (poison) { buf.fill(NaN); continue; } // kept out of the pool: an escaped view reads NaN from now on
      let list = pool.get(buf.length);
      if (!list) pool.set(buf.length, (list = []));
      list.push(buf);
    }
    scoped.length = mark;
  }
}

/**
 * Escape check for tests and debugging: while on, every buffer a scope returns is filled with NaN
 * and never reused, and buffers asked for without zeroing come filled with NaN, so a result that outlives its
 * scope, or a caller that reads what it promised to overwrite, turns results into NaN instead of silently reading
 * another step's values. Slow, and the pool stays empty.
 */
export function setScratchPoison(on: boolean): void {
  poison = on;
  if (on) pool.clear();
}

/**
 * Drops the pooled buffers, returning their memory to the system. The pool only grows while a process trains,
 * so a long-running process (the server) calls this between jobs. Buffers handed out inside a running
 * withScratch() scope are not in the pool and stay valid; they return to the (now empty) pool when it ends.
 */
export function releaseScratch(): void {
  pool.clear();
}

/** What the scratch pool holds now: idle buffers and their total size in bytes. */
export function scratchStats(): { buffers: number; bytes: number } {
  let buffers = 0, bytes = 0;
  for (const list of pool.values()) for (const buf of list) { buffers++; bytes += buf.byteLength; }
  return { buffers, bytes };
}

/**
 * The engine in force: backend, instruction set (of the native kernels; 'typescript' on the reference ones), the
 * instruction sets this CPU runs (best first), the CPU features the addon's probe found and the compute precision
 * (the mixed precision policy in force).
 */
export function backendInfo(): { backend: BackendName; isa: string; isas: string[]; cpuFeatures: string[]; threads: number;
  addon: boolean; addonError?: string; precision?: 'float32' | 'mixed_bfloat16' } {
  const info = addon ? addon.info() : { threads: 1, isa: 'none', isas: [], features: '' };
  const native = getBackend() === 'native';
  return { backend: getBackend(), isa: native ? info.isa : 'typescript', isas: info.isas,
    cpuFeatures: info.features ? info.features.split(',') : [], threads: native ? info.threads : 1,
    addon: !!addon, ...(addon ? {} : { addonError }), precision: bf16Products ? 'mixed_bfloat16' : 'float32' };
}

/**
 * Makes every native kernel run the instruction set `name` ('avx512', 'avx2', 'portable', or 'auto' for the best
 * this CPU runs), as RNNLAB_ISA does at startup; returns the one in force. Throws for an unknown name, one this CPU
 * cannot run, or without the addon.
 */
export function setIsa(name: string): string {
  if (!addon) throw new Error(`setIsa: the native backend is unavailable: ${addonError}`);
  const isa = addon.setIsa(name);
  // The bf16 kernel set was checked against the old ISA: built (and checked) again at the next product.
  nativeBf16 = null;
  return isa;
}

export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`threads must be a positive integer, got ${n}`);
  addon?.setThreads(n);
}
