/**
 * Layer configs in Keras's JSON dialect (class_name + snake_case config), as TensorFlow.js's Layers format
 * and Keras's model.to_json() write them, and back to rnnlab layers. Writing is explicit per layer so the
 * output is what Keras and tfjs expect; reading takes snake_case or camelCase keys, checks every value it
 * uses, and ignores fields that do not change what a layer computes (regularizers, constraints, dtype).
 */
import type { Activation } from '../autograd/ops.js';
import { ActivationLayer } from '../layers/activation_layer.js';
import { Bidirectional, type MergeMode } from '../layers/bidirectional.js';
import { Conv1D } from '../layers/conv1d.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Embedding } from '../layers/embedding.js';
import { Flatten } from '../layers/flatten.js';
import { GRU } from '../layers/gru.js';
import type { InitializerName } from '../layers/initializers.js';
import { Layer, type SymbolicShape } from '../layers/layer.js';
import { LSTM } from '../layers/lstm.js';
import { MaxPooling1D } from '../layers/max_pooling1d.js';
import { RNN } from '../layers/recurrent.js';
import { RepeatVector } from '../layers/repeat_vector.js';
import { SimpleRNN } from '../layers/simple_rnn.js';
import { TimeDistributed } from '../layers/time_distributed.js';
import { ModelFormatError } from './errors.js';
import { describe } from './weights.js';

export interface KerasLayerJSON { class_name: string; config: Record<string, unknown> }

export const SUPPORTED_LAYERS = ['Dense', 'Embedding', 'Flatten', 'Conv1D', 'MaxPooling1D', 'Dropout', 'Activation', 'SimpleRNN',
  'LSTM', 'GRU', 'RepeatVector', 'TimeDistributed', 'Bidirectional'] as const;

// ---------------------------------------------------------------------------------------------- writing

export function initializerToKeras(name: InitializerName): KerasLayerJSON {
  switch (name) {
    case 'glorotUniform': return { class_name: 'GlorotUniform', config: { seed: null } };
    case 'glorotNormal': return { class_name: 'GlorotNormal', config: { seed: null } };
    case 'heUniform': return { class_name: 'HeUniform', config: { seed: null } };
    case 'orthogonal': return { class_name: 'Orthogonal', config: { gain: 1, seed: null } };
    case 'zeros': return { class_name: 'Zeros', config: {} };
    case 'ones': return { class_name: 'Ones', config: {} };
    case 'uniform': return { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } };
    default: throw new Error(`unknown initializer '${String(name)}'`);
  }
}

function baseConfig(layer: Layer, batchInputShape: SymbolicShape | null): Record<string, unknown> {
  const c: Record<string, unknown> = { name: layer.name, trainable: layer.trainable, dtype: 'float32' };
  if (batchInputShape) c.batch_input_shape = [...batchInputShape];
  return c;
}

const NO_REGULARIZERS = { kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null };

function rnnConfig(l: RNN, base: Record<string, unknown>): Record<string, unknown> {
  const c: Record<string, unknown> = { ...base, units: l.units, activation: l.activation };
  if (!(l instanceof SimpleRNN)) c.recurrent_activation = l.recurrentActivation;
  Object.assign(c, {
    use_bias: l.useBias,
    kernel_initializer: initializerToKeras(l.kernelInitializer),
    recurrent_initializer: initializerToKeras(l.recurrentInitializer),
    bias_initializer: initializerToKeras(l.biasInitializer),
  });
  if (l instanceof LSTM) c.unit_forget_bias = l.unitForgetBias;
  Object.assign(c, {
    kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null,
    kernel_constraint: null, recurrent_constraint: null, bias_constraint: null,
    dropout: l.dropout, recurrent_dropout: 0,
  });
  if (!(l instanceof SimpleRNN)) c.implementation = 2;
  if (l instanceof GRU) c.reset_after = l.resetAfter;
  Object.assign(c, { return_sequences: l.returnSequences, return_state: l.returnState, go_backwards: l.goBackwards, stateful: false, unroll: false });
  return c;
}

/** One layer as Keras JSON; batchInputShape goes on the model's first layer. */
export function layerToKeras(layer: Layer, batchInputShape: SymbolicShape | null = null): KerasLayerJSON {
  const base = baseConfig(layer, batchInputShape);
  let config: Record<string, unknown>;
  if (layer instanceof Dense) {
    config = { ...base, units: layer.units, activation: layer.activation, use_bias: layer.useBias,
      kernel_initializer: initializerToKeras(layer.kernelInitializer), bias_initializer: initializerToKeras(layer.biasInitializer), ...NO_REGULARIZERS };
  } else if (layer instanceof Embedding) {
    config = { ...base, input_dim: layer.inputDim, output_dim: layer.outputDim,
      embeddings_initializer: initializerToKeras(layer.embeddingsInitializer), embeddings_regularizer: null, activity_regularizer: null,
      embeddings_constraint: null, mask_zero: layer.maskZero, input_length: layer.inputLength ?? (batchInputShape?.[1] ?? null) };
  } else if (layer instanceof Conv1D) {
    config = { ...base, filters: layer.filters, kernel_size: [layer.kernelSize], strides: [layer.strides], padding: layer.padding,
      data_format: 'channels_last', dilation_rate: [1], activation: layer.activation, use_bias: layer.useBias,
      kernel_initializer: initializerToKeras(layer.kernelInitializer), bias_initializer: initializerToKeras(layer.biasInitializer), ...NO_REGULARIZERS };
  } else if (layer instanceof MaxPooling1D) {
    config = { ...base, pool_size: [layer.poolSize], strides: [layer.strides], padding: layer.padding, data_format: 'channels_last' };
  } else if (layer instanceof Flatten) {
    config = { ...base, data_format: 'channels_last' };
  } else if (layer instanceof Dropout) {
    config = { ...base, rate: layer.rate, noise_shape: null, seed: null };
  } else if (layer instanceof ActivationLayer) {
    config = { ...base, activation: layer.activation };
  } else if (layer instanceof RepeatVector) {
    config = { ...base, n: layer.n };
  } else if (layer instanceof RNN) {
    config = rnnConfig(layer, base);
  } else if (layer instanceof TimeDistributed) {
    config = { ...base, layer: layerToKeras(layer.layer) };
  } else if (layer instanceof Bidirectional) {
    const inner = layerToKeras(layer.forwardLayer);
    inner.config.name = layer.forwardLayer.name.replace(/^forward_/, '');
    config = { ...base, merge_mode: layer.mergeMode, layer: inner };
  } else {
    throw new ModelFormatError(`cannot save layer '${layer.name}': rnnlab has no Keras config for class '${layer.className}'`);
  }
  return { class_name: layer.className, config };
}

// ---------------------------------------------------------------------------------------------- reading

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function toCamel(k: string): string {
  return k.indexOf('_') < 0 ? k : k.replace(/_+([a-zA-Z0-9]|$)/g, (_m, c: string) => c.toUpperCase());
}

/** A config with camelCase keys, and typed readers that name the layer in every error. */
class Reader {
  readonly c: Record<string, unknown> = {};
  /** camelCase key -> the key as the file spells it, for messages. */
  private readonly spelled = new Map<string, string>();
  constructor(raw: Record<string, unknown>, readonly where: string) {
    for (const [k, v] of Object.entries(raw)) {
      this.c[toCamel(k)] = v;
      this.spelled.set(toCamel(k), k);
    }
  }
  /** The field's name as written in the file (snake_case for Keras files). */
  key(k: string): string { return this.spelled.get(k) ?? k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase(); }
  fail(msg: string): ModelFormatError { return new ModelFormatError(`${this.where}: ${msg}`); }
  has(k: string): boolean { return this.c[k] !== undefined && this.c[k] !== null; }
  bool(k: string, d: boolean): boolean {
    const v = this.c[k];
    if (v === undefined || v === null) return d;
    if (typeof v !== 'boolean') throw this.fail(`${this.key(k)} must be true or false, got ${describe(v)}`);
    return v;
  }
  num(k: string, d?: number): number {
    const v = this.c[k];
    if (v === undefined || v === null) {
      if (d === undefined) throw this.fail(`missing required field '${this.key(k)}'`);
      return d;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.fail(`${this.key(k)} must be a finite number, got ${describe(v)}`);
    return v;
  }
  /** Keras writes kernel_size, strides and the like as one-element lists. */
  one(k: string, d?: number): number {
    const v = this.c[k];
    if (Array.isArray(v)) {
      if (v.length !== 1) throw this.fail(`${this.key(k)} must be a number or a one-element list, got ${JSON.stringify(v)}`);
      if (typeof v[0] !== 'number') throw this.fail(`${this.key(k)} must hold a number, got ${JSON.stringify(v)}`);
      return v[0];
    }
    return this.num(k, d);
  }
  str(k: string, d?: string): string {
    const v = this.c[k];
    if (v === undefined || v === null) {
      if (d === undefined) throw this.fail(`missing required field '${this.key(k)}'`);
      return d;
    }
    if (typeof v !== 'string') throw this.fail(`${this.key(k)} must be a string, got ${describe(v)}`);
    return v;
  }
  activation(k: string, d: Activation): Activation {
    const v = this.c[k];
    if (v === undefined || v === null) return d;
    if (typeof v === 'string') return (v === 'hardSigmoid' ? 'hard_sigmoid' : v) as Activation;
    // Keras 3 may write {"module": "keras.activations", "class_name": "function", "config": "relu"}.
    if (isObject(v) && typeof v.config === 'string') return v.config as Activation;
    throw this.fail(`${this.key(k)} must be an activation name, got ${describe(v)}`);
  }
  initializer(k: string, d: InitializerName): InitializerName {
    return initializerFromKeras(this.c[k], d);
  }
  /** Fields whose only supported value is the default: anything else changes what the layer computes. */
  only(k: string, allowed: unknown[], why: string): void {
    const v = this.c[k];
    if (v === undefined || v === null) return;
    const ok = allowed.some((a) => JSON.stringify(a) === JSON.stringify(v));
    if (!ok) throw this.fail(`${this.key(k)} = ${JSON.stringify(v)} is not supported (${why})`);
  }
}

/** Maps a Keras initializer to rnnlab's names; unknown ones fall back (the weights are loaded anyway). */
export function initializerFromKeras(v: unknown, fallback: InitializerName): InitializerName {
  let cls: unknown = v, cfg: Record<string, unknown> = {};
  if (isObject(v)) { cls = v.class_name ?? v.className; cfg = isObject(v.config) ? v.config : {}; }
  if (typeof cls !== 'string') return fallback;
  const key = cls.replace(/_/g, '').toLowerCase();
  switch (key) {
    case 'glorotuniform': return 'glorotUniform';
    case 'glorotnormal': return 'glorotNormal';
    case 'heuniform': return 'heUniform';
    case 'orthogonal': return 'orthogonal';
    case 'zeros': case 'zero': return 'zeros';
    case 'ones': case 'one': return 'ones';
    case 'uniform': case 'randomuniform': return 'uniform';
    case 'variancescaling': {
      const mode = cfg.mode, dist = String(cfg.distribution ?? ''), scale = cfg.scale ?? 1;
      if (mode === 'fan_avg' && scale === 1) return dist.includes('normal') ? 'glorotNormal' : 'glorotUniform';
      if (mode === 'fan_in' && scale === 2 && dist === 'uniform') return 'heUniform';
      return fallback;
    }
    default: return fallback;
  }
}

function checkBatchShape(v: unknown, r: Reader): SymbolicShape {
  if (!Array.isArray(v) || v.length < 2 || !v.every((d) => d === null || (Number.isSafeInteger(d) && (d as number) > 0))) {
    throw r.fail(`batch_input_shape must be a list like [null, steps, features] of positive integers or null, got ${JSON.stringify(v)}`);
  }
  return v as SymbolicShape;
}

/** The input shape a layer config declares (batch_input_shape, Keras 3's batch_shape, or input_shape), or null. */
export function declaredBatchShape(raw: Record<string, unknown>, where: string): SymbolicShape | null {
  const r = new Reader(raw, where);
  if (r.has('batchInputShape')) return checkBatchShape(r.c.batchInputShape, r);
  if (r.has('batchShape')) return checkBatchShape(r.c.batchShape, r);
  if (r.has('inputShape')) {
    if (!Array.isArray(r.c.inputShape)) throw r.fail(`input_shape must be a list, got ${describe(r.c.inputShape)}`);
    return checkBatchShape([null, ...r.c.inputShape], r);
  }
  return null;
}

function construct<T>(r: Reader, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw r.fail((e as Error).message);
  }
}

function rnnArgs(r: Reader, withRecurrentActivation: boolean): Record<string, unknown> {
  r.only('stateful', [false], 'rnnlab has no stateful RNNs');
  r.only('timeMajor', [false], 'rnnlab takes (batch, steps, features)');
  return {
    units: r.num('units'),
    activation: r.activation('activation', 'tanh'),
    ...(withRecurrentActivation ? { recurrentActivation: r.activation('recurrentActivation', 'sigmoid') } : {}),
    useBias: r.bool('useBias', true),
    returnSequences: r.bool('returnSequences', false),
    returnState: r.bool('returnState', false),
    goBackwards: r.bool('goBackwards', false),
    dropout: r.num('dropout', 0),
    kernelInitializer: r.initializer('kernelInitializer', 'glorotUniform'),
    recurrentInitializer: r.initializer('recurrentInitializer', 'orthogonal'),
    biasInitializer: r.initializer('biasInitializer', 'zeros'),
  };
}

/** Parses {class_name, config} (at `where`, for errors) into an unbuilt rnnlab layer. */
export function layerFromKeras(entry: unknown, where: string, batchInputShape: SymbolicShape | null = null): Layer {
  if (!isObject(entry)) throw new ModelFormatError(`${where}: a layer must be an object {class_name, config}, got ${describe(entry)}`);
  const cls = entry.class_name ?? entry.className;
  if (typeof cls !== 'string') throw new ModelFormatError(`${where}: the layer has no class_name`);
  const rawConfig = entry.config ?? {};
  if (!isObject(rawConfig)) throw new ModelFormatError(`${where} (${cls}): config must be an object, got ${describe(rawConfig)}`);
  const name = rawConfig.name;
  if (name !== undefined && (typeof name !== 'string' || name === '' || name.includes('/'))) {
    throw new ModelFormatError(`${where} (${cls}): name must be a non-empty string without '/', got ${describe(name)}`);
  }
  const r = new Reader(rawConfig, `${where} (${cls}${name ? ` '${name}'` : ''})`);
  const common: Record<string, unknown> = { trainable: r.bool('trainable', true) };
  if (name !== undefined) common.name = name;
  const shape = batchInputShape ?? declaredBatchShape(rawConfig, r.where);
  if (shape) common.batchInputShape = shape;
  r.only('dataFormat', ['channels_last', 'channelsLast'], 'rnnlab is channels-last');
  switch (cls) {
    case 'Dense':
      return construct(r, () => new Dense({ ...common, units: r.num('units'), activation: r.activation('activation', 'linear'), useBias: r.bool('useBias', true),
        kernelInitializer: r.initializer('kernelInitializer', 'glorotUniform'), biasInitializer: r.initializer('biasInitializer', 'zeros') } as never));
    case 'Embedding': {
      const inputLength = r.c.inputLength;
      if (inputLength !== undefined && inputLength !== null && !(typeof inputLength === 'number' || (Array.isArray(inputLength) && inputLength.length === 1))) {
        throw r.fail(`input_length must be a number or null, got ${describe(inputLength)}`);
      }
      const len = inputLength === undefined || inputLength === null ? undefined : r.one('inputLength');
      return construct(r, () => new Embedding({ ...common, inputDim: r.num('inputDim'), outputDim: r.num('outputDim'), inputLength: len,
        maskZero: r.bool('maskZero', false), embeddingsInitializer: r.initializer('embeddingsInitializer', 'uniform') } as never));
    }
    case 'Flatten':
      return construct(r, () => new Flatten(common as never));
    case 'Conv1D':
      r.only('groups', [1], 'grouped convolutions are not implemented');
      return construct(r, () => new Conv1D({ ...common, filters: r.num('filters'), kernelSize: r.one('kernelSize'), strides: r.one('strides', 1),
        padding: r.str('padding', 'valid'), dilationRate: r.one('dilationRate', 1), activation: r.activation('activation', 'linear'),
        useBias: r.bool('useBias', true), kernelInitializer: r.initializer('kernelInitializer', 'glorotUniform'),
        biasInitializer: r.initializer('biasInitializer', 'zeros') } as never));
    case 'MaxPooling1D': case 'MaxPool1D':
      return construct(r, () => new MaxPooling1D({ ...common, poolSize: r.one('poolSize', 2), strides: r.has('strides') ? r.one('strides') : undefined,
        padding: r.str('padding', 'valid') } as never));
    case 'Dropout':
      return construct(r, () => new Dropout({ ...common, rate: r.num('rate') } as never));
    case 'Activation':
      return construct(r, () => new ActivationLayer({ ...common, activation: r.activation('activation', 'linear') } as never));
    case 'RepeatVector':
      return construct(r, () => new RepeatVector({ ...common, n: r.num('n') } as never));
    case 'SimpleRNN':
      return construct(r, () => new SimpleRNN({ ...common, ...rnnArgs(r, false) } as never));
    case 'LSTM':
      return construct(r, () => new LSTM({ ...common, ...rnnArgs(r, true), unitForgetBias: r.bool('unitForgetBias', true) } as never));
    case 'GRU':
      return construct(r, () => new GRU({ ...common, ...rnnArgs(r, true), resetAfter: r.bool('resetAfter', true) } as never));
    case 'TimeDistributed': {
      const inner = layerFromKeras(r.c.layer, `${r.where} > layer`);
      return construct(r, () => new TimeDistributed({ ...common, layer: inner } as never));
    }
    case 'Bidirectional': {
      if (r.has('backwardLayer')) throw r.fail('a custom backward_layer is not supported (rnnlab mirrors the forward layer)');
      if (r.c.mergeMode === null) throw r.fail('merge_mode null (separate outputs) is not supported; use concat, sum, mul or ave');
      const mode = r.str('mergeMode', 'concat');
      const inner = layerFromKeras(r.c.layer, `${r.where} > layer`);
      if (!(inner instanceof RNN)) throw r.fail(`the wrapped layer must be SimpleRNN, LSTM or GRU, got ${inner.className}`);
      return construct(r, () => new Bidirectional({ ...common, layer: inner, mergeMode: mode as MergeMode } as never));
    }
    default:
      throw new ModelFormatError(`${where}: unknown layer class '${cls}'; rnnlab reads ${SUPPORTED_LAYERS.join(', ')} (and InputLayer first)`);
  }
}
