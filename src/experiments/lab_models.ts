/** The lab's models, exactly as the seed builds them in Keras, plus GRU and BiLSTM variants. */
import { layers } from '../layers/index.js';
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
}

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

export function imdbModel(name: ImdbModelName, o: ImdbModelOptions = {}): Sequential {
  const vocab = o.vocab ?? IMDB_RUN_DEFAULTS.vocab, maxlen = o.maxlen ?? IMDB_RUN_DEFAULTS.maxlen, dim = o.embeddingDim ?? IMDB_RUN_DEFAULTS.embeddingDim;
  const embed = () => layers.embedding({ inputDim: vocab, outputDim: dim, inputLength: o.freeLength ? undefined : maxlen, maskZero: o.maskZero ?? false });
  const out = () => layers.dense({ units: 1, activation: 'sigmoid' });
  const rnnUnits = o.units ?? 100;
  switch (name) {
    case 'ff_raw':
      return sequential({ layers: [layers.dense({ units: o.units ?? 250, activation: 'relu', inputDim: maxlen }), out()] });
    case 'ff_embed':
      return sequential({ layers: [embed(), layers.flatten(), layers.dense({ units: o.units ?? 250, activation: 'relu' }), out()] });
    case 'cnn':
      return sequential({ layers: [embed(), layers.conv1d({ filters: 200, kernelSize: 3, padding: 'same', activation: 'relu' }),
        layers.maxPooling1d({ poolSize: 2 }), layers.flatten(), layers.dense({ units: o.units ?? 250, activation: 'relu' }), out()] });
    case 'simple_rnn':
      return sequential({ layers: [embed(), layers.simpleRNN({ units: rnnUnits }), out()] });
    case 'lstm':
      return sequential({ layers: [embed(), layers.lstm({ units: rnnUnits }), out()] });
    case 'cnn_lstm':
      return sequential({ layers: [embed(), layers.conv1d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
        layers.maxPooling1d({ poolSize: 2 }), layers.lstm({ units: rnnUnits }), out()] });
    case 'gru':
      return sequential({ layers: [embed(), layers.gru({ units: rnnUnits }), out()] });
    case 'bilstm':
      return sequential({ layers: [embed(), layers.bidirectional({ layer: layers.lstm({ units: rnnUnits }) }), out()] });
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
  const digits = o.digits ?? 3, hidden = o.hidden ?? 128, nLayers = o.layers ?? 1, chars = o.vocabSize ?? 12;
  const rnn = (args: { units: number; inputShape?: number[]; returnSequences?: boolean }) =>
    o.rnn === 'gru' ? layers.gru(args) : o.rnn === 'simple_rnn' ? layers.simpleRNN(args) : layers.lstm(args);
  const m = sequential();
  m.add(rnn({ units: hidden, inputShape: [2 * digits + 1, chars] }));
  m.add(layers.repeatVector({ n: digits + 1 }));
  for (let i = 0; i < nLayers; i++) m.add(rnn({ units: hidden, returnSequences: true }));
  m.add(layers.timeDistributed({ layer: layers.dense({ units: chars, activation: 'softmax' }) }));
  return m;
}
