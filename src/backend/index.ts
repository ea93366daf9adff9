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

export * from './kernels.js';
export { referenceKernels };

interface Addon extends Partial<Kernels> {
  info(): { threads: number; isa: string };
  setThreads(n: number): void;
}

let addon: Addon | null = null;
let addonError = '';
{
  const here = path.dirname(fileURLToPath(import.meta.url));
  const require = createRequire(import.meta.url);
  const candidates = [path.resolve(here, '../../build/Release/rnnlab.node'), path.resolve(here, '../../build/Debug/rnnlab.node')];
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) addonError = 'build/Release/rnnlab.node not found (run `npm run build`)';
  else {
    try { addon = require(found) as Addon; } catch (e) { addonError = (e as Error).message; }
  }
}

const nativeMerged: Kernels | null = addon
  ? Object.fromEntries(KERNEL_NAMES.map((k) => [k, (addon as Addon)[k] ?? referenceKernels[k]])) as unknown as Kernels
  : null;

export type BackendName = 'native' | 'reference';
let active: BackendName = addon && process.env.RNNLAB_BACKEND !== 'reference' ? 'native' : 'reference';
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
  if (!announced) announce();
  return active === 'native' && precision === 32 && nativeMerged ? nativeMerged : referenceKernels;
}

/** The addon's own functions (native only, no fallback), or null when it did not load. */
export function nativeKernels(): Partial<Kernels> | null {
  return addon;
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
  if (bits !== 32 && bits !== 64) throw new Error(`precision must be 32 or 64, got ${String(bits)}`);
  precision = bits;
}
export function getPrecision(): 32 | 64 { return precision; }

export function allocFloat(n: number): FArray {
  return precision === 64 ? new Float64Array(n) : new Float32Array(n);
}

export function backendInfo(): { backend: BackendName; isa: string; threads: number; addon: boolean; addonError?: string } {
  const info = addon ? addon.info() : { threads: 1, isa: 'none' };
  return { backend: getBackend(), isa: getBackend() === 'native' ? info.isa : 'typescript', threads: getBackend() === 'native' ? info.threads : 1,
    addon: !!addon, ...(addon ? {} : { addonError }) };
}

export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`threads must be a positive integer, got ${n}`);
  addon?.setThreads(n);
}
