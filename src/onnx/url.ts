/**
 * ONNX files by path or URL, as every entry names them: 'onnx://path/model.onnx', 'file://...' (file:///abs as
 * pathToFileURL writes it, file://rel a relative path) or a plain path. model.save / rl.loadModel (src/io) take the
 * onnx:// URLs and the paths ending in .onnx (onnxPath); rl.exportONNX / rl.loadONNX take any file name.
 * Self-contained, so src/io only needs one test and one call each.
 */
import { exportOnnx, OnnxExportError, type ExportableModel, type OnnxExportOptions } from './export.js';
import type { ExportableGraph } from './layer_view.js';
import { OnnxImportError, readOnnxFile } from './import.js';
import { refuseExtraArguments, refuseImportOptions } from './options.js';
import type { Sequential } from '../models/sequential.js';
import { describe } from '../describe.js';
import { localPathOf } from '../local_files.js';

/** The file a path or a file:// / onnx:// URL names; any other scheme (http, indexeddb) by name, for the caller to refuse. */
function fileOf(url: string): { path: string; onnxUrl: boolean } | { scheme: string } {
  const local = localPathOf(url);
  if (!('scheme' in local)) return { ...local, onnxUrl: false };
  if (local.scheme.toLowerCase() !== 'onnx') return local;
  const path = url.slice('onnx://'.length);
  if (path === '') throw new Error(`'${url}': an onnx:// URL needs a file path, as in onnx://models/model.onnx`);
  return { path, onnxUrl: true };
}

/**
 * The file an ONNX URL or .onnx path names, or null when url is not one: another scheme is left to the model
 * loaders, which refuse it by name.
 */
export function onnxPath(url: string): string | null {
  if (typeof url !== 'string') return null;
  const file = fileOf(url);
  if ('scheme' in file) return null;
  return file.onnxUrl || /\.onnx$/i.test(url) ? file.path : null;
}

/** The file rl.exportONNX / rl.loadONNX write or read, any file name; `what` is the error's start, `verb` its action. */
function fileFor(url: unknown, what: string, verb: string, error: new (message: string) => Error): string {
  if (typeof url !== 'string' || url === '') throw new error(`${what}: the file path must be a non-empty string, got ${typeof url === 'string' ? JSON.stringify(url) : describe(url)}`);
  let file: ReturnType<typeof fileOf>;
  try {
    file = fileOf(url);
  } catch (e) {
    throw new error(`${what}: ${(e as Error).message}`);
  }
  if ('path' in file && file.path === '') throw new error(`${what}: cannot ${verb} '${url}': the URL names no file`);
  if ('scheme' in file) {
    throw new error(`${what}: cannot ${verb} '${url}': unsupported URL scheme '${file.scheme}://'; ONNX files are named by a path, a file:// URL or an onnx:// URL`);
  }
  return file.path;
}

/** rl.exportONNX(model, url): the file written (the path the URL names) and its size. */
export async function exportOnnxUrl(model: ExportableModel | ExportableGraph, url: string, options?: OnnxExportOptions): Promise<{ path: string; bytes: number }> {
  refuseExtraArguments('ONNX export: exportONNX', ['model', 'path', 'options'], arguments.length, OnnxExportError);
  return exportOnnx(model, fileFor(url, 'ONNX export', 'write', OnnxExportError), options, url);
}

/** model.save('onnx://...'): the written file and its size, in the shape of a SaveResult. */
export async function saveOnnx(model: ExportableModel | ExportableGraph, url: string): Promise<{ modelPath: string; weightPaths: string[];
  modelArtifactsInfo: { dateSaved: Date; modelTopologyType: 'ONNX'; modelTopologyBytes: number; weightSpecsBytes: number; weightDataBytes: number } }> {
  if (onnxPath(url) === null) throw new Error(`saveOnnx: '${url}' is not an onnx:// URL or .onnx path`);
  const { path, bytes } = await exportOnnxUrl(model, url);
  return { modelPath: path, weightPaths: [],
    modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'ONNX', modelTopologyBytes: bytes, weightSpecsBytes: 0, weightDataBytes: 0 } };
}

/** rl.loadONNX(url), and rl.loadModel / rl.loadLayersModel on an onnx:// URL or .onnx path. */
export async function loadOnnxUrl(url: string, options?: Record<string, unknown>): Promise<Sequential> {
  refuseExtraArguments('loadONNX', ['path', 'options'], arguments.length, OnnxImportError);
  refuseImportOptions('loadONNX', options);
  return readOnnxFile(fileFor(url, 'loadONNX', 'read', OnnxImportError), url);
}
