/**
 * rnnlab's public API, shaped like tfjs-layers: rl.sequential, rl.layers.*, rl.tensor, rl.train.*,
 * plus rl.setSeed, the engine controls, and (from src/data) datasets and preprocessing.
 */
export { Tensor, Rank } from './tensor.js';
// Tensor creation, ops, tidy/dispose/memory and util, with tfjs's names; also attaches the chainable methods.
export * from './autograd/tensor_api.js';
// These shadow the plain ops of the same names: they record on the tape while one is active (custom layers train).
export { add, sub, mul, div, neg, square, matMul, sigmoid, tanh, relu, exp, log, sum, mean, reshape, transpose, softmax, concat, slice }
  from './autograd/public_ops.js';
export { grad, grads, valueAndGrad, valueAndGrads } from './autograd/gradients_api.js';
export { variable, variableGrads } from './autograd/variables.js';
export type { DType, Shape, TensorLike } from './tensor.js';
// tfjs's rank-named tensor types, so TypeScript written for tfjs (`as tf.Scalar[]`, `(await t1d.array()).map`) type-checks unchanged.
export type { Scalar, Tensor1D, Tensor2D, Tensor3D, Tensor4D, Tensor5D, Tensor6D } from './tensor.js';
export { Variable } from './variable.js';
export { setSeed, Random } from './random.js';
export { layers } from './layers/index.js';
export { serialization } from './layers/serialization.js';
// rnnlab's own RNNLAB_* variables read by its rules (tfjs's tf.env(), a flag registry, is a different thing).
export { environment, EnvError } from './env.js';
export * as layerClasses from './layers/index.js';
export { regularizers, L1L2 } from './layers/regularizers.js';
export { constraints, Constraint } from './layers/constraints.js';
export { initializers, Initializer } from './layers/initializer_catalogue.js';
export { Sequential, sequential } from './models/sequential.js';
export type { CompileArgs, SequentialArgs } from './models/sequential.js';
export { Functional, Functional as Model, Functional as LayersModel, model } from './models/functional.js';
export type { ModelArgs, FunctionalCompileArgs, LossSpec, TensorsLike } from './models/functional.js';
export { SymbolicTensor } from './layers/symbolic.js';
export { InputSpec } from './layers/input_spec.js';
export type { InputSpecArgs } from './layers/input_spec.js';
export { LayerVariable } from './layers/layer_variable.js';
/** tfjs's top-level tf.RNN, as rl.layers.RNN and rl.layerClasses.RNN. */
export { RNN } from './layers/public_classes.js';
export { input } from './layers/input_layer.js';
export type { InputArgs } from './layers/input_layer.js';
export type { Kwargs } from './layers/layer.js';
export type { FitArgs, EvaluateArgs } from './models/training.js';
export type { BucketArgs } from './models/buckets.js';
export { NonFiniteLossError } from './models/training.js';
export { losses } from './losses.js';
export { metrics } from './metrics/index.js';
export { data, Dataset } from './data_pipeline/index.js';
export { History } from './models/callback.js';
import { Callback as CallbackClass } from './models/callback_class.js';
import type { Callback as CallbackHooks } from './models/callback.js';
/** tfjs's tf.Callback, a class to extend (model, params, setModel, setParams, hooks); as a type, any object with fit's hooks. */
export const Callback = CallbackClass;
export type Callback = CallbackHooks;
export { CustomCallback } from './models/callback_class.js';
export type { CustomCallbackArgs, Params as CallbackParams } from './models/callback_class.js';
export { train, optimizers, Adam, RMSprop, SGD, Optimizer, Adagrad, Adadelta, Adamax, Nadam, AdamW } from './optimizers/index.js';
export { SGDOptimizer, MomentumOptimizer, AdamOptimizer, AdagradOptimizer, AdadeltaOptimizer, AdamaxOptimizer, RMSPropOptimizer, OptimizerConstructors } from './optimizers/tfjs_classes.js';
export { Reduction } from './ops/losses.js';
export { setBackend } from './ops/engine.js';
export { backendInfo, getBackend, setPrecision, getPrecision, setThreads, setProfiling, isProfiling, profileReport } from './backend/index.js';
export { withTape } from './autograd/tape.js';
export * as mixedPrecision from './mixed_precision.js';
/** Keras 3's top-level keras.DTypePolicy. */
export { DTypePolicy } from './mixed_precision.js';
export { loadModel, loadLayersModel, modelFromArtifacts, layersModelFromArtifacts, ModelFormatError, CheckpointError, writeCheckpoint, restoreCheckpoint, hasCheckpoint } from './io/index.js';
export * as io from './io/index.js';
import { RNNLAB_VERSION } from './io/model_json.js';
/** tfjs's tf.version, for this library: the package version (what `rnnlab --version` prints and saved files record). */
export const version = Object.freeze({ rnnlab: RNNLAB_VERSION });
/** The encoder-decoder (with or without attention) that `rnnlab seq2seq`/`translate` run, as a library. */
export * as seq2seq from './seq2seq/index.js';
import { modelFromJSON } from './io/handlers.js';
/** tfjs's tf.models namespace. */
export const models = { modelFromJSON };
export type { SaveOptions, SaveResult, LoadOptions, TrainingState } from './io/index.js';
export { callbacks, BackupAndRestore, EarlyStopping, ModelCheckpoint, TerminateOnNaN, TrainingInterrupted, ReduceLROnPlateau, LearningRateScheduler, CSVLogger } from './callbacks/index.js';
export type { BackupAndRestoreArgs, KerasBackupAndRestoreArgs, EarlyStoppingArgs, ModelCheckpointArgs, ReduceLROnPlateauArgs, LearningRateSchedulerOptions, TerminateOnNaNArgs } from './callbacks/index.js';
export type { BackupAndRestoreOptions, EarlyStoppingOptions, ModelCheckpointOptions, ReduceLROnPlateauOptions, TerminateOnNaNOptions } from './callbacks/index.js';
export { CallbackList, registerCallbackConstructor } from './callbacks/tfjs_unsupported.js';
export type { FitState, EpochProgress } from './models/callback.js';

import { datasets, preprocessing as dataPreprocessing } from './data/index.js';
import type { PadOptions } from './data/pad.js';
import { Tensor as TensorClass } from './tensor.js';
export { datasets };
export { DataError } from './data/index.js';

/** Keras's text preprocessing; padSequences returns a 2-D tensor here (src/data's version returns typed rows). */
export const preprocessing = {
  ...dataPreprocessing,
  padSequences(sequences: readonly ArrayLike<number>[], options: PadOptions = {}): TensorClass {
    const p = dataPreprocessing.padSequences(sequences, options);
    return new TensorClass(p.data, p.shape, p.dtype);
  },
};
export { exportOnnx as exportONNX, loadOnnx as loadONNX, toOnnx, modelFromOnnx, OnnxExportError, OnnxImportError } from './onnx/index.js';
