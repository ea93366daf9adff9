/**
 * Scoring a saved seq2seq model on pairs it did not train on (`rnnlab evaluate` with a seq2seq model): every source
 * decoded as trainSeq2Seq decodes its held-out pairs (greedy, and beam search when asked) and scored by the same
 * functions, so the run's own held-out pairs give back the run's validation numbers.
 */
import { describe } from '../describe.js';
import { nearName } from '../near_name.js';
import { beamDecode, greedyDecode } from './decode.js';
import { Seq2SeqOptionError } from './errors.js';
import { SEQ2SEQ_LIMITS } from './limits.js';
import { checkPairTokens, pairWhere, type Pair } from './pairs.js';
import type { Seq2SeqModel } from './store.js';
import { isExactMatch, scoreDecodings, SEQ2SEQ_DEFAULTS, type DecodeScore, type Seq2SeqSample } from './train.js';
import { tokenize, UNKNOWN } from './vocab.js';

export interface Seq2SeqScoreOptions {
  /** Also decode by beam search of this width (0: greedy only). */
  beam?: number;
  /** Pairs returned as samples, the first ones (default 10). */
  samples?: number;
}

export interface Seq2SeqScoreResult {
  pairs: number;
  greedy: DecodeScore;
  beam: DecodeScore | null;
  beamWidth: number;
  samples: Seq2SeqSample[];
  /** Pairs whose source holds tokens the model's vocabulary lacks (read as <unk>), each token once, in order. */
  unknownSources: { where: string; tokens: string[] }[];
  /** Pairs whose source is longer (in tokens) than the model's maxSourceLen: they decode, perhaps badly. */
  longSources: { where: string; length: number }[];
  /** Pairs whose target is longer than the model's maxTargetLen: decoding stops first, so they can never be exact. */
  longTargets: number;
  /** The share of the pairs' tokens each side reads as <unk> (a target's <unk> is never counted right). */
  unknownShare: { source: number; target: number };
  /** The first pair's greedy attention (output tokens, END included, by source tokens); null without attention. */
  attention: { source: string[]; output: string[]; weights: number[][] } | null;
  seconds: { decode: number };
}

const OPTION_NAMES = ['beam', 'samples'];

function checkOptions(o: Seq2SeqScoreOptions): void {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Seq2SeqOptionError('options', `scoreSeq2Seq takes an object of options, got ${describe(o)}`);
  const unknown = Object.keys(o).find((k) => !OPTION_NAMES.includes(k));
  if (unknown !== undefined) {
    const near = nearName(unknown, OPTION_NAMES);
    throw new Seq2SeqOptionError(unknown, `is not an option of scoreSeq2Seq${near ? ` (did you mean '${near}'?)` : ''}; options: ${OPTION_NAMES.join(', ')}`);
  }
  for (const k of ['beam', 'samples'] as const) {
    const { min, max } = SEQ2SEQ_LIMITS[k], v = o[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max)) {
      throw new Seq2SeqOptionError(k, `must be an integer from ${min} to ${max}, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)} (scoreSeq2Seq)`);
    }
  }
}

function unknownShare(texts: readonly (readonly number[])[]): number {
  let unknown = 0, total = 0;
  for (const ids of texts) for (const id of ids) { total++; if (id === UNKNOWN) unknown++; }
  return total ? unknown / total : 0;
}

/**
 * Decodes every pair's source with `m` and scores the outputs against the targets. A pair trainSeq2Seq would refuse
 * (a side with no tokens, a special token as a word) is a DataError naming it, as in training.
 */
export function scoreSeq2Seq(m: Seq2SeqModel, pairs: readonly Pair[], o: Seq2SeqScoreOptions = {}): Seq2SeqScoreResult {
  checkOptions(o);
  if (!Array.isArray(pairs) || pairs.length === 0) throw new Seq2SeqOptionError('pairs', `must be a non-empty list of {source, target, where}, got ${describe(pairs)}`);
  checkPairTokens(pairs, { source: m.source.kind, target: m.target.kind });
  const beamWidth = o.beam ?? 0;
  const sources = pairs.map((p) => m.source.encode(p.source));
  const truths = pairs.map((p) => m.target.encode(p.target));
  // trainSeq2Seq's decoding options, so the same pairs decode to the same outputs.
  const opts = { maxSteps: m.spec.maxTargetLen + 1, unknownTargets: m.spec.unknownTargets === true };
  const t0 = performance.now();
  const greedy = greedyDecode(m.net.layers, sources, opts);
  const beam = beamWidth > 0 ? beamDecode(m.net.layers, sources, beamWidth, opts) : null;
  const seconds = { decode: (performance.now() - t0) / 1000 };
  const samples = pairs.slice(0, o.samples ?? SEQ2SEQ_DEFAULTS.samples).map((p, i) => {
    const s: Seq2SeqSample = { question: p.source, truth: p.target, guess: m.target.decode(greedy[i].ids), correct: isExactMatch(greedy[i], truths[i]) };
    if (beam) s.beamGuess = m.target.decode(beam[i].ids);
    return s;
  });
  const g0 = greedy[0];
  const attention = m.spec.architecture.attention === 'none' ? null : {
    // As written, an unknown token too (read as <unk>; unknownSources names it), as trainSeq2Seq's attention shows it.
    source: tokenize(pairs[0].source, m.source.kind), output: [...g0.ids.map((id) => m.target.items[id]), ...(g0.ended ? ['<end>'] : [])],
    weights: g0.attention.map((row) => row.slice(0, sources[0].length)),
  };
  return {
    pairs: pairs.length, greedy: scoreDecodings(greedy, truths), beam: beam ? scoreDecodings(beam, truths) : null, beamWidth, samples,
    unknownSources: pairs.flatMap((p, i) => {
      const tokens = [...new Set(m.source.unknownTokens(p.source))];
      return tokens.length ? [{ where: pairWhere(p, i), tokens }] : [];
    }),
    longSources: pairs.flatMap((p, i) => (sources[i].length > m.spec.maxSourceLen ? [{ where: pairWhere(p, i), length: sources[i].length }] : [])),
    longTargets: pairs.filter((p) => tokenize(p.target, m.target.kind).length > m.spec.maxTargetLen).length,
    unknownShare: { source: unknownShare(sources), target: unknownShare(truths) },
    attention, seconds,
  };
}
