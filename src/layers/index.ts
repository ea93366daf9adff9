/** tfjs-style factories (rl.layers.dense({...}) etc.) and the classes; importing this registers every layer. */
import { factoryOf, refusingExtraArguments } from '../factory.js';
import { ActivationLayer, type ActivationArgs } from './activation_layer.js';
import { Bidirectional, type BidirectionalArgs } from './bidirectional.js';
import { Conv1D, type Conv1DArgs } from './conv1d.js';
import { Dense, type DenseArgs } from './dense.js';
import { Dropout, type DropoutArgs } from './dropout.js';
import { Embedding, type EmbeddingArgs } from './embedding.js';
import { Flatten, type FlattenArgs } from './flatten.js';
import { GlobalAveragePooling1D } from './global_average_pooling1d.js';
import { GlobalMaxPooling1D } from './global_max_pooling1d.js';
import type { GlobalPooling1DArgs } from './global_pooling1d.js';
import { GRU, type GRUArgs } from './gru.js';
import { Layer, type Kwargs, type LayerArgs } from './layer.js';
import { LSTM, type LSTMArgs } from './lstm.js';
import { MaxPooling1D, type MaxPooling1DArgs } from './max_pooling1d.js';
import type { RNNArgs } from './recurrent.js';
import { RepeatVector, type RepeatVectorArgs } from './repeat_vector.js';
import { ReverseTime } from './reverse_time.js';
import { SimpleRNN } from './simple_rnn.js';
import { TimeDistributed, type TimeDistributedArgs } from './time_distributed.js';
import { InputLayer, input, type InputArgs, type InputLayerArgs } from './input_layer.js';
import { Add, Average, Maximum, Minimum, Multiply, Subtract, mergeFactory, type MergeArgs } from './merging.js';
import { Concatenate, type ConcatenateArgs } from './concatenate.js';
import { Dot, type DotArgs } from './dot.js';
import { Attention, type AttentionArgs } from './attention.js';
import { AdditiveAttention, type AdditiveAttentionArgs } from './additive_attention.js';
import { MultiHeadAttention, type MultiHeadAttentionArgs, type MultiHeadAttentionApplyArgs } from './multi_head_attention.js';
import { BatchNormalization, type BatchNormalizationArgs } from './batch_normalization.js';
import { LayerNormalization, type LayerNormalizationArgs } from './layer_normalization.js';
import { AveragePooling1D, type AveragePooling1DArgs } from './average_pooling1d.js';
import { UpSampling1D, type UpSampling1DArgs } from './up_sampling1d.js';
import { Reshape, type ReshapeArgs } from './reshape.js';
import { Permute, type PermuteArgs } from './permute.js';
import { ZeroPadding1D, type ZeroPadding1DArgs } from './zero_padding1d.js';
import { Cropping1D, type Cropping1DArgs } from './cropping1d.js';
import { Masking, type MaskingArgs } from './masking.js';
import { SpatialDropout1D, type SpatialDropout1DArgs } from './spatial_dropout1d.js';
import { GaussianNoise, type GaussianNoiseArgs } from './gaussian_noise.js';
import { GaussianDropout, type GaussianDropoutArgs } from './gaussian_dropout.js';
import { AlphaDropout, type AlphaDropoutArgs } from './alpha_dropout.js';
import { ReLU, type ReLUArgs } from './relu.js';
import { LeakyReLU, type LeakyReLUArgs } from './leaky_relu.js';
import { ELU, type ELUArgs } from './elu.js';
import { PReLU, type PReLUArgs } from './prelu.js';
import { ThresholdedReLU, type ThresholdedReLUArgs } from './thresholded_relu.js';
import { Softmax, type SoftmaxArgs } from './softmax.js';
import { ActivityRegularization, type ActivityRegularizationArgs } from './activity_regularization.js';
import { Rescaling, type RescalingArgs } from './rescaling.js';
import { CategoryEncoding, type CategoryEncodingArgs } from './category_encoding.js';
import { UnitNormalization, type UnitNormalizationArgs } from './unit_normalization.js';
import { GroupNormalization, type GroupNormalizationArgs } from './group_normalization.js';
import { IntegerLookup, type IntegerLookupArgs } from './integer_lookup.js';
import { Hashing, type HashingArgs } from './hashing.js';
import { Discretization, type DiscretizationArgs } from './discretization.js';
import { Normalization, type NormalizationArgs } from './normalization_layer.js';
import { GRUCell, LSTMCell, RNNCell, SimpleRNNCell, StackedRNNCells, type StackedRNNCellsArgs } from './rnn_cells.js';
import { CellRNN, type RNNLayerArgs } from './rnn_layer.js';
import { RNNCellBase } from './rnn_cell_base.js';
import { RNN as RNNClass } from './public_classes.js';
import { checkThenConstruct, knowFactoryNames, refuseExtraOptions } from './option_probe.js';
import { imageLayerRefusals } from './image_layers.js';
import { kerasOnlyLayerRefusals } from './keras_only_layers.js';

// The concrete classes as rl.layerClasses exports them, held to the factories' option check (public_classes.ts).
export * from './public_classes.js';
// Bases to extend, and the classes whose constructors check their own options.
// (SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells, CellRNN and RNN, tfjs's name for CellRNN, come from
// public_classes.ts, their fromConfig wrapped.)
export { Layer, RNNCell };
export type {
  ActivationArgs, BidirectionalArgs, Conv1DArgs, DenseArgs, DropoutArgs, EmbeddingArgs, FlattenArgs, GlobalPooling1DArgs, GRUArgs, LayerArgs,
  LSTMArgs, MaxPooling1DArgs, RNNArgs, RepeatVectorArgs, TimeDistributedArgs,
  InputLayerArgs, MergeArgs, ConcatenateArgs, DotArgs, AttentionArgs, AdditiveAttentionArgs, MultiHeadAttentionArgs, MultiHeadAttentionApplyArgs,
  BatchNormalizationArgs, LayerNormalizationArgs, AveragePooling1DArgs, UpSampling1DArgs,
  ReshapeArgs, PermuteArgs, ZeroPadding1DArgs, Cropping1DArgs, MaskingArgs, SpatialDropout1DArgs, GaussianNoiseArgs,
  GaussianDropoutArgs, AlphaDropoutArgs,
  ReLUArgs, LeakyReLUArgs, ELUArgs, PReLUArgs, ThresholdedReLUArgs, SoftmaxArgs, ActivityRegularizationArgs, RescalingArgs, CategoryEncodingArgs,
  UnitNormalizationArgs, GroupNormalizationArgs, IntegerLookupArgs, HashingArgs, DiscretizationArgs, NormalizationArgs,
  StackedRNNCellsArgs, RNNLayerArgs,
  /** What a custom layer's call(inputs, kwargs) receives: training and mask (a bool Tensor), as tfjs. */
  Kwargs,
};

/** rl.layers.<name>(args): the class built once and its option keys checked (checkThenConstruct, as rl.layerClasses'). */
function layerFactory<C extends new (...args: never[]) => Layer>(cls: C, name: string): (...args: ConstructorParameters<C>) => InstanceType<C> {
  return (...args) => checkThenConstruct(cls, args, `rl.layers.${name}`);
}

/** A merge layer's factory (a list of inputs applies a fresh layer to it), checked as layerFactory's. */
function mergeLayer<A, L extends Layer>(cls: new (args?: A) => L, name: string) {
  return mergeFactory((args?: A) => checkThenConstruct(cls, [args], `rl.layers.${name}`));
}

/**
 * Every factory of the table refuses a second argument (refuseExtraOptions): tfjs's take one options object and
 * drop the rest, so lstm({units: 2}, {returnSequences: true}) would build a layer without returnSequences.
 */
function takingOneArgument<T extends Record<string, (...args: never[]) => unknown>>(table: T): T {
  return refusingExtraArguments('rl.layers', table, {}, (where, _params, args) => refuseExtraOptions(where, args));
}

const factories = {
  dense: layerFactory(Dense, 'dense'),
  embedding: layerFactory(Embedding, 'embedding'),
  flatten: layerFactory(Flatten, 'flatten'),
  conv1d: layerFactory(Conv1D, 'conv1d'),
  maxPooling1d: layerFactory(MaxPooling1D, 'maxPooling1d'),
  maxPool1d: layerFactory(MaxPooling1D, 'maxPool1d'),
  globalMaxPooling1d: layerFactory(GlobalMaxPooling1D, 'globalMaxPooling1d'),
  globalMaxPool1d: layerFactory(GlobalMaxPooling1D, 'globalMaxPool1d'),
  globalAveragePooling1d: layerFactory(GlobalAveragePooling1D, 'globalAveragePooling1d'),
  globalAvgPool1d: layerFactory(GlobalAveragePooling1D, 'globalAvgPool1d'),
  dropout: layerFactory(Dropout, 'dropout'),
  activation: layerFactory(ActivationLayer, 'activation'),
  simpleRNN: layerFactory(SimpleRNN, 'simpleRNN'),
  lstm: layerFactory(LSTM, 'lstm'),
  gru: layerFactory(GRU, 'gru'),
  bidirectional: layerFactory(Bidirectional, 'bidirectional'),
  repeatVector: layerFactory(RepeatVector, 'repeatVector'),
  timeDistributed: layerFactory(TimeDistributed, 'timeDistributed'),
  inputLayer: layerFactory(InputLayer, 'inputLayer'),
  input: (args: InputArgs) => input(args),
  add: mergeLayer(Add, 'add'),
  subtract: mergeLayer(Subtract, 'subtract'),
  multiply: mergeLayer(Multiply, 'multiply'),
  average: mergeLayer(Average, 'average'),
  maximum: mergeLayer(Maximum, 'maximum'),
  minimum: mergeLayer(Minimum, 'minimum'),
  concatenate: mergeLayer(Concatenate, 'concatenate'),
  dot: layerFactory(Dot, 'dot'),
  attention: layerFactory(Attention, 'attention'),
  additiveAttention: layerFactory(AdditiveAttention, 'additiveAttention'),
  multiHeadAttention: layerFactory(MultiHeadAttention, 'multiHeadAttention'),
  batchNormalization: layerFactory(BatchNormalization, 'batchNormalization'),
  layerNormalization: layerFactory(LayerNormalization, 'layerNormalization'),
  averagePooling1d: layerFactory(AveragePooling1D, 'averagePooling1d'),
  avgPool1d: layerFactory(AveragePooling1D, 'avgPool1d'),
  avgPooling1d: layerFactory(AveragePooling1D, 'avgPooling1d'),
  upSampling1d: layerFactory(UpSampling1D, 'upSampling1d'),
  reshape: layerFactory(Reshape, 'reshape'),
  permute: layerFactory(Permute, 'permute'),
  zeroPadding1d: layerFactory(ZeroPadding1D, 'zeroPadding1d'),
  cropping1d: layerFactory(Cropping1D, 'cropping1d'),
  masking: layerFactory(Masking, 'masking'),
  spatialDropout1d: layerFactory(SpatialDropout1D, 'spatialDropout1d'),
  gaussianNoise: layerFactory(GaussianNoise, 'gaussianNoise'),
  gaussianDropout: layerFactory(GaussianDropout, 'gaussianDropout'),
  alphaDropout: layerFactory(AlphaDropout, 'alphaDropout'),
  reLU: layerFactory(ReLU, 'reLU'),
  leakyReLU: layerFactory(LeakyReLU, 'leakyReLU'),
  elu: layerFactory(ELU, 'elu'),
  prelu: layerFactory(PReLU, 'prelu'),
  thresholdedReLU: layerFactory(ThresholdedReLU, 'thresholdedReLU'),
  softmax: layerFactory(Softmax, 'softmax'),
  activityRegularization: layerFactory(ActivityRegularization, 'activityRegularization'),
  rescaling: layerFactory(Rescaling, 'rescaling'),
  categoryEncoding: layerFactory(CategoryEncoding, 'categoryEncoding'),
  unitNormalization: layerFactory(UnitNormalization, 'unitNormalization'),
  groupNormalization: layerFactory(GroupNormalization, 'groupNormalization'),
  integerLookup: layerFactory(IntegerLookup, 'integerLookup'),
  hashing: layerFactory(Hashing, 'hashing'),
  discretization: layerFactory(Discretization, 'discretization'),
  normalization: layerFactory(Normalization, 'normalization'),
  rnn: factoryOf(CellRNN),
  simpleRNNCell: (args: Omit<RNNArgs, 'returnSequences' | 'returnState' | 'goBackwards' | 'stateful'>) => new SimpleRNNCell(args as Record<string, unknown>),
  lstmCell: (args: Omit<LSTMArgs, 'returnSequences' | 'returnState' | 'goBackwards' | 'stateful'>) => new LSTMCell(args as Record<string, unknown>),
  gruCell: (args: Omit<GRUArgs, 'returnSequences' | 'returnState' | 'goBackwards' | 'stateful'>) => new GRUCell(args as Record<string, unknown>),
  stackedRNNCells: factoryOf(StackedRNNCells),
};

export const layers = {
  /** The base class to extend for custom layers (tfjs's tf.layers.Layer); register them with rl.serialization.registerClass. */
  Layer,
  /** tfjs's tf.layers.RNNCell: the base class of a user's recurrent cell (stateSize, call([x, ...states])) for rl.layers.rnn. */
  RNNCell: RNNCellBase,
  /** tfjs's tf.layers.RNN (tf.RNN): the class of rl.layers.rnn({cell}) layers; instanceof admits simpleRNN, lstm and gru too. */
  RNN: RNNClass,
  ...takingOneArgument(factories),
  ...imageLayerRefusals,
  ...kerasOnlyLayerRefusals,
};
// The refusal of Keras's positional forms names the factory a layer comes from (rl.layers.prelu for PReLU).
knowFactoryNames(Object.keys(layers));
