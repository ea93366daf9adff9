import { RNN, type RNNArgs } from './recurrent.js';

/** h_t = activation(x_t W + h_{t-1} U + b). */
export class SimpleRNN extends RNN {
  readonly className = 'SimpleRNN';
  readonly cell = 'simpleRnn' as const;
  constructor(args: RNNArgs) { super(args, 'simple_rnn'); }
  protected biasShape(): number[] { return [this.units]; }
}
