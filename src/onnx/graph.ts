/**
 * Builds an ONNX graph node by node: unique tensor names, typed attributes, initializers as raw little-endian
 * bytes, and the ModelProto around it, serialised by protobufjs (onnx-proto).
 */
import { onnxSchema, type OnnxNamespace } from './proto.js';
import { OnnxExportError } from './layer_view.js';

export const OPSET = 17;

export type AttrValue = number | string | number[] | string[] | { float: number } | { floats: number[] };
export type ElemType = 'float32' | 'int32' | 'int64';

/** The largest message protobuf reads (2^31 - 1 bytes): ONNX Runtime and the onnx package refuse a larger model file. */
export const PROTOBUF_LIMIT = 2 ** 31 - 1;

const sizeWords = (bytes: number) => bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${bytes} bytes`;

/**
 * Refuses a model file of `total` bytes over protobuf's limit, naming its size and its largest weights (tensors:
 * the initializers, named layer/weight): written, it would be a file no ONNX reader opens. rnnlab writes no ONNX
 * external data (weights in files beside the model), which is what such models need.
 */
export function checkOnnxSize(total: number, tensors: readonly { name: string; bytes: number }[]): void {
  if (total <= PROTOBUF_LIMIT) return;
  const largest = [...tensors].sort((a, b) => b.bytes - a.bytes).slice(0, 3).map((t) => `'${t.name}' (${sizeWords(t.bytes)})`);
  throw new OnnxExportError(`ONNX export: the model file would be ${sizeWords(total)} (${total} bytes), over the ${PROTOBUF_LIMIT} bytes (2 GiB) `
    + `protobuf reads in one file, so ONNX Runtime could not load it; largest weights: ${largest.join(', ')}. rnnlab does not write ONNX external data: `
    + 'export a smaller model (fewer units, a smaller vocabulary)');
}

/** 2^31 - 1: earlier exporters took token ids mod this before an Embedding's Gather; the importer still skips it. */
export const ID_GUARD_DIVISOR = 2147483647;

const ELEM_CODE: Record<ElemType, number> = { float32: 1, int32: 6, int64: 7 };

export interface ValueInfo { name: string; elemType: ElemType; shape: (number | string)[] }

export class GraphBuilder {
  readonly nodes: OnnxNamespace.INodeProto[] = [];
  readonly initializers: OnnxNamespace.ITensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly constants = new Map<string, string>();
  /** The graph inputs of type int32: an Embedding reads them as ids as they are, any other tensor through a Cast. */
  private readonly int32Inputs = new Set<string>();

  markInt32(name: string): void {
    this.int32Inputs.add(name);
  }

  isInt32(name: string): boolean {
    return this.int32Inputs.has(name);
  }

  /** A fresh tensor name starting with prefix. */
  name(prefix: string): string {
    let n = prefix, i = 1;
    while (this.used.has(n)) n = `${prefix}_${i++}`;
    this.used.add(n);
    return n;
  }

  /** Claims an exact name (a graph output's) before the nodes are added; false when it is taken already. */
  reserve(name: string): boolean {
    if (this.used.has(name)) return false;
    this.used.add(name);
    return true;
  }

  /** A one-output node writing the reserved name output. */
  nodeTo(op: string, inputs: string[], output: string): void {
    this.nodes.push({ opType: op, name: this.name(`${output}_node`), input: inputs, output: [output], attribute: [] });
  }

  /** Adds a node; returns the names of its outputs (count of them). */
  nodeN(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, prefix = op, count = 1): string[] {
    const outputs = Array.from({ length: count }, (_, k) => this.name(count === 1 ? prefix : `${prefix}_out${k}`));
    this.nodes.push({ opType: op, name: this.name(`${prefix}_node`), input: inputs, output: outputs, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return outputs;
  }

  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, prefix = op): string {
    return this.nodeN(op, inputs, attrs, prefix, 1)[0];
  }

  floats(prefix: string, data: ArrayLike<number>, dims: number[]): string {
    const name = this.name(prefix);
    const f = Float32Array.from(data);
    this.initializers.push({ name, dataType: ELEM_CODE.float32, dims, rawData: new Uint8Array(f.buffer, f.byteOffset, f.byteLength) });
    return name;
  }

  /** An int64 constant, shared between nodes that need the same values. */
  ints(values: number[], dims: number[] = [values.length]): string {
    const key = `${dims.join('x')}:${values.join(',')}`;
    const found = this.constants.get(key);
    if (found) return found;
    const name = this.name(`const_i64_${values.length === 1 ? String(values[0]).replace('-', 'm') : 'v'}`);
    const b = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dataType: ELEM_CODE.int64, dims, rawData: new Uint8Array(b.buffer) });
    this.constants.set(key, name);
    return name;
  }

  /** An int32 scalar constant, shared (for arithmetic on int32 token ids, whose operands must be int32 too). */
  int32Scalar(v: number): string {
    const key = `i32:${v}`;
    const found = this.constants.get(key);
    if (found) return found;
    const name = this.name(`const_i32_${String(v).replace('-', 'm')}`);
    const b = Int32Array.of(v);
    this.initializers.push({ name, dataType: ELEM_CODE.int32, dims: [], rawData: new Uint8Array(b.buffer) });
    this.constants.set(key, name);
    return name;
  }

  /** A float32 scalar-like constant, shared. */
  scalar(v: number): string {
    const key = `f:${v}`;
    const found = this.constants.get(key);
    if (found) return found;
    const name = this.floats(`const_f_${String(v).replace(/[-.]/g, '_')}`, [v], []);
    this.constants.set(key, name);
    return name;
  }

  /** Serialises the graph with its inputs and outputs (one each, or lists in order). */
  toBytes(input: ValueInfo | ValueInfo[], output: ValueInfo | ValueInfo[], graphName: string, docString: string): Uint8Array {
    const inputs = Array.isArray(input) ? input : [input], outputs = Array.isArray(output) ? output : [output];
    // Checked before the weights are copied into one buffer, and again on the encoded size (the graph adds to them).
    const tensors = this.initializers.map((t) => ({ name: t.name ?? '', bytes: t.rawData?.byteLength ?? 0 }));
    checkOnnxSize(tensors.reduce((s, t) => s + t.bytes, 0), tensors);
    const onnx = onnxSchema();
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'rnnlab',
      producerVersion: '0.1.0',
      docString,
      opsetImport: [{ domain: '', version: OPSET }],
      graph: { name: graphName, node: this.nodes, initializer: this.initializers, input: inputs.map(valueInfo), output: outputs.map(valueInfo) },
    });
    const bytes = onnx.ModelProto.encode(model).finish();
    checkOnnxSize(bytes.length, tensors);
    return bytes;
  }
}

function valueInfo(v: ValueInfo): OnnxNamespace.IValueInfoProto {
  const dim = v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: v.name, type: { tensorType: { elemType: ELEM_CODE[v.elemType], shape: { dim } } } };
}

function attribute(name: string, v: AttrValue): OnnxNamespace.IAttributeProto {
  const T = onnxSchema().AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'number')) return { name, type: T.INTS, ints: v as number[] };
    return { name, type: T.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
  }
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  return { name, type: T.FLOATS, floats: v.floats };
}
