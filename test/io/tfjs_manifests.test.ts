// Weight manifests and model.json fields against TensorFlow.js 4.22 (cpu): quantized weights decode as tfjs decodes
// them, and hand-edited or foreign files are refused naming the file and the field.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { maxAbsDiff, removeDir, tempDir } from './helpers.js';
import { seedMathRandomPerTest } from '../helpers/seeded_math_random.js';

// tfjs's initial weights (and shuffles) come from Math.random: seeded, the comparisons' bounds hold on every run.
seedMathRandomPerTest();

const root = tempDir('rnnlab-manifest-');
afterAll(() => removeDir(root));
beforeAll(async () => { await tf.setBackend('cpu'); await tf.ready(); });

async function tfjsModel(): Promise<{ tm: tf.LayersModel; a: tf.io.ModelArtifacts }> {
  const tm = tf.sequential({ layers: [
    tf.layers.lstm({ units: 4, inputShape: [5, 3], returnSequences: true }),
    tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2, resetAfter: false } as never) as never }),
    tf.layers.dense({ units: 2, activation: 'tanh' }),
  ] });
  let a: tf.io.ModelArtifacts | undefined;
  await tm.save(tf.io.withSaveHandler(async (x) => { a = x; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  return { tm, a: a! };
}

/** IEEE half from a float, truncating the mantissa (any encoding will do: both sides decode the same bytes). */
function toHalf(f: number): number {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, f);
  const x = b.getUint32(0);
  const sign = (x >>> 16) & 0x8000, e = ((x >>> 23) & 0xff) - 127 + 15, m = (x >>> 13) & 0x3ff;
  if (e <= 0) return sign;
  return sign | (Math.min(e, 30) << 10) | m;
}

/** The artifacts' float32 weights re-encoded as tensorflowjs_converter's --quantize_* options write them. */
function quantized(a: tf.io.ModelArtifacts, dtype: 'uint8' | 'uint16' | 'float16'): { specs: tf.io.WeightsManifestEntry[]; data: Uint8Array } {
  const all = new Float32Array(a.weightData as ArrayBuffer);
  const chunks: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  let at = 0;
  for (const s of a.weightSpecs!) {
    const n = s.shape.reduce((p, d) => p * d, 1);
    const v = all.subarray(at, at + n);
    at += n;
    if (dtype === 'float16') {
      chunks.push(new Uint8Array(Uint16Array.from(v, toHalf).buffer));
      specs.push({ ...s, quantization: { dtype } });
      continue;
    }
    const levels = dtype === 'uint8' ? 255 : 65535;
    const min = Math.min(...v), max = Math.max(...v);
    const scale = max > min ? (max - min) / levels : 1;
    const q = Array.from(v, (x) => Math.round((x - min) / scale));
    chunks.push(dtype === 'uint8' ? Uint8Array.from(q) : new Uint8Array(Uint16Array.from(q).buffer));
    specs.push({ ...s, quantization: { dtype, scale, min } });
  }
  return { specs, data: Buffer.concat(chunks) };
}

function writeFolder(name: string, json: Record<string, unknown>, files: Record<string, Uint8Array>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  for (const [f, b] of Object.entries(files)) writeFileSync(join(dir, f), b);
  return dir;
}

const x = Float32Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.cos(i * 0.7));

describe('quantized weights', () => {
  for (const dtype of ['uint8', 'uint16', 'float16'] as const) {
    it(`${dtype}: rnnlab decodes the file as tfjs does (same predictions)`, async () => {
      const { a } = await tfjsModel();
      const q = quantized(a, dtype);
      const dir = writeFolder(`q-${dtype}`, { format: 'layers-model', generatedBy: a.generatedBy, convertedBy: 'TensorFlow.js Converter v4.22.0',
        modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: q.specs }] }, { 'group1-shard1of1.bin': q.data });
      const tq = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: q.specs, weightData: new Uint8Array(q.data).buffer }));
      const m = await rl.loadModel(`file://${dir}`);
      const theirs = (tq.predict(tf.tensor3d(x, [2, 5, 3])) as tf.Tensor).dataSync();
      expect(maxAbsDiff(m.predict(rl.tensor(x, [2, 5, 3])).dataSync(), theirs)).toBeLessThan(1e-5);
      // Saved again by rnnlab, the weights are float32 (what they decoded to), and tfjs reads that file as well.
      const json = JSON.parse(JSON.stringify((await (async () => { let got: rl.io.ModelArtifacts | undefined; await m.save(rl.io.withSaveHandler((z) => { got = z; return {}; })); return got!; })())));
      expect(json.weightSpecs.every((s: { dtype: string; quantization?: unknown }) => s.dtype === 'float32' && s.quantization === undefined)).toBe(true);
    });
  }
});

describe('hand-edited and foreign model.json files', () => {
  it('a float32 weight labelled int32 or bool is refused naming the weight and both dtypes (tfjs refuses it too)', async () => {
    const { tm, a } = await tfjsModel();
    for (const dtype of ['int32', 'bool'] as const) {
      const specs = a.weightSpecs!.map((s, i) => (i === 2 ? { ...s, dtype } : s));
      const bytes = dtype === 'bool' ? Buffer.concat([Buffer.from(a.weightData as ArrayBuffer)]) : Buffer.from(a.weightData as ArrayBuffer);
      const dir = writeFolder(`dtype-${dtype}`, { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] }, { 'weights.bin': bytes });
      await expect(rl.loadModel(`file://${dir}`)).rejects.toThrow(new RegExp(`model\\.json: weight '${a.weightSpecs![2].name}' has dtype ${dtype} in the weights manifest, but layer '${tm.layers[0].name}' \\(LSTM\\) holds float32 weights`));
    }
  });

  it('manifest names that match no weight of the model are refused naming both sides, never paired by position (tfjs refuses them too)', async () => {
    const { tm, a } = await tfjsModel();
    const bytes = Buffer.from(a.weightData as ArrayBuffer);
    // Every shape lines up with the model's weights in order: only the names say which is which.
    const renamed = a.weightSpecs!.map((s, i) => ({ ...s, name: `w${i}` }));
    const dir = writeFolder('renamed', { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: renamed }] }, { 'weights.bin': bytes });
    const ours = a.weightSpecs!.slice(0, 2).map((s) => `'${s.name}'`).join(', ');
    await expect(rl.loadModel(`file://${dir}`)).rejects.toThrow(new RegExp(`renamed/model\\.json: no weight name in the weights manifest matches a weight of the model.*the manifest has 'w0', 'w1', .*; the model's weights are ${ours}`));
    await expect(tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: renamed, weightData: a.weightData }))).rejects.toThrow(/Provided weight data has no target variable: w0/);
    // The dtype check applies to weights matched by name (the test above): here the names are what is refused.
    const specs = renamed.map((s, i) => (i === 2 ? { ...s, dtype: 'int32' as const } : s));
    const bad = writeFolder('renamed-int32', { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] }, { 'weights.bin': bytes });
    await expect(rl.loadModel(`file://${bad}`)).rejects.toThrow(/no weight name in the weights manifest matches/);
    // The same bytes under the model's own names load as tfjs saved them.
    const named = writeFolder('named', { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }, { 'weights.bin': bytes });
    const theirs = (tm.predict(tf.tensor3d(x, [2, 5, 3])) as tf.Tensor).dataSync();
    expect(maxAbsDiff((await rl.loadModel(`file://${named}`)).predict(rl.tensor(x, [2, 5, 3])).dataSync(), theirs)).toBeLessThan(1e-5);
  });

  it('a graph model (format graph-model, or a bare GraphDef) is refused pointing at tf.loadGraphModel', async () => {
    const graph = writeFolder('graph', { format: 'graph-model', generatedBy: '2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: { node: [{ name: 'x', op: 'Placeholder' }], library: {}, versions: { producer: 1 } }, weightsManifest: [] }, {});
    await expect(rl.loadLayersModel(`file://${graph}`)).rejects.toThrow(/graph\/model\.json: format "graph-model" is not a Layers model.*tf\.loadGraphModel/);
    const bare = writeFolder('graphdef', { modelTopology: { node: [{ name: 'x', op: 'Placeholder' }], versions: {} }, weightsManifest: [] }, {});
    await expect(rl.loadLayersModel(`file://${bare}`)).rejects.toThrow(/graphdef\/model\.json: modelTopology is a TensorFlow graph \(GraphDef 'node' list\).*tf\.loadGraphModel/);
  });

  it('Keras-style modelTopology {model_config} and tfjs-style {class_name, config} load the same model', async () => {
    const { tm, a } = await tfjsModel();
    const w = Buffer.from(a.weightData as ArrayBuffer);
    const manifest = [{ paths: ['weights.bin'], weights: a.weightSpecs }];
    const keras = writeFolder('keras-style', { format: 'layers-model', generatedBy: 'keras v2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: a.modelTopology }, weightsManifest: manifest }, { 'weights.bin': w });
    const tfjs = writeFolder('tfjs-style', { format: 'layers-model', generatedBy: a.generatedBy, convertedBy: null, modelTopology: a.modelTopology, weightsManifest: manifest }, { 'weights.bin': w });
    const theirs = (tm.predict(tf.tensor3d(x, [2, 5, 3])) as tf.Tensor).dataSync();
    for (const dir of [keras, tfjs]) {
      const m = await rl.loadModel(`file://${dir}`);
      expect(maxAbsDiff(m.predict(rl.tensor(x, [2, 5, 3])).dataSync(), theirs)).toBeLessThan(1e-5);
    }
  });

  it('rnnlab writes tfjs\'s fields: format layers-model, generatedBy, convertedBy null, topology {class_name, config}', async () => {
    const { a } = await tfjsModel();
    const m = rl.layersModelFromArtifacts(a as never, { compile: false });
    let got: rl.io.ModelArtifacts | undefined;
    await m.save(rl.io.withSaveHandler((z) => { got = z; return {}; }));
    expect(got!.format).toBe('layers-model');
    expect(got!.generatedBy).toMatch(/^rnnlab \d+\.\d+\.\d+$/);
    expect(got!.convertedBy).toBeNull();
    const topo = got!.modelTopology as Record<string, unknown>;
    expect(topo.class_name).toBe('Sequential');
    expect(Object.keys(topo)).not.toContain('model_config');
    expect((got!.weightSpecs as { name: string }[]).map((s) => s.name)).toEqual(a.weightSpecs!.map((s) => s.name));
  });
});
