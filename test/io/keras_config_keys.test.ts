// Every layer class rnnlab registers loads a config holding every key Keras's get_config writes for it, at Keras's
// defaults: Keras 2.15 (tf.keras) and Keras 3 up to 3.16. The tables were read from keras-team/keras's get_config
// methods at tags v2.15.0, v3.0.0 … v3.15.1 and the 3.16 main branch (base Layer keys added by base()), so a Keras file
// of those versions does not meet the unknown-key check (src/io/keras_config.ts). A key marked "when set" is written
// only when it is not its default; "3.x+" names the first Keras 3 release that writes it. MultiHeadAttention's table
// lives in its own test. Non-trivial values of the options rnnlab does not implement are refused naming layer and key.
import { describe, expect, it } from 'vitest';
import { layerFromKeras } from '../../src/io/keras_config.js';
import { layerClassNames } from '../../src/layers/registry.js';
import '../../src/index.js';

type Config = Record<string, unknown>;
const POLICY = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
/** Keras 2 Layer.get_config: name, trainable, dtype (batch_input_shape when the layer declares an input). */
const k2 = (name: string, c: Config): Config => ({ name, trainable: true, dtype: 'float32', ...c });
/** Keras 3 Layer.get_config: name, trainable, dtype as a DTypePolicy (a plain string before 3.4); activity_regularizer when set. */
const k3 = (name: string, c: Config): Config => ({ name, trainable: true, dtype: POLICY, ...c });
const i2 = (cls: string, config: Config = {}) => ({ class_name: cls, config });
const i3 = (cls: string, config: Config = {}) => ({ module: 'keras.initializers', class_name: cls, config, registered_name: null });
const glorot2 = i2('GlorotUniform', { seed: null }), glorot3 = i3('GlorotUniform', { seed: null });
const noPenalties = (...names: string[]) => Object.fromEntries(names.flatMap((n) => [[`${n}_regularizer`, null], [`${n}_constraint`, null]]));

function dense(k: 2 | 3): Config {
  const c = { units: 2, activation: 'linear', use_bias: true, kernel_initializer: k === 2 ? glorot2 : glorot3,
    bias_initializer: k === 2 ? i2('Zeros') : i3('Zeros'), ...noPenalties('kernel', 'bias') };
  // Keras 3: lora_rank 3.2+, lora_alpha 3.10+, quantization_config 3.14+; Keras 2: activity_regularizer always.
  return k === 2 ? k2('dense', { ...c, activity_regularizer: null }) : k3('dense', { ...c, lora_rank: null, lora_alpha: null, quantization_config: null });
}

function cell(k: 2 | 3, kind: 'simple' | 'lstm' | 'gru'): Config {
  const c: Config = { units: 3, activation: 'tanh', use_bias: true,
    kernel_initializer: k === 2 ? glorot2 : glorot3, recurrent_initializer: k === 2 ? i2('Orthogonal', { gain: 1, seed: null }) : i3('Orthogonal', { gain: 1, seed: null }),
    bias_initializer: k === 2 ? i2('Zeros') : i3('Zeros'), ...noPenalties('kernel', 'recurrent', 'bias'), dropout: 0, recurrent_dropout: 0 };
  if (kind !== 'simple') c.recurrent_activation = 'sigmoid';
  if (kind === 'lstm') c.unit_forget_bias = true;
  if (kind === 'gru') c.reset_after = true;
  // Keras 2's LSTMCell/GRUCell write implementation; Keras 3's cells write seed instead.
  if (k === 2 && kind !== 'simple') c.implementation = 2;
  if (k === 3) c.seed = null;
  return c;
}

const CELL_CLASS = { simple: 'SimpleRNNCell', lstm: 'LSTMCell', gru: 'GRUCell' } as const;
const LAYER_CLASS = { simple: 'SimpleRNN', lstm: 'LSTM', gru: 'GRU' } as const;

/** The base RNN's keys: Keras 2 writes time_major, and zero_output_for_mask / num_constants only when set; Keras 3 always writes zero_output_for_mask. */
function sequenceKeys(k: 2 | 3): Config {
  const c: Config = { return_sequences: false, return_state: false, go_backwards: false, stateful: false, unroll: false };
  return k === 2 ? { ...c, time_major: false } : { ...c, zero_output_for_mask: false };
}

function recurrent(k: 2 | 3, kind: 'simple' | 'lstm' | 'gru'): Config {
  const c = { ...cell(k, kind), ...sequenceKeys(k) };
  return k === 2 ? k2(kind, { ...c, activity_regularizer: null }) : k3(kind, c);
}

const normalization = (k: 2 | 3): Config => ({ epsilon: 0.001, center: true, scale: true,
  beta_initializer: k === 2 ? i2('Zeros') : i3('Zeros'), gamma_initializer: k === 2 ? i2('Ones') : i3('Ones'), ...noPenalties('beta', 'gamma') });

/** [class_name, Keras 2.15 config (null: not in Keras 2.15), Keras 3.16 config (null: not in Keras 3)]. */
const TABLE: [string, Config | null, Config | null][] = [
  ['Dense', dense(2), dense(3)],
  ['Masking', k2('m', { mask_value: 0 }), k3('m', { mask_value: 0 })],
  ['Dropout', k2('d', { rate: 0.5, noise_shape: null, seed: null }), k3('d', { rate: 0.5, noise_shape: null, seed: null })],
  ['AlphaDropout', k2('d', { rate: 0.1, seed: null }), k3('d', { rate: 0.1, noise_shape: null, seed: null })], // Keras 3.2+
  ['GaussianDropout', k2('d', { rate: 0.1, seed: null }), k3('d', { rate: 0.1, seed: null })],
  ['GaussianNoise', k2('d', { stddev: 0.1, seed: null }), k3('d', { stddev: 0.1, seed: null })],
  ['SpatialDropout1D', k2('d', { rate: 0.5, noise_shape: null, seed: null }), k3('d', { rate: 0.5, noise_shape: null, seed: null })],
  ['ActivityRegularization', k2('a', { l1: 0, l2: 0 }), k3('a', { l1: 0, l2: 0 })],
  ['Activation', k2('a', { activation: 'relu' }), k3('a', { activation: 'relu' })],
  ['ReLU', k2('a', { max_value: null, negative_slope: 0, threshold: 0 }), k3('a', { max_value: null, negative_slope: 0, threshold: 0 })],
  ['LeakyReLU', k2('a', { alpha: 0.3 }), k3('a', { negative_slope: 0.3 })],
  ['ELU', k2('a', { alpha: 1 }), k3('a', { alpha: 1 })], // Keras 3: no get_config, the __init__ arguments given (auto config)
  ['ThresholdedReLU', k2('a', { theta: 1 }), null],
  ['Softmax', k2('a', { axis: -1 }), k3('a', { axis: -1 })],
  ['PReLU', k2('a', { alpha_initializer: i2('Zeros'), ...noPenalties('alpha'), shared_axes: null }), k3('a', { alpha_initializer: i3('Zeros'), ...noPenalties('alpha'), shared_axes: null })],
  ['Embedding', k2('e', { input_dim: 10, output_dim: 4, embeddings_initializer: i2('RandomUniform', { minval: -0.05, maxval: 0.05, seed: null }), ...noPenalties('embeddings'), activity_regularizer: null, mask_zero: false, input_length: null }),
    k3('e', { input_dim: 10, output_dim: 4, embeddings_initializer: i3('RandomUniform', { minval: -0.05, maxval: 0.05, seed: null }), ...noPenalties('embeddings'), mask_zero: false, lora_rank: null, lora_alpha: null, quantization_config: null })],
  ['Conv1D', k2('c', { filters: 2, kernel_size: [3], strides: [1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1], groups: 1, activation: 'linear', use_bias: true,
    kernel_initializer: glorot2, bias_initializer: i2('Zeros'), ...noPenalties('kernel', 'bias'), activity_regularizer: null }),
    // lora_rank 3.3+, lora_alpha 3.10+
    k3('c', { filters: 2, kernel_size: [3], strides: [1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1], groups: 1, activation: 'linear', use_bias: true,
      kernel_initializer: glorot3, bias_initializer: i3('Zeros'), ...noPenalties('kernel', 'bias'), lora_rank: null, lora_alpha: null })],
  ['MaxPooling1D', k2('p', { pool_size: [2], strides: [2], padding: 'valid', data_format: 'channels_last' }), k3('p', { pool_size: [2], strides: [2], padding: 'valid', data_format: 'channels_last' })],
  ['AveragePooling1D', k2('p', { pool_size: [2], strides: [2], padding: 'valid', data_format: 'channels_last' }), k3('p', { pool_size: [2], strides: [2], padding: 'valid', data_format: 'channels_last' })],
  ['GlobalMaxPooling1D', k2('p', { data_format: 'channels_last', keepdims: false }), k3('p', { data_format: 'channels_last', keepdims: false })],
  ['GlobalAveragePooling1D', k2('p', { data_format: 'channels_last', keepdims: false }), k3('p', { data_format: 'channels_last', keepdims: false })],
  ['ZeroPadding1D', k2('z', { padding: [1, 1] }), k3('z', { padding: [1, 1], data_format: 'channels_last' })], // data_format 3.6+
  ['Cropping1D', k2('z', { cropping: [1, 1] }), k3('z', { cropping: [1, 1] })],
  ['UpSampling1D', k2('z', { size: 2 }), k3('z', { size: 2 })],
  ['RepeatVector', k2('z', { n: 2 }), k3('z', { n: 2 })],
  ['Flatten', k2('z', { data_format: 'channels_last' }), k3('z', { data_format: 'channels_last' })],
  ['Reshape', k2('z', { target_shape: [2, 2] }), k3('z', { target_shape: [2, 2] })],
  ['Permute', k2('z', { dims: [2, 1] }), k3('z', { dims: [2, 1] })],
  ['BatchNormalization', k2('bn', { axis: -1, momentum: 0.99, ...normalization(2), moving_mean_initializer: i2('Zeros'), moving_variance_initializer: i2('Ones') }),
    // synchronized 3.0+; renorm, renorm_clipping, renorm_momentum 3.14+ (Keras 2 writes these three only with renorm: true)
    k3('bn', { axis: -1, momentum: 0.99, ...normalization(3), moving_mean_initializer: i3('Zeros'), moving_variance_initializer: i3('Ones'), synchronized: false,
      renorm: false, renorm_clipping: null, renorm_momentum: 0.99 })],
  ['LayerNormalization', k2('ln', { axis: -1, ...normalization(2) }), k3('ln', { axis: -1, ...normalization(3), rms_scaling: false })], // rms_scaling 3.4+
  ['GroupNormalization', k2('gn', { groups: 2, axis: -1, ...normalization(2) }), k3('gn', { groups: 2, axis: -1, ...normalization(3) })],
  ['UnitNormalization', k2('un', { axis: -1 }), k3('un', { axis: -1 })],
  ['Rescaling', k2('r', { scale: 0.5, offset: 0 }), k3('r', { scale: 0.5, offset: 0 })],
  ['CategoryEncoding', k2('ce', { num_tokens: 4, output_mode: 'multi_hot', sparse: false }), k3('ce', { num_tokens: 4, output_mode: 'multi_hot', sparse: false })], // sparse 3.16
  ['Hashing', k2('h', { num_bins: 3, mask_value: null, salt: null, output_mode: 'int', sparse: false }), k3('h', { num_bins: 3, mask_value: null, salt: null, output_mode: 'int', sparse: false })],
  ['Discretization', k2('di', { bin_boundaries: [0, 1], num_bins: null, epsilon: 0.01, output_mode: 'int', sparse: false }),
    k3('di', { bin_boundaries: [0, 1], num_bins: null, epsilon: 0.01, output_mode: 'int', sparse: false })],
  ['Normalization', k2('no', { axis: [-1], invert: false, mean: null, variance: null }), k3('no', { axis: [-1], invert: false, mean: null, variance: null })],
  ['IntegerLookup', k2('il', { invert: false, max_tokens: null, num_oov_indices: 1, oov_token: -1, mask_token: null, output_mode: 'int', sparse: false, pad_to_max_tokens: false,
    vocabulary_dtype: 'int64', idf_weights: null, vocabulary: [5, 6, 7], vocabulary_size: 4 }),
    // oov_method, salt 3.14+
    k3('il', { invert: false, max_tokens: null, num_oov_indices: 1, oov_token: -1, mask_token: null, output_mode: 'int', sparse: false, pad_to_max_tokens: false,
      vocabulary_dtype: 'int64', idf_weights: null, vocabulary: [5, 6, 7], vocabulary_size: 4, oov_method: 'floormod', salt: null })],
  ['Attention', k2('at', { use_scale: false, score_mode: 'dot', dropout: 0 }), k3('at', { use_scale: false, score_mode: 'dot', dropout: 0, seed: null })], // seed 3.16
  ['AdditiveAttention', k2('at', { use_scale: true, dropout: 0 }), k3('at', { use_scale: true, dropout: 0, seed: null })], // seed 3.16
  ['Concatenate', k2('m', { axis: -1 }), k3('m', { axis: -1 })],
  ['Dot', k2('m', { axes: -1, normalize: false }), k3('m', { axes: -1, normalize: false })],
  ...['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum'].map((c): [string, Config, Config] => [c, k2('m', {}), k3('m', {})]),
  ...(['simple', 'lstm', 'gru'] as const).flatMap((kind): [string, Config, Config][] => [
    [LAYER_CLASS[kind], recurrent(2, kind), recurrent(3, kind)],
    [CELL_CLASS[kind], k2('cell', cell(2, kind)), k3('cell', cell(3, kind))],
  ]),
  ['StackedRNNCells', k2('s', { cells: [i2('SimpleRNNCell', k2('c1', cell(2, 'simple')))] }), k3('s', { cells: [i3('SimpleRNNCell', k3('c1', cell(3, 'simple')))] })],
  ['RNN', k2('r', { cell: i2('LSTMCell', k2('c', cell(2, 'lstm'))), ...sequenceKeys(2) }), k3('r', { cell: i3('LSTMCell', k3('c', cell(3, 'lstm'))), ...sequenceKeys(3) })],
  ['TimeDistributed', k2('t', { layer: i2('Dense', dense(2)) }), k3('t', { layer: i3('Dense', dense(3)) })],
  // Keras 2: backward_layer and num_constants only when given; Keras 3 always writes backward_layer.
  ['Bidirectional', k2('b', { layer: i2('LSTM', recurrent(2, 'lstm')), merge_mode: 'concat' }),
    k3('b', { layer: i3('LSTM', { ...recurrent(3, 'lstm'), name: 'forward_lstm' }), merge_mode: 'concat', backward_layer: i3('LSTM', { ...recurrent(3, 'lstm'), name: 'backward_lstm', go_backwards: true }) })],
  // ragged 3.10+, optional 3.14+; Keras 2 writes type_spec only for a TypeSpec input.
  ['InputLayer', { batch_input_shape: [null, 4], dtype: 'float32', sparse: false, ragged: false, name: 'in' }, { batch_shape: [null, 4], dtype: 'float32', sparse: false, ragged: false, optional: false, name: 'in' }],
];

describe('every key Keras 2.15 and Keras 3.0-3.16 write for rnnlab\'s layer classes loads at its default', () => {
  it('the table covers every registered class (except MultiHeadAttention, tested on its own, and ReverseTime, rnnlab\'s own)', () => {
    const covered = new Set(TABLE.map(([c]) => c));
    const missing = layerClassNames().filter((c) => !covered.has(c) && !['MultiHeadAttention', 'ReverseTime'].includes(c));
    expect(missing).toEqual([]);
  });

  for (const [cls, keras2, keras3] of TABLE) {
    for (const [version, config] of [['Keras 2.15', keras2], ['Keras 3.16', keras3]] as const) {
      if (!config) continue;
      it(`${cls} (${version})`, () => {
        const warn = console.warn;
        const warned: unknown[] = [];
        console.warn = (...a: unknown[]) => { warned.push(a); };
        try {
          expect(layerFromKeras({ class_name: cls, config }, `${version} file`).className).toBe(cls);
        } finally { console.warn = warn; }
        expect(warned).toEqual([]);
      });
    }
  }
});

describe('the options rnnlab does not implement are refused at their non-trivial values, naming the layer and the key', () => {
  const bn = (extra: Config) => ({ class_name: 'BatchNormalization', config: k3('bn', { axis: -1, momentum: 0.99, ...normalization(3), ...extra }) });
  it('BatchNormalization: synchronized true loads (one device), renorm true and a virtual batch size are refused', () => {
    expect(layerFromKeras(bn({ synchronized: true }), 'f').className).toBe('BatchNormalization');
    expect(layerFromKeras(bn({ renorm: false, renorm_clipping: { rmax: 3 }, renorm_momentum: 0.5 }), 'f').className).toBe('BatchNormalization');
    expect(() => layerFromKeras(bn({ renorm: true, renorm_clipping: null, renorm_momentum: 0.99 }), 'f')).toThrow(/f \(BatchNormalization 'bn'\): .*renorm = true is not supported \(batch renormalization/);
    expect(() => layerFromKeras(bn({ virtual_batch_size: 4 }), 'f')).toThrow(/BatchNormalization 'bn'.*virtual_batch_size = 4 is not supported/);
    expect(() => layerFromKeras(bn({ synchronised: false }), 'f')).toThrow(/unknown key 'synchronised' \(= false\) in the BatchNormalization config; did you mean 'synchronized'\?/);
  });
  it('LayerNormalization: rms_scaling true is refused', () => {
    expect(() => layerFromKeras({ class_name: 'LayerNormalization', config: k3('ln', { axis: -1, ...normalization(3), rms_scaling: true }) }, 'f'))
      .toThrow(/f \(LayerNormalization 'ln'\): .*rms_scaling = true is not supported/);
  });
});
