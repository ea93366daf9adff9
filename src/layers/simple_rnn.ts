import { RNN, type RNNArgs } from './recurrent.js';
import { registerLayer } from './registry.js';

/** h_t = activation(x_t W + h_{t-1} U + b). */
export class SimpleRNN extends RNN {
  static override readonly className: string = 'SimpleRNN';
  readonly cellKind = 'simple_rnn' as const;
  constructor(args: RNNArgs) {
    const gatedOnly = (args as { recurrentActivation?: unknown }).recurrentActivation;
    super(args, 'simple_rnn');
    // SimpleRNN has no gates, so a recurrent activation would be silently unused; nor Keras's implementation modes.
    if (gatedOnly !== undefined && gatedOnly !== null) throw new Error(`${this.name} (SimpleRNN): recurrentActivation does not apply (SimpleRNN has no gates)`);
    if (args.implementation !== undefined && args.implementation !== null) throw new Error(`${this.name} (SimpleRNN): implementation does not apply (only LSTM and GRU have Keras's implementation modes)`);
  }
  protected gateCount(): number { return 1; }
  protected biasShape(): number[] { return [this.units]; }
}

registerLayer(SimpleRNN);
