/** ONNX interchange: export a Sequential for ONNX Runtime and friends, import ONNX RNN models as a Sequential. */
export { exportOnnx, toOnnx, OnnxExportError } from './export.js';
export { loadOnnx, modelFromOnnx, OnnxImportError } from './import.js';
