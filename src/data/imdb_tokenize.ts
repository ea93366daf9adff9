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
