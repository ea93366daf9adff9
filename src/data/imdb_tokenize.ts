/**
 * The tokenization behind Keras's IMDb arrays, recovered empirically: Keras's default filters become
 * spaces, only ASCII letters are lower-cased (the original ran Python 2 `str.lower()`, so "Á" stays),
 * the text splits on ' ' alone (so "\xa0" and "\x85" stay inside words) and apostrophes stay ("don't").
 * "<br />" therefore yields the word "br" (rank 7). Over the 25,000 training reviews this gives exactly
 * the 88,584 words of imdb_word_index.json with ranks consistent with their counts, and reproduces
 * Keras's x_train[0] id for id. Test-set words missing from the index (built on train only) are dropped,
 * which matches Keras's mean test length of 230.8042.
 */
const WORD_SEPARATORS = /[ !"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~\t\n]+/;

export function imdbTokenize(text: string): string[] {
  const lowered = text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  const words = lowered.split(WORD_SEPARATORS);
  const out: string[] = [];
  for (const w of words) if (w.length > 0) out.push(w);
  return out;
}

/** Word ranks (the=1) of a review; words outside the index are dropped, as in Keras's data. */
export function imdbEncodeRanks(text: string, wordIndex: ReadonlyMap<string, number>): number[] {
  const ranks: number[] = [];
  for (const w of imdbTokenize(text)) {
    const r = wordIndex.get(w);
    if (r !== undefined) ranks.push(r);
  }
  return ranks;
}

/** Keras's IMDb ids: 0 padding, 1 the start marker, 2 a word outside the vocabulary, rank + 3 a word. */
export const IMDB_IDS = { pad: 0, start: 1, oov: 2, indexFrom: 3 } as const;

export interface ReviewToken {
  word: string;
  /** Frequency rank in Keras's word index (the = 1); null when the word is not in it. */
  rank: number | null;
  /** The id the model reads; null when the word is not in the index and is dropped, as in Keras's data. */
  id: number | null;
  /** 'word'; 'rare': in the index but rank + 3 >= vocab, read as the OOV id; 'unknown': dropped. */
  kind: 'word' | 'rare' | 'unknown';
}

/** A review as an IMDb model reads it: the start marker, then one id per known word (ids >= vocab become OOV). */
export function encodeReview(text: string, vocab: number, wordIndex: ReadonlyMap<string, number>): { tokens: ReviewToken[]; ids: number[] } {
  const ids: number[] = [IMDB_IDS.start];
  const tokens = imdbTokenize(text).map((word): ReviewToken => {
    const rank = wordIndex.get(word) ?? null;
    if (rank === null) return { word, rank, id: null, kind: 'unknown' };
    const id = rank + IMDB_IDS.indexFrom;
    const t: ReviewToken = id < vocab ? { word, rank, id, kind: 'word' } : { word, rank, id: IMDB_IDS.oov, kind: 'rare' };
    ids.push(t.id!);
    return t;
  });
  return { tokens, ids };
}
