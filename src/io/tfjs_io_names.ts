/**
 * tf.io members beyond the IO handlers rnnlab has (withSaveHandler, fromMemory). tfjs-node's fileSystem(path) is the
 * file:// URL, which save and loadLayersModel take; the browser's stores and HTTP are refused by name, so a tfjs
 * program fails at the call saying why instead of with `tf.io.listModels is not a function`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** tfjs-node's tf.io.fileSystem(path): for model.save (a folder) and loadLayersModel (its model.json, or the folder). */
export function fileSystem(path: unknown): string {
  if (typeof path !== 'string' || path === '') {
    throw new Error(`io.fileSystem: expected one path as a non-empty string, got ${Array.isArray(path) ? 'a list (rnnlab reads the weights the model.json names; give its path)' : JSON.stringify(path)}`);
  }
  // tfjs-node would read a URL as a relative folder named 'file:'; the caller meant the URL, which save and load take.
  if (path.startsWith('file://')) throw new Error(`io.fileSystem: expected a path, got the URL '${path}'; pass the URL itself to model.save or loadLayersModel, or its path to io.fileSystem`);
  // A URL of the resolved path, so '#', '?' and '%' in a folder name are the folder's, not a URL's parts.
  return pathToFileURL(resolve(path)).href;
}

function refused(name: string, why: string): (...args: unknown[]) => never {
  // A function expression, so `new io.CompositeArrayBuffer()` throws this too (an arrow is not a constructor).
  const fn = function (): never { throw new Error(`io.${name}: not supported by rnnlab: ${why}`); };
  Object.defineProperty(fn, 'name', { value: name });
  return fn;
}

const BROWSER = 'it is a browser store; rnnlab saves to and loads from folders (file://DIR) or an IO handler';
const NETWORK = 'rnnlab reads no network; save the model to a folder and load it with file://DIR';
const ROUTERS = 'rnnlab routes file:// URLs, folders and IO handler objects itself';
const WEIGHTS = 'rnnlab reads and writes weight files itself (loadLayersModel, model.save, modelFromArtifacts)';

export const listModels = refused('listModels', BROWSER), removeModel = refused('removeModel', BROWSER),
  copyModel = refused('copyModel', BROWSER), moveModel = refused('moveModel', BROWSER),
  browserFiles = refused('browserFiles', BROWSER), browserDownloads = refused('browserDownloads', BROWSER),
  http = refused('http', NETWORK), browserHTTPRequest = refused('browserHTTPRequest', NETWORK), isHTTPScheme = refused('isHTTPScheme', NETWORK),
  registerSaveRouter = refused('registerSaveRouter', ROUTERS), registerLoadRouter = refused('registerLoadRouter', ROUTERS),
  getSaveHandlers = refused('getSaveHandlers', ROUTERS), getLoadHandlers = refused('getLoadHandlers', ROUTERS),
  loadWeights = refused('loadWeights', WEIGHTS), weightsLoaderFactory = refused('weightsLoaderFactory', WEIGHTS),
  encodeWeights = refused('encodeWeights', WEIGHTS), decodeWeights = refused('decodeWeights', WEIGHTS),
  decodeWeightsStream = refused('decodeWeightsStream', WEIGHTS), getWeightSpecs = refused('getWeightSpecs', WEIGHTS),
  getModelArtifactsForJSON = refused('getModelArtifactsForJSON', WEIGHTS), getModelArtifactsForJSONSync = refused('getModelArtifactsForJSONSync', WEIGHTS),
  getModelArtifactsInfoForJSON = refused('getModelArtifactsInfoForJSON', WEIGHTS), CompositeArrayBuffer = refused('CompositeArrayBuffer', WEIGHTS);

// rnnlab's handlers may answer synchronously or not, so tfjs's Sync variants are the same functions.
export { fromMemory as fromMemorySync, withSaveHandler as withSaveHandlerSync } from './handlers.js';

/** tfjs's concatenateArrayBuffers: the buffers' bytes one after another, in a new ArrayBuffer. */
export function concatenateArrayBuffers(buffers: ArrayBuffer[] | ArrayBuffer): ArrayBuffer {
  const list = Array.isArray(buffers) ? buffers : [buffers];
  list.forEach((b, i) => { if (!(b instanceof ArrayBuffer)) throw new Error(`io.concatenateArrayBuffers: item ${i} is not an ArrayBuffer`); });
  const out = new Uint8Array(list.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of list) { out.set(new Uint8Array(b), at); at += b.byteLength; }
  return out.buffer;
}
