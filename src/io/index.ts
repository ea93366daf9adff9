/** Saving and loading: TensorFlow.js Layers models and rnnlab training checkpoints. */
export { ModelFormatError, CheckpointError } from './errors.js';
export { saveModel, loadModel, loadLayersModel, modelFromArtifacts, layersModelFromArtifacts, resolveModelPath } from './files.js';
export type { SaveResult, LoadOptions, ModelArtifacts } from './files.js';
export { DEFAULT_MAX_PARAMS } from './model_json.js';
export type { ModelJSON, TrainingConfig } from './model_json.js';
export type { SaveOptions } from '../models/saving.js';
export { writeCheckpoint, restoreCheckpoint, readCheckpointInfo, hasCheckpoint, deleteCheckpoint } from './checkpoint.js';
export type { TrainingState, CheckpointData } from './checkpoint.js';
export { writeFileAtomic } from './atomic.js';
export { withSaveHandler, fromMemory, modelFromJSON, modelArtifactsOf } from './handlers.js';
export type { IOHandler, SaveIOHandler, LoadIOHandler } from './handlers.js';
export { fileSystem, listModels, removeModel, copyModel, moveModel, browserFiles, browserDownloads, http, browserHTTPRequest, isHTTPScheme, registerSaveRouter, registerLoadRouter, getSaveHandlers, getLoadHandlers, loadWeights, weightsLoaderFactory, encodeWeights, decodeWeights,
  decodeWeightsStream, getWeightSpecs, getModelArtifactsForJSON, getModelArtifactsForJSONSync, getModelArtifactsInfoForJSON, CompositeArrayBuffer,
  fromMemorySync, withSaveHandlerSync, concatenateArrayBuffers } from './tfjs_io_names.js';
