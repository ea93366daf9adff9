/**
 * tf.io members beyond the IO handlers rnnlab has (withSaveHandler, fromMemory). tfjs-node's fileSystem(path) is the
 * file:// URL, which save and loadLayersModel take; the browser's stores and HTTP are refused by name, so a tfjs
 * program fails at the call saying why instead of with `tf.io.listModels is not a function`.
 */
import { sep } from 'node:path';

/** tfjs-node's tf.io.fileSystem(path): for model.save (a folder) and loadLayersModel (its model.json, or the folder). */
export function fileSystem(path: unknown): string {
  if (typeof path !== 'string' || path === '') {
    throw new Error(`io.fileSystem: expected one path as a non-empty string, got ${Array.isArray(path) ? 'a list (rnnlab reads the weights the model.json names; give its path)' : JSON.stringify(path)}`);
  }
  return `file://${sep === '\\' ? path.replaceAll('\\', '/') : path}`;
}

function refused(name: string, why: string): (...args: unknown[]) => never {
  const fn = (): never => { throw new Error(`io.${name}: not supported by rnnlab: ${why}`); };
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
  encodeWeights = refused('encodeWeights', WEIGHTS), decodeWeights = refused('decodeWeights', WEIGHTS);
