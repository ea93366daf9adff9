/**
 * The hooks src/io uses so that model.save / rl.loadModel speak ONNX: 'onnx://path/model.onnx', or any path ending
 * in .onnx (as a plain path or a file:// URL). Self-contained, so src/io only needs one test and one call each.
 */
import { fileURLToPath } from 'node:url';
import { exportOnnx, type ExportableModel } from './export.js';
import type { ExportableGraph } from './functional_export.js';
import { loadOnnx } from './import.js';
import type { Sequential } from '../models/sequential.js';

/** The file an ONNX URL or path names, or null when url is not one. */
export function onnxPath(url: string): string | null {
  if (typeof url !== 'string') return null;
  if (/^onnx:\/\//i.test(url)) {
    const p = url.slice('onnx://'.length);
    if (p === '') throw new Error(`'${url}': an onnx:// URL needs a file path, as in onnx://models/model.onnx`);
    return p;
  }
  if (!/\.onnx$/i.test(url)) return null;
  return url.startsWith('file:///') ? fileURLToPath(url) : url.replace(/^file:\/\//i, '');
}

/** model.save('onnx://...'): the written file and its size, in the shape of a SaveResult. */
export async function saveOnnx(model: ExportableModel | ExportableGraph, url: string): Promise<{ modelPath: string; weightPaths: string[];
  modelArtifactsInfo: { dateSaved: Date; modelTopologyType: 'ONNX'; modelTopologyBytes: number; weightSpecsBytes: number; weightDataBytes: number } }> {
  const path = onnxPath(url);
  if (path === null) throw new Error(`saveOnnx: '${url}' is not an onnx:// URL or .onnx path`);
  const { bytes } = await exportOnnx(model, path);
  return { modelPath: path, weightPaths: [],
    modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'ONNX', modelTopologyBytes: bytes, weightSpecsBytes: 0, weightDataBytes: 0 } };
}

/** rl.loadModel('onnx://...') or a .onnx path. */
export async function loadOnnxUrl(url: string): Promise<Sequential> {
  const path = onnxPath(url);
  if (path === null) throw new Error(`loadOnnxUrl: '${url}' is not an onnx:// URL or .onnx path`);
  return loadOnnx(path);
}
