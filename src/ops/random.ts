/**
 * Random tensors from the project's generator: rl.setSeed makes them reproducible; a seed argument draws
 * from a fresh generator seeded with it (same seed, same values), as tfjs's seed does.
 */
import { Random, globalRandom } from '../random.js';
import { Tensor as TensorClass, type Shape, type Tensor } from '../tensor.js';
import { allocPersistent } from '../backend/index.js';
import { asTensor, assertShape, finiteArgs, result, resultFrom, shownArg } from './convert.js';
import { clone, mul } from './elementwise.js';

type NumericDtype = 'float32' | 'int32';

function generator(seed: number | undefined, op: string): Random {
  if (seed === undefined) return globalRandom;
  if (!Number.isSafeInteger(seed)) throw new Error(`${op}: seed must be an integer, got ${shownArg(seed)}`);
  return new Random(seed);
}

function numeric(dtype: unknown, op: string): NumericDtype {
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`${op}: Unsupported data type ${String(dtype)}`);
  return dtype;
}

/** int32 normals round, as tfjs's Gaussian generator does; uniform integers floor (see randomUniform). */
function draw(shape: Shape, dtype: NumericDtype, next: () => number, toInt: (v: number) => number = Math.round): Tensor {
  return resultFrom(shape, dtype, dtype === 'int32' ? () => toInt(next()) : next);
}

export function randomNormal(shape: Shape, mean: number | null = 0, stdDev: number | null = 1, dtype: NumericDtype = 'float32', seed?: number): Tensor {
  assertShape(shape, 'randomNormal');
  // Only null reaches ??= (undefined took the default): tfjs computes with null as with 0, randomNormal([2], 5, null) is [5, 5].
  mean ??= 0; stdDev ??= 0;
  finiteArgs('randomNormal', { mean, stdDev });
  const rng = generator(seed, 'randomNormal');
  return draw(shape, numeric(dtype, 'randomNormal'), () => mean + stdDev * rng.normal());
}

/** Normal values redrawn until within two standard deviations of the mean. */
export function truncatedNormal(shape: Shape, mean: number | null = 0, stdDev: number | null = 1, dtype: NumericDtype = 'float32', seed?: number): Tensor {
  assertShape(shape, 'truncatedNormal');
  mean ??= 0; stdDev ??= 0; // null as tfjs computes with it (randomNormal)
  finiteArgs('truncatedNormal', { mean, stdDev });
  const rng = generator(seed, 'truncatedNormal');
  return draw(shape, numeric(dtype, 'truncatedNormal'), () => {
    for (;;) { const z = rng.normal(); if (Math.abs(z) <= 2) return mean + stdDev * z; }
  });
}

export function randomUniform(shape: Shape, minval: number | null = 0, maxval: number | null = 1, dtype: NumericDtype = 'float32', seed?: number): Tensor {
  assertShape(shape, 'randomUniform');
  minval ??= 0; maxval ??= 0; // null as tfjs computes with it (randomNormal)
  finiteArgs('randomUniform', { minval, maxval });
  const dt = numeric(dtype, 'randomUniform');
  if (dt === 'int32' && maxval - minval <= 1) throw new Error(`The difference between ${minval} - ${maxval} <= 1 and dtype is not float`);
  const rng = generator(seed, 'randomUniform');
  // Integers uniform on [minval, maxval): floor, as tfjs's int32 storage truncates its float draw (same for minval >= 0;
  // below 0 truncation would pile values onto 0).
  const top = Math.ceil(maxval) - 1; // a float draw may round up to maxval itself
  return draw(shape, dt, () => rng.uniform(minval, maxval), (v) => Math.min(Math.floor(v), top));
}

/** tfjs's randomUniformInt(shape, minval, maxval, seed?): int32 values uniform on [minval, maxval); the bounds must be integers. */
export function randomUniformInt(shape: Shape, minval: number, maxval: number, seed?: number): Tensor {
  // Names the bound at fault (both when they are out of order): "got 3" cannot tell minval from maxval, 3 from '3'.
  const bounds = Object.entries({ minval, maxval }), bad = bounds.filter(([, v]) => !Number.isInteger(v));
  if (bad.length > 0 || maxval <= minval) {
    const got = (bad.length > 0 ? bad : bounds).map(([arg, v]) => `${arg} ${shownArg(v)}`).join(' and ');
    throw new Error(`randomUniformInt: minval and maxval must be integers with minval < maxval, got ${got}`);
  }
  assertShape(shape, 'randomUniformInt');
  const rng = generator(seed, 'randomUniformInt');
  return resultFrom(shape, 'int32', () => minval + rng.int(maxval - minval));
}

/** tfjs's randomStandardNormal(shape, dtype = 'float32', seed?): randomNormal with mean 0 and stdDev 1. */
export function randomStandardNormal(shape: Shape, dtype: NumericDtype = 'float32', seed?: number): Tensor {
  return randomNormal(shape, 0, 1, dtype, seed);
}

/**
 * tfjs's multinomial(logits, numSamples, seed?, normalized = false): per row of a 1-D or 2-D tensor, numSamples
 * class ids drawn from softmax(logits), or from the row itself when normalized (probabilities). int32 result of
 * shape [numSamples] or [rows, numSamples].
 */
export function multinomial(logits: unknown, numSamples: number, seed?: number | null, normalized = false): Tensor {
  const t = asTensor(logits, 'logits', 'multinomial');
  if (t.rank !== 1 && t.rank !== 2) throw new Error(`Error in multinomial: logits must be 1D or 2D, but got rank ${t.rank}`);
  if (!Number.isInteger(numSamples) || numSamples < 1) throw new Error(`multinomial: numSamples must be a positive integer, got ${shownArg(numSamples)}`);
  const rng = generator(seed ?? undefined, 'multinomial');
  const classes = t.shape[t.rank - 1], rows = t.rank === 1 ? 1 : t.shape[0];
  const out = new Int32Array(rows * numSamples);
  const p = new Float64Array(classes);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    // A loop, not Math.max(...row): spreading a vocabulary-sized row (~120k+) overflows the call stack.
    let top = normalized ? 0 : -Infinity;
    if (!normalized) for (let c = 0; c < classes; c++) top = Math.max(top, t.values[r * classes + c]);
    for (let c = 0; c < classes; c++) { p[c] = normalized ? t.values[r * classes + c] : Math.exp(t.values[r * classes + c] - top); total += p[c]; }
    for (let s = 0; s < numSamples; s++) {
      let u = rng.uniform(0, total), c = 0;
      while (c < classes - 1 && u >= p[c]) { u -= p[c]; c++; }
      out[r * numSamples + s] = c;
    }
  }
  return result(out, t.rank === 1 ? [numSamples] : [rows, numSamples], 'int32');
}

/**
 * tfjs's dropout: x times a mask of 0 (probability rate) and 1 / (1 - rate); noiseShape shares one draw along its
 * size-1 axes (null takes x's size). The mask comes back separately so the recording form can reuse it.
 */
export function dropoutMask(x: Tensor, rate: number, noiseShape?: Array<number | null>, seed?: number): Tensor | null {
  if (x.dtype !== 'float32') throw new Error(`dropout: x has to be a floating point tensor since it's going to be scaled, but got a ${x.dtype} tensor instead.`);
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be a float in the range [0, 1), but got ${shownArg(rate)}.`);
  if (rate === 0) return null;
  let shape: Shape = x.shape;
  if (noiseShape !== undefined && noiseShape !== null) {
    if (!Array.isArray(noiseShape) || noiseShape.length !== x.rank) throw new Error(`dropout: noiseShape ${shownArg(noiseShape)} must have one entry per axis of x [${x.shape.join(', ')}]`);
    shape = noiseShape.map((d, i) => (d === null ? x.shape[i] : d));
    shape.forEach((d, i) => {
      if (d !== 1 && d !== x.shape[i]) throw new Error(`dropout: noiseShape ${shownArg(noiseShape)} must be 1 or x's size on each axis (x [${x.shape.join(', ')}])`);
    });
  }
  const keep = 1 - rate, rng = generator(seed, 'dropout');
  const values = allocPersistent(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = Math.floor(rng.uniform(0, 1) + keep) / keep;
  return new TensorClass(values, [...shape], 'float32'); // untracked: an intermediate, not a result
}

export function dropout(x: unknown, rate: number, noiseShape?: Array<number | null>, seed?: number): Tensor {
  const t = asTensor(x, 'x', 'dropout');
  const mask = dropoutMask(t, rate, noiseShape, seed);
  return mask ? mul(t, mask) : clone(t);
}

/** tfjs's rand: a tensor of shape filled by calling randFunction once per entry (int32 truncates, bool tests !== 0). */
export function rand(shape: Shape, randFunction: () => number, dtype: 'float32' | 'int32' | 'bool' = 'float32'): Tensor {
  assertShape(shape, 'rand');
  if (typeof randFunction !== 'function') throw new Error('rand: randFunction must be a function returning a number');
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') throw new Error(`Unknown data type ${String(dtype)}`);
  return resultFrom(shape, dtype, () => randFunction());
}

/**
 * tfjs's randomGamma(shape, alpha, beta = 1, dtype, seed): Gamma(alpha) draws (Marsaglia and Tsang's method)
 * multiplied by beta, so the mean is alpha * beta. tfjs 4.22 computes exactly this although its docs call beta an
 * inverse scale (TensorFlow's tf.random.gamma divides by beta); rnnlab keeps tfjs's numbers. int32 rounds.
 */
export function randomGamma(shape: Shape, alpha: number, beta = 1, dtype: NumericDtype = 'float32', seed?: number): Tensor {
  assertShape(shape, 'randomGamma');
  if (typeof alpha !== 'number' || !(alpha > 0) || !Number.isFinite(alpha)) throw new Error(`randomGamma: alpha must be a positive number, got ${shownArg(alpha)}`);
  if (typeof beta !== 'number' || !(beta > 0) || !Number.isFinite(beta)) throw new Error(`randomGamma: beta must be a positive number, got ${shownArg(beta)}`);
  const dt = numeric(dtype, 'randomGamma');
  const rng = generator(seed, 'randomGamma');
  const d = (alpha < 1 ? alpha + 1 : alpha) - 1 / 3, c = 1 / Math.sqrt(9 * d);
  const one = (): number => {
    for (;;) {
      let z = 0, v = 0;
      do { z = rng.normal(); v = 1 + c * z; } while (v <= 0);
      v = v * v * v;
      const u = rng.next();
      if (u < 1 - 0.0331 * z ** 4 || Math.log(u) < 0.5 * z * z + d * (1 - v + Math.log(v))) return d * v;
    }
  };
  // Below alpha 1, draw Gamma(alpha + 1) and scale by U^(1/alpha) (the standard boost).
  return draw(shape, dt, () => beta * one() * (alpha < 1 ? Math.pow(rng.next(), 1 / alpha) : 1));
}
