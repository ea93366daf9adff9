import type { Tensor } from '../tensor.js';
import { Node, SymbolicTensor, type SymbolicDType } from './symbolic.js';
import { COMPUTE, BuiltInLayer, Layer, checkPositiveInt, kerasShape, sharedArgs, type CallContext, type SymbolicShape } from './layer.js';
import { fromConfigArgs } from './from_config_args.js';
import { describe } from '../describe.js';
import { registerLayer } from './registry.js';
import { checkOptionKeys } from '../near_name.js';

/** The options Keras's InputLayer and tfjs's rl.input() share besides the shape. */
interface InputOptions {
  batchSize?: number;
  /** Default 'float32'; 'int32' for token ids. */
  dtype?: SymbolicDType;
  /** Keras writes sparse: false; true is refused. */
  sparse?: boolean;
  name?: string;
}

export interface InputLayerArgs extends InputOptions {
  /** Shape of one sample, without the batch axis (null for a free axis). */
  inputShape?: (number | null)[];
  batchInputShape?: (number | null)[];
  /** Keras 3's (and rl.input's) name of inputShape. */
  shape?: (number | null)[];
  /** Keras 3's (and rl.input's) name of batchInputShape. */
  batchShape?: (number | null)[];
  /** tfjs's legacy name of dtype (other layers read it so too); a different dtype beside it is an error. */
  inputDType?: SymbolicDType;
  /** Keras 3 writes optional: false; true (an input that may be None) is refused. */
  optional?: boolean;
}

/**
 * Every option InputLayer reads: tfjs's InputLayerArgs, Keras 3's InputLayer arguments, and inputDType. The key check
 * lists these alone (InputLayer.baseArgs), so its error offers no option the constructor refuses.
 */
const INPUT_LAYER_OPTIONS = ['inputShape', 'batchInputShape', 'shape', 'batchShape', 'batchSize', 'dtype', 'inputDType', 'sparse', 'optional', 'name'];

/**
 * Options of every other layer that neither tfjs's nor Keras 3's InputLayer reads (tfjs hands its base only dtype and
 * name, Keras 3 only name), with why; the rest of sharedArgs (stateful: false, seed: null, ...) are refused too. Named
 * as other layers' options rather than left to the key check, whose "unknown option" would read as a typo.
 */
const BASE_OPTIONS_REFUSED: Readonly<Record<string, string>> = {
  inputDim: "an InputLayer's shape is inputShape or shape: give inputShape: [n]",
  trainable: 'an InputLayer has no weights to train or freeze',
  weights: 'an InputLayer has no weights',
  activityRegularizer: 'an InputLayer computes nothing to regularize',
};

function refuseBaseOptions(where: string, args: object): void {
  const shared = sharedArgs();
  for (const [k, v] of Object.entries(args)) {
    if (v === undefined || INPUT_LAYER_OPTIONS.includes(k)) continue;
    const why = Object.hasOwn(BASE_OPTIONS_REFUSED, k) ? BASE_OPTIONS_REFUSED[k] : shared.includes(k) ? 'rnnlab\'s other layers read it, an InputLayer does not' : undefined;
    // Keys no layer takes are left to the key check, which names the nearest option.
    if (why !== undefined) throw new Error(`${where}: ${k} is not an InputLayer option (${why}); it reads ${INPUT_LAYER_OPTIONS.join(', ')}`);
  }
}

/** rl.input()'s arguments, as tfjs's InputConfig. */
export interface InputArgs extends InputOptions {
  shape?: (number | null)[];
  batchShape?: (number | null)[];
}

function checkShape(where: string, key: string, v: unknown): (number | null)[] {
  // As tfjs reads it (tfjs-examples' translation writes shape: 256): a bare size is [size]; never a batch shape.
  if ((key === 'inputShape' || key === 'shape') && Number.isSafeInteger(v) && (v as number) > 0) return [v as number];
  if (!Array.isArray(v)) throw new Error(`${where}: ${key} must be a list of positive integers or null, got ${describe(v)}`);
  const bad = v.findIndex((d) => !(d === null || (Number.isSafeInteger(d) && (d as number) > 0)));
  if (bad >= 0) throw new Error(`${where}: ${key} must be a list of positive integers or null, got ${shapeText(v)}: entry ${bad} is ${entryText(v[bad])}`);
  return v as (number | null)[];
}

/** A shape as written: JSON.stringify would show NaN and Infinity as null, the very entries a message must name. */
export function shapeText(shape: readonly unknown[]): string {
  return `[${shape.map((d) => (d === null || typeof d === 'number' ? String(d) : typeof d === 'string' ? JSON.stringify(d) : describe(d))).join(', ')}]`;
}

const entryText = (d: unknown): string => (typeof d === 'number' ? String(d) : describe(d));

/**
 * One shape given under tfjs's name (inputShape), Keras 3's (shape), or both: checked, and the two refused where they
 * differ, as one of them would be dropped.
 */
function oneSpelling(where: string, tfjsKey: string, tfjsValue: unknown, kerasKey: string, kerasValue: unknown): { key: string; shape: (number | null)[] } | undefined {
  const given = (v: unknown) => v !== undefined && v !== null;
  const a = given(tfjsValue) ? checkShape(where, tfjsKey, tfjsValue) : undefined;
  const b = given(kerasValue) ? checkShape(where, kerasKey, kerasValue) : undefined;
  if (a && b && (a.length !== b.length || a.some((d, i) => d !== b[i]))) {
    throw new Error(`${where}: ${tfjsKey} ${shapeText(a)} and ${kerasKey} ${shapeText(b)} disagree; they are two names of one option (tfjs's and Keras 3's), give one`);
  }
  if (a) return { key: tfjsKey, shape: a };
  return b ? { key: kerasKey, shape: b } : undefined;
}

/** The entry of a functional model: it has no weights and passes its input through (Keras InputLayer). */
export class InputLayer extends BuiltInLayer {
  static override readonly className: string = 'InputLayer';
  /** Keras 3's (and rl.input's) shape spellings, and sparse and optional (false only). */
  static override readonly argAliases: readonly string[] = ['shape', 'batchShape', 'sparse', 'optional'];
  static override readonly baseArgs: readonly string[] = INPUT_LAYER_OPTIONS;
  readonly dtype: SymbolicDType;

  constructor(args: InputLayerArgs) {
    const where = `${args?.name ?? 'input'} (InputLayer)`;
    if (typeof args !== 'object' || args === null) throw new Error(`InputLayer: expected {shape} or {batchShape}, got ${describe(args)}`);
    // Before the shape checks, so {inputDim: 6} is answered about inputDim rather than a missing shape.
    refuseBaseOptions(where, args);
    const sample = oneSpelling(where, 'inputShape', args.inputShape, 'shape', args.shape);
    const full = oneSpelling(where, 'batchInputShape', args.batchInputShape, 'batchShape', args.batchShape);
    if (sample && full) throw new Error(`${where}: give ${sample.key} or ${full.key}, not both`);
    const batchSize = args.batchSize === undefined || args.batchSize === null ? null : checkPositiveInt(where, 'batchSize', args.batchSize);
    let batch: SymbolicShape;
    if (full) {
      // As Keras 3 refuses batch_size with batch_shape; an equal one changes nothing.
      if (batchSize !== null && full.shape[0] !== batchSize) throw new Error(`${where}: batchSize ${String(batchSize)} disagrees with ${full.key} ${shapeText(full.shape)}; give one of them`);
      batch = full.shape;
    } else if (sample) batch = [batchSize, ...sample.shape];
    else throw new Error(`${where}: needs a shape (shape or batchShape; tfjs's inputShape or batchInputShape)`);
    if (args.sparse === true) throw new Error(`${where}: sparse = true is not supported (rnnlab's tensors are dense)`);
    if (args.sparse !== undefined && args.sparse !== null && args.sparse !== false) {
      throw new Error(`${where}: sparse must be true or false (only false is supported), got ${describe(args.sparse)}`);
    }
    // One rule for rl.layers.inputLayer, fromConfig and files (Keras 3 writes optional: false).
    if (args.optional !== undefined && args.optional !== null && args.optional !== false) {
      throw new Error(`${where}: optional = ${JSON.stringify(args.optional)?.slice(0, 60) ?? describe(args.optional)} is not supported (rnnlab's inputs are always given)`);
    }
    const given = (v: unknown): v is SymbolicDType => v !== undefined && v !== null;
    if (given(args.dtype) && given(args.inputDType) && args.dtype !== args.inputDType) {
      throw new Error(`${where}: dtype ${JSON.stringify(args.dtype)} and inputDType ${JSON.stringify(args.inputDType)} disagree; give one of them (inputDType is tfjs's legacy name of dtype)`);
    }
    const dtype = given(args.dtype) ? args.dtype : given(args.inputDType) ? args.inputDType : 'float32';
    if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`${where}: dtype must be 'float32' or 'int32', got ${describe(dtype)}`);
    super({ name: args.name, batchInputShape: batch }, 'input');
    this.dtype = dtype;
    this.markBuilt(batch);
    const node = new Node(this, [], 0, {});
    node.outputs = [new SymbolicTensor(dtype, batch, node, 0)];
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }

  protected [COMPUTE](x: Tensor, _ctx: CallContext): Tensor { return x; }

  /** Checks a value fed to the model against the declared shape. */
  checkFeed(x: Tensor, what: string): void {
    const spec = this.batchInputShape!;
    if (x.rank !== spec.length || spec.some((d, i) => i > 0 && d !== null && d !== x.shape[i])) {
      throw new Error(`${what}: input '${this.name}' expects shape ${kerasShape(spec)}, got [${x.shape.join(', ')}]`);
    }
  }

  getConfig(): Record<string, unknown> {
    return { batchInputShape: this.batchInputShape, dtype: this.dtype, sparse: false, name: this.name };
  }

  /** The only keys fromConfig reads (rl.layerClasses.InputLayer.fromConfig refuses others, see config_reader.ts). */
  static readonly fromConfigOnlyKeys: readonly string[] = ['batchInputShape', 'batchShape', 'inputShape', 'shape', 'batchSize', 'dtype', 'sparse', 'name', 'ragged', 'optional'];

  /**
   * The constructor's shape keys, as Keras 3's from_config passes its config to the constructor; null is unset.
   * Keras's from_config(config) or tfjs's fromConfig(cls, config) (see fromConfigArgs).
   */
  static override fromConfig(this: typeof InputLayer, first: Record<string, unknown> | typeof InputLayer, second?: Record<string, unknown>): Layer {
    const { cls, config } = fromConfigArgs(this, 'InputLayer', first, second);
    const { batchInputShape, batchShape, inputShape, shape, batchSize, dtype, sparse, name, ragged, optional } = config;
    if (ragged === true) throw new Error(`${String(name)} (InputLayer): ragged = true is not supported`);
    const set = <T>(v: unknown) => (v === null ? undefined : v as T);
    if (set(batchInputShape) && set(batchShape)) throw new Error(`${String(name)} (InputLayer): give batchInputShape or Keras 3's batchShape, not both`);
    return new cls({
      batchInputShape: set(batchInputShape), batchShape: set(batchShape), inputShape: set(inputShape), shape: set(shape),
      batchSize: set(batchSize), dtype: (dtype ?? 'float32') as SymbolicDType, sparse: sparse as boolean, optional: optional as boolean, name: name as string,
    });
  }
}

registerLayer(InputLayer);

/** rl.input({shape}): a symbolic tensor to start a functional model from. */
export function input(args: InputArgs): SymbolicTensor {
  if (typeof args !== 'object' || args === null) throw new Error(`input: expected {shape}, got ${describe(args)}`);
  checkOptionKeys('rl.input', args, ['shape', 'batchShape', 'batchSize', 'dtype', 'sparse', 'name'], { undefinedIsAbsent: false });
  if (args.shape === undefined && args.batchShape === undefined) throw new Error('input: give shape (or batchShape)');
  if (args.shape !== undefined && args.batchShape !== undefined) throw new Error('input: give shape or batchShape, not both');
  if (args.batchShape !== undefined) checkShape('input', 'batchShape', args.batchShape);
  const layer = new InputLayer({ inputShape: args.shape, batchShape: args.batchShape, batchSize: args.batchSize, dtype: args.dtype, sparse: args.sparse, name: args.name });
  return layer.inboundNodes[0].outputs[0];
}
