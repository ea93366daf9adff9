/** Reading a decoded ONNX model: constant tensors (initializers, Constant nodes) and node attributes as plain values. */
import { onnxSchema, type OnnxNamespace } from './proto.js';

export class OnnxImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxImportError';
  }
}

export interface ConstTensor { dims: number[]; values: Float32Array | number[] }

type Int64 = number | { toString(): string };
export const num = (v: Int64 | null | undefined): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : Number(v.toString()));

export function decodeModel(bytes: Uint8Array, source: string): OnnxNamespace.ModelProto {
  try {
    return onnxSchema().ModelProto.decode(bytes);
  } catch (e) {
    throw new OnnxImportError(`${source}: not an ONNX model (${(e as Error).message})`);
  }
}

/** A copy of raw_data in its own aligned buffer (protobufjs may hand out a view into a shared pool). */
function raw(t: OnnxNamespace.ITensorProto): Uint8Array | null {
  if (!t.rawData || t.rawData.length === 0) return null;
  const copy = new Uint8Array(t.rawData.length);
  copy.set(t.rawData);
  return copy;
}

/** Float tensors as Float32Array; integer tensors as number[]. */
export function tensorValues(t: OnnxNamespace.ITensorProto, where: string): ConstTensor {
  const dims = (t.dims ?? []).map(num);
  const r = raw(t);
  switch (t.dataType) {
    case 1: return { dims, values: r ? new Float32Array(r.buffer) : Float32Array.from(t.floatData ?? []) };
    case 11: return { dims, values: Float32Array.from(r ? new Float64Array(r.buffer) : t.doubleData ?? []) };
    case 7: return { dims, values: r ? Array.from(new BigInt64Array(r.buffer), Number) : (t.int64Data ?? []).map(num) };
    case 6: return { dims, values: r ? Array.from(new Int32Array(r.buffer)) : (t.int32Data ?? []).slice() };
    case 9: return { dims, values: r ? Array.from(r) : (t.int32Data ?? []).slice() };
    default: throw new OnnxImportError(`${where}: tensor '${t.name ?? ''}' has data type ${t.dataType}, which is not imported (float, double, int32, int64, bool are)`);
  }
}

export type Attrs = Map<string, OnnxNamespace.IAttributeProto>;

export function attrsOf(node: OnnxNamespace.INodeProto): Attrs {
  return new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
}

export const attrInt = (a: Attrs, name: string, dflt: number): number => (a.has(name) ? num(a.get(name)!.i) : dflt);
export const attrInts = (a: Attrs, name: string): number[] | null => (a.has(name) ? (a.get(name)!.ints ?? []).map(num) : null);
export const attrFloat = (a: Attrs, name: string, dflt: number): number => (a.has(name) ? a.get(name)!.f ?? dflt : dflt);
export const attrString = (a: Attrs, name: string, dflt: string): string =>
  (a.has(name) ? new TextDecoder().decode(a.get(name)!.s ?? new Uint8Array()) : dflt);
export const attrStrings = (a: Attrs, name: string): string[] | null =>
  (a.has(name) ? (a.get(name)!.strings ?? []).map((s) => new TextDecoder().decode(s)) : null);
