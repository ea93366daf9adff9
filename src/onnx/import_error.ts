/**
 * What the ONNX importer throws. Its own module, not read.ts (which names onnx-proto's types), so that the public
 * declarations (rl.OnnxImportError) need none of onnx-proto's.
 */
export class OnnxImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxImportError';
  }
}
