/** Runs the same op on rnnlab and on tfjs (CPU backend) and compares dtype, shape and values. */
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as rl from '../../src/index.js';

await tf.setBackend('cpu');

export { tf, rl };

type Out = rl.Tensor | rl.Tensor[] | { values: rl.Tensor; indices: rl.Tensor };
type TfOut = tf.Tensor | tf.Tensor[] | { values: tf.Tensor; indices: tf.Tensor };

function flat(o: Out | TfOut): { dtype: string; shape: number[]; values: number[] }[] {
  if (Array.isArray(o)) return o.flatMap(flat);
  if ('indices' in o) return [...flat(o.values), ...flat(o.indices)];
  return [{ dtype: o.dtype, shape: [...o.shape], values: Array.from(o.dataSync() as ArrayLike<number>) }];
}

/** ops(lib) is called with rnnlab and with tfjs; results must agree to float32 precision. */
export function sameAsTfjs(ops: (lib: any) => Out | TfOut, tol = 1e-6): void {
  const ours = flat(ops(rl) as Out), theirs = flat(ops(tf) as TfOut);
  expect(ours.map((o) => [o.dtype, o.shape])).toEqual(theirs.map((o) => [o.dtype, o.shape]));
  ours.forEach((o, k) => {
    const ref = theirs[k].values;
    o.values.forEach((v, i) => {
      if (Number.isNaN(ref[i])) expect(v).toBeNaN();
      else if (!Number.isFinite(ref[i])) expect(v).toBe(ref[i]);
      else expect(Math.abs(v - ref[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(ref[i])));
    });
  });
}

/** Both libraries must reject the call; ours must say what `substance` says. */
export function bothThrow(ops: (lib: any) => unknown, substance: RegExp): void {
  expect(() => ops(tf)).toThrow();
  expect(() => ops(rl)).toThrow(substance);
}
