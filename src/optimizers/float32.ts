/**
 * Keras keeps an optimizer's learning rate in a float32 variable and computes each update with its hyperparameters
 * cast to float32 (so do rnnlab's update kernels): a number above float32's range (about 3.4e38) becomes Infinity.
 */
export function heldInFloat32(v: number): number {
  return Math.fround(v);
}

/** Whether float32 holds v as a finite number; the words the errors use when it does not. */
export function float32Holds(v: number): boolean {
  return Number.isFinite(heldInFloat32(v));
}

export const BEYOND_FLOAT32 = "beyond float32's range (about 3.4e38 at most)";
