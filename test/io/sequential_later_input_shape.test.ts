/**
 * Keras 2 writes batch_input_shape on every layer given input_shape, and tutorials pass it to several layers of one
 * Sequential model. Keras and tfjs apply a later layer to the previous output whatever it declares, so rnnlab loads
 * such a file too, warning (as tfjs does) when the declared shape is not what the layer receives.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { removeDir, tempDir } from './helpers.js';

const root = tempDir('rnnlab-later-shape-');
afterAll(() => removeDir(root));
afterEach(() => { vi.restoreAllMocks(); });

const glorot = { class_name: 'GlorotUniform', config: { seed: null } };
const zeros = { class_name: 'Zeros', config: {} };

/** The shape of a real Keras 2.10 model.to_json(): InputLayer, Conv1D, LSTM(relu) that also declares an input shape, Dense. */
function keras210(lstmShape: Record<string, unknown>): Record<string, unknown> {
  return {
    class_name: 'Sequential', keras_version: '2.10.0', backend: 'tensorflow',
    config: {
      name: 'sequential_1',
      layers: [
        { class_name: 'InputLayer', config: { batch_input_shape: [null, 20, 1], dtype: 'float32', sparse: false, ragged: false, name: 'conv1d_1_input' } },
        { class_name: 'Conv1D', config: { name: 'conv1d_1', trainable: true, batch_input_shape: [null, 20, 1], dtype: 'float32', filters: 6, kernel_size: [3], strides: [1],
          padding: 'valid', data_format: 'channels_last', dilation_rate: [1], groups: 1, activation: 'relu', use_bias: true, kernel_initializer: glorot,
          bias_initializer: zeros, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null } },
        { class_name: 'LSTM', config: { name: 'lstm_1', trainable: true, ...lstmShape, dtype: 'float32', return_sequences: false, return_state: false,
          go_backwards: false, stateful: false, unroll: false, time_major: false, units: 4, activation: 'relu', recurrent_activation: 'sigmoid', use_bias: true,
          kernel_initializer: glorot, recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1.0, seed: null } }, bias_initializer: zeros,
          unit_forget_bias: true, kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null,
          kernel_constraint: null, recurrent_constraint: null, bias_constraint: null, dropout: 0.0, recurrent_dropout: 0.0, implementation: 2 } },
        { class_name: 'Dense', config: { name: 'dense_1', trainable: true, dtype: 'float32', units: 1, activation: 'linear', use_bias: true, kernel_initializer: glorot,
          bias_initializer: zeros, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null } },
      ],
    },
  };
}

const WEIGHTS: [string, number[]][] = [['conv1d_1/kernel', [3, 1, 6]], ['conv1d_1/bias', [6]], ['lstm_1/lstm_cell_1/kernel', [6, 16]],
  ['lstm_1/lstm_cell_1/recurrent_kernel', [4, 16]], ['lstm_1/lstm_cell_1/bias', [16]], ['dense_1/kernel', [4, 1]], ['dense_1/bias', [1]]];

/** Writes the converter's layout (model.json plus one shard of seeded float32 values); returns the model.json path. */
function write(name: string, lstmShape: Record<string, unknown>): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const size = WEIGHTS.reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
  const values = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 1.37) * 0.4);
  writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(values.buffer));
  writeFileSync(join(dir, 'model.json'), JSON.stringify({
    format: 'layers-model', generatedBy: 'keras v2.10.0', convertedBy: 'TensorFlow.js Converter v3.21.0', modelTopology: keras210(lstmShape),
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: WEIGHTS.map(([n, shape]) => ({ name: n, shape, dtype: 'float32' })) }],
  }));
  return join(dir, 'model.json');
}

const x = rl.tensor(Float32Array.from({ length: 2 * 20 }, (_, t) => Math.sin(t * 0.7) + 0.3), [2, 20, 1]);

async function load(file: string): Promise<{ y: number[]; model: Awaited<ReturnType<typeof rl.loadLayersModel>>; warnings: string[] }> {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const model = await rl.loadLayersModel(`file://${file}`);
  const warnings = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('declares input shape'));
  warn.mockRestore();
  return { y: Array.from((model.predict(x) as rl.Tensor).values), model, warnings };
}

describe('a later layer of a Sequential file that declares an input shape', () => {
  it('loads as the same file without that key; one warning names the file, the layer and both shapes', async () => {
    const reference = await load(write('plain', {}));
    expect(reference.warnings).toEqual([]);
    const file = write('as_published', { batch_input_shape: [null, 20, 1] });
    const published = await load(file);
    expect(published.y).toEqual(reference.y);
    expect(published.y.every(Number.isFinite)).toBe(true);
    expect(published.warnings).toHaveLength(1);
    expect(published.warnings[0]).toContain(file);
    expect(published.warnings[0]).toMatch(/layer 2 \('lstm_1'\) declares input shape \(None, 20, 1\) but receives \(None, 18, 6\)/);
    // The declared shape is dropped, not kept on the layer: it would otherwise bind the layer to it.
    expect(published.model.layers[1].batchInputShape).toBeNull();
  });

  it('a declared shape that agrees with what the layer receives loads silently, in every spelling', async () => {
    const reference = await load(write('plain2', {}));
    for (const [name, shape] of [['agrees', { batch_input_shape: [null, 18, 6] }], ['agrees_batch', { batch_input_shape: [32, 18, 6] }],
      ['k3_spelling', { batch_shape: [null, 18, 6] }], ['input_shape', { input_shape: [18, 6] }]] as const) {
      const got = await load(write(name, shape));
      expect(got.warnings, name).toEqual([]);
      expect(got.y, name).toEqual(reference.y);
    }
  });

  it('the other spellings warn too when they disagree', async () => {
    const got = await load(write('k3_disagrees', { batch_shape: [null, 20, 1] }));
    expect(got.warnings).toHaveLength(1);
    expect(got.warnings[0]).toMatch(/'lstm_1'\) declares input shape \(None, 20, 1\) but receives \(None, 18, 6\)/);
  });

  it('a malformed declared shape is still refused by name', async () => {
    await expect(rl.loadLayersModel(`file://${write('bad', { batch_input_shape: 'big' })}`)).rejects.toThrow(/layer 2 \(LSTM 'lstm_1'\): batch_input_shape must be a list/);
  });
});
