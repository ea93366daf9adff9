/**
 * Lone surrogates: a JSON escape ("\ud83d" without its other half) or a string cut between the halves of a surrogate
 * pair holds half a character. UTF-8 files cannot (their decoding refuses it), so JSON strings and texts made in code
 * are where one comes from. It is not a character: it would train as a token of its own, print as U+FFFD and be saved
 * as an escape no UTF-8 text can match (Keras could not take it either: encoding it to a tf string fails).
 */
import { DataError } from './errors.js';

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a text holds no character there, said of `what` ("the source", "field 'text'"), or null when it is whole. */
export function loneSurrogateProblem(text: string, what: string): string | null {
  const m = LONE.exec(text);
  if (!m) return null;
  const at = Array.from(text.slice(0, m.index)).length + 1;
  return `${what} holds a lone surrogate U+${m[0].charCodeAt(0).toString(16).toUpperCase()} at character ${at} (half of a surrogate pair, not a character); write the whole character`;
}

/** A seq2seq pair as the check reads it (src/seq2seq's Pair): named by `where`, else by its place in the list. */
interface SidesOfPair { source: string; target: string; where?: string }

/** Refuses the first pair with a lone surrogate, naming its line (or place), side and position. */
export function checkSurrogates(pairs: readonly SidesOfPair[]): void {
  pairs.forEach((p, i) => {
    for (const side of ['source', 'target'] as const) {
      const problem = loneSurrogateProblem(p[side], `the ${side}`);
      if (problem !== null) throw new DataError(`${typeof p.where === 'string' && p.where !== '' ? p.where : `pair ${i + 1}`}: ${problem}`);
    }
  });
}
