/** The start every rnnlab side file's check shares (rnnlab-text.json, rnnlab-seq2seq.json): an object of its format and version. */
import { DataError } from './errors.js';

/** An error naming the file, the field, what it must be and (the start of) what it holds. */
export type FieldError = (field: string, want: string, got: unknown) => DataError;

export function fieldError(file: string): FieldError {
  return (field, want, got) => new DataError(`${file}: field '${field}' must be ${want}, got ${JSON.stringify(got)?.slice(0, 80) ?? String(got)}`);
}

/**
 * json as an object whose format and version are the given ones and whose other keys are among `fields`, and the
 * error maker for those fields. A key the format does not have (a misspelt field, say) is refused, naming it: loading
 * it would silently ignore what it says.
 */
export function checkSpecHeader(json: unknown, file: string, format: string, version: number, fields: readonly string[]): { j: Record<string, unknown>; bad: FieldError } {
  const bad = fieldError(file);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('(root)', 'an object', json);
  const j = json as Record<string, unknown>;
  if (j.format !== format) throw bad('format', `'${format}'`, j.format);
  if (j.version !== version) throw bad('version', String(version), j.version);
  const known = ['format', 'version', ...fields];
  const unknown = Object.keys(j).find((k) => !known.includes(k));
  if (unknown !== undefined) throw new DataError(`${file}: field '${unknown}' is not a field of ${format} version ${version} (they are ${known.join(', ')})`);
  return { j, bad };
}
