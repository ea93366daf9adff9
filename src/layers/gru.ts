import { RNN, type RNNArgs } from './recurrent.js';

export interface GRUArgs extends RNNArgs {
  /** Keras 2's default (true, cuDNN-compatible) applies the reset gate after the recurrent product. */
  resetAfter?: boolean;
}

/** Gated recurrent unit, gates z, r, h (Keras order). */
export class GRU extends RNN {
  readonly className = 'GRU';
  readonly cell = 'gru' as const;
  readonly resetAfter: boolean;
  constructor(args: GRUArgs) {
    super(args, 'gru');
    this.resetAfter = args.resetAfter ?? true;
  }
  protected biasShape(): number[] { return this.resetAfter ? [2, 3 * this.units] : [3 * this.units]; }
  protected resetAfterFlag(): boolean { return this.resetAfter; }
  protected gateNames(): string[] { return ['update', 'reset', 'candidate']; }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), resetAfter: this.resetAfter, implementation: 2 }; }
}
