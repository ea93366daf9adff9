/**
 * Keras's and tfjs's noise_shape, shared by Dropout and AlphaDropout: the shape of the keep/drop draw, where 1 shares
 * one draw along that axis and null stands for the input's size there (e.g. [null, 1, C]: one mask per sample and
 * channel, the same at every step).
 */
import type { Random } from '../random.js';
import { describe, shownList } from '../describe.js';

export type NoiseShape = (number | null)[];

/** The option as given, checked: a non-empty list of positive sizes or nulls, or null (the input's own shape). */
export function checkNoiseShape(where: string, given: unknown): NoiseShape | null {
  const shape = given ?? null;
  if (shape !== null && (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => d === null || (Number.isInteger(d) && d > 0)))) {
    throw new Error(`${where}: noiseShape must be a list of positive sizes or nulls, got ${Array.isArray(shape) ? shownList(shape) : describe(shape)}`);
  }
  return shape === null ? null : [...(shape as NoiseShape)];
}

/** One keep (1) / drop (0) draw per element of the noise shape (kept when random.next() >= rate), broadcast to shape. */
export function broadcastKeepMask(where: string, noiseShape: NoiseShape | null, shape: readonly number[], random: Random, rate: number): Uint8Array {
  const noise = noiseShape === null ? [...shape] : noiseShape.map((d, i) => d ?? shape[i]);
  if (noise.length !== shape.length || noise.some((d, i) => d !== 1 && d !== shape[i])) {
    throw new Error(`${where}: noiseShape [${noiseShape!.map(String).join(', ')}] does not fit input [${shape.join(', ')}]: each size must be 1 or the input's`);
  }
  const draws = new Uint8Array(noise.reduce((a, b) => a * b, 1));
  for (let i = 0; i < draws.length; i++) draws[i] = random.next() >= rate ? 1 : 0;
  const mask = new Uint8Array(shape.reduce((a, b) => a * b, 1));
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < mask.length; i++) {
    let j = 0;
    for (let a = 0; a < rank; a++) j = j * noise[a] + (noise[a] === 1 ? 0 : idx[a]);
    mask[i] = draws[j];
    for (let a = rank - 1; a >= 0 && ++idx[a] === shape[a]; a--) idx[a] = 0;
  }
  return mask;
}
