import type { Variable } from '../variable.js';
import { RNN, type RNNArgs } from './recurrent.js';

export interface LSTMArgs extends RNNArgs {
  /** Keras's default: the forget gate's bias starts at 1 so early training remembers. */
  unitForgetBias?: boolean;
}

/** Long short-term memory, gates i, f, c, o (Keras order). */
export class LSTM extends RNN {
  readonly className = 'LSTM';
  readonly cell = 'lstm' as const;
  readonly unitForgetBias: boolean;
  constructor(args: LSTMArgs) {
    super(args, 'lstm');
    this.unitForgetBias = args.unitForgetBias ?? true;
  }
  protected biasShape(): number[] { return [4 * this.units]; }
  protected initBias(bias: Variable): void {
    if (this.unitForgetBias) (bias.data as Float32Array).fill(1, this.units, 2 * this.units);
  }
  protected gateNames(): string[] { return ['input', 'forget', 'candidate', 'output']; }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), unitForgetBias: this.unitForgetBias, implementation: 2 }; }
}
