import { RNN, gatedConfig, type GatedRNNArgs } from './recurrent.js';
import { checkBool } from './layer.js';
import { registerLayer } from './registry.js';

export interface GRUArgs extends GatedRNNArgs {
  /** Default true (Keras 2, cuDNN-compatible): the reset gate applies after the recurrent product. */
  resetAfter?: boolean;
}

/** Gated recurrent unit, gates z, r, h (Keras order). */
export class GRU extends RNN {
  static override readonly className: string = 'GRU';
  readonly cellKind = 'gru' as const;
  readonly resetAfter: boolean;
  constructor(args: GRUArgs) {
    super(args, 'gru');
    this.resetAfter = checkBool(this.name, 'resetAfter', args.resetAfter, true);
  }
  protected gateCount(): number { return 3; }
  protected biasShape(): number[] { return this.resetAfter ? [2, 3 * this.units] : [3 * this.units]; }
  protected resetAfterFlag(): boolean { return this.resetAfter; }
  protected gateNames(): string[] { return ['update', 'reset', 'candidate']; }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), ...gatedConfig(this), resetAfter: this.resetAfter }; }
}

registerLayer(GRU);
