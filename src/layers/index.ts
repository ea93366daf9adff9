/** tfjs-style factories: rl.layers.dense({...}) etc., plus the classes. */
import { ActivationLayer, type ActivationArgs } from './activation_layer.js';
import { Bidirectional, type BidirectionalArgs } from './bidirectional.js';
import { Conv1D, type Conv1DArgs } from './conv1d.js';
import { Dense, type DenseArgs } from './dense.js';
import { Dropout, type DropoutArgs } from './dropout.js';
import { Embedding, type EmbeddingArgs } from './embedding.js';
import { Flatten } from './flatten.js';
import { GRU, type GRUArgs } from './gru.js';
import { Layer, type LayerArgs } from './layer.js';
import { LSTM, type LSTMArgs } from './lstm.js';
import { MaxPooling1D, type MaxPooling1DArgs } from './max_pooling1d.js';
import { RNN, type RNNArgs } from './recurrent.js';
import { RepeatVector, type RepeatVectorArgs } from './repeat_vector.js';
import { SimpleRNN } from './simple_rnn.js';
import { TimeDistributed, type TimeDistributedArgs } from './time_distributed.js';

export {
  ActivationLayer, Bidirectional, Conv1D, Dense, Dropout, Embedding, Flatten, GRU, Layer, LSTM, MaxPooling1D, RNN,
  RepeatVector, SimpleRNN, TimeDistributed,
};
export type {
  ActivationArgs, BidirectionalArgs, Conv1DArgs, DenseArgs, DropoutArgs, EmbeddingArgs, GRUArgs, LayerArgs, LSTMArgs,
  MaxPooling1DArgs, RNNArgs, RepeatVectorArgs, TimeDistributedArgs,
};

export const layers = {
  dense: (args: DenseArgs) => new Dense(args),
  embedding: (args: EmbeddingArgs) => new Embedding(args),
  flatten: (args?: LayerArgs) => new Flatten(args),
  conv1d: (args: Conv1DArgs) => new Conv1D(args),
  maxPooling1d: (args?: MaxPooling1DArgs) => new MaxPooling1D(args),
  maxPool1d: (args?: MaxPooling1DArgs) => new MaxPooling1D(args),
  dropout: (args: DropoutArgs) => new Dropout(args),
  activation: (args: ActivationArgs) => new ActivationLayer(args),
  simpleRNN: (args: RNNArgs) => new SimpleRNN(args),
  lstm: (args: LSTMArgs) => new LSTM(args),
  gru: (args: GRUArgs) => new GRU(args),
  bidirectional: (args: BidirectionalArgs) => new Bidirectional(args),
  repeatVector: (args: RepeatVectorArgs) => new RepeatVector(args),
  timeDistributed: (args: TimeDistributedArgs) => new TimeDistributed(args),
};

/** Rebuilds a layer from its class name and config (the inverse of getConfig), for loading saved models. */
export function layerFromConfig(className: string, config: Record<string, unknown>): Layer {
  const c = config as never;
  switch (className) {
    case 'Dense': return new Dense(c);
    case 'Embedding': return new Embedding(c);
    case 'Flatten': return new Flatten(c);
    case 'Conv1D': return new Conv1D(c);
    case 'MaxPooling1D': return new MaxPooling1D(c);
    case 'Dropout': return new Dropout(c);
    case 'Activation': return new ActivationLayer(c);
    case 'SimpleRNN': return new SimpleRNN(c);
    case 'LSTM': return new LSTM(c);
    case 'GRU': return new GRU(c);
    case 'RepeatVector': return new RepeatVector(c);
    case 'TimeDistributed': {
      const inner = (config.layer ?? {}) as { className: string; config: Record<string, unknown> };
      return new TimeDistributed({ ...(config as object), layer: layerFromConfig(inner.className, inner.config) } as TimeDistributedArgs);
    }
    case 'Bidirectional': {
      const inner = (config.layer ?? {}) as { className: string; config: Record<string, unknown> };
      return new Bidirectional({ ...(config as object), layer: layerFromConfig(inner.className, inner.config) as RNN } as BidirectionalArgs);
    }
    default:
      throw new Error(`unknown layer class '${className}'`);
  }
}
