/** The lab's models, exactly as the seed builds them in Keras, plus GRU and BiLSTM variants. */
import { layers } from '../layers/index.js';
import type { Layer } from '../layers/layer.js';
import { Sequential, sequential } from '../models/sequential.js';

export const IMDB_MODELS = ['ff_raw', 'ff_embed', 'cnn', 'simple_rnn', 'lstm', 'cnn_lstm', 'gru', 'bilstm'] as const;
export type ImdbModelName = (typeof IMDB_MODELS)[number];

export interface ImdbModelOptions {
  vocab?: number;
  maxlen?: number;
  embeddingDim?: number;
  /** Recurrent units (100 in the lab) or the hidden Dense width for the feed-forward models (250). */
  units?: number;
  maskZero?: boolean;
  /** The Embedding takes any number of steps (no inputLength): what bucketed batching, which trims batches, needs. */
  freeLength?: boolean;
  /** Stacked recurrent layers (1 in the lab; the models of STACKABLE_MODELS only): Model 4's "stacking multiple layers". */
  layers?: number;
  /**
   * Model 4's "applying dropouts": the input dropout of each recurrent layer (Keras's `dropout`), or for ff_raw,
   * ff_embed and cnn a Dropout layer after the hidden Dense. 0 (the lab) adds nothing.
   */
  dropout?: number;
}

/** The models with recurrent layers to stack. */
export const STACKABLE_MODELS: readonly ImdbModelName[] = ['simple_rnn', 'lstm', 'cnn_lstm', 'gru', 'bilstm'];

/** The defaults of an IMDb run: the CLI's flags, the dashboard's form and a job spec all read them from here. */
export const IMDB_RUN_DEFAULTS = { model: 'lstm' as ImdbModelName, vocab: 10000, maxlen: 500, embeddingDim: 100, optimizer: 'adam' as const, seed: 1 };

/** Epochs and batch size the seed trains each model with. */
export const IMDB_DEFAULTS: Record<ImdbModelName, { epochs: number; batchSize: number }> = {
  ff_raw: { epochs: 10, batchSize: 128 },
  ff_embed: { epochs: 2, batchSize: 128 },
  cnn: { epochs: 2, batchSize: 128 },
  simple_rnn: { epochs: 20, batchSize: 16 },
  lstm: { epochs: 3, batchSize: 64 },
  cnn_lstm: { epochs: 3, batchSize: 64 },
  gru: { epochs: 3, batchSize: 64 },
  bilstm: { epochs: 3, batchSize: 64 },
};

/**
 * The models whose Embedding feeds a recurrent layer directly, so maskZero makes that layer skip the padding (the one
 * list for imdb, compare, dashboard jobs and train's text models, src/tasks/text_model.ts). Elsewhere the mask reaches
 * no layer that reads it: ff_raw has no Embedding, and Flatten and Conv1D do not support masking, so the mask ends
 * at them (Keras 3 drops it there with a warning; tf.keras 2 and tfjs raise) and cnn_lstm's LSTM after the Conv1D
 * never sees one. mask_zero does not change the Embedding's values, so --mask-zero would change nothing: refused.
 */
export const MASK_READING_MODELS: readonly ImdbModelName[] = ['simple_rnn', 'lstm', 'gru', 'bilstm'];

/** Why maskZero is of no use to `models` (a sentence to put after the option's name), or null when one reads the mask. */
export function maskZeroUnused(models: readonly string[]): string | null {
  if (models.some((m) => (MASK_READING_MODELS as readonly string[]).includes(m))) return null;
  return `changes nothing for ${models.join(', ')}: no layer of ${models.length === 1 ? 'it' : 'them'} reads the padding mask (it applies to ${MASK_READING_MODELS.join(', ')})`;
}

/** The models that pool pairs of steps (MaxPooling1D(2)) and so need at least two. */
export const POOLING_MODELS: readonly ImdbModelName[] = ['cnn', 'cnn_lstm'];

/** Why maxlen is too short for some of `models` (a sentence naming --maxlen), or null. */
export function maxlenProblem(models: readonly ImdbModelName[], maxlen: number): string | null {
  const pooling = models.filter((m) => POOLING_MODELS.includes(m));
  return maxlen < 2 && pooling.length
    ? `--maxlen ${maxlen} is too short for ${pooling.join(' and ')}: MaxPooling1D(2) pools pairs of steps, so give --maxlen 2 or more`
    : null;
}

/** The models with an Embedding, whose size --embedding-dim sets (ff_raw feeds the raw ids to a Dense). */
export const EMBEDDING_MODELS: readonly ImdbModelName[] = IMDB_MODELS.filter((m) => m !== 'ff_raw');

/** How a model option is named in a message: the CLI's flag (--mask-zero) or the dashboard job's field (maskZero). */
export type OptionSpelling = 'flag' | 'field';

const OPTION_NAMES = {
  maskZero: { flag: '--mask-zero', field: 'maskZero' },
  embeddingDim: { flag: '--embedding-dim', field: 'embeddingDim' },
  layers: { flag: '--layers', field: 'layers' },
} as const;

/**
 * Model options that none of `models` would use, as sentences naming the option as `spelling` says (CLI flags by
 * default): maskZero where no model reads a mask, an embedding size where no model has an Embedding, layers where
 * none has a recurrent layer. Empty when every given option applies to some model.
 */
export function unusedModelOptions(models: readonly ImdbModelName[], o: { maskZero?: boolean; embeddingDimGiven?: boolean; layers?: number }, spelling: OptionSpelling = 'flag'): string[] {
  const list = (ms: readonly ImdbModelName[]) => ms.join(', ');
  const name = (k: keyof typeof OPTION_NAMES) => OPTION_NAMES[k][spelling];
  const problems: string[] = [];
  const maskZero = o.maskZero ? maskZeroUnused(models) : null;
  if (maskZero) problems.push(`${name('maskZero')} ${maskZero}`);
  if (o.embeddingDimGiven && !models.some((m) => EMBEDDING_MODELS.includes(m))) {
    problems.push(`${name('embeddingDim')} changes nothing for ${list(models)}: it has no Embedding layer (it feeds the raw word ids to a Dense layer)`);
  }
  if (o.layers !== undefined && !models.some((m) => STACKABLE_MODELS.includes(m))) {
    problems.push(`${name('layers')} changes nothing for ${list(models)}: no recurrent layer to stack (it applies to ${list(STACKABLE_MODELS)})`);
  }
  return problems;
}

/** The width imdbModel gives `name` when units is not set: 250 for the hidden Dense of ff_raw, ff_embed and cnn, 100 for the recurrent layers. */
export function imdbUnits(name: ImdbModelName, units?: number): number {
  return units ?? (STACKABLE_MODELS.includes(name) ? 100 : 250);
}

export function imdbModel(name: ImdbModelName, o: ImdbModelOptions = {}): Sequential {
  return sequential({ layers: imdbLayers(name, o) });
}

/**
 * imdbModel's layers, unbuilt: a Sequential with an input shape builds (allocates) its weights at once, so what only
 * counts them (planStack, src/models/param_plan.ts) takes the layers instead.
 */
export function imdbLayers(name: ImdbModelName, o: ImdbModelOptions = {}): Layer[] {
  const vocab = o.vocab ?? IMDB_RUN_DEFAULTS.vocab, maxlen = o.maxlen ?? IMDB_RUN_DEFAULTS.maxlen, dim = o.embeddingDim ?? IMDB_RUN_DEFAULTS.embeddingDim;
  const embed = () => layers.embedding({ inputDim: vocab, outputDim: dim, inputLength: o.freeLength ? undefined : maxlen, maskZero: o.maskZero ?? false });
  const out = () => layers.dense({ units: 1, activation: 'sigmoid' });
  const rnnUnits = imdbUnits(name, o.units);
  const n = o.layers ?? 1, dropout = o.dropout ?? 0;
  if (!Number.isInteger(n) || n < 1) throw new Error(`layers must be a positive integer, got ${n}`);
  if (n > 1 && !STACKABLE_MODELS.includes(name)) throw new Error(`${name} has no recurrent layer to stack; layers applies to ${STACKABLE_MODELS.join(', ')}`);
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`dropout must be in [0, 1), got ${dropout}`);
  // The lab's models exactly when dropout is 0: no Dropout layer and no dropout option at all.
  const drop = (): Layer[] => (dropout ? [layers.dropout({ rate: dropout })] : []);
  const hidden = () => [layers.dense({ units: imdbUnits(name, o.units), activation: 'relu' }), ...drop()];
  type RnnArgs = { units: number; returnSequences: boolean; dropout?: number };
  const stack = (make: (a: RnnArgs) => Layer) =>
    Array.from({ length: n }, (_, i) => make({ units: rnnUnits, returnSequences: i < n - 1, ...(dropout ? { dropout } : {}) }));
  switch (name) {
    case 'ff_raw':
      return [layers.dense({ units: imdbUnits(name, o.units), activation: 'relu', inputDim: maxlen }), ...drop(), out()];
    case 'ff_embed':
      return [embed(), layers.flatten(), ...hidden(), out()];
    case 'cnn':
      return [embed(), layers.conv1d({ filters: 200, kernelSize: 3, padding: 'same', activation: 'relu' }),
        layers.maxPooling1d({ poolSize: 2 }), layers.flatten(), ...hidden(), out()];
    case 'simple_rnn':
      return [embed(), ...stack((a) => layers.simpleRNN(a)), out()];
    case 'lstm':
      return [embed(), ...stack((a) => layers.lstm(a)), out()];
    case 'cnn_lstm':
      return [embed(), layers.conv1d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
        layers.maxPooling1d({ poolSize: 2 }), ...stack((a) => layers.lstm(a)), out()];
    case 'gru':
      return [embed(), ...stack((a) => layers.gru(a)), out()];
    case 'bilstm':
      return [embed(), ...stack((a) => layers.bidirectional({ layer: layers.lstm(a) })), out()];
    default:
      throw new Error(`unknown IMDb model '${String(name)}': choose one of ${IMDB_MODELS.join(', ')}`);
  }
}

export interface AdditionModelOptions {
  digits?: number;
  hidden?: number;
  layers?: number;
  rnn?: 'lstm' | 'gru' | 'simple_rnn';
  vocabSize?: number;
}

/** The lab's encoder–decoder: RNN(hidden) -> RepeatVector(digits+1) -> RNN(hidden, seq) x layers -> TimeDistributed(Dense softmax). */
export function additionModel(o: AdditionModelOptions = {}): Sequential {
  const m = sequential();
  for (const l of additionLayers(o)) m.add(l);
  return m;
}

/** additionModel's layers, unbuilt (see imdbLayers). */
export function additionLayers(o: AdditionModelOptions = {}): Layer[] {
  const digits = o.digits ?? 3, hidden = o.hidden ?? 128, nLayers = o.layers ?? 1, chars = o.vocabSize ?? 12;
  const rnn = (args: { units: number; inputShape?: number[]; returnSequences?: boolean }) =>
    o.rnn === 'gru' ? layers.gru(args) : o.rnn === 'simple_rnn' ? layers.simpleRNN(args) : layers.lstm(args);
  return [
    rnn({ units: hidden, inputShape: [2 * digits + 1, chars] }),
    layers.repeatVector({ n: digits + 1 }),
    ...Array.from({ length: nLayers }, () => rnn({ units: hidden, returnSequences: true })),
    layers.timeDistributed({ layer: layers.dense({ units: chars, activation: 'softmax' }) }),
  ];
}
