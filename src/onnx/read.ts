/** Reading a decoded ONNX model: constant tensors (initializers, Constant nodes) and node attributes as plain values. */
import { onnxSchema, type OnnxNamespace } from './proto.js';
import { OnnxImportError } from './import_error.js';

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

/** Bytes per element of raw_data for the data types read: float, double, int64, int32, bool. */
const ELEMENT_BYTES: Record<number, number> = { 1: 4, 11: 8, 7: 8, 6: 4, 9: 1 };

/**
 * Float tensors as Float32Array; integer tensors as number[]. The values must be exactly as many as the dims say:
 * a layer would otherwise be built at the size the dims claim (a few bytes of file declaring billions of weights)
 * and read past the data (weights of NaN).
 */
export function tensorValues(t: OnnxNamespace.ITensorProto, where: string): ConstTensor {
  const dims = (t.dims ?? []).map(num);
  const what = `${where}: tensor '${t.name ?? ''}'`;
  const size = ELEMENT_BYTES[t.dataType ?? 0];
  if (size === undefined) throw new OnnxImportError(`${what} has data type ${t.dataType}, which is not imported (float, double, int32, int64, bool are)`);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new OnnxImportError(`${what} has dims [${dims}], which are not sizes`);
  // Weights saved beside the model (save_as_external_data) would read as zero values: say what they are.
  if (t.dataLocation === 1 || (t.externalData?.length ?? 0) > 0) {
    throw new OnnxImportError(`${what} is stored as external data, which is not imported; save the model with its weights inside the file (onnx.save without save_as_external_data)`);
  }
  const r = raw(t);
  if (r && r.length % size !== 0) throw new OnnxImportError(`${what} has ${r.length} bytes of raw data, not a whole number of ${size}-byte values`);
  const values = valuesOf(t, r);
  const expected = dims.reduce((a, b) => a * b, 1);
  if (values.length !== expected) throw new OnnxImportError(`${what} has ${values.length} values, but its dims [${dims}] say ${expected}`);
  return { dims, values };
}

function valuesOf(t: OnnxNamespace.ITensorProto, r: Uint8Array | null): Float32Array | number[] {
  switch (t.dataType) {
    case 1: return r ? new Float32Array(r.buffer) : Float32Array.from(t.floatData ?? []);
    case 11: return Float32Array.from(r ? new Float64Array(r.buffer) : t.doubleData ?? []);
    case 7: return r ? Array.from(new BigInt64Array(r.buffer), Number) : (t.int64Data ?? []).map(num);
    case 6: return r ? Array.from(new Int32Array(r.buffer)) : (t.int32Data ?? []).slice();
    default: return r ? Array.from(r) : (t.int32Data ?? []).slice(); // 9, bool
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
