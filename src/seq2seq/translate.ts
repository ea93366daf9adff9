/** Decoding raw texts with a loaded model: tokens in, the output text and its attention matrix out, in input order. */
import { describe } from '../describe.js';
import { nearName } from '../near_name.js';
import { batchesUntilPause, readLines, type ByteSource } from '../data/text_stream.js';
import { beamDecode, greedyDecode, type Decoding } from './decode.js';
import { Seq2SeqOptionError } from './errors.js';
import { SEQ2SEQ_LIMITS } from './limits.js';
import { DEFAULT_MAX_PAIR_LINE } from './pairs.js';
import type { Seq2SeqModel } from './store.js';
import { tokenize } from './vocab.js';

export interface Translation {
  input: string;
  output: string;
  /**
   * The tokens across and down the attention matrix (END included below); weights [] without attention. The source's
   * as written in the input, a token the vocabulary lacks too (the model read it as <unk>).
   */
  sourceTokens: string[];
  outputTokens: string[];
  weights: number[][];
  score: number;
  /**
   * The decoder ran to the step limit (the model's maxTargetLen + 1) without writing <end>: the output may be cut
   * short. False for an empty input (nothing decoded).
   */
  truncated: boolean;
}

export interface TranslateOptions {
  /** Beam width (default 0: greedy decoding). */
  beam?: number;
  batchSize?: number;
  /** translateLines: the longest line read, in characters (default: the longest a pairs file may hold). */
  maxLineChars?: number;
}

// maxLineChars bounds the lines translateLines reads; translateTexts reads none, so it takes only the others.
const OPTIONS_OF = { translateTexts: ['beam', 'batchSize'], translateLines: ['beam', 'batchSize', 'maxLineChars'] };

/** A misspelt option would decode greedily, or a batch size of 0 never end: each is refused by name (Seq2SeqOptionError, as trainSeq2Seq's). */
function checkTranslateOptions(o: TranslateOptions, where: keyof typeof OPTIONS_OF): void {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Seq2SeqOptionError('options', `${where} takes an object of options, got ${describe(o)}`);
  const names = OPTIONS_OF[where];
  const unknown = Object.keys(o).find((k) => !names.includes(k));
  if (unknown !== undefined) {
    const near = nearName(unknown, names);
    throw new Seq2SeqOptionError(unknown, `is not an option of ${where}${near ? ` (did you mean '${near}'?)` : ''}; options: ${names.join(', ')}`);
  }
  // A string in quotes: '2' refused as an integer must not read as the number 2.
  const bad = (k: string, want: string, v: unknown) => new Seq2SeqOptionError(k, `must be ${want}, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)} (${where})`);
  const { min, max } = SEQ2SEQ_LIMITS.beam;
  if (o.beam !== undefined && !(Number.isInteger(o.beam) && o.beam >= min && o.beam <= max)) throw bad('beam', `an integer from ${min} to ${max} (0: greedy)`, o.beam);
  for (const k of ['batchSize', 'maxLineChars'] as const) {
    if (o[k] !== undefined && !(Number.isInteger(o[k]) && o[k]! >= 1)) throw bad(k, 'a positive integer', o[k]);
  }
}

/** Outputs for texts, in order. An input with no tokens gives an empty output without running the model. */
export function translateTexts(m: Seq2SeqModel, texts: readonly string[], o: TranslateOptions = {}): Translation[] {
  checkTranslateOptions(o, 'translateTexts');
  // A number or null has no characters: it would come out as an empty output, as an empty text does.
  if (!Array.isArray(texts)) throw new Seq2SeqOptionError('texts', `translateTexts takes a list of texts, got ${describe(texts)}`);
  const notText = texts.findIndex((t) => typeof t !== 'string');
  if (notText >= 0) throw new Seq2SeqOptionError('texts', `text ${notText} must be a string, got ${describe(texts[notText])}`);
  const ids = texts.map((t) => m.source.encode(t));
  const todo = ids.map((x, i) => i).filter((i) => ids[i].length > 0);
  const opts = { maxSteps: m.spec.maxTargetLen + 1, batchSize: o.batchSize, unknownTargets: m.spec.unknownTargets === true };
  const sources = todo.map((i) => ids[i]);
  const decoded: Decoding[] = o.beam ? beamDecode(m.net.layers, sources, o.beam, opts) : greedyDecode(m.net.layers, sources, opts);
  const byInput = new Map(todo.map((i, k) => [i, decoded[k]]));
  return texts.map((input, i) => {
    const d = byInput.get(i);
    // The tokens as written, those the vocabulary lacks too (the model read them as <unk>): the heatmap's columns name
    // the input's own words. tokenize gives encode's tokens, one for one.
    const sourceTokens = tokenize(input, m.source.kind);
    if (!d) return { input, output: '', sourceTokens, outputTokens: [], weights: [], score: 0, truncated: false };
    const outputTokens = [...m.target.tokensOf(d.ids), ...(d.ended ? ['<end>'] : [])];
    // A batch pads its sources to the longest: the weights cover this input's own tokens only, as sourceTokens do.
    const weights = d.attention.map((row) => row.slice(0, sourceTokens.length));
    return { input, output: m.target.decode(d.ids), sourceTokens, outputTokens, weights, score: d.score, truncated: !d.ended };
  });
}

/**
 * Translations of a file's (or stdin's) lines, batch by batch, in order; `name` is what errors call the input. A batch
 * is decoded once full, or as soon as no further line is at hand (see batchesUntilPause): a person typing into stdin
 * gets each answer when its line is read, not once 64 lines came or the input closed.
 */
export async function* translateLines(m: Seq2SeqModel, source: ByteSource, name: string, o: TranslateOptions = {}): AsyncGenerator<Translation> {
  checkTranslateOptions(o, 'translateLines');
  // A line as long as training allows: a wrong file (one huge line) is named at once, not run through the encoder
  // for minutes, step by step.
  const texts = async function* () { for await (const { text } of readLines(source, name, o.maxLineChars ?? DEFAULT_MAX_PAIR_LINE)) yield text; };
  const { maxLineChars: _read, ...decoding } = o;
  // Stopped early while a read waits on a stream (stdin kept open), the readers cannot close it until it sends more:
  // closed here instead, as for-await's return would close it.
  const close = () => { const d = (source as { destroy?: unknown }).destroy; if (typeof d === 'function') d.call(source); };
  for await (const batch of batchesUntilPause(texts(), o.batchSize ?? 64, close)) yield* translateTexts(m, batch, decoding);
}

