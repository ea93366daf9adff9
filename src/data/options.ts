import { DataError } from './errors.js';
import { nearName } from '../near_name.js';

/**
 * Refuses option keys a function does not take (Keras raises on unknown kwargs), naming the key; a Keras
 * snake_case spelling (num_words), a wrong case (maxLen) or a typo is pointed at the name taken here.
 */
export function refuseUnknownOptions(options: object, known: readonly string[], where: string): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new DataError(`${where}: options must be an object`);
  for (const k of Object.keys(options)) {
    if (known.includes(k)) continue;
    const near = nearName(k, known);
    throw new DataError(`${where}: unknown option '${k}'${near ? ` (did you mean '${near}'?)` : ''}; it takes ${known.join(', ')}`);
  }
}
