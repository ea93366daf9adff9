import { scaleShift } from '../autograd/layer_ops.js';
import type { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { NoiseLayer, type NoiseArgs } from './noise_layer.js';
import { registerLayer } from './registry.js';

export interface GaussianNoiseArgs extends NoiseArgs {
  /** Standard deviation of the added noise (>= 0). */
  stddev: number;
}

/** Adds zero-mean normal noise of stddev to every value (Keras's GaussianNoise). Training only. */
export class GaussianNoise extends NoiseLayer {
  static override readonly className: string = 'GaussianNoise';
  override supportsMasking = true;
  readonly stddev: number;

  constructor(args: GaussianNoiseArgs) {
    super(args, 'gaussian_noise');
    const s: unknown = args.stddev;
    if (s === undefined || s === null) throw new Error(`${this.name} (GaussianNoise): missing required field 'stddev' (a number >= 0)`);
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) throw new Error(`${this.name} (GaussianNoise): stddev must be a number >= 0, got ${typeof s === 'number' ? s : describe(s)}`);
    this.stddev = s;
  }

  protected noisy(x: Tensor): Tensor {
    return scaleShift(x, null, this.draw(x.size, (r) => this.stddev * r.normal()));
  }

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), stddev: this.stddev }; }
}

registerLayer(GaussianNoise);
