// Loaded model.json files: layer config keys rnnlab would drop are refused (nested layers too), a Theano-backend file
// with convolution kernels is refused naming the backend, and Keras 3 quantized dtype policies are refused naming the
// layer and the policy, while the float policies keep loading. Keras 2 Bidirectional files load with Keras 2's zeros at
// masked steps, and Keras 3 normalization files with their off-valued variant keys load.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { removeDir, tempDir } from './helpers.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'converter_files');
const root = tempDir('rnnlab-files-');
afterAll(() => removeDir(root));
afterEach(() => vi.restoreAllMocks());

type Spec = { shape: number[]; quantization?: { dtype: string } };
type Json = { modelTopology: Record<string, unknown>; weightsManifest: { paths: string[]; weights: Spec[] }[] };
type Entry = { class_name: string; config: Record<string, unknown> };
let n = 0;

/** A converter fixture, edited, written with small float weights from its manifest; returns its folder. */
function fixture(name: string, edit: (j: Json) => void = () => {}): string {
  const json = JSON.parse(readFileSync(join(FIXTURES, name, 'model.json'), 'utf8')) as Json;
  edit(json);
  const dir = join(root, `${name}-${n++}`);
  mkdirSync(dir, { recursive: true });
  for (const g of json.weightsManifest) {
    const bytes = new Uint8Array(Buffer.concat(g.weights.map((w) => {
      const count = w.shape.reduce((x, y) => x * y, 1);
      // float16 codes with exponent 13: values in [0.25, 0.5); uint8/uint16 codes decode to the manifest's range.
      if (w.quantization) return w.quantization.dtype === 'uint8' ? Uint8Array.from({ length: count }, (_, i) => (i * 37) % 256)
        : new Uint8Array(Uint16Array.from({ length: count }, (_, i) => (w.quantization!.dtype === 'float16' ? (13 << 10) | (i % 1024) : (i * 131) % 65536)).buffer);
      return new Uint8Array(Float32Array.from({ length: count }, (_, i) => 0.3 * Math.sin(i)).buffer);
    })));
    const per = Math.ceil(bytes.length / g.paths.length);
    g.paths.forEach((p, i) => writeFileSync(join(dir, p), bytes.subarray(i * per, (i + 1) * per)));
  }
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  return dir;
}
const layersOf = (j: Json) => ((j.modelTopology.model_config as { config: { layers: Entry[] } }).config.layers);
const layer = (j: Json, cls: string) => layersOf(j).find((l) => l.class_name === cls)!;

async function loadError(dir: string): Promise<string> {
  try { await rl.loadLayersModel(`file://${dir}`); } catch (e) { expect(e).toBeInstanceOf(rl.ModelFormatError); return (e as Error).message; }
  throw new Error('expected the load to fail');
}

describe('loaded layer configs: keys rnnlab would drop are refused', () => {
  it('a Dense with an unknown key is refused naming the file, layer, class and key, listing the keys Dense reads', async () => {
    const dir = fixture('keras2_lstm', (j) => { layer(j, 'Dense').config.foo = 1; });
    const msg = await loadError(dir);
    expect(msg).toContain(join(dir, 'model.json'));
    expect(msg).toMatch(/layer \d+ \(Dense 'dense[^']*'\): unknown key 'foo' \(= 1\) in the Dense config; rnnlab's Dense reads .*\bunits\b.*\bkernel_initializer\b/);
  });

  it('a misspelt key is refused with the nearest known one', async () => {
    const msg = await loadError(fixture('keras3_lstm', (j) => {
      const c = layer(j, 'LSTM').config;
      c.return_sequence = c.return_sequences;
      delete c.return_sequences;
    }));
    expect(msg).toMatch(/\(LSTM 'lstm[^']*'\): unknown key 'return_sequence' .*did you mean 'return_sequences'\?/);
  });

  it('a nested layer (a Bidirectional\'s wrapped GRU) is checked too', async () => {
    const msg = await loadError(fixture('keras3_bidirectional', (j) => { (layer(j, 'Bidirectional').config.layer as Entry).config.reset_after_all = true; }));
    expect(msg).toMatch(/\(Bidirectional 'bidirectional[^']*'\): wrapped layer: unknown key 'reset_after_all' \(= true\) in the GRU config; rnnlab's GRU reads .*\breset_after\b/);
  });

  it('an unknown key set to null (a newer Keras\'s unset option) loads with one warning; Keras 3\'s unset lora_rank silently', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = await rl.loadLayersModel(`file://${fixture('keras3_lstm', (j) => { layer(j, 'Dense').config.future_option = null; layer(j, 'Dense').config.lora_rank = null; })}`);
    expect(m.layers.some((l) => l.className === 'Dense')).toBe(true);
    const said = warn.mock.calls.map((c) => c.join(' ')).join('\n');
    expect(said).toMatch(/not read: 'future_option' \(null, so unset\) in the Dense config/);
    expect(said).not.toMatch(/lora_rank/);
  });

  it('every converter fixture and a model rnnlab saves (Bidirectional, generic RNN with stacked cells) load under the check', async () => {
    for (const name of ['keras2_lstm', 'keras2_15_char_lstm', 'keras2_gru', 'keras2_bidirectional', 'keras2_conv1d', 'keras2_functional',
      'keras3_lstm', 'keras3_bidirectional', 'keras3_conv1d', 'keras3_functional', 'keras3_nested_sequential', 'keras3_bidirectional_sequences']) {
      await expect(rl.loadLayersModel(`file://${fixture(name)}`), name).resolves.toBeDefined();
    }
    const m = rl.sequential();
    m.add(rl.layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true, inputShape: [4] }));
    m.add(rl.layers.bidirectional({ layer: rl.layers.lstm({ units: 2, returnSequences: true, zeroOutputForMask: true } as never) }));
    m.add(rl.layers.rnn({ cell: [rl.layers.gruCell({ units: 2 }), rl.layers.simpleRNNCell({ units: 2 })] }));
    m.add(rl.layers.dense({ units: 1 }));
    const dir = join(root, 'saved');
    await m.save(`file://${dir}`);
    const back = await rl.loadLayersModel(`file://${dir}`);
    const x = rl.tensor([1, 2, 0, 0, 3, 4, 5, 0], [2, 4]);
    expect([...(back.predict(x) as rl.Tensor).dataSync()]).toEqual([...(m.predict(x) as rl.Tensor).dataSync()]);
  });
});

describe('a Keras 2 file written under the Theano backend', () => {
  it('is refused when it holds a convolution (Theano stores the kernels flipped), naming the backend and the layer', async () => {
    const msg = await loadError(fixture('keras2_conv1d', (j) => { j.modelTopology.backend = 'theano'; }));
    expect(msg).toMatch(/modelTopology\.backend is 'theano', and layer 'conv1d[^']*' \(Conv1D\) holds a convolution kernel/);
  });

  it('loads when it has no convolution (the other layers\' weights are laid out alike under every backend)', async () => {
    const m = await rl.loadLayersModel(`file://${fixture('keras2_lstm', (j) => { j.modelTopology.backend = 'theano'; })}`);
    expect(m.layers.map((l) => l.className)).toContain('LSTM');
  });
});

describe('Keras 3 dtype policies in loaded files', () => {
  const policy = (j: Json, cls: string, value: unknown) => { layer(j, cls).config.dtype = value; };

  it('a QuantizedDTypePolicy ({mode, source_name}) is refused naming the layer and the policy', async () => {
    const msg = await loadError(fixture('keras3_lstm', (j) => policy(j, 'Dense', { module: 'keras', class_name: 'QuantizedDTypePolicy', config: { mode: 'int8', source_name: 'float32' }, registered_name: null })));
    expect(msg).toMatch(/\(Dense 'dense[^']*'\): .*dtype policy 'int8_from_float32' \(Keras 3's QuantizedDTypePolicy\) is not supported: quantized policies \(Keras's int8\/float8 kernels with scales\) are not implemented/);
  });

  it('a quantized name in a DTypePolicy, and float8 policies, are refused the same way', async () => {
    expect(await loadError(fixture('keras3_lstm', (j) => policy(j, 'LSTM', { class_name: 'DTypePolicy', config: { name: 'int8_from_mixed_bfloat16' } }))))
      .toMatch(/\(LSTM 'lstm[^']*'\): .*dtype policy 'int8_from_mixed_bfloat16' is not supported: quantized policies/);
    expect(await loadError(fixture('keras3_lstm', (j) => policy(j, 'Dense', { class_name: 'QuantizedFloat8DTypePolicy', config: { mode: 'float8', source_name: 'float32', amax_history_length: 1024 } }))))
      .toMatch(/dtype policy 'float8_from_float32' \(Keras 3's QuantizedFloat8DTypePolicy\) is not supported/);
  });

  it('float policies keep working: DTypePolicy and FloatDTypePolicy float32 load; mixed_float16 is refused as before', async () => {
    const m = await rl.loadLayersModel(`file://${fixture('keras3_lstm', (j) => policy(j, 'Dense', { class_name: 'FloatDTypePolicy', config: { name: 'float32' } }))}`);
    expect(m.layers.length).toBeGreaterThan(1);
    expect(await loadError(fixture('keras3_lstm', (j) => policy(j, 'Dense', { class_name: 'DTypePolicy', config: { name: 'mixed_float16' } }))))
      .toMatch(/\(Dense 'dense[^']*'\): .*dtype policy 'mixed_float16' is not supported: float16 products are not implemented/);
  });

  it('a Keras 3 input of int64 token ids (keras.Input(dtype="int64")) loads as int32 and predicts as the float32 one does', async () => {
    const asFloat = await rl.loadLayersModel(`file://${fixture('keras3_functional')}`) as rl.Functional;
    const asInt64 = await rl.loadLayersModel(`file://${fixture('keras3_functional', (j) => { layersOf(j)[0].config.dtype = 'int64'; })}`) as rl.Functional;
    expect(asInt64.inputs.map((t) => t.dtype)).toEqual(['int32', 'float32']);
    const xs = [rl.tensor2d([[1, 2, 3, 4, 0, 0, 5, 6]], [1, 8], 'int32'), rl.tensor2d([[0.5, -1]], [1, 2])];
    const out = (m: rl.Functional) => [m.predict(xs)].flat().map((t) => (t as rl.Tensor).arraySync());
    expect(out(asInt64)).toEqual(out(asFloat));
    expect(await loadError(fixture('keras3_functional', (j) => { layersOf(j)[0].config.dtype = 'float64'; }))).toMatch(/dtype must be 'float32' or 'int32'/);
  });

  it('a layer made with a quantized policy is refused naming it', () => {
    expect(() => rl.layers.dense({ units: 2, name: 'head', dtype: { className: 'QuantizedDTypePolicy', config: { mode: 'int8', sourceName: 'float32' } } } as never))
      .toThrow(/head \(Dense\): dtype policy 'int8_from_float32' \(Keras 3's QuantizedDTypePolicy\) is not supported/);
  });
});

describe('Keras 2 Bidirectional files (zero_output_for_mask never saved, always applied)', () => {
  /** The keras2_bidirectional fixture with the wrapped LSTM returning sequences, written by `writer`. */
  const sequences = (writer: { keras_version: string; generatedBy: string } | null, zeroFlag?: boolean, returnSequences = true) => fixture('keras2_bidirectional', (j) => {
    const wrapped = (layer(j, 'Bidirectional').config.layer as Entry).config;
    wrapped.return_sequences = returnSequences;
    if (zeroFlag !== undefined) wrapped.zero_output_for_mask = zeroFlag;
    if (writer) {
      j.modelTopology.keras_version = writer.keras_version;
      (j as unknown as { generatedBy: string }).generatedBy = writer.generatedBy;
    }
  });
  const ids = rl.tensor([1, 2, 0, 0, 0, 0, 0, 0], [1, 8]);
  async function load(dir: string) {
    const m = await rl.loadLayersModel(`file://${dir}`);
    const bi = m.layers.find((l) => l.className === 'Bidirectional') as rl.layerClasses.Bidirectional;
    const dense = m.layers[m.layers.length - 1];
    const bias = dense.getWeights()[1].dataSync()[0];
    return { flags: [bi.forwardLayer.zeroOutputForMask, bi.backwardLayer.zeroOutputForMask], out: [...(m.predict(ids) as rl.Tensor).dataSync()], zeroRow: 1 / (1 + Math.exp(-bias)) };
  }

  it('a Keras 2 file with return_sequences loads with zeroOutputForMask on both directions: masked steps give Dense(0) exactly', async () => {
    const { flags, out, zeroRow } = await load(sequences(null));
    expect(flags).toEqual([true, true]);
    expect(out).toHaveLength(8);
    for (const v of out.slice(2)) expect(v).toBeCloseTo(zeroRow, 6);
    expect(Math.abs(out[0] - zeroRow)).toBeGreaterThan(1e-4);
  });

  it('the same topology written by tfjs keeps tfjs\'s repeat (no flag); a Keras 2 file without return_sequences gets false, as Keras 2 sets', async () => {
    const tfjs = await load(sequences({ keras_version: 'tfjs-layers 4.22.0', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0' }));
    expect(tfjs.flags).toEqual([false, false]);
    expect(Math.abs(tfjs.out[2] - tfjs.zeroRow)).toBeGreaterThan(1e-4);
    const keras3Flag = await load(sequences({ keras_version: 'tfjs-layers 4.22.0', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0' }, true));
    expect(keras3Flag.flags).toEqual([true, true]);
    const last = await load(sequences(null, true, false));
    expect(last.flags).toEqual([false, false]);
  });

  it('generatedBy alone (no keras_version) identifies a Keras 2 file', async () => {
    const dir = sequences(null);
    const path = join(dir, 'model.json');
    const json = JSON.parse(readFileSync(path, 'utf8'));
    delete json.modelTopology.keras_version;
    writeFileSync(path, JSON.stringify(json));
    expect((await load(dir)).flags).toEqual([true, true]);
  });
});

describe('Keras 3 normalization files (synchronized, renorm*, rms_scaling written at their off values)', () => {
  const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
  const norm = { epsilon: 0.001, center: true, scale: true, beta_initializer: 'zeros', gamma_initializer: 'ones', beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null };
  const topology = (bn: Record<string, unknown>, ln: Record<string, unknown>) => ({ keras_version: '3.14.0', backend: 'tensorflow', model_config: { class_name: 'Sequential', config: { name: 's', layers: [
    { class_name: 'InputLayer', config: { batch_shape: [null, 3, 2], dtype: 'float32', sparse: false, ragged: false, optional: false, name: 'in' } },
    { class_name: 'BatchNormalization', config: { name: 'bn', trainable: true, dtype: policy, axis: -1, momentum: 0.99, ...norm, moving_mean_initializer: 'zeros', moving_variance_initializer: 'ones', ...bn } },
    { class_name: 'LayerNormalization', config: { name: 'ln', trainable: true, dtype: policy, axis: -1, ...norm, ...ln } },
  ] } } });

  it('a Keras 3.14 Sequential with BatchNormalization and LayerNormalization loads and normalizes each step', async () => {
    const m = await rl.models.modelFromJSON({ modelTopology: topology({ synchronized: false, renorm: false, renorm_clipping: null, renorm_momentum: 0.99 }, { rms_scaling: false }) });
    const y = [...(m.predict(rl.tensor([1, 2, 3, 5, -1, 0], [1, 3, 2])) as rl.Tensor).dataSync()];
    // Fresh moving statistics (mean 0, variance 1) leave x / sqrt(1 + 1e-3); layer normalization then gives about ±1 per step.
    for (let s = 0; s < 3; s++) expect(Math.abs(y[2 * s])).toBeCloseTo(0.999, 2);
    expect(y[0] + y[1]).toBeCloseTo(0, 5);
  });

  it('renorm true and rms_scaling true are refused naming the layer and the key', async () => {
    await expect(rl.models.modelFromJSON({ modelTopology: topology({ synchronized: false, renorm: true, renorm_clipping: null, renorm_momentum: 0.99 }, { rms_scaling: false }) }))
      .rejects.toThrow(/layer 1 \(BatchNormalization 'bn'\).*renorm = true is not supported/);
    await expect(rl.models.modelFromJSON({ modelTopology: topology({ synchronized: true }, { rms_scaling: true }) }))
      .rejects.toThrow(/layer 2 \(LayerNormalization 'ln'\).*rms_scaling = true is not supported/);
  });
});
