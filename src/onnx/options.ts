/**
 * The options the ONNX entry points take: export takes `opset`, which must be the one opset rnnlab writes; import
 * takes none (as rl.loadModel on an ONNX file). Anything else is an error naming it, never silently dropped.
 */
import { checkOptionKeys } from '../near_name.js';
import { OPSET } from './graph.js';
import { OnnxExportError } from './layer_view.js';
import { OnnxImportError } from './import_error.js';

export interface OnnxExportOptions {
  /** The ONNX opset of the file: only 17, the one the exporter writes, is accepted. */
  opset?: number;
}

/** Export options as given: refused by name unless they are ones the export keeps. */
export function checkExportOptions(where: string, options: unknown): void {
  const o = checkOptionKeys(`ONNX export (${where})`, options, ['opset'], { nullIsNone: true, error: OnnxExportError });
  if (o.opset !== undefined && o.opset !== OPSET) {
    throw new OnnxExportError(`ONNX export (${where}): opset ${JSON.stringify(o.opset)} is not written; rnnlab writes ONNX opset ${OPSET} only (the file's operators are those of opset ${OPSET})`);
  }
}

/** Import options: none apply, so any given is an error naming it. */
export function refuseImportOptions(where: string, options: unknown): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new OnnxImportError(`${where}: the options argument must be an object, got ${Array.isArray(options) ? 'a list' : typeof options === 'string' ? JSON.stringify(options) : String(options)}`);
  }
  const given = Object.keys(options).find((k) => (options as Record<string, unknown>)[k] !== undefined);
  if (given !== undefined) throw new OnnxImportError(`${where}: option '${given}' does not apply to an ONNX file (an ONNX import takes no options)`);
}

/**
 * An argument past those an ONNX entry takes (rl.toOnnx(model, {}, {})) would be dropped unread: refused, naming the
 * entry and how many it takes. params: the entry's parameter names; given: arguments.length.
 */
export function refuseExtraArguments(where: string, params: readonly string[], given: number, error: new (message: string) => Error): void {
  if (given <= params.length) return;
  throw new error(`${where} takes at most ${params.length} arguments (${params.join(', ')}), got ${given}`);
}
