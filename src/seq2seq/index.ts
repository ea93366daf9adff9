/**
 * The encoder-decoder as a library: train on pairs (read from a file or made in code), score, save, load and
 * translate. What `rnnlab seq2seq` and `rnnlab translate` run, without the command line.
 */
export { trainSeq2Seq, isExactMatch, scoreDecodings, Seq2SeqOptionError, SEQ2SEQ_DEFAULTS } from './train.js';
export { SEQ2SEQ_LIMITS } from './limits.js';
export type { Seq2SeqTrainOptions, Seq2SeqTrainResult, Seq2SeqSample, DecodeScore } from './train.js';
export { readPairs, readPairsFile, pairsJsonl, PAIR_FORMATS } from './pairs.js';
export type { Pair, PairFormat, PairReadOptions, PairsRead } from './pairs.js';
export { generatePairs, pairsTsv, GENERATED_TASKS, TASK_TOKENS } from './generate.js';
export type { GeneratedTask } from './generate.js';
export { saveSeq2Seq, loadSeq2Seq, seq2seqModelOf, SEQ2SEQ_SPEC_FILE } from './store.js';
export type { Seq2SeqModel, Seq2SeqSpec } from './store.js';
export { translateTexts, translateLines } from './translate.js';
export { scoreSeq2Seq } from './score.js';
export type { Seq2SeqScoreOptions, Seq2SeqScoreResult } from './score.js';
export type { Translation, TranslateOptions } from './translate.js';
// Plain beamSearch and sequenceLogProb stay internal: beamDecode is the beam search to use (never below greedy).
export { greedyDecode, beamDecode } from './decode.js';
export type { Decoding, DecodeOptions } from './decode.js';
export { Vocab, tokenize, TOKEN_KINDS, SPECIAL_TOKENS, PAD, START, END, UNKNOWN } from './vocab.js';
export type { TokenKind, VocabJSON } from './vocab.js';
export { ATTENTION_KINDS, RNN_KINDS } from './graph.js';
export type { AttentionKind, RnnKind, Seq2SeqArchitecture } from './graph.js';
export { attentionHeatmap } from './heatmap.js';
