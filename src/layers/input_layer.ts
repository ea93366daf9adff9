import type { Tensor } from '../tensor.js';
import { Node, SymbolicTensor, type SymbolicDType } from './symbolic.js';
import { COMPUTE, BuiltInLayer, Layer, kerasShape, type CallContext, type SymbolicShape } from './layer.js';
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
  /** Keras 3's (and rl.input's) shape spellings, and sparse (false only). */
  static override readonly argAliases: readonly string[] = ['shape', 'batchShape', 'sparse'];
  readonly dtype: SymbolicDType;

  constructor(args: InputLayerArgs) {
    const where = `${args?.name ?? 'input'} (InputLayer)`;
    if (typeof args !== 'object' || args === null) throw new Error(`InputLayer: expected {shape} or {batchShape}, got ${describe(args)}`);
    const sample = oneSpelling(where, 'inputShape', args.inputShape, 'shape', args.shape);
    const full = oneSpelling(where, 'batchInputShape', args.batchInputShape, 'batchShape', args.batchShape);
    if (sample && full) throw new Error(`${where}: give ${sample.key} or ${full.key}, not both`);
    const batchSize = args.batchSize ?? null;
    let batch: SymbolicShape;
    if (full) {
      // As Keras 3 refuses batch_size with batch_shape; an equal one changes nothing.
      if (batchSize !== null && full.shape[0] !== batchSize) throw new Error(`${where}: batchSize ${String(batchSize)} disagrees with ${full.key} ${shapeText(full.shape)}; give one of them`);
      batch = full.shape;
    } else if (sample) batch = [batchSize, ...sample.shape];
    else throw new Error(`${where}: needs a shape (shape or batchShape; tfjs's inputShape or batchInputShape)`);
    if (args.sparse === true) throw new Error(`${where}: sparse = true is not supported (rnnlab's tensors are dense)`);
    const dtype = args.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`${where}: dtype must be 'float32' or 'int32', got ${describe(dtype)}`);
    super({ name: args.name, batchInputShape: batch }, 'input');
    this.dtype = dtype;
    this.markBuilt(batch);
    const node = new Node(this, [], 0, {});
    node.outputs = [new SymbolicTensor(dtype, batch, this, node, 0)];
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
  static readonly fromConfigOnlyKeys: readonly string[] = ['batchInputShape', 'batchShape', 'inputShape', 'shape', 'batchSize', 'dtype', 'sparse', 'name', 'ragged'];

  /** The constructor's shape keys, as Keras 3's from_config passes its config to the constructor; null is unset. */
  static override fromConfig(config: Record<string, unknown>): Layer {
    const { batchInputShape, batchShape, inputShape, shape, batchSize, dtype, sparse, name, ragged } = config;
    if (ragged === true) throw new Error(`${String(name)} (InputLayer): ragged = true is not supported`);
    const set = <T>(v: unknown) => (v === null ? undefined : v as T);
    if (set(batchInputShape) && set(batchShape)) throw new Error(`${String(name)} (InputLayer): give batchInputShape or Keras 3's batchShape, not both`);
    return new InputLayer({
      batchInputShape: set(batchInputShape), batchShape: set(batchShape), inputShape: set(inputShape), shape: set(shape),
      batchSize: set(batchSize), dtype: (dtype ?? 'float32') as SymbolicDType, sparse: sparse as boolean, name: name as string,
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
