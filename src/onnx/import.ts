/**
 * ONNX -> rnnlab Sequential, for graphs that are a chain of layers: the graphs exportOnnx writes and the usual
 * PyTorch exports (Embedding -> LSTM/GRU/RNN -> last step -> Linear -> activation). The importer follows the data path
 * back from the output to the input, then reads it forwards, turning operators into layers and recognising the
 * plumbing around recurrent nodes (time-major transposes, squeezes, last-step gathers, direction merges, and the
 * padding-mask subgraph the exporter writes). Any other operator is refused by name.
 */
import { readFile } from 'node:fs/promises';
import { layers } from '../layers/index.js';
import type { Layer } from '../layers/layer.js';
import { Sequential } from '../models/sequential.js';
import { decodeModel } from './read.js';
import { OnnxImportError } from './import_error.js';
import { dataPath, readGraph, type Spec } from './import_graph.js';
import { Reader } from './import_reader.js';
import { resolveOneFeatureNorm } from './import_norm.js';
import { refuseExtraArguments, refuseImportOptions } from './options.js';
import { describe } from '../describe.js';
import { errnoWords } from '../local_files.js';

export { OnnxImportError };

const RNN_FACTORY = { LSTM: layers.lstm, GRU: layers.gru, SimpleRNN: layers.simpleRNN } as Record<string, (a: never) => Layer>;

function makeLayer(spec: Spec): Layer {
  const a = spec.args as never;
  switch (spec.className) {
    case 'Embedding': return layers.embedding(a);
    case 'Dense': return spec.wrapTime ? layers.timeDistributed({ layer: layers.dense(a) }) : layers.dense(a);
    case 'Conv1D': return layers.conv1d(a);
    case 'MaxPooling1D': return layers.maxPooling1d(a);
    case 'AveragePooling1D': return layers.averagePooling1d(a);
    case 'BatchNormalization': return layers.batchNormalization(a);
    case 'LayerNormalization': return layers.layerNormalization(a);
    case 'LeakyReLU': return layers.leakyReLU(a);
    case 'ReLU': return layers.reLU(a);
    case 'Rescaling': return layers.rescaling(a);
    case 'Flatten': return layers.flatten();
    case 'RepeatVector': return layers.repeatVector(a);
    case 'Activation': return layers.activation(a);
    case 'Masking': return layers.masking(a);
    case 'GlobalAveragePooling1D': return layers.globalAveragePooling1d(a);
    case 'GlobalMaxPooling1D': return layers.globalMaxPooling1d(a);
    case 'Bidirectional': {
      const { cell, inner, mergeMode } = spec.args as { cell: string; inner: never; mergeMode: never };
      return layers.bidirectional({ layer: RNN_FACTORY[cell](inner) as never, mergeMode });
    }
    default: return RNN_FACTORY[spec.className](a);
  }
}

/** The value given for the file's bytes, in words: its class for an object ("a Float32Array", "a Promise"). */
function shownBytes(v: unknown): string {
  const cls = (v as { constructor?: { name?: string } } | null)?.constructor?.name;
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !cls || cls === 'Object') return describe(v);
  return `${/^[AEIOU]/.test(cls) ? 'an' : 'a'} ${cls}`;
}

/**
 * The file's bytes as given: a Uint8Array (a Node Buffer is one) or an ArrayBuffer, as ONNX Runtime takes them.
 * Anything else is refused by what it is (a path is not read: rl.loadONNX reads files), not decoded into a
 * protobuf error.
 */
function onnxBytes(bytes: unknown): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  const path = typeof bytes === 'string' ? '; a path is not read here: rl.loadONNX(path) or rl.loadModel(path) reads an ONNX file' : '';
  throw new OnnxImportError(`modelFromOnnx: the model (first argument) must be the ONNX file's bytes, a Uint8Array (a Buffer) or an ArrayBuffer, got ${shownBytes(bytes)}${path}`);
}

/**
 * An rnnlab Sequential from ONNX bytes (source names the file in errors). An import takes no options: an object in
 * source's place is refused by its first key, rather than read as a name.
 */
export function modelFromOnnx(bytes: Uint8Array | ArrayBuffer, source: string = 'ONNX model'): Sequential {
  refuseExtraArguments('modelFromOnnx', ['bytes', 'name'], arguments.length, OnnxImportError);
  const data = onnxBytes(bytes);
  if (typeof source !== 'string') {
    refuseImportOptions('modelFromOnnx', source);
    source = 'ONNX model';
  }
  const g = readGraph(decodeModel(data, source), source);
  const reader = new Reader(g);
  reader.read(dataPath(g));
  if (reader.specs.length === 0) throw new OnnxImportError(`${source}: the graph has no layers`);
  const model = new Sequential();
  // The layers check the sizes the file gives them (zero units, a zero stride, ...): their errors name the node
  // and file, as every other refusal does.
  const refuse = (i: number, what: string, e: unknown): never => {
    if (e instanceof OnnxImportError) throw e;
    const s = reader.specs[i], node = reader.origin.get(s);
    const at = node ? `node '${node.name ?? ''}' (${node.opType})` : `layer ${i + 1}`;
    throw new OnnxImportError(`${source}: ${at}: ${what} ${s.className} layer ${i + 1}: ${(e as Error).message}`);
  };
  reader.specs.forEach((s, i) => {
    // The layers before are built (the first takes the graph input's shape): their width decides a [1]-scaled Mul + Add.
    resolveOneFeatureNorm(s, i === 0 ? g.input.dims.at(-1) : model.layers[i - 1].built ? model.layers[i - 1].outputShape.at(-1) : null);
    try {
      model.add(makeLayer(i === 0 && s.className !== 'Embedding' ? { ...s, args: { ...s.args, batchInputShape: g.input.dims } } : s));
    } catch (e) {
      refuse(i, 'cannot make its', e);
    }
  });
  if (!model.layers[0].built) {
    try {
      model.build(g.input.dims);
    } catch (e) {
      refuse(Math.max(0, model.layers.findIndex((l) => !l.built)), 'cannot build its', e);
    }
  }
  reader.specs.forEach((s, i) => {
    const rowWidth = s.width === undefined ? undefined : model.layers[i].outputShape[1];
    if (rowWidth !== undefined && rowWidth !== s.width) {
      const node = reader.origin.get(s)!;
      const holds = rowWidth === null ? 'rows whose width is not known here (free steps)' : `rows of ${rowWidth} values`;
      throw new OnnxImportError(`${source}: node '${node.name ?? ''}' (${node.opType}): a flatten was expected, but the Reshape asks for rows of ${s.width} values where flattening each example gives ${holds}`);
    }
    try {
      model.layers[i].setWeights(s.weights);
    } catch (e) {
      refuse(i, 'the weights do not fit its', e);
    }
  });
  return model;
}

/** Why a file could not be read, in words rather than an errno (a folder named as the file too). */
function readFailure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EISDIR' ? 'it is a folder, not a file' : code === 'ENOTDIR' ? 'a part of the path is not a folder' : errnoWords(e);
}

/**
 * The Sequential in the ONNX file at path (rl.loadONNX and rl.loadModel reach it through src/onnx/url.ts); source,
 * the path or URL the caller gave, names the file in errors.
 */
export async function readOnnxFile(path: string, source: string = path): Promise<Sequential> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new OnnxImportError(`cannot read ONNX file '${source}'${source === path ? '' : ` (${path})`}: ${readFailure(e)}`);
  }
  return modelFromOnnx(bytes, source);
}
