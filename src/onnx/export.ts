/**
 * rnnlab Sequential -> ONNX (opset 17; functional models: functional_export.ts): one graph input (a leading InputLayer's
 * dtype; without one, token ids as int32 when the model starts with an Embedding, float32 otherwise) and one output,
 * equal to model.predict. Layers ONNX cannot express are refused by name.
 */
import { existsSync } from 'node:fs';
import { lstat, open, readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { GraphBuilder, type AttrValue, type ElemType } from './graph.js';
import { maskFromIds } from './mask_export.js';
import { guardedIds } from './ids_guard.js';
import { exportBidirectional, exportRecurrent, reverseSteps } from './recurrent_export.js';
import { ACTIVATION_LAYERS, extraActivation } from './activation_export.js';
import { exportCellRNN } from './rnn_cells_export.js';
import { functionalToOnnx, isExportableGraph, TAKES_IDS } from './functional_export.js';
import { averagePooling1d, autoPad, channelsFirst, cropping1d, first, globalAveragePooling1d, globalMaxPooling1d, maxPooling1d, upSampling1d, wideSamePads, zeroPadding1d } from './time_export.js';
import { batchNormalization, layerNormalization } from './norm_export.js';
import { masking } from './masking_export.js';
import { timeDistributed } from './time_distributed_export.js';
import { checkExportOptions, refuseExtraArguments, type OnnxExportOptions } from './options.js';
import { refuse, viewOf, OnnxExportError, type ExportableGraph, type Flow, type LayerLike, type LayerView } from './layer_view.js';
import { describe } from '../describe.js';
import { pathTooLongWords, tempName } from '../temp_names.js';
import { kerasActivationName } from '../layers/activations.js';
import { Layer } from '../layers/layer.js';

export { OnnxExportError };
export type { OnnxExportOptions };

export interface ExportableModel {
  name: string;
  layers: (LayerLike & { builtInputShape?: (number | null)[] | null; outputShape: (number | null)[]; computeOutputShape?: (s: (number | null)[]) => (number | null)[] })[];
  /** The model's own output shape (a Sequential's): its last layer's outputShape refuses a layer shared at another rank. */
  outputShape?: (number | null)[];
  /** A Sequential's: whether every layer is built (acceptedInputShape is read only then). */
  built?: boolean;
  /** A Sequential's: the input shape predict takes, with the steps a later layer fixed (its first layer's may be free). */
  acceptedInputShape?: (number | null)[];
}

/**
 * The output's shape for the input's spec: a Sequential built by its first predict or fit takes any number of steps
 * (the spec says null) while its layers' outputShape keeps that first call's count, so the shape is carried through
 * the layers' computeOutputShape from the spec instead.
 */
function outputShapeFor(model: ExportableModel, layers: ExportableModel['layers'], spec: (number | null)[]): (number | null)[] {
  let shape = spec;
  try {
    for (const l of layers) shape = l.computeOutputShape ? l.computeOutputShape(shape) : l.outputShape;
  } catch {
    // A layer that fixes the length (a Flatten before a Dense) refuses unknown steps: the model then takes only the
    // length it was built for, so the shape it was built with is the output's.
    return model.outputShape ?? layers[layers.length - 1].outputShape;
  }
  return shape;
}

const ACTIVATION_OP: Record<string, string> = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softmax: 'Softmax', hard_sigmoid: 'HardSigmoid', log_softmax: 'LogSoftmax' };
/** The activations over the last (channels) axis, not elementwise: a Conv1D applies them after its transpose back. */
const LAST_AXIS_ACTIVATIONS = new Set(['softmax', 'log_softmax']);

function activate(g: GraphBuilder, view: LayerView, x: string, given: unknown): string {
  // getConfig gives tfjs's spelling (hardSigmoid); the tables are Keras's.
  const activation = kerasActivationName(given);
  if (activation === 'linear' || activation === undefined || activation === null) return x;
  const op = ACTIVATION_OP[String(activation)];
  if (!op) return extraActivation(g, String(activation), x, view.name) ?? refuse(view, `activation '${String(activation)}' has no ONNX equivalent here`);
  // Keras's hard_sigmoid is clip(0.2 x + 0.5, 0, 1): ONNX HardSigmoid's defaults.
  return g.node(op, [x], op === 'Softmax' || op === 'LogSoftmax' ? { axis: -1 } : {}, `${view.name}/${op}`);
}

function dense(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  const units = view.config.units as number;
  const [kernel, bias] = view.weights;
  const W = g.floats(`${view.name}/kernel`, kernel, [kernel.length / units, units]);
  const B = view.config.useBias !== false ? g.floats(`${view.name}/bias`, bias, [units]) : null;
  let y: string;
  if (flow.rank === 2 && B) y = g.node('Gemm', [flow.x, W, B], {}, `${view.name}/Gemm`);
  else {
    y = g.node('MatMul', [flow.x, W], {}, `${view.name}/MatMul`);
    if (B) y = g.node('Add', [y, B], {}, `${view.name}/Add`);
  }
  return { ...flow, x: activate(g, view, y, view.config.activation) };
}

function embedding(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  const [table] = view.weights;
  const dim = view.config.outputDim as number;
  const E = g.floats(`${view.name}/embeddings`, table, [table.length / dim, dim]);
  const mask = view.config.maskZero ? maskFromIds(g, flow.x) : flow.mask;
  const ids = guardedIds(g, flow.x, table.length / dim, view.name);
  return { x: g.node('Gather', [E, ids], { axis: 0 }, `${view.name}/Gather`), rank: flow.rank + 1, mask };
}

function conv1d(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  const K = first(view.config.kernelSize), F = view.config.filters as number;
  const dilation = first(view.config.dilationRate ?? 1);
  const [kernel, bias] = view.weights;
  const C = kernel.length / (K * F);
  const w = new Float32Array(kernel.length); // Keras [K, C, F] -> ONNX [F, C, K]
  for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) for (let f = 0; f < F; f++) w[(f * C + c) * K + k] = kernel[(k * C + c) * F + f];
  const inputs = [g.floats(`${view.name}/kernel`, w, [F, C, K])];
  if (view.config.useBias !== false) inputs.push(g.floats(`${view.name}/bias`, bias, [F]));
  const activation = kerasActivationName(view.config.activation);
  const lastAxis = LAST_AXIS_ACTIVATIONS.has(String(activation));
  const stride = first(view.config.strides ?? 1);
  const out = channelsFirst(g, view, flow, (x) => {
    // A stride past the window: zero pads computed in the graph, as the pooling layers do (time_export.ts).
    if (view.config.padding === 'same' && stride > K) {
      const padded = g.node('Pad', [x, wideSamePads(g, `${view.name}/Conv`, x, K, stride).pads], {}, `${view.name}/Conv_padded`);
      const y = g.node('Conv', [padded, ...inputs], { kernel_shape: [K], strides: [stride], dilations: [dilation], auto_pad: 'VALID' }, `${view.name}/Conv`);
      return lastAxis ? y : activate(g, view, y, activation);
    }
    const pad: Record<string, AttrValue> = { auto_pad: autoPad(view.config.padding) };
    const span = (K - 1) * dilation + 1;
    // 'causal' pads the kernel's span minus one on the left only (then slides as 'valid'), as Keras. ORT refuses
    // SAME_UPPER with dilations; a dilated conv has stride 1, whose 'same' padding is span - 1, the odd step last.
    if (view.config.padding === 'causal') pad.pads = [span - 1, 0];
    else if (view.config.padding === 'same' && dilation > 1) pad.pads = [Math.floor((span - 1) / 2), Math.ceil((span - 1) / 2)];
    if (pad.pads) delete pad.auto_pad;
    const attrs = { kernel_shape: [K], strides: [stride], dilations: [dilation], ...pad };
    const y = g.node('Conv', [x, ...inputs], attrs, `${view.name}/Conv`);
    return lastAxis ? y : activate(g, view, y, activation);
  });
  // A softmax over channels-first data would run over the steps.
  return lastAxis ? { ...out, x: activate(g, view, out.x, activation) } : out;
}

type Exporter = (g: GraphBuilder, view: LayerView, flow: Flow) => Flow;

/** The noise layers are active only in training: in inference they pass their input (and its mask) through. */
const identity: Exporter = (_g, _v, f) => f;

/** Layers that work on any rank, so TimeDistributed can wrap them as they are. */
const POINTWISE: Record<string, Exporter> = {
  Dense: dense,
  Activation: (g, v, f) => ({ ...f, x: activate(g, v, f.x, v.config.activation) }),
  Dropout: identity, // inference only: dropout is the identity
  SpatialDropout1D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
  ...ACTIVATION_LAYERS,
};

const EXPORTERS: Record<string, Exporter> = {
  ...POINTWISE,
  Embedding: embedding,
  Conv1D: conv1d,
  MaxPooling1D: maxPooling1d,
  AveragePooling1D: averagePooling1d,
  GlobalMaxPooling1D: globalMaxPooling1d,
  GlobalAveragePooling1D: globalAveragePooling1d,
  UpSampling1D: upSampling1d,
  ZeroPadding1D: zeroPadding1d,
  Cropping1D: cropping1d,
  BatchNormalization: batchNormalization,
  LayerNormalization: layerNormalization,
  Masking: masking,
  // Reshape's 0 copies the batch size; the target has no zero (sizes are positive, one may be -1).
  Reshape: (g, v, f) => {
    const target = v.config.targetShape as number[];
    return { x: g.node('Reshape', [f.x, g.ints([0, ...target])], {}, `${v.name}/Reshape`), rank: 1 + target.length, mask: null };
  },
  Permute: (g, v, f) => ({ x: g.node('Transpose', [f.x], { perm: [0, ...(v.config.dims as number[])] }, `${v.name}/Transpose`), rank: f.rank, mask: null }),
  Flatten: (g, v, f) => ({ x: g.node('Flatten', [f.x], { axis: 1 }, `${v.name}/Flatten`), rank: 2, mask: null }),
  RepeatVector: (g, v, f) => {
    if (f.rank !== 2) refuse(v, `expects input (batch, features), got rank ${f.rank}`);
    const x = g.node('Unsqueeze', [f.x, g.ints([1])], {}, `${v.name}/Unsqueeze`);
    return { x: g.node('Tile', [x, g.ints([1, v.config.n as number, 1])], {}, `${v.name}/Tile`), rank: 3, mask: null };
  },
  TimeDistributed: (g, v, f) => timeDistributed(g, v, f, POINTWISE),
  // The mask keeps referring to the same steps, as rnnlab's ReverseTime leaves it.
  ReverseTime: (g, v, f) => {
    if (f.rank !== 3) refuse(v, `expects input (batch, steps, features), got rank ${f.rank}`);
    return { ...f, x: reverseSteps(g, f.x, `${v.name}/reversed`) };
  },
  SimpleRNN: (g, v, f) => exportRecurrent(g, v, [v], f),
  LSTM: (g, v, f) => exportRecurrent(g, v, [v], f),
  GRU: (g, v, f) => exportRecurrent(g, v, [v], f),
  RNN: exportCellRNN,
  // One output here; mergeMode null (two outputs) goes through functional_export.ts, the only place it can occur.
  Bidirectional: (g, v, f) => {
    if (v.config.mergeMode === null) refuse(v, 'has mergeMode null (two separate outputs), which only a functional model can export');
    return exportBidirectional(g, v, f)[0];
  },
};

/** One single-input layer of a functional model, by the same exporters. */
function exportLayer(g: GraphBuilder, view: LayerView, flow: Flow): Flow {
  const ex = EXPORTERS[view.className] ?? refuse(view, `has no ONNX export (exported: ${[...Object.keys(EXPORTERS), 'Concatenate', 'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Attention', 'AdditiveAttention', 'Dot'].join(', ')})`);
  return ex(g, view, flow);
}

/** The ONNX model's bytes (a Sequential, or a functional model from rl.model). */
export function toOnnx(model: ExportableModel | ExportableGraph, options?: OnnxExportOptions): Uint8Array {
  refuseExtraArguments('ONNX export: toOnnx', ['model', 'options'], arguments.length, OnnxExportError);
  checkExportOptions('toOnnx', options);
  return modelBytes(model, 'toOnnx');
}

/** An object literal or Object.create(null), from any realm: its prototype has no prototype of its own. */
const isPlainObject = (v: unknown): boolean => {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
};

const isLayer = (v: unknown): v is LayerLike => typeof (v as LayerLike | null)?.className === 'string' && typeof (v as LayerLike).getConfig === 'function';

/** What was passed as the model, in words: a layer by its class and name, anything else as describe() says it. */
function shownArgument(v: unknown): string {
  if (!isLayer(v)) return describe(v);
  return `${/^([AEIOU]|LSTM|RNN)/.test(v.className) ? 'an' : 'a'} ${v.className} layer${typeof v.name === 'string' ? ` ('${v.name}')` : ''}`;
}

/**
 * The model a layer stands for (model.layers lists a nested model's stand-in where tfjs lists the model itself; a
 * timeDistributed's layer wraps one): exporting it exports that model, as tfjs's layer is the model. Else the value.
 */
function modelOf(v: unknown): unknown {
  const model = v instanceof Layer ? (v as { model?: unknown }).model : undefined;
  return model !== undefined && !(model instanceof Layer) && (isExportableGraph(model) || Array.isArray((model as Partial<ExportableModel> | null)?.layers)) ? model : v;
}

/**
 * The model argument, checked before anything reads it: a layer, null or a plain object is refused by what it is. A
 * layer first: some have layers of their own (a nested model's stand-in lists the model's), and rnnlab's models are
 * not Layers.
 */
function checkModel(model: unknown, where: string): asserts model is ExportableModel | ExportableGraph {
  const layers = (model as Partial<ExportableModel> | null)?.layers;
  // An empty list of layers is a model's only before its first add (rl.sequential()), never a plain object's.
  const listsLayers = Array.isArray(layers) && layers.every(isLayer) && (layers.length > 0 || !isPlainObject(model));
  if (!(model instanceof Layer) && (isExportableGraph(model) || listsLayers)) return;
  throw new OnnxExportError(`ONNX export (${where}): the model (first argument) must be a Sequential or functional model (rl.sequential, rl.model), got ${shownArgument(model)}`);
}

function modelBytes(given: ExportableModel | ExportableGraph, where: string): Uint8Array {
  const model = modelOf(given);
  checkModel(model, where);
  if (isExportableGraph(model)) return functionalToOnnx(model, exportLayer);
  // A Sequential may start with an explicit InputLayer (rl.layers.inputLayer, Keras 3 configs): it gives the
  // input's shape and dtype and computes nothing.
  const inputLayer = model.layers[0]?.className === 'InputLayer' ? model.layers[0].getConfig() : null;
  const layers = inputLayer ? model.layers.slice(1) : model.layers;
  if (layers.length === 0) throw new OnnxExportError(`ONNX export: model '${model.name}' has no layers`);
  const firstLayer = layers[0];
  // What predict takes: a model built by its first predict or fit, whose first layer leaves the steps free (an
  // Embedding) while a later one fixes them (a Flatten before a Dense, BatchNormalization over the steps), takes only
  // the length it was built for, so the file declares that length, as the same model saved and loaded declares it.
  const accepted = model.built === true ? model.acceptedInputShape : undefined;
  const spec = (accepted ?? inputLayer?.batchInputShape ?? firstLayer.builtInputShape ?? firstLayer.getConfig().batchInputShape) as (number | null)[] | undefined;
  if (!spec) throw new OnnxExportError(`ONNX export: model '${model.name}' is not built yet (give the first layer an input shape, or fit/predict once)`);
  const g = new GraphBuilder();
  // A leading InputLayer's dtype is the input's, as rl.input's is a functional model's (float32 by default, as Keras's:
  // an Embedding then reads float ids through the ids guard); without one an Embedding takes int32 ids.
  const elemType: ElemType = inputLayer ? (inputLayer.dtype === 'int32' ? 'int32' : 'float32') : firstLayer.className === 'Embedding' ? 'int32' : 'float32';
  const input = { name: 'input', elemType, shape: spec.map((d, i) => d ?? (i === 0 ? 'batch' : `dim_${i}`)) };
  let flow: Flow = { x: input.name, rank: spec.length, mask: null };
  if (elemType === 'int32') g.markInt32(input.name);
  // Integer input read as numbers (anything but token ids for Embedding / CategoryEncoding) is cast, as rnnlab does.
  if (elemType === 'int32' && !TAKES_IDS.has(firstLayer.className)) flow = { ...flow, x: g.node('Cast', [flow.x], { to: 1 }, 'input_float') };
  for (const layer of layers) flow = exportLayer(g, viewOf(layer), flow);
  const out = outputShapeFor(model, layers, spec);
  const outName = g.node('Identity', [flow.x], {}, 'output');
  // The output's own names for its unknown sizes: in ONNX one name means one size, and a strided Conv1D, a pooling
  // or an UpSampling1D changes the steps' count.
  const output = { name: outName, elemType: 'float32' as const, shape: out.map((d, i) => d ?? (i === 0 ? 'batch' : `output_dim_${i}`)) };
  return g.toBytes(input, output, model.name, `rnnlab Sequential '${model.name}': ${layers.map((l) => l.className).join(' -> ')}`);
}

/** A system error's own words ("EROFS: read-only file system, open '<file>'" → "read-only file system"), without the temp file's path. */
function errnoOnly(e: Error, code: string | undefined): string {
  return code && e.message.startsWith(`${code}: `) ? e.message.slice(code.length + 2).split(', ')[0] : e.message;
}

/** What fs.Stats says of an entry's kind: spelled out so the published declarations need no Node types. */
export interface EntryKind {
  isFile(): boolean; isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean;
}

/** What an entry that is neither a regular file nor a folder is, in words ("a named pipe (FIFO)"); null for those two. */
export function specialFileWords(st: EntryKind): string | null {
  if (st.isFile() || st.isDirectory()) return null;
  return st.isFIFO() ? 'a named pipe (FIFO)' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'a special file';
}

/** A path ending in a separator names a folder (the rename onto it would fail only after the export). */
export const endsInSeparator = (path: string): boolean => path.endsWith('/') || path.endsWith(sep);

/**
 * The file the bytes replace: the path itself, or the file a link there leads to (the link stays a link; the file
 * becomes a new one renamed into place, with its own mode and inode, as an existing file at the path does). Refused
 * (why, in words): a folder, a link that leads nowhere, and anything but a regular file: renaming a regular file over
 * a device, a named pipe or a socket would replace it for every program that uses it (/dev/null, as root).
 */
async function targetFile(path: string): Promise<string | { why: string }> {
  if (endsInSeparator(path)) return { why: `the path ends in '${path.slice(-1)}', so it names a folder; give the file's path without it` };
  const entry = await lstat(path).catch(() => null);
  if (!entry) return path;
  const st = entry.isSymbolicLink() ? await stat(path).catch(() => null) : entry;
  if (!st) return { why: `it is a link to ${await readlink(path)}, which does not exist` };
  if (st.isDirectory()) return { why: 'it is a folder' };
  const special = specialFileWords(st);
  if (special) return { why: `it is ${entry.isSymbolicLink() ? `a link to ${await readlink(path)}, ` : ''}${special}, not a regular file (the export would replace it with one)` };
  return entry.isSymbolicLink() ? realpath(path) : path;
}

/**
 * Writes the model as an ONNX file (atomically: a failed export leaves any earlier file in place). source, the path
 * or URL the caller gave (src/onnx/url.ts), names the file in errors. A link at path is written through: the file it
 * leads to is replaced.
 */
export async function exportOnnx(model: ExportableModel | ExportableGraph, path: string, options?: OnnxExportOptions, source: string = path): Promise<{ path: string; bytes: number }> {
  if (typeof path !== 'string' || path === '') throw new OnnxExportError(`ONNX export: the file path must be a non-empty string, got ${typeof path === 'string' ? '""' : describe(path)}`);
  checkExportOptions('exportONNX', options);
  const bytes = modelBytes(model, 'exportONNX');
  const target = await targetFile(path);
  const folder = dirname(typeof target === 'string' ? target : path);
  // Said of the file asked for (as given) and its folder, not of the temporary file beside it that a failed write names.
  // ENOENT from the write itself, the folder being there, is a file system that takes no new files (/proc).
  const noEntry = (tmp?: string) => tmp && existsSync(folder) ? `no file can be made in ${folder}` : `the folder ${folder} does not exist`;
  const fail = (e: unknown, tmp?: string): Error => {
    const code = (e as NodeJS.ErrnoException).code;
    const why = typeof e === 'string' ? e : code === 'ENOENT' ? noEntry(tmp) : code === 'ENOTDIR' ? `a part of ${folder} is not a folder`
      : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : code === 'ENOSPC' ? 'no space left on the device'
        : code === 'ENAMETOOLONG' ? pathTooLongWords(path, tmp)
        : errnoOnly(e as Error, code);
    return new Error(`ONNX export: cannot write '${source}': ${why}`);
  };
  if (typeof target !== 'string') throw fail(target.why);
  const folderStat = await stat(folder).catch((e: NodeJS.ErrnoException) => e);
  if (folderStat instanceof Error) throw fail(folderStat);
  if (!folderStat.isDirectory()) throw fail(`${folder} is not a folder`);
  // A temp file of its own per call (two exports to one path at once must not write into one file), synced and
  // renamed over the target: the old file stays whole until the new one is complete. Named as atomic writes name
  // theirs, so it fits the file system's name limit and a crash's leftover is swept like theirs.
  const tmp = join(folder, tempName(basename(target)));
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw fail(e, tmp);
  }
  return { path, bytes: bytes.length };
}
