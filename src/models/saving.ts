/**
 * model.save's contract. src/io implements it and registers itself here when it loads, so models never
 * import io (io depends on models, not the reverse).
 */
import type { TrainableModel } from './trainable.js';

export interface SaveOptions {
  /** Split the weights into files of at most this many bytes (tfjs shards: group1-shardKofN.bin). Default: one weights.bin. */
  shardSizeBytes?: number | null;
  /** Write trainingConfig (loss, metrics, optimizer) when the model is compiled. Default true. */
  includeTrainingConfig?: boolean;
  /** The weights file's name (a plain file name in the model's folder); with sharding it names the shards too (w.bin: w-shard1of4.bin, ...). */
  weightsFileName?: string;
}

export interface SaveResult {
  /** Where model.json went. */
  modelPath: string;
  weightPaths: string[];
  modelArtifactsInfo: { dateSaved: Date; modelTopologyType: 'JSON' | 'ONNX'; modelTopologyBytes: number; weightSpecsBytes: number; weightDataBytes: number };
}

/** url: 'file://DIR' (or a path, or an ONNX file), or a tfjs IO handler object {save(artifacts)} (rl.io.withSaveHandler). */
export type SaveTarget = string | { save(artifacts: never): unknown };

export type SaveHandler = (model: TrainableModel, url: SaveTarget, opts?: SaveOptions) => Promise<SaveResult>;

let handler: SaveHandler | null = null;

export function registerSaveHandler(h: SaveHandler): void {
  handler = h;
}

/** model.toJSON's topology writer, registered by src/io like the save handler. */
let topologyWriter: ((model: TrainableModel) => object) | null = null;

export function registerTopologyWriter(w: (model: TrainableModel) => object): void {
  topologyWriter = w;
}

/** tfjs's model.toJSON(unused, returnString = true): the topology as a JSON string, or the object. */
export function modelToJSON(model: TrainableModel, returnString: boolean): string | object {
  if (!topologyWriter) throw new Error('model.toJSON: no topology writer is registered; import rnnlab from its package root (or src/io)');
  const topology = topologyWriter(model);
  return returnString ? JSON.stringify(topology) : topology;
}

export function saveHandler(): SaveHandler {
  if (!handler) throw new Error("model.save: no save handler is registered; import rnnlab from its package root (or src/io) to enable saving");
  return handler;
}

/**
 * model.getConfig and Sequential.fromConfig: tfjs's camelCase view of the topology (src/io registers both, as
 * the topology writer above).
 */
export interface ConfigCodec {
  /** The model's config: {name, layers: [{className, config}]} (Functional: also inputLayers, outputLayers). */
  toConfig(model: TrainableModel): Record<string, unknown>;
  /** A model built from className and its config, with freshly drawn weights. */
  fromConfig(className: string, config: unknown, where: string): TrainableModel;
}

let configCodec: ConfigCodec | null = null;

export function registerConfigCodec(c: ConfigCodec): void {
  configCodec = c;
}

export function configCodecOf(what: string): ConfigCodec {
  if (!configCodec) throw new Error(`${what}: no config codec is registered; import rnnlab from its package root (or src/io)`);
  return configCodec;
}
