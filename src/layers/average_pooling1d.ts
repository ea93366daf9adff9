import { avgPool1d } from '../autograd/norm_ops.js';
import { Pooling1D, type Pooling1DArgs } from './pooling1d.js';
import { registerLayer } from './registry.js';

export type AveragePooling1DArgs = Pooling1DArgs;

/** The mean of each channel over windows of time (Keras's AveragePooling1D, channels-last); with padding 'same' a window at an edge averages only its real steps, as Keras does. */
export class AveragePooling1D extends Pooling1D {
  static override readonly className: string = 'AveragePooling1D';
  static readonly aliases = ['AvgPool1D'];

  constructor(args: AveragePooling1DArgs = {}) { super(args, 'average_pooling1d', avgPool1d); }
}

registerLayer(AveragePooling1D);
