/**
 * What the noise layers share (SpatialDropout1D, GaussianNoise, GaussianDropout, AlphaDropout): active only while
 * training, the identity in predict and evaluate; a padding mask passes through; each draw comes from the layer's
 * own generator when it has a seed, else from rl.setSeed's, so a run is deterministic per seed either way.
 */
import type { FArray } from '../backend/index.js';
import { allocFloat } from '../backend/index.js';
import { globalRandom, Random } from '../random.js';
import type { Tensor } from '../tensor.js';
import { describe } from '../describe.js';
import { COMPUTE, BuiltInLayer, checkRate, type CallContext, type LayerArgs, type SymbolicShape } from './layer.js';

export interface NoiseArgs extends LayerArgs {
  /** Seeds this layer's own generator (a safe integer); null or absent: rl.setSeed's generator. */
  seed?: number | null;
}

/** A layer with a dropout rate in [0, 1) and a seed. */
export interface RateNoiseArgs extends NoiseArgs {
  rate: number;
  /** Only null: these layers take no noise shape (Keras's GaussianNoise, GaussianDropout and SpatialDropout1D have none). */
  noiseShape?: null;
}

/** A layer's seed option: its own generator when given (an integer), else null (draws come from rl.setSeed's). */
export function layerGenerator(where: string, given: unknown): { seed: number | null; own: Random | null } {
  const seed = given ?? null;
  if (seed !== null && !Number.isSafeInteger(seed)) throw new Error(`${where}: seed must be an integer, got ${describe(seed)}`);
  return { seed: seed as number | null, own: seed === null ? null : new Random(seed as number) };
}

export abstract class NoiseLayer extends BuiltInLayer {
  readonly seed: number | null;
  private readonly own: Random | null;

  constructor(args: NoiseArgs, prefix: string) {
    // The base refuses a seed for layers without one; this family takes it.
    super({ ...args, seed: undefined } as LayerArgs, prefix);
    ({ seed: this.seed, own: this.own } = layerGenerator(`${this.name} (${this.className})`, args.seed));
  }

  protected get random(): Random { return this.own ?? globalRandom; }

  /** n draws of f(random) as a float buffer of the precision in force. */
  protected draw(n: number, f: (r: Random) => number): FArray {
    const r = this.random;
    const out = allocFloat(n, false);
    for (let i = 0; i < n; i++) out[i] = f(r);
    return out;
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }

  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor { return ctx.training ? this.noisy(x) : x; }

  /** The training-time output. */
  protected abstract noisy(x: Tensor): Tensor;

  getConfig(): Record<string, unknown> { return { ...super.getConfig(), seed: this.seed }; }
}

/** The dropout-like members: a rate in [0, 1) (0: the identity). */
export abstract class RateNoiseLayer extends NoiseLayer {
  readonly rate: number;
  constructor(args: RateNoiseArgs, prefix: string) {
    super(args, prefix);
    this.rate = checkRate(`${this.name} (${this.className})`, 'rate', args.rate);
  }
  protected [COMPUTE](x: Tensor, ctx: CallContext): Tensor { return ctx.training && this.rate > 0 ? this.noisy(x) : x; }
  getConfig(): Record<string, unknown> { return { ...super.getConfig(), rate: this.rate, noiseShape: null }; }
}
