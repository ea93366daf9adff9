/** ONNX interchange: export a Sequential for ONNX Runtime and friends, import ONNX RNN models as a Sequential. */
export { toOnnx, OnnxExportError } from './export.js';
export { modelFromOnnx, OnnxImportError } from './import.js';
// The file entries take a path, a file:// or an onnx:// URL, as model.save and rl.loadModel do.
export { exportOnnxUrl as exportOnnx, loadOnnxUrl as loadOnnx } from './url.js';
