/**
 * The sizes rl.seq2seq trains and decodes with, one table for the API (trainSeq2Seq, translateTexts, beamDecode) and
 * the flags of `rnnlab seq2seq` and `rnnlab translate`, so a size the command line refuses is refused in code too.
 * They cap memory and time: a 9-layer or 5000-unit model, or a beam of 65 hypotheses per input, is far past what a
 * CPU trainer of this kind is for. Loading a saved model does not check them: a model written before they held loads.
 */
export const SEQ2SEQ_LIMITS = {
  layers: { min: 1, max: 8 },
  units: { min: 1, max: 4096 },
  embeddingDim: { min: 1, max: 4096 },
  beam: { min: 0, max: 64 },
  samples: { min: 0, max: 10_000 },
  maxVocab: { min: 5, max: 10_000_000 },
  // A pairs line holds at most 100,000 characters (DEFAULT_MAX_PAIR_LINE), so no pair is longer in tokens.
  maxSourceLen: { min: 1, max: 100_000 },
  maxTargetLen: { min: 1, max: 100_000 },
} as const;

export type Seq2SeqLimited = keyof typeof SEQ2SEQ_LIMITS;
