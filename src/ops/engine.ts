/** tfjs's engine entry points that programs await before work; rnnlab's kernels load with the module. */
import { backendInfo, setBackend as setKernels } from '../backend/index.js';

export async function ready(): Promise<void> {}

/** tfjs's nextFrame: resolves on the next turn of the event loop (in Node, tfjs uses setImmediate too). */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * rl.setBackend as tfjs programs call it: `await tf.setBackend('cpu')` resolves true. tfjs's CPU backends ('cpu',
 * 'tensorflow') select rnnlab's native kernels (the reference ones without the addon); 'native' and 'reference'
 * are rnnlab's own; tfjs's browser and GPU backends are refused by name.
 */
export function setBackend(name: string): Promise<boolean> {
  if (name === 'cpu' || name === 'tensorflow') setKernels(backendInfo().addon ? 'native' : 'reference');
  else if (name === 'native' || name === 'reference') setKernels(name);
  else throw new Error(`setBackend: backend '${String(name)}' is not available: rnnlab runs on the CPU; use 'cpu' (its native kernels), 'native' or 'reference'`);
  return Promise.resolve(true);
}

/** tfjs's browser helpers: refused by name, since rnnlab runs in Node without canvases or images. */
function browserOnly(fn: string): () => never {
  return () => { throw new Error(`browser.${fn}: rnnlab runs in Node and has no canvas or image input; decode images to arrays and use rl.tensor`); };
}

export const browser = { fromPixels: browserOnly('fromPixels'), fromPixelsAsync: browserOnly('fromPixelsAsync'), toPixels: browserOnly('toPixels'), draw: browserOnly('draw') };
