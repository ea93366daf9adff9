/** The learning rate as Keras's callbacks read it back from the optimizer. */
import { heldInFloat32 } from '../optimizers/float32.js';

/**
 * Keras keeps the rate in a float32 variable and its callbacks read it back as a Python float: a rate set as 0.1
 * reads 0.10000000149011612. The optimizer here holds the number it was given, so the callbacks round it as Keras's
 * variable would before they log it, compare it or hand it to a schedule.
 */
export function heldRate(opt: { readonly learningRate: number }): number {
  return heldInFloat32(opt.learningRate);
}
