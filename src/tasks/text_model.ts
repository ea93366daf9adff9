/**
 * Classifiers for token ids: the lab's IMDb architectures (src/experiments/lab_models.ts) generalised to any
 * number of classes, stacked recurrent layers and dropout. Two classes get one sigmoid unit (binary
 * crossentropy), more a softmax over the classes (sparse categorical crossentropy).
 */
import { layers } from '../layers/index.js';
import type { Layer } from '../layers/layer.js';
import { Sequential } from '../models/sequential.js';
import { optimizers } from '../optimizers/index.js';
// maskZero applies to the models lab_models.ts lists as reading the mask (the same names there and here).
import { maskZeroUnused } from '../experiments/lab_models.js';

export const TEXT_MODELS = ['lstm', 'gru', 'bilstm', 'simple_rnn', 'cnn_lstm', 'cnn', 'ff_embed'] as const;
export type TextModelName = (typeof TEXT_MODELS)[number];
const RECURRENT: readonly TextModelName[] = ['lstm', 'gru', 'bilstm', 'simple_rnn', 'cnn_lstm'];

export interface TextModelOptions {
  vocab: number;
  maxlen: number;
  numClasses: number;
  embeddingDim?: number;
  /** Recurrent units, or the hidden Dense width of cnn / ff_embed (the lab's 100 and 250). */
  units?: number;
  /** Stacked recurrent layers (recurrent models only: given for cnn / ff_embed, even as 1, it is refused). */
  layers?: number;
  /** Input dropout of each recurrent layer (Keras's `dropout`); for cnn / ff_embed a Dropout before the output. */
  dropout?: number;
  /** Keras's recurrent_dropout (recurrent models only: given for cnn / ff_embed, even as 0, it is refused). */
  recurrentDropout?: number;
  maskZero?: boolean;
  learningRate?: number;
  /** The Embedding takes any number of steps (no inputLength), as bucketed batches, trimmed per batch, need. */
  freeLength?: boolean;
}

/** A task option with a bad value; `option` is its name (camelCase), so a CLI can name its flag instead. */
export class TextOptionError extends Error {
  constructor(readonly option: string, problem: string) { super(`${option}: ${problem}`); this.name = 'TextOptionError'; }
}

export function isTextModelName(name: string): name is TextModelName { return (TEXT_MODELS as readonly string[]).includes(name); }

function recurrentLayer(cell: 'lstm' | 'gru' | 'simple_rnn', units: number, returnSequences: boolean, o: TextModelOptions): Layer {
  const args = { units, returnSequences, dropout: o.dropout ?? 0, ...(o.recurrentDropout ? { recurrentDropout: o.recurrentDropout } : {}) };
  return cell === 'gru' ? layers.gru(args) : cell === 'simple_rnn' ? layers.simpleRNN(args) : layers.lstm(args);
}

const cellOf = (name: TextModelName) => (name === 'gru' ? 'gru' : name === 'simple_rnn' ? 'simple_rnn' : 'lstm');

export function checkTextModelOptions(name: string, o: TextModelOptions): asserts name is TextModelName {
  if (!isTextModelName(name)) {
    throw new TextOptionError('model', `unknown model '${name}'; choose one of ${TEXT_MODELS.join(', ')}` + (name === 'ff_raw' ? " (ff_raw feeds raw word ids to a Dense layer; it does not apply to text classification)" : ''));
  }
  const recurrent = RECURRENT.includes(name);
  const n = o.layers ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new TextOptionError('layers', `must be a positive integer, got ${n}`);
  // Given at all, even as its default (1, 0), an option the model has no layer for changes nothing: refused as
  // rnnlab imdb refuses --layers for cnn, so that a run never records a setting it did not use.
  if (!recurrent && o.layers !== undefined) throw new TextOptionError('layers', `${name} has no recurrent layers to stack, so it changes nothing here (it applies to ${RECURRENT.join(', ')})`);
  if (!recurrent && o.recurrentDropout !== undefined) throw new TextOptionError('recurrentDropout', `${name} has no recurrent layer, so it changes nothing here (it applies to ${RECURRENT.join(', ')})`);
  const maskZero = o.maskZero ? maskZeroUnused([name]) : null;
  if (maskZero) throw new TextOptionError('maskZero', maskZero);
  for (const [k, v] of [['dropout', o.dropout], ['recurrentDropout', o.recurrentDropout]] as const) {
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v < 1)) throw new TextOptionError(k, `must be in [0, 1), got ${v}`);
  }
  if (o.maxlen < leastMaxlen(name)) throw new TextOptionError('maxlen', `${name} pools pairs of steps and needs maxlen >= 2, got ${o.maxlen}`);
  if (o.numClasses < 2) throw new TextOptionError('numClasses', `a classifier needs at least two classes, got ${o.numClasses}`);
}

/** The shortest maxlen the model takes: the CNNs pool pairs of steps. */
export function leastMaxlen(name: string): number {
  return name === 'cnn' || name === 'cnn_lstm' ? 2 : 1;
}

/** The compiled model (Adam, accuracy). */
export function buildTextModel(name: string, o: TextModelOptions): Sequential {
  checkTextModelOptions(name, o);
  const dim = o.embeddingDim ?? 100, n = o.layers ?? 1;
  const binary = o.numClasses === 2;
  const stack: Layer[] = [layers.embedding({ inputDim: o.vocab, outputDim: dim, inputLength: o.freeLength ? undefined : o.maxlen, maskZero: o.maskZero ?? false })];
  if (name === 'cnn' || name === 'ff_embed') {
    if (name === 'cnn') stack.push(layers.conv1d({ filters: 200, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.maxPooling1d({ poolSize: 2 }));
    stack.push(layers.flatten(), layers.dense({ units: o.units ?? 250, activation: 'relu' }));
    if (o.dropout) stack.push(layers.dropout({ rate: o.dropout }));
  } else {
    if (name === 'cnn_lstm') stack.push(layers.conv1d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.maxPooling1d({ poolSize: 2 }));
    for (let i = 0; i < n; i++) {
      const layer = recurrentLayer(cellOf(name), o.units ?? 100, i < n - 1, o);
      stack.push(name === 'bilstm' ? layers.bidirectional({ layer: layer as never }) : layer);
    }
  }
  stack.push(layers.dense({ units: binary ? 1 : o.numClasses, activation: binary ? 'sigmoid' : 'softmax' }));
  const model = new Sequential({ layers: stack });
  model.compile({
    optimizer: o.learningRate === undefined ? 'adam' : optimizers.adam({ learningRate: o.learningRate }),
    loss: binary ? 'binaryCrossentropy' : 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}
