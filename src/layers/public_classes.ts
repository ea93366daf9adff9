/**
 * The concrete layer classes as rl.layerClasses exports them. `new rl.layerClasses.Dense({...})` is held to the
 * factories' check of option keys (checkKnownArgs: an option the layer would not read is an error naming it), while
 * a subclass (a custom layer passing its own options up) is not. `Class.fromConfig(config)` reads Keras's snake_case
 * keys as the camelCase ones and refuses keys the class does not read (config_reader.ts). Each is a Proxy of the
 * class, so instanceof, statics and `extends` see the class itself; the registry (model loading, which converts and
 * checks keys itself) and rnnlab's own code keep the plain classes.
 */
import { ActivationLayer as ActivationLayerClass } from './activation_layer.js';
import { Bidirectional as BidirectionalClass } from './bidirectional.js';
import { Conv1D as Conv1DClass } from './conv1d.js';
import { Dense as DenseClass } from './dense.js';
import { Dropout as DropoutClass } from './dropout.js';
import { Embedding as EmbeddingClass } from './embedding.js';
import { Flatten as FlattenClass } from './flatten.js';
import { GlobalAveragePooling1D as GlobalAveragePooling1DClass } from './global_average_pooling1d.js';
import { GlobalMaxPooling1D as GlobalMaxPooling1DClass } from './global_max_pooling1d.js';
import { GRU as GRUClass } from './gru.js';
import { LSTM as LSTMClass } from './lstm.js';
import { MaxPooling1D as MaxPooling1DClass } from './max_pooling1d.js';
import { RepeatVector as RepeatVectorClass } from './repeat_vector.js';
import { ReverseTime as ReverseTimeClass } from './reverse_time.js';
import { SimpleRNN as SimpleRNNClass } from './simple_rnn.js';
import { TimeDistributed as TimeDistributedClass } from './time_distributed.js';
import { InputLayer as InputLayerClass } from './input_layer.js';
import { Add as AddClass, Average as AverageClass, Maximum as MaximumClass, Minimum as MinimumClass, Multiply as MultiplyClass, Subtract as SubtractClass } from './merging.js';
import { Concatenate as ConcatenateClass } from './concatenate.js';
import { Dot as DotClass } from './dot.js';
import { Attention as AttentionClass } from './attention.js';
import { AdditiveAttention as AdditiveAttentionClass } from './additive_attention.js';
import { MultiHeadAttention as MultiHeadAttentionClass } from './multi_head_attention.js';
import { BatchNormalization as BatchNormalizationClass } from './batch_normalization.js';
import { LayerNormalization as LayerNormalizationClass } from './layer_normalization.js';
import { AveragePooling1D as AveragePooling1DClass } from './average_pooling1d.js';
import { UpSampling1D as UpSampling1DClass } from './up_sampling1d.js';
import { Reshape as ReshapeClass } from './reshape.js';
import { Permute as PermuteClass } from './permute.js';
import { ZeroPadding1D as ZeroPadding1DClass } from './zero_padding1d.js';
import { Cropping1D as Cropping1DClass } from './cropping1d.js';
import { Masking as MaskingClass } from './masking.js';
import { SpatialDropout1D as SpatialDropout1DClass } from './spatial_dropout1d.js';
import { GaussianNoise as GaussianNoiseClass } from './gaussian_noise.js';
import { GaussianDropout as GaussianDropoutClass } from './gaussian_dropout.js';
import { AlphaDropout as AlphaDropoutClass } from './alpha_dropout.js';
import { ReLU as ReLUClass } from './relu.js';
import { LeakyReLU as LeakyReLUClass } from './leaky_relu.js';
import { ELU as ELUClass } from './elu.js';
import { PReLU as PReLUClass } from './prelu.js';
import { ThresholdedReLU as ThresholdedReLUClass } from './thresholded_relu.js';
import { Softmax as SoftmaxClass } from './softmax.js';
import { ActivityRegularization as ActivityRegularizationClass } from './activity_regularization.js';
import { Rescaling as RescalingClass } from './rescaling.js';
import { CategoryEncoding as CategoryEncodingClass } from './category_encoding.js';
import { UnitNormalization as UnitNormalizationClass } from './unit_normalization.js';
import { GroupNormalization as GroupNormalizationClass } from './group_normalization.js';
import { IntegerLookup as IntegerLookupClass } from './integer_lookup.js';
import { Hashing as HashingClass } from './hashing.js';
import { Discretization as DiscretizationClass } from './discretization.js';
import { Normalization as NormalizationClass } from './normalization_layer.js';
import { GRUCell as GRUCellClass, LSTMCell as LSTMCellClass, SimpleRNNCell as SimpleRNNCellClass, StackedRNNCells as StackedRNNCellsClass } from './rnn_cells.js';
import { CellRNN as CellRNNClass } from './rnn_layer.js';
import { RNN as RecurrentBase } from './recurrent.js';
import { checkThenConstruct, refuseExtraOptions } from './option_probe.js';
import { fromConfigChecked } from './config_reader.js';
import type { Layer } from './layer.js';

function checkedClass<C extends new (...args: never[]) => Layer>(cls: C, name: string): C {
  const proxy: C = new Proxy(cls, {
    construct(target, args, newTarget) {
      // Only `new` of this export: a subclass's constructor has its own options, checked (or not) by its author.
      if (newTarget !== proxy) return Reflect.construct(target, args, newTarget) as Layer;
      return checkThenConstruct(target, args, `rl.layerClasses.${name}`);
    },
    get: fromConfigTrap(() => proxy, name),
  });
  return proxy;
}

/**
 * Class.fromConfig(config) builds with the plain class, reading Keras's snake_case keys as the camelCase ones and
 * refusing keys the class does not read (config_reader.ts); a subclass's inherited fromConfig keeps its own `this`.
 */
function fromConfigTrap<C extends object>(proxy: () => object, name: string): ProxyHandler<C>['get'] {
  return (target: C, key: string | symbol, receiver: unknown) => {
    const v = Reflect.get(target, key, receiver);
    if (key !== 'fromConfig' || receiver !== proxy() || typeof v !== 'function') return v;
    return (...args: unknown[]) => fromConfigChecked(target as unknown as Parameters<typeof fromConfigChecked>[0], `rl.layerClasses.${name}.fromConfig`, args);
  };
}

/**
 * The classes whose constructors check their own options (cells, rnn, stacks): fromConfig is wrapped, and `new` of
 * this export refuses a second argument, which the constructor would drop.
 */
function configReadingClass<C extends new (...args: never[]) => Layer>(cls: C, name: string): C {
  const proxy: C = new Proxy(cls, {
    construct(target, args, newTarget) {
      if (newTarget === proxy) refuseExtraOptions(`rl.layerClasses.${name}`, args);
      return Reflect.construct(target, args, newTarget) as Layer;
    },
    get: fromConfigTrap(() => proxy, name),
  });
  return proxy;
}

export const Activation = checkedClass(ActivationLayerClass, 'Activation'); export type Activation = ActivationLayerClass;
// The name rnnlab exported first, kept for code that uses it.
export const ActivationLayer = Activation; export type ActivationLayer = ActivationLayerClass;
export const Bidirectional = checkedClass(BidirectionalClass, 'Bidirectional'); export type Bidirectional = BidirectionalClass;
export const Conv1D = checkedClass(Conv1DClass, 'Conv1D'); export type Conv1D = Conv1DClass;
export const Dense = checkedClass(DenseClass, 'Dense'); export type Dense = DenseClass;
export const Dropout = checkedClass(DropoutClass, 'Dropout'); export type Dropout = DropoutClass;
export const Embedding = checkedClass(EmbeddingClass, 'Embedding'); export type Embedding = EmbeddingClass;
export const Flatten = checkedClass(FlattenClass, 'Flatten'); export type Flatten = FlattenClass;
export const GlobalAveragePooling1D = checkedClass(GlobalAveragePooling1DClass, 'GlobalAveragePooling1D'); export type GlobalAveragePooling1D = GlobalAveragePooling1DClass;
export const GlobalMaxPooling1D = checkedClass(GlobalMaxPooling1DClass, 'GlobalMaxPooling1D'); export type GlobalMaxPooling1D = GlobalMaxPooling1DClass;
export const GRU = checkedClass(GRUClass, 'GRU'); export type GRU = GRUClass;
export const LSTM = checkedClass(LSTMClass, 'LSTM'); export type LSTM = LSTMClass;
export const MaxPooling1D = checkedClass(MaxPooling1DClass, 'MaxPooling1D'); export type MaxPooling1D = MaxPooling1DClass;
export const RepeatVector = checkedClass(RepeatVectorClass, 'RepeatVector'); export type RepeatVector = RepeatVectorClass;
export const ReverseTime = checkedClass(ReverseTimeClass, 'ReverseTime'); export type ReverseTime = ReverseTimeClass;
export const SimpleRNN = checkedClass(SimpleRNNClass, 'SimpleRNN'); export type SimpleRNN = SimpleRNNClass;
export const TimeDistributed = checkedClass(TimeDistributedClass, 'TimeDistributed'); export type TimeDistributed = TimeDistributedClass;
export const InputLayer = checkedClass(InputLayerClass, 'InputLayer'); export type InputLayer = InputLayerClass;
export const Add = checkedClass(AddClass, 'Add');
export const Average = checkedClass(AverageClass, 'Average');
export const Maximum = checkedClass(MaximumClass, 'Maximum');
export const Minimum = checkedClass(MinimumClass, 'Minimum');
export const Multiply = checkedClass(MultiplyClass, 'Multiply');
export const Subtract = checkedClass(SubtractClass, 'Subtract');
export const Concatenate = checkedClass(ConcatenateClass, 'Concatenate'); export type Concatenate = ConcatenateClass;
export const Dot = checkedClass(DotClass, 'Dot'); export type Dot = DotClass;
export const Attention = checkedClass(AttentionClass, 'Attention'); export type Attention = AttentionClass;
export const AdditiveAttention = checkedClass(AdditiveAttentionClass, 'AdditiveAttention'); export type AdditiveAttention = AdditiveAttentionClass;
export const MultiHeadAttention = checkedClass(MultiHeadAttentionClass, 'MultiHeadAttention'); export type MultiHeadAttention = MultiHeadAttentionClass;
export const BatchNormalization = checkedClass(BatchNormalizationClass, 'BatchNormalization'); export type BatchNormalization = BatchNormalizationClass;
export const LayerNormalization = checkedClass(LayerNormalizationClass, 'LayerNormalization'); export type LayerNormalization = LayerNormalizationClass;
export const AveragePooling1D = checkedClass(AveragePooling1DClass, 'AveragePooling1D'); export type AveragePooling1D = AveragePooling1DClass;
export const UpSampling1D = checkedClass(UpSampling1DClass, 'UpSampling1D'); export type UpSampling1D = UpSampling1DClass;
export const Reshape = checkedClass(ReshapeClass, 'Reshape'); export type Reshape = ReshapeClass;
export const Permute = checkedClass(PermuteClass, 'Permute'); export type Permute = PermuteClass;
export const ZeroPadding1D = checkedClass(ZeroPadding1DClass, 'ZeroPadding1D'); export type ZeroPadding1D = ZeroPadding1DClass;
export const Cropping1D = checkedClass(Cropping1DClass, 'Cropping1D'); export type Cropping1D = Cropping1DClass;
export const Masking = checkedClass(MaskingClass, 'Masking'); export type Masking = MaskingClass;
export const SpatialDropout1D = checkedClass(SpatialDropout1DClass, 'SpatialDropout1D'); export type SpatialDropout1D = SpatialDropout1DClass;
export const GaussianNoise = checkedClass(GaussianNoiseClass, 'GaussianNoise'); export type GaussianNoise = GaussianNoiseClass;
export const GaussianDropout = checkedClass(GaussianDropoutClass, 'GaussianDropout'); export type GaussianDropout = GaussianDropoutClass;
export const AlphaDropout = checkedClass(AlphaDropoutClass, 'AlphaDropout'); export type AlphaDropout = AlphaDropoutClass;
export const ReLU = checkedClass(ReLUClass, 'ReLU'); export type ReLU = ReLUClass;
export const LeakyReLU = checkedClass(LeakyReLUClass, 'LeakyReLU'); export type LeakyReLU = LeakyReLUClass;
export const ELU = checkedClass(ELUClass, 'ELU'); export type ELU = ELUClass;
export const PReLU = checkedClass(PReLUClass, 'PReLU'); export type PReLU = PReLUClass;
export const ThresholdedReLU = checkedClass(ThresholdedReLUClass, 'ThresholdedReLU'); export type ThresholdedReLU = ThresholdedReLUClass;
export const Softmax = checkedClass(SoftmaxClass, 'Softmax'); export type Softmax = SoftmaxClass;
export const ActivityRegularization = checkedClass(ActivityRegularizationClass, 'ActivityRegularization'); export type ActivityRegularization = ActivityRegularizationClass;
export const Rescaling = checkedClass(RescalingClass, 'Rescaling'); export type Rescaling = RescalingClass;
export const CategoryEncoding = checkedClass(CategoryEncodingClass, 'CategoryEncoding'); export type CategoryEncoding = CategoryEncodingClass;
export const UnitNormalization = checkedClass(UnitNormalizationClass, 'UnitNormalization'); export type UnitNormalization = UnitNormalizationClass;
export const GroupNormalization = checkedClass(GroupNormalizationClass, 'GroupNormalization'); export type GroupNormalization = GroupNormalizationClass;
export const IntegerLookup = checkedClass(IntegerLookupClass, 'IntegerLookup'); export type IntegerLookup = IntegerLookupClass;
export const Hashing = checkedClass(HashingClass, 'Hashing'); export type Hashing = HashingClass;
export const Discretization = checkedClass(DiscretizationClass, 'Discretization'); export type Discretization = DiscretizationClass;
export const Normalization = checkedClass(NormalizationClass, 'Normalization'); export type Normalization = NormalizationClass;
export const SimpleRNNCell = configReadingClass(SimpleRNNCellClass, 'SimpleRNNCell'); export type SimpleRNNCell = SimpleRNNCellClass;
export const LSTMCell = configReadingClass(LSTMCellClass, 'LSTMCell'); export type LSTMCell = LSTMCellClass;
export const GRUCell = configReadingClass(GRUCellClass, 'GRUCell'); export type GRUCell = GRUCellClass;
export const StackedRNNCells = configReadingClass(StackedRNNCellsClass, 'StackedRNNCells'); export type StackedRNNCells = StackedRNNCellsClass;
export const CellRNN = configReadingClass(CellRNNClass, 'CellRNN'); export type CellRNN = CellRNNClass;

/** What `instanceof rl.layerClasses.RNN` admits: an rl.layers.rnn({cell}) layer, or a SimpleRNN, LSTM or GRU. */
export type RNN = CellRNNClass | RecurrentBase;

/**
 * tfjs's tf.RNN: the class of rl.layers.rnn({cell}) layers, so `new RNN({cell})`, `RNN.fromConfig(layer.getConfig())`
 * and the registry's 'RNN' are one class (CellRNN). In tfjs SimpleRNN, LSTM and GRU extend tf.RNN, so instanceof
 * admits them too.
 */
function tfjsRNN(): RNNClass {
  const readConfig = fromConfigTrap<typeof CellRNNClass>(() => proxy, 'RNN');
  const proxy: typeof CellRNNClass = new Proxy(CellRNNClass, {
    construct(target, args, newTarget): CellRNNClass {
      if (newTarget === proxy) refuseExtraOptions('rl.layerClasses.RNN', args);
      return Reflect.construct(target, args, newTarget) as CellRNNClass;
    },
    get(target, key, receiver) {
      // Only this export's own test: a subclass of it (class X extends rl.layerClasses.RNN) keeps the plain instanceof.
      if (key === Symbol.hasInstance && receiver === proxy) return (v: unknown) => v instanceof CellRNNClass || v instanceof RecurrentBase;
      return readConfig!(target, key, receiver);
    },
  });
  return proxy as RNNClass;
}

/** instanceof narrows to what it admits: a CellRNN or the SimpleRNN/LSTM/GRU base. */
type RNNClass = typeof CellRNNClass & { [Symbol.hasInstance](v: unknown): v is RNN };
export const RNN = tfjsRNN();
