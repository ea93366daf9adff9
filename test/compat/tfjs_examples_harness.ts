/**
 * Shared pieces for the ported tfjs-examples programs (tfjs_examples_*.test.ts): a seeded Math.random stand-in so both
 * libraries see the same generated data, weight copying from a tfjs model into the same rnnlab model, and closeness.
 */
import { expect } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as rl from '../../src/index.js';

await tfjs.setBackend('cpu');

export { tfjs, rl };

// One seeded Math.random helper for the whole suite (it restores only its own spy, so a file's own spies stay).
export { seededRandom, seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

/** The weights of a model as plain arrays, in getWeights() order. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function weightValues(model: any): number[][] {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return model.getWeights().map((w: any) => Array.from(w.dataSync() as ArrayLike<number>));
}

/** Sets a model's weights from weightValues() of the same architecture built by the other library. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function setWeightValues(model: any, values: number[][]): void {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const current = model.getWeights() as { shape: number[]; dataSync(): ArrayLike<number> }[];
  expect(current.map((w) => w.shape.reduce((a, b) => a * b, 1))).toEqual(values.map((v) => v.length));
  model.setWeights(values.map((v, i) => rl.tensor(v, current[i].shape)));
}

/** Every number within tol (relative to max(1, |reference|)); the label says which series differed. */
export function expectAllClose(ours: ArrayLike<number>, theirs: ArrayLike<number>, tol: number, label: string): void {
  expect(ours.length, `${label}.length`).toBe(theirs.length);
  for (let i = 0; i < theirs.length; i++) {
    expect(Math.abs(ours[i] - theirs[i]), `${label}[${i}]: ${ours[i]} vs tfjs ${theirs[i]}`)
      .toBeLessThanOrEqual(tol * Math.max(1, Math.abs(theirs[i])));
  }
}

/**
 * The library with tfjs-layers' recurrent defaults filled in: LSTM and GRU gates use hardSigmoid in tfjs (rnnlab:
 * sigmoid, Keras 2.3+), and tfjs's GRU is resetAfter: false (rnnlab: true, Keras 2). Explicit options still win.
 * Used to compare numbers from identical weights; every example also runs on the unwrapped library.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function withTfjsRecurrentDefaults(lib: any): any {
  const layers = {
    ...lib.layers,
    lstm: (a: object) => lib.layers.lstm({ recurrentActivation: 'hardSigmoid', ...a }),
    gru: (a: object) => lib.layers.gru({ recurrentActivation: 'hardSigmoid', resetAfter: false, ...a }),
  };
  return { ...lib, layers };
}
