/**
 * Random tensors from the project's generator: rl.setSeed makes them reproducible; a seed argument draws
 * from a fresh generator seeded with it (same seed, same values), as tfjs's seed does.
 */
import { Random, globalRandom } from '../random.js';
import type { Shape, Tensor } from '../tensor.js';
import { assertShape, resultFrom } from './convert.js';

type NumericDtype = 'float32' | 'int32';

function generator(seed: number | undefined, op: string): Random {
  if (seed === undefined) return globalRandom;
  if (!Number.isSafeInteger(seed)) throw new Error(`${op}: seed must be an integer, got ${String(seed)}`);
  return new Random(seed);
}

function numeric(dtype: unknown, op: string): NumericDtype {
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`${op}: Unsupported data type ${String(dtype)}`);
  return dtype;
}

/** int32 results round, as tfjs's generators do. */
function draw(shape: Shape, dtype: NumericDtype, next: () => number): Tensor {
  return resultFrom(shape, dtype, dtype === 'int32' ? () => Math.round(next()) : next);
}

export function randomNormal(shape: Shape, mean = 0, stdDev = 1, dtype: NumericDtype = 'float32', seed?: number): Tensor {
  assertShape(shape, 'randomNormal');
  const rng = generator(seed, 'randomNormal');
  return draw(shape, numeric(dtype, 'randomNormal'), () => mean + stdDev * rng.normal());
}

/** Normal values redrawn until within two standard deviations of the mean. */
export function truncatedNormal(shape: Shape, mean = 0, stdDev = 1, dtype: NumericDtype = 'float32', seed?: number): Tensor {
  assertShape(shape, 'truncatedNormal');
  const rng = generator(seed, 'truncatedNormal');
  return draw(shape, numeric(dtype, 'truncatedNormal'), () => {
    for (;;) { const z = rng.normal(); if (Math.abs(z) <= 2) return mean + stdDev * z; }
  });
}

export function randomUniform(shape: Shape, minval = 0, maxval = 1, dtype: NumericDtype = 'float32', seed?: number): Tensor {
  assertShape(shape, 'randomUniform');
  const dt = numeric(dtype, 'randomUniform');
  if (dt === 'int32' && maxval - minval <= 1) throw new Error(`The difference between ${minval} - ${maxval} <= 1 and dtype is not float`);
  const rng = generator(seed, 'randomUniform');
  return draw(shape, dt, () => rng.uniform(minval, maxval));
}
