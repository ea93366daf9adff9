import { DataError } from './errors.js';
import { checkOptionKeys } from '../near_name.js';

/**
 * Refuses option keys a function does not take (Keras raises on unknown kwargs), naming the key; a Keras
 * snake_case spelling (num_words), a wrong case (maxLen) or a typo is pointed at the name taken here.
 * rnnlab's one option check (near_name.ts) with rl.data's error type; a key set to undefined is refused too.
 */
export function refuseUnknownOptions(options: object, known: readonly string[], where: string): void {
  checkOptionKeys(where, options, known, { error: DataError, undefinedIsAbsent: false });
}
