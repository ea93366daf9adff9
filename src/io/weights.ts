/**
 * TensorFlow.js weight manifests: each group names binary files (shards) whose concatenated bytes hold the
 * group's weights back to back, little-endian, in the manifest's order. rnnlab writes float32; it reads
 * float32, int32, bool and tfjs's quantized weights (uint8 / uint16 with scale and min, float16).
 */
import { describe } from '../describe.js';
import { endianness } from 'node:os';
import { ModelFormatError } from './errors.js';

export interface Quantization { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number }

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  /** tfjs marks optimizer variables saved with includeOptimizer as group 'optimizer'. */
  group?: string;
  quantization?: Quantization;
}

export interface ManifestGroup { paths: string[]; weights: WeightSpec[] }

export interface NamedWeight {
  name: string; shape: number[]; data: ArrayLike<number>;
  /** int32 for tfjs's optimizer step count 'iter'; float32 otherwise. */
  dtype?: 'float32' | 'int32';
  group?: string;
}

/** values is an Int32Array for int32 specs, so step counts above 2^24 ('iter') come back exact; float32 otherwise. */
export interface DecodedWeight { name: string; shape: number[]; values: Float32Array | Int32Array; group?: string }

const LE = endianness() === 'LE';
/** No weight file may be larger than this (8 GiB): beyond it the manifest is surely damaged. */
const MAX_BYTES = 8 * 2 ** 30;

export function sizeOfShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Float32 (int32 where a weight says so), little-endian, in order: the bytes of one group and its specs. */
export function encodeWeights(weights: NamedWeight[]): { specs: WeightSpec[]; data: Uint8Array } {
  const total = weights.reduce((s, w) => s + w.data.length, 0);
  const out = new Uint8Array(total * 4);
  const view = new DataView(out.buffer);
  let at = 0;
  const specs: WeightSpec[] = [];
  for (const w of weights) {
    if (w.data.length !== sizeOfShape(w.shape)) throw new Error(`weight '${w.name}': ${w.data.length} values for shape [${w.shape.join(', ')}]`);
    const dtype = w.dtype ?? 'float32';
    if (dtype === 'int32') {
      for (let i = 0; i < w.data.length; i++) view.setInt32(at + i * 4, w.data[i], true);
    } else if (LE) {
      new Float32Array(out.buffer, at, w.data.length).set(w.data);
    } else {
      for (let i = 0; i < w.data.length; i++) view.setFloat32(at + i * 4, w.data[i], true);
    }
    at += w.data.length * 4;
    specs.push({ name: w.name, shape: [...w.shape], dtype, ...(w.group !== undefined ? { group: w.group } : {}) });
  }
  return { specs, data: out };
}

/**
 * Splits one group's bytes into shards of at most shardBytes. tfjs names them group1-shardKofN.bin; shardStem
 * replaces 'group1' (save's weightsFileName gives it), so two models saved into one folder can keep their shards apart.
 */
export function shardGroup(specs: WeightSpec[], data: Uint8Array, shardBytes: number | null, singleName = 'weights.bin', shardStem = 'group1'):
  { group: ManifestGroup; files: { path: string; data: Uint8Array }[] } {
  if (shardBytes === null || data.length <= shardBytes) {
    return { group: { paths: [singleName], weights: specs }, files: [{ path: singleName, data }] };
  }
  const n = Math.ceil(data.length / shardBytes);
  const files = Array.from({ length: n }, (_, i) => ({
    path: `${shardStem}-shard${i + 1}of${n}.bin`,
    data: data.subarray(i * shardBytes, Math.min(data.length, (i + 1) * shardBytes)),
  }));
  return { group: { paths: files.map((f) => f.path), weights: specs }, files };
}

function bytesPerValue(spec: WeightSpec): number {
  if (spec.quantization) return spec.quantization.dtype === 'uint8' ? 1 : 2;
  return spec.dtype === 'bool' ? 1 : 4;
}

/** The bytes a group's weights take, as its manifest describes them. */
export function groupByteLength(g: ManifestGroup): number {
  return g.weights.reduce((s, w) => s + sizeOfShape(w.shape) * bytesPerValue(w), 0);
}

/** A relative path inside the model's folder: no absolute paths, no '..', no backslashes or NULs. */
function checkRelativePath(p: unknown, where: string): string {
  if (typeof p !== 'string' || p.length === 0) throw new ModelFormatError(`${where}: a weights path must be a non-empty string, got ${JSON.stringify(p)}`);
  if (p.startsWith('/') || /^[a-zA-Z]:/.test(p) || p.includes('\\') || p.includes('\0') || p.split('/').some((s) => s === '..' || s === '')) {
    throw new ModelFormatError(`${where}: weights path '${p}' must be a plain relative path inside the model folder`);
  }
  return p;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The fields of a weight spec and of its quantization that tfjs 4.22 and tensorflowjs_converter write. */
const SPEC_KEYS = new Set(['name', 'shape', 'dtype', 'group', 'quantization']);
const QUANTIZATION_KEYS = new Set(['dtype', 'min', 'scale', 'original_dtype']);

/** Checks the structure of a weightsManifest and returns it typed. */
export function parseManifest(raw: unknown, where: string): ManifestGroup[] {
  if (!Array.isArray(raw)) throw new ModelFormatError(`${where}: weightsManifest must be an array of groups, got ${describe(raw)}`);
  const seen = new Set<string>();
  return raw.map((g, gi) => {
    const at = `${where}: weightsManifest[${gi}]`;
    if (!isObject(g)) throw new ModelFormatError(`${at} must be an object with 'paths' and 'weights', got ${describe(g)}`);
    if (!Array.isArray(g.paths) || g.paths.length === 0) throw new ModelFormatError(`${at}.paths must be a non-empty array of file names`);
    if (!Array.isArray(g.weights)) throw new ModelFormatError(`${at}.weights must be an array`);
    const extraKey = Object.keys(g).find((k) => k !== 'paths' && k !== 'weights');
    if (extraKey !== undefined) throw new ModelFormatError(`${at}: '${extraKey}' is not a weights group field (tfjs writes paths and weights)`);
    const paths = g.paths.map((p) => checkRelativePath(p, `${at}.paths`));
    const weights = g.weights.map((s, si): WeightSpec => {
      const sat = `${at}.weights[${si}]`;
      if (!isObject(s)) throw new ModelFormatError(`${sat} must be an object {name, shape, dtype}, got ${describe(s)}`);
      if (typeof s.name !== 'string' || s.name === '') throw new ModelFormatError(`${sat}.name must be a non-empty string`);
      if (seen.has(s.name)) throw new ModelFormatError(`${where}: weight '${s.name}' appears twice in weightsManifest`);
      const extra = Object.keys(s).find((k) => !SPEC_KEYS.has(k));
      if (extra !== undefined) throw new ModelFormatError(`${where}: weight '${s.name}' has '${extra}', which is not a weight spec field (tfjs writes ${[...SPEC_KEYS].join(', ')})`);
      seen.add(s.name);
      if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        throw new ModelFormatError(`${where}: weight '${s.name}' has an invalid shape ${JSON.stringify(s.shape)} (expected an array of non-negative integers)`);
      }
      const shape = s.shape as number[];
      if (sizeOfShape(shape) * 4 > MAX_BYTES) throw new ModelFormatError(`${where}: weight '${s.name}' has an implausible shape [${shape.join(', ')}]`);
      const dtype = s.dtype ?? 'float32';
      if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
        throw new ModelFormatError(`${where}: weight '${s.name}' has dtype ${JSON.stringify(dtype)}; rnnlab reads float32, int32 and bool weights`);
      }
      const spec: WeightSpec = { name: s.name, shape, dtype };
      if (s.group !== undefined && s.group !== null) {
        if (typeof s.group !== 'string') throw new ModelFormatError(`${where}: weight '${s.name}' has a non-string group`);
        spec.group = s.group;
      }
      if (s.quantization !== undefined && s.quantization !== null) {
        const q = s.quantization;
        if (!isObject(q) || (q.dtype !== 'uint8' && q.dtype !== 'uint16' && q.dtype !== 'float16')) {
          throw new ModelFormatError(`${where}: weight '${s.name}' has an unknown quantization ${JSON.stringify(q)}`);
        }
        if (q.dtype !== 'float16' && (typeof q.scale !== 'number' || typeof q.min !== 'number' || !Number.isFinite(q.scale) || !Number.isFinite(q.min))) {
          throw new ModelFormatError(`${where}: weight '${s.name}' is quantized to ${q.dtype} without a finite scale and min`);
        }
        const qExtra = Object.keys(q).find((k) => !QUANTIZATION_KEYS.has(k));
        if (qExtra !== undefined) throw new ModelFormatError(`${where}: weight '${s.name}' has quantization.${qExtra}, which tfjs does not write`);
        // The converter records the dtype the values had before quantizing; decoding gives that dtype back.
        if (q.original_dtype !== undefined && q.original_dtype !== null && q.original_dtype !== dtype) {
          throw new ModelFormatError(`${where}: weight '${s.name}' has quantization.original_dtype ${JSON.stringify(q.original_dtype)} but dtype ${JSON.stringify(dtype)}`);
        }
        spec.quantization = { dtype: q.dtype, scale: q.scale as number | undefined, min: q.min as number | undefined };
      }
      return spec;
    });
    return { paths, weights };
  });
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** One weight's n values from byte at: int32 stays Int32Array (float32 would round above 2^24), the rest float32. */
function readValues(spec: WeightSpec, buf: Uint8Array, view: DataView, at: number, n: number): Float32Array | Int32Array {
  const q = spec.quantization;
  if (spec.dtype === 'int32' && !q) {
    const ints = new Int32Array(n);
    for (let i = 0; i < n; i++) ints[i] = view.getInt32(at + 4 * i, true);
    return ints;
  }
  const values = new Float32Array(n);
  if (q?.dtype === 'uint8') for (let i = 0; i < n; i++) values[i] = buf[at + i] * q.scale! + q.min!;
  else if (q?.dtype === 'uint16') for (let i = 0; i < n; i++) values[i] = view.getUint16(at + 2 * i, true) * q.scale! + q.min!;
  else if (q?.dtype === 'float16') for (let i = 0; i < n; i++) values[i] = halfToFloat(view.getUint16(at + 2 * i, true));
  else if (spec.dtype === 'bool') for (let i = 0; i < n; i++) values[i] = buf[at + i] ? 1 : 0;
  else if (LE) values.set(new Float32Array(buf.buffer.slice(at, at + 4 * n)));
  else for (let i = 0; i < n; i++) values[i] = view.getFloat32(at + 4 * i, true);
  return values;
}

/**
 * Reads every weight of the manifest. read(path) returns a shard's bytes; sizeOf(path), when given, lets the
 * byte count be checked before anything is read.
 */
export function decodeWeights(manifest: ManifestGroup[], read: (path: string) => Uint8Array, where: string,
  sizeOf?: (path: string) => number): Map<string, DecodedWeight> {
  const out = new Map<string, DecodedWeight>();
  manifest.forEach((g, gi) => {
    const expected = groupByteLength(g);
    if (sizeOf) {
      const have = g.paths.reduce((s, p) => s + sizeOf(p), 0);
      if (have !== expected) throw sizeError(where, gi, g, have, expected);
    }
    const parts = g.paths.map((p) => read(p));
    const have = parts.reduce((s, p) => s + p.length, 0);
    if (have !== expected) throw sizeError(where, gi, g, have, expected);
    const buf = new Uint8Array(have);
    let o = 0;
    for (const p of parts) { buf.set(p, o); o += p.length; }
    const view = new DataView(buf.buffer);
    let at = 0;
    for (const spec of g.weights) {
      const n = sizeOfShape(spec.shape);
      out.set(spec.name, { name: spec.name, shape: spec.shape, values: readValues(spec, buf, view, at, n), group: spec.group });
      at += n * bytesPerValue(spec);
    }
  });
  return out;
}

function sizeError(where: string, gi: number, g: ManifestGroup, have: number, expected: number): ModelFormatError {
  const files = g.paths.join(', ');
  const what = have < expected ? 'truncated or missing data' : 'more bytes than the manifest describes';
  return new ModelFormatError(`${where}: weights group ${gi + 1} (${files}) holds ${have} bytes but its manifest describes ${expected} (${what})`);
}
