// Shared by the ONNX tests: ONNX Runtime sessions, synthetic inputs, brief training, and the comparison.
import { expect } from 'vitest';
import * as ort from 'onnxruntime-node';
import * as rl from '../../src/index.js';
import { Random } from '../../src/random.js';
import { toOnnx } from '../../src/onnx/index.js';
import type { GraphBuilder } from '../../src/onnx/graph.js';
import { onnxSchema } from '../../src/onnx/proto.js';

export async function ortSession(bytes: Uint8Array | string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes as Uint8Array, { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

/** Runs a one-input, one-output ONNX model; x is int32 ids or float32 values. */
export async function ortPredict(session: ort.InferenceSession, x: rl.Tensor): Promise<Float32Array> {
  const type = session.inputNames.length === 1 ? inputType(session) : 'float32';
  const data = type === 'int32' ? Int32Array.from(x.values) : type === 'int64' ? BigInt64Array.from(Array.from(x.values, (v) => BigInt(v))) : Float32Array.from(x.values);
  const feeds = { [session.inputNames[0]]: new ort.Tensor(type, data, x.shape) };
  const out = await session.run(feeds);
  return out[session.outputNames[0]].data as Float32Array;
}

function inputType(session: ort.InferenceSession): 'int32' | 'int64' | 'float32' {
  const meta = (session as unknown as { inputMetadata?: { type?: string }[] }).inputMetadata;
  const t = meta?.[0]?.type;
  return t === 'int32' || t === 'int64' ? t : 'float32';
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Token ids [n, T] in [1, vocab) with Keras 'pre' padding: each row keeps a random number of real tokens at the end
 * (some rows full, one all padding when allowEmpty), and a few zeros inside the rows when holes is set.
 */
export function tokenIds(n: number, T: number, vocab: number, seed: number, o: { pad?: boolean; holes?: boolean; allowEmpty?: boolean } = {}): rl.Tensor {
  const r = new Random(seed);
  const d = new Int32Array(n * T);
  for (let i = 0; i < n; i++) {
    const len = !o.pad ? T : o.allowEmpty && i === 1 ? 0 : i === 0 ? T : 1 + Math.floor(r.next() * T);
    for (let t = T - len; t < T; t++) d[i * T + t] = 1 + Math.floor(r.next() * (vocab - 1));
    if (o.holes && len > 2) d[i * T + T - 2] = 0;
  }
  return rl.tensor(d, [n, T], 'int32');
}

/** A few Adam steps on synthetic targets, so the weights are no longer their initial values. */
export async function trainBriefly(m: rl.Sequential, x: rl.Tensor, loss: 'binaryCrossentropy' | 'categoricalCrossentropy'): Promise<void> {
  const out = m.predict(x);
  const r = new Random(99);
  const C = out.shape[out.rank - 1];
  const y = new Float32Array(out.size);
  if (loss === 'binaryCrossentropy') for (let i = 0; i < y.length; i++) y[i] = r.next() < 0.5 ? 1 : 0;
  else for (let row = 0; row < y.length / C; row++) y[row * C + Math.floor(r.next() * C)] = 1;
  m.compile({ optimizer: rl.train.adam(0.01), loss });
  await m.fit(x, rl.tensor(y, out.shape), { epochs: 2, batchSize: 8, verbose: 0 });
}

/**
 * Every output of a functional model on xs, from rnnlab's predict and from ONNX Runtime, compared by output name
 * (<= 1e-5); onnx: the exported bytes (default toOnnx(m)).
 */
export async function expectSameAsOrt(m: rl.Functional, xs: rl.Tensor[], onnx: Uint8Array = toOnnx(m)): Promise<void> {
  const session = await ortSession(onnx);
  expect(session.inputNames).toEqual(m.inputNames);
  // ONNX names must be unique: a layer's second and third outputs (attention weights, states) get the suffixes _1, _2
  // of their index among the layer's outputs, whichever of them the model lists and in whatever order.
  expect(session.outputNames).toEqual(m.outputs.map((t) => (t.outputIndex ? `${t.sourceLayer.name}_${t.outputIndex}` : t.sourceLayer.name)));
  const feeds: Record<string, ort.Tensor> = {};
  xs.forEach((x, i) => {
    feeds[session.inputNames[i]] = x.dtype === 'int32' ? new ort.Tensor('int32', Int32Array.from(x.values), x.shape) : new ort.Tensor('float32', Float32Array.from(x.values), x.shape);
  });
  const theirs = await session.run(feeds);
  const ours = m.predict(xs);
  const list = Array.isArray(ours) ? ours : [ours];
  expect(list).toHaveLength(session.outputNames.length);
  list.forEach((o, i) => {
    const t = theirs[session.outputNames[i]];
    expect(t.dims).toEqual(o.shape);
    expect(maxAbsDiff(o.values, t.data as Float32Array), session.outputNames[i]).toBeLessThanOrEqual(1e-5);
  });
}

/** Non-trivial weights (biases included) drawn from seed, so a dropped or misplaced layer shows in the outputs. */
export function randomize(m: { layers: { getWeightValues(): Float32Array[]; setWeights(v: Float32Array[]): void }[] }, seed: number): void {
  const r = new Random(seed);
  for (const l of m.layers) {
    const vals = l.getWeightValues();
    if (vals.length) l.setWeights(vals.map((v) => Float32Array.from(v, () => (r.next() - 0.5) * 1.2)));
  }
}

export type Dims = (number | string)[];

/** A one-input, one-output float graph's bytes, at the given opset (default: the builder's). */
export function bytesOf(g: GraphBuilder, y: string, inDims: Dims, outDims: Dims, opset?: number): Uint8Array {
  const bytes = g.toBytes({ name: 'x', elemType: 'float32', shape: inDims }, { name: y, elemType: 'float32', shape: outDims }, 'g', '');
  if (opset === undefined) return bytes;
  const onnx = onnxSchema();
  const model = onnx.ModelProto.decode(bytes);
  model.opsetImport = [{ domain: '', version: opset }];
  return onnx.ModelProto.encode(model).finish();
}
