/**
 * Training a seq2seq model on pairs: a seeded split, vocabularies from the training pairs, teacher forcing
 * (decoder input START + target, fitted to target + END), then the held-out pairs decoded greedily (and with
 * beam search) and scored per token and as whole outputs.
 */
import type { Callback } from '../models/callback.js';
import type { ProgressWriter } from '../models/progress.js';
import { makeOptimizer } from '../experiments/imdb_task.js';
import { EpochTimer, type ResumedEpochTimes } from '../experiments/train_hooks.js';
import { Random, setSeed } from '../random.js';
import { Tensor } from '../tensor.js';
import { beamDecode, greedyDecode, type Decoding } from './decode.js';
import { ATTENTION_KINDS, RNN_KINDS, type AttentionKind, type RnnKind, type Seq2SeqArchitecture } from './graph.js';
import { SEQ2SEQ_LIMITS, type Seq2SeqLimited } from './limits.js';
import { buildSeq2Seq, idsTensor, type Seq2SeqNet } from './model.js';
import { checkPairTokens, type Pair, type SideTokens } from './pairs.js';
import type { Seq2SeqSpec } from './store.js';
import { END, START, TOKEN_KINDS, tokenize, UNKNOWN, Vocab, type TokenKind } from './vocab.js';

// A bad option value, named by its option (the CLI turns it into its flag); shared by every rl.seq2seq function.
import { Seq2SeqOptionError } from './errors.js';
import { float32Holds } from '../optimizers/float32.js';
export { Seq2SeqOptionError };

export const SEQ2SEQ_DEFAULTS = {
  tokens: 'char' as TokenKind, rnn: 'lstm' as RnnKind, bidirectionalEncoder: false, layers: 1, units: 128, embeddingDim: 64,
  attention: 'luong' as AttentionKind, validationSplit: 0.1, epochs: 10, batchSize: 64, seed: 1, beam: 0, samples: 10,
};

export interface Seq2SeqTrainOptions {
  /** Both sides' token kind (default 'char'); sourceTokens / targetTokens set one side, and may not contradict it. */
  tokens?: TokenKind;
  sourceTokens?: TokenKind;
  targetTokens?: TokenKind;
  rnn?: RnnKind;
  bidirectionalEncoder?: boolean;
  layers?: number;
  units?: number;
  embeddingDim?: number;
  attention?: AttentionKind;
  validationSplit?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Longest source / target in tokens; longer pairs are left out (and counted). Default: the longest training pair. */
  maxSourceLen?: number;
  maxTargetLen?: number;
  /** Most tokens per vocabulary, the four specials included: the most frequent training tokens are kept, the rest read as <unk>. Default: every token. */
  maxVocab?: number;
  /** Also decode the held-out pairs with beam search of this width (0: greedy only). */
  beam?: number;
  /** Held-out pairs returned as samples. */
  samples?: number;
  /** fit's progress lines: 0 none, 1 Keras's bar, 2 a line per epoch. Default 0, or 1 when progress is given. */
  verbose?: 0 | 1 | 2;
  /** Where the progress lines go (default stdout). */
  progress?: ProgressWriter;
}

/** What the CLI adds to fit for its checkpoints: their callbacks, and the epoch times they carry across a resume. */
export interface Seq2SeqFitExtras {
  callbacks?: Callback[];
  epochTimes?: ResumedEpochTimes;
}

export interface Seq2SeqSample { question: string; truth: string; guess: string; correct: boolean; beamGuess?: string }

export interface DecodeScore { perToken: number; exact: number }

export interface Seq2SeqTrainResult {
  net: Seq2SeqNet;
  spec: Seq2SeqSpec;
  config: Record<string, unknown>;
  /** heldOutSeen: held-out pairs that are also training pairs (a file's duplicates): their accuracy is recall, not generalisation. */
  counts: { train: number; validation: number; skippedLong: number; heldOutSeen: number };
  history: Record<string, number[]>;
  /** Wall time of each epoch's training batches (validation excluded), one per epoch run. */
  secondsPerEpoch: number[];
  params: number;
  greedy: DecodeScore;
  beam: DecodeScore | null;
  samples: Seq2SeqSample[];
  /** The first sample's greedy attention: output tokens (END included) by source tokens; null without attention. */
  attention: { source: string[]; output: string[]; weights: number[][] } | null;
  seconds: { train: number; decode: number };
  /**
   * Of the held-out pairs' tokens, the fraction each side reads as <unk> (not among the training tokens, or cut by
   * maxVocab): high with word tokens on text without spaces (Chinese, Japanese), where a whole sentence is one word.
   */
  heldOutUnknown: { source: number; target: number };
  /** The held-out pairs scored, in the order decoded (those the length limits kept): what evaluate takes to give these scores back. */
  heldOut: Pair[];
}

/**
 * A truth's ids as scored, END last. Its <unk> (a word --max-vocab or the training pairs left out) stands for a
 * word the model cannot write, so it becomes an id no output holds: an output's <unk> there is not right.
 */
function wanted(truth: readonly number[]): number[] {
  return [...truth.map((id) => (id === UNKNOWN ? -1 : id)), END];
}

function written(d: Decoding): readonly number[] { return d.ended ? [...d.ids, END] : d.ids; }

/** The whole output right (END included), as the exact-match score and a sample's ☑ count it. */
export function isExactMatch(d: Decoding, truth: readonly number[]): boolean {
  const want = wanted(truth), got = written(d);
  return want.length === got.length && want.every((id, t) => got[t] === id);
}

/** Output tokens right at their position (END counted as a token) and whole outputs right, over the truths. */
export function scoreDecodings(decoded: readonly Decoding[], truths: readonly (readonly number[])[]): DecodeScore {
  let right = 0, total = 0, exact = 0;
  decoded.forEach((d, i) => {
    const want = wanted(truths[i]), got = written(d);
    want.forEach((id, t) => { if (got[t] === id) right++; });
    total += want.length;
    if (isExactMatch(d, truths[i])) exact++;
  });
  return { perToken: total ? right / total : NaN, exact: decoded.length ? exact / decoded.length : NaN };
}

/** The fraction of the tokens that are UNKNOWN. */
function unknownShare(texts: readonly (readonly number[])[]): number {
  let unknown = 0, total = 0;
  for (const ids of texts) for (const id of ids) { total++; if (id === UNKNOWN) unknown++; }
  return total ? unknown / total : 0;
}

/** Held-out pairs whose source and target are written exactly as a training pair's (a file's repeated lines). */
function seenInTraining(train: readonly { pair: Pair }[], val: readonly { pair: Pair }[]): number {
  const key = (e: { pair: Pair }) => JSON.stringify([e.pair.source, e.pair.target]);
  const seen = new Set(train.map(key));
  return val.filter((e) => seen.has(key(e))).length;
}

const OPTION_NAMES: readonly (keyof Seq2SeqTrainOptions)[] = ['tokens', 'rnn', 'bidirectionalEncoder', 'layers', 'units', 'embeddingDim', 'attention',
  'validationSplit', 'epochs', 'batchSize', 'lr', 'seed', 'maxSourceLen', 'maxTargetLen', 'maxVocab', 'beam', 'samples', 'verbose', 'progress', 'sourceTokens', 'targetTokens'];

/** A misspelt option would otherwise train with the default silently. */
function checkOptionNames(o: object): void {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    throw new Seq2SeqOptionError('options', `trainSeq2Seq takes an object of options, got ${o === null ? 'null' : Array.isArray(o) ? 'an array' : typeof o}`);
  }
  const unknown = Object.keys(o).find((k) => !(OPTION_NAMES as readonly string[]).includes(k));
  if (unknown !== undefined) throw new Seq2SeqOptionError(unknown, `is not an option of trainSeq2Seq (options: ${OPTION_NAMES.join(', ')})`);
}

/** trainSeq2Seq's third argument: known keys only, and callbacks a list. */
function checkExtras(x: Seq2SeqFitExtras): void {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new Seq2SeqOptionError('extras', `trainSeq2Seq's third argument takes {callbacks}, got ${x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x}`);
  const unknown = Object.keys(x).find((k) => k !== 'callbacks' && k !== 'epochTimes');
  if (unknown !== undefined) throw new Seq2SeqOptionError(unknown, `is not a key of trainSeq2Seq's third argument (keys: callbacks, epochTimes)`);
  if (x.callbacks !== undefined && !Array.isArray(x.callbacks)) throw new Seq2SeqOptionError('callbacks', 'must be a list of callbacks');
}

/** The layers are picked by comparing with one kind (lstm, else gru): any other value would build the other kind. */
function checkChoice(option: string, v: unknown, choices: readonly string[]): void {
  if (!choices.includes(v as string)) throw new Seq2SeqOptionError(option, `must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`);
}

/**
 * Each side's token kind: its own option, else tokens, else char. A side option that contradicts tokens (which sets
 * both) is refused naming both, as one of them would otherwise be ignored.
 */
function sideKinds(o: Seq2SeqTrainOptions): SideTokens {
  if (o.tokens !== undefined) checkChoice('tokens', o.tokens, TOKEN_KINDS);
  const kind = (side: 'source' | 'target'): TokenKind => {
    const option = `${side}Tokens` as const, v = o[option];
    if (v === undefined) return o.tokens ?? SEQ2SEQ_DEFAULTS.tokens;
    checkChoice(option, v, TOKEN_KINDS);
    if (o.tokens !== undefined && v !== o.tokens) {
      throw new Seq2SeqOptionError(option, `${JSON.stringify(v)} contradicts tokens ${JSON.stringify(o.tokens)}, which sets both sides; give tokens alone, or sourceTokens and targetTokens`);
    }
    return v;
  };
  return { source: kind('source'), target: kind('target') };
}

/** The token kind of a run as one word: 'char' or 'word', or 'char->word' (source->target) when the sides differ. */
export function tokensSetting(k: SideTokens): string {
  return k.source === k.target ? k.source : `${k.source}->${k.target}`;
}

/** A refused value as written: a string in quotes, so '1' refused as an integer does not read as the number 1. */
function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function checkInt(option: string, v: number | undefined, min: number, max = 1e9): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min || v > max)) throw new Seq2SeqOptionError(option, `must be an integer from ${min} to ${max}, got ${shown(v)}`);
}

/**
 * trainSeq2Seq's seeded split: the first `validation` pairs of a shuffle seeded by `seed` are held out. Exported so a
 * run's held-out pairs can be rebuilt from its pairs and its seed (an evaluation of the saved model on them gives the
 * run's own validation scores).
 */
export function splitPairs<P>(pairs: readonly P[], validation: number, seed: number): { train: P[]; validation: P[] } {
  const order = pairs.map((_, i) => i);
  const rng = new Random(seed);
  for (let i = order.length - 1; i > 0; i--) { const j = rng.int(i + 1); [order[i], order[j]] = [order[j], order[i]]; }
  return { validation: order.slice(0, validation).map((i) => pairs[i]), train: order.slice(validation).map((i) => pairs[i]) };
}

export async function trainSeq2Seq(pairs: readonly Pair[], o: Seq2SeqTrainOptions = {}, extras: Seq2SeqFitExtras = {}): Promise<Seq2SeqTrainResult> {
  checkOptionNames(o);
  checkExtras(extras);
  const d = { ...SEQ2SEQ_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as typeof SEQ2SEQ_DEFAULTS & Seq2SeqTrainOptions;
  const kinds = sideKinds(o);
  checkChoice('rnn', d.rnn, RNN_KINDS);
  checkChoice('attention', d.attention, ATTENTION_KINDS);
  if (d.lr !== undefined && !(typeof d.lr === 'number' && d.lr > 0 && float32Holds(d.lr))) throw new Seq2SeqOptionError('lr', `must be a number > 0 that float32 holds (about 3.4e38 at most), got ${shown(d.lr)}`);
  if (!Number.isSafeInteger(d.seed)) throw new Seq2SeqOptionError('seed', `must be an integer, got ${shown(d.seed)}`);
  for (const k of ['epochs', 'batchSize'] as const) checkInt(k, d[k], 1);
  for (const [k, { min, max }] of Object.entries(SEQ2SEQ_LIMITS) as [Seq2SeqLimited, { min: number; max: number }][]) checkInt(k, d[k], min, max);
  // Any truthy value would build the bidirectional encoder, whose saved spec then refuses to load.
  if (typeof d.bidirectionalEncoder !== 'boolean') throw new Seq2SeqOptionError('bidirectionalEncoder', `must be true or false, got ${JSON.stringify(d.bidirectionalEncoder)}`);
  if (d.verbose !== undefined && d.verbose !== 0 && d.verbose !== 1 && d.verbose !== 2) throw new Seq2SeqOptionError('verbose', `must be 0, 1 or 2, got ${shown(d.verbose)}`);
  if (d.progress !== undefined && typeof (d.progress as { write?: unknown } | null)?.write !== 'function') {
    throw new Seq2SeqOptionError('progress', `must be a writer with a write(text) method (process.stdout, say), got ${d.progress === null ? 'null' : typeof d.progress}`);
  }
  // typeof first: a string such as '0.25' passes the comparisons and would be recorded in the config as a string.
  if (typeof d.validationSplit !== 'number' || !(d.validationSplit > 0 && d.validationSplit < 1)) {
    throw new Seq2SeqOptionError('validationSplit', `must be a number in (0, 1), got ${shown(d.validationSplit)}`);
  }
  if (!Array.isArray(pairs)) throw new Seq2SeqOptionError('pairs', `must be a list of {source, target, where}, got ${pairs === null ? 'null' : typeof pairs}`);
  const nVal = Math.round(pairs.length * d.validationSplit);
  // One pair (or none) has no split at all: saying 'another split' would send the user looking for one.
  if (pairs.length < 2) throw new Seq2SeqOptionError('validationSplit', `${pairs.length} pair${pairs.length === 1 ? '' : 's'} cannot be split: training and validation need at least one pair each (give at least 2 pairs)`);
  if (nVal < 1 || nVal >= pairs.length) {
    throw new Seq2SeqOptionError('validationSplit', `${d.validationSplit} of ${pairs.length} pairs leaves ${nVal} for validation and ${pairs.length - nVal} for training; both need at least one (more pairs, or another split)`);
  }
  checkPairTokens(pairs, kinds);
  setSeed(d.seed);
  const { train: trainPairs, validation: valPairs } = splitPairs(pairs, nVal, d.seed);
  const lengths = (ps: readonly Pair[]) => ps.map((p) => ({ pair: p, srcLen: tokenize(p.source, kinds.source).length, tgtLen: tokenize(p.target, kinds.target).length }));
  type Sized = ReturnType<typeof lengths>[number];
  const trainAll = lengths(trainPairs), valAll = lengths(valPairs);
  // An auto limit is the longest training pair's among those the given limit keeps: a pair left out for its source
  // would otherwise set the decoder's step limit. With none kept, all of them, so the refusal names the given limit.
  const withinGiven = trainAll.filter((e) => e.srcLen <= (d.maxSourceLen ?? Infinity) && e.tgtLen <= (d.maxTargetLen ?? Infinity));
  const base = withinGiven.length ? withinGiven : trainAll;
  // A loop, not Math.max(...lengths): spreading ~120k pairs overflows the call stack.
  const longest = (len: (e: Sized) => number) => base.reduce((m, e) => Math.max(m, len(e)), -Infinity);
  const maxSourceLen = d.maxSourceLen ?? longest((e) => e.srcLen);
  const maxTargetLen = d.maxTargetLen ?? longest((e) => e.tgtLen);
  const fits = (e: Sized) => e.srcLen >= 1 && e.srcLen <= maxSourceLen && e.tgtLen >= 1 && e.tgtLen <= maxTargetLen;
  const before = trainAll.length + valAll.length;
  const trainKept = trainAll.filter(fits), valKept = valAll.filter(fits);
  if (!trainKept.length || !valKept.length) {
    // Blame the limit that leaves out more of the pairs (given or auto); on a tie, the one the user set alone.
    const pool = trainKept.length ? valAll : trainAll;
    const sourcesIn = pool.filter((e) => e.srcLen >= 1 && e.srcLen <= maxSourceLen).length;
    const targetsIn = pool.filter((e) => e.tgtLen >= 1 && e.tgtLen <= maxTargetLen).length;
    const byTarget = targetsIn < sourcesIn || (targetsIn === sourcesIn && d.maxTargetLen !== undefined && d.maxSourceLen === undefined);
    const option = byTarget ? 'maxTargetLen' : 'maxSourceLen';
    // Left to auto, the limits are the longest training pair's: the user set nothing, so say what did the cutting.
    const auto = d[option] === undefined ? ' (this limit was left to auto: the longest training pair\'s length); give a larger limit to keep the longer pairs, or more pairs' : '';
    throw new Seq2SeqOptionError(option, `no ${trainKept.length ? 'validation' : 'training'} pair is within ${maxSourceLen} source and ${maxTargetLen} target tokens${auto}`);
  }
  // The vocabularies (and --max-vocab's slots) are the kept training pairs' tokens, as Keras adapts on what it trains:
  // a token only in left-out pairs would take a slot and an id the model never learns, and hide from the unknown-token notes.
  const source = Vocab.fromTexts(trainKept.map((e) => e.pair.source), kinds.source, d.maxVocab);
  const target = Vocab.fromTexts(trainKept.map((e) => e.pair.target), kinds.target, d.maxVocab);
  const enc = (es: readonly Sized[]) => es.map((e) => ({ pair: e.pair, src: source.encode(e.pair.source), tgt: target.encode(e.pair.target) }));
  const train = enc(trainKept), val = enc(valKept);

  const arch: Seq2SeqArchitecture = {
    rnn: d.rnn, bidirectionalEncoder: d.bidirectionalEncoder, layers: d.layers, units: d.units, embeddingDim: d.embeddingDim,
    attention: d.attention, sourceVocabSize: source.size, targetVocabSize: target.size,
  };
  const net = buildSeq2Seq(arch);
  net.model.compile({ optimizer: makeOptimizer('adam', d.lr), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  // Each tensor as wide as its longest row, not as the limits: a limit far beyond the pairs (--max-target-len 100000)
  // would make every row, and every batch's copy of its rows, that wide. A loop, not Math.max(...): see longest.
  const ids = (rows: number[][]) => idsTensor(rows, rows.reduce((m, r) => Math.max(m, r.length), 1));
  const inputs = (es: typeof train) => [ids(es.map((e) => e.src)), ids(es.map((e) => [START, ...e.tgt]))];
  const targets = (es: typeof train) => ids(es.map((e) => [...e.tgt, END]));
  const t0 = performance.now();
  // The record's secondsPerEpoch: the training batches only, as the lab's runs time them.
  const timer = extras.epochTimes?.timer ?? new EpochTimer();
  // A progress writer given without verbose asks for the progress lines (verbose 1); verbose 0 keeps it silent.
  const history = await net.model.fit(inputs(train) as Tensor[], targets(train), {
    epochs: d.epochs, batchSize: d.batchSize, verbose: d.verbose ?? (d.progress ? 1 : 0), out: d.progress, validationData: [inputs(val) as never, targets(val)],
    // The timer first: a checkpoint written at an epoch's end then carries that epoch's time.
    callbacks: [timer, ...(extras.callbacks ?? [])],
  });
  const t1 = performance.now();
  // A capped target vocabulary trains the decoder to write <unk> for the tokens it left out: let decoding choose it.
  const unknownTargets = train.some((e) => e.tgt.includes(UNKNOWN));
  const decodeOpts = { maxSteps: maxTargetLen + 1, unknownTargets };
  const greedy = greedyDecode(net.layers, val.map((e) => e.src), decodeOpts);
  const beam = d.beam > 0 ? beamDecode(net.layers, val.map((e) => e.src), d.beam, decodeOpts) : null;
  const t2 = performance.now();
  const truths = val.map((e) => e.tgt);
  const samples = val.slice(0, d.samples).map((e, i) => {
    const guess = target.decode(greedy[i].ids);
    const s: Seq2SeqSample = { question: e.pair.source, truth: e.pair.target, guess, correct: isExactMatch(greedy[i], e.tgt) };
    if (beam) s.beamGuess = target.decode(beam[i].ids);
    return s;
  });
  const first = val[0], g0 = greedy[0];
  const attention = arch.attention === 'none' ? null : {
    // The source as written, a word the vocabulary lacks too (the model read it as <unk>): tokenize gives encode's tokens.
    source: tokenize(first.pair.source, kinds.source), output: [...g0.ids.map((id) => target.items[id]), ...(g0.ended ? ['<end>'] : [])],
    weights: g0.attention.map((row) => row.slice(0, first.src.length)),
  };
  const greedyScore = scoreDecodings(greedy, truths);
  const beamScore = beam ? scoreDecodings(beam, truths) : null;
  const spec: Seq2SeqSpec = {
    format: 'rnnlab-seq2seq', version: 1, architecture: arch, source: source.toJSON(), target: target.toJSON(), maxSourceLen, maxTargetLen,
    ...(unknownTargets ? { unknownTargets } : {}),
    metrics: { greedyPerToken: greedyScore.perToken, greedyExact: greedyScore.exact, ...(beamScore ? { beamPerToken: beamScore.perToken, beamExact: beamScore.exact } : {}) },
  };
  return {
    net, spec, params: net.model.countParams(), history: history.history as Record<string, number[]>, secondsPerEpoch: extras.epochTimes ? extras.epochTimes.seconds() : timer.seconds,
    config: { tokens: tokensSetting(kinds), sourceTokens: kinds.source, targetTokens: kinds.target, rnn: d.rnn, bidirectionalEncoder: d.bidirectionalEncoder, layers: d.layers, units: d.units, embeddingDim: d.embeddingDim,
      attention: d.attention, validationSplit: d.validationSplit, epochs: d.epochs, batchSize: d.batchSize, lr: d.lr ?? net.model.optimizer!.learningRate,
      seed: d.seed, maxSourceLen, maxTargetLen, maxVocab: d.maxVocab ?? null, beam: d.beam },
    counts: { train: train.length, validation: val.length, skippedLong: before - train.length - val.length, heldOutSeen: seenInTraining(train, val) },
    greedy: greedyScore, beam: beamScore, samples, attention,
    seconds: { train: (t1 - t0) / 1000, decode: (t2 - t1) / 1000 },
    heldOutUnknown: { source: unknownShare(val.map((e) => e.src)), target: unknownShare(val.map((e) => e.tgt)) },
    heldOut: val.map((e) => e.pair),
  };
}
