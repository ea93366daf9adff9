import * as ops from '../autograd/ops.js';
import { Pooling1D, type Pooling1DArgs } from './pooling1d.js';
import { registerLayer } from './registry.js';

export type MaxPooling1DArgs = Pooling1DArgs;

/** The largest value of each channel in each window of steps. */
export class MaxPooling1D extends Pooling1D {
  static override readonly className: string = 'MaxPooling1D';
  static readonly aliases = ['MaxPool1D'];

  constructor(args: MaxPooling1DArgs = {}) { super(args, 'max_pooling1d', ops.maxPool1d); }
}

registerLayer(MaxPooling1D);
