/**
 * Keras's IntegerLookup vocabulary file: one integer token per line, read as Keras's TensorFlow TextFileInitializer
 * reads it (lines end at \n, a trailing \r dropped; the whole line an int64, spaces around it allowed; an empty line
 * refused). Errors name the file and the line, counted from 1.
 */
import { readFileSync } from 'node:fs';
import { errnoWords, localPathOf } from '../local_files.js';

/** The file's tokens in line order (line i is token i); a non-integer, empty or repeated line is an error naming it. */
export function readVocabularyFile(where: string, file: string): number[] {
  const named = `vocabulary file ${JSON.stringify(file)}`;
  const local = localPathOf(file);
  if ('scheme' in local) throw new Error(`${where}: ${named}: ${local.scheme}:// is not read; give a local path or a file:// URL`);
  let text: string;
  try { text = readFileSync(local.path, 'utf8'); } catch (e) { throw new Error(`${where}: cannot read the ${named}: ${errnoWords(e)}`); }
  const lines = text.split('\n');
  // A final newline ends the last line rather than starting an empty one, as TensorFlow's line reader sees it.
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new Error(`${where}: the ${named} is empty; it needs one integer token per line`);
  const lineOf = new Map<number, number>();
  return lines.map((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const at = `${where}: ${named} line ${i + 1}`;
    if (line === '') throw new Error(`${at} is empty; each line holds one integer token (Keras's reader refuses an empty line too)`);
    if (!/^\s*[-+]?\d+\s*$/.test(line)) throw new Error(`${at}: ${JSON.stringify(line)} is not an integer token`);
    const token = Number(line.trim()) + 0; // + 0: a line "-0" is the token 0
    if (!Number.isSafeInteger(token)) throw new Error(`${at}: ${line.trim()} is outside the integers held exactly (up to 2^53 - 1 in magnitude)`);
    const first = lineOf.get(token);
    if (first !== undefined) throw new Error(`${at} repeats the token ${token} of line ${first}; each token must appear once, as Keras requires`);
    lineOf.set(token, i + 1);
    return token;
  });
}
