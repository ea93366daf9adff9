import { RNN, gatedConfig, onesAfter, type GatedRNNArgs } from './recurrent.js';
import { checkBool, type WeightSpec } from './layer.js';
import { registerLayer } from './registry.js';

export interface LSTMArgs extends GatedRNNArgs {
  /** Default true (Keras): the forget gate's bias starts at 1 so early training remembers. */
  unitForgetBias?: boolean;
}

/** Long short-term memory, gates i, f, c, o (Keras order). */
export class LSTM extends RNN {
  static override readonly className: string = 'LSTM';
  readonly cellKind = 'lstm' as const;
  readonly unitForgetBias: boolean;
  constructor(args: LSTMArgs) {
    super(args, 'lstm');
    // Keras's default when absent; tfjs writes null for its own unset default, which is off.
    this.unitForgetBias = args.unitForgetBias === null ? false : checkBool(this.name, 'unitForgetBias', args.unitForgetBias, true);
  }
  protected gateCount(): number { return 4; }
  protected biasShape(): number[] { return [4 * this.units]; }
  protected biasFill(): WeightSpec['initializer'] {
    return this.unitForgetBias ? onesAfter(this.biasInitializer, this.units, 2 * this.units) : this.biasInitializer;
  }
  /** h and c. */
  get stateCount(): number { return 2; }
  protected gateNames(): string[] { return ['input', 'forget', 'candidate', 'output']; }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), ...gatedConfig(this), unitForgetBias: this.unitForgetBias }; }
}

registerLayer(LSTM);
