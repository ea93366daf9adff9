/**
 * Decoding a trained encoder-decoder: the encoder runs once per batch of sources, then the decoder one step at a
 * time from START, fed its own previous token, until END or the step limit. Greedy takes the most probable token;
 * beam search keeps the `beam` best partial outputs per source. Both score an output as its summed log
 * probability (END included) divided by its length ** lengthPenalty (length normalisation: without it, beams
 * favour short outputs).
 */
import { Tensor } from '../tensor.js';
import { decodeSteps, encode, type Seq2SeqLayers } from './graph.js';
import { Seq2SeqOptionError } from './errors.js';
import { SEQ2SEQ_LIMITS } from './limits.js';
import { idsTensor, TensorRunner } from './model.js';
import { END, PAD, START, UNKNOWN } from './vocab.js';

export interface Decoding {
  /** Output ids, END left out. */
  ids: number[];
  /** Whether the decoder emitted END (else it hit the step limit). */
  ended: boolean;
  /** Summed log probability of ids (and END when emitted). */
  logProb: number;
  /** logProb / steps ** lengthPenalty: what greedy and beam compare. */
  score: number;
  /** Per output step (END included), the attention weights over the source tokens; [] without attention. */
  attention: number[][];
}

export interface DecodeOptions {
  /** Most output steps (END included). */
  maxSteps: number;
  /** Default 1: the exponent of the length normalisation (0 = raw log probability). */
  lengthPenalty?: number;
  /** Sources decoded together (default 64). */
  batchSize?: number;
  /** The training targets held UNKNOWN (a capped target vocabulary), so a step may choose it too. */
  unknownTargets?: boolean;
}

export function normalisedScore(logProb: number, steps: number, lengthPenalty: number): number {
  return logProb / Math.max(1, steps) ** lengthPenalty;
}

interface Hypothesis { ids: number[]; logProb: number; attention: number[][]; ended: boolean }

function finish(h: Hypothesis, lengthPenalty: number): Decoding {
  const steps = h.ids.length + (h.ended ? 1 : 0);
  return { ids: h.ids, ended: h.ended, logProb: h.logProb, score: normalisedScore(h.logProb, steps, lengthPenalty), attention: h.attention };
}

/** Rows of a [n, ...] tensor picked by index (a beam's parents), as a new tensor. */
function gatherRows(t: Tensor, rows: readonly number[]): Tensor {
  const width = t.size / t.shape[0];
  const src = t.floatData();
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(src.subarray(r * width, (r + 1) * width), i * width));
  return new Tensor(out, [rows.length, ...t.shape.slice(1)], 'float32');
}

function repeatMask(mask: Uint8Array | null, steps: number, rows: readonly number[]): Uint8Array | null {
  if (!mask) return null;
  const out = new Uint8Array(rows.length * steps);
  rows.forEach((r, i) => out.set(mask.subarray(r * steps, (r + 1) * steps), i * steps));
  return out;
}

/** Runs the encoder on the sources; decoder rows map to source rows through `rows` (a beam repeats them). */
function startDecoder(l: Seq2SeqLayers, sources: readonly (readonly number[])[], rows: readonly number[]) {
  const runner = new TensorRunner();
  const src = idsTensor(sources);
  const enc = encode(l, runner.call, src);
  const steps = src.shape[1];
  const encoded = gatherRows(enc.sequence, rows);
  runner.setMask(encoded, repeatMask(runner.maskOf(enc.sequence), steps, rows));
  return { runner, encoded, states: enc.states.map((s) => s.map((t) => gatherRows(t, rows))), steps };
}

function step(l: Seq2SeqLayers, runner: TensorRunner, tokens: readonly number[], states: Tensor[][], encoded: Tensor) {
  const out = decodeSteps(l, runner.call, idsTensor(tokens.map((t) => [t]), 1), states, encoded);
  return { probs: out.probs.floatData(), vocab: out.probs.shape[2], states: out.states, attention: out.attention?.floatData() ?? null };
}

function batches<T>(items: readonly T[], size: number): T[][] {
  // 0 would never advance; NaN would decode nothing and return no outputs.
  if (!Number.isInteger(size) || size < 1) throw new Seq2SeqOptionError('batchSize', `must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const logOf = (p: number) => Math.log(Math.max(p, 1e-30));

const DECODE_OPTIONS = ['maxSteps', 'lengthPenalty', 'batchSize', 'unknownTargets'];

/**
 * A misspelt or missing maxSteps would decode nothing (every output empty, none ended) and a NaN lengthPenalty
 * score every output NaN; a source with no ids, or a fractional or out-of-range id, would decode from padding or
 * from a truncated id. Each is refused by name before the encoder runs.
 */
function checkDecodeInputs(l: Seq2SeqLayers, sources: readonly (readonly number[])[], o: DecodeOptions, where: string): void {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Seq2SeqOptionError('options', `${where} takes an object of options {maxSteps, ...}, got ${o === null ? 'null' : typeof o}`);
  const unknown = Object.keys(o).find((k) => !DECODE_OPTIONS.includes(k));
  if (unknown !== undefined) throw new Seq2SeqOptionError(unknown, `is not an option of ${where}; options: ${DECODE_OPTIONS.join(', ')}`);
  if (!Number.isInteger(o.maxSteps) || o.maxSteps < 1) throw new Seq2SeqOptionError('maxSteps', `must be a positive integer (the most output steps, <end> included), got ${String(o.maxSteps)} (${where})`);
  if (o.lengthPenalty !== undefined && !(Number.isFinite(o.lengthPenalty) && o.lengthPenalty >= 0)) {
    throw new Seq2SeqOptionError('lengthPenalty', `must be a number >= 0, got ${String(o.lengthPenalty)} (${where})`);
  }
  if (o.unknownTargets !== undefined && typeof o.unknownTargets !== 'boolean') throw new Seq2SeqOptionError('unknownTargets', `must be true or false, got ${String(o.unknownTargets)} (${where})`);
  if (!Array.isArray(sources)) throw new Seq2SeqOptionError('sources', `must be a list of id lists, got ${typeof sources} (${where})`);
  const vocab = l.sourceEmbedding.inputDim;
  sources.forEach((s, i) => {
    if (!Array.isArray(s) || !s.some((id) => id !== PAD)) {
      throw new Seq2SeqOptionError('sources', `source ${i} must be a list of token ids, not all ${PAD} (<pad>): an empty text has nothing to decode; got ${Array.isArray(s) ? JSON.stringify(s) : typeof s} (${where})`);
    }
    const bad = s.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= vocab);
    if (bad >= 0) throw new Seq2SeqOptionError('sources', `source ${i} position ${bad}: id ${String(s[bad])} is not an integer id of the source vocabulary [0, ${vocab}) (${where})`);
  });
}

/**
 * The ids an output step may choose: END and the real tokens. Training never targets PAD, START or (unless the
 * target vocabulary was capped) UNKNOWN, so choosing one is never right: START would vanish from the printed text,
 * and an untrained or barely trained model does pick them.
 */
function choices(vocab: number, unknownTargets = false): number[] {
  const ids = unknownTargets ? [END, UNKNOWN] : [END];
  for (let v = UNKNOWN + 1; v < vocab; v++) ids.push(v);
  return ids;
}

/** The most probable token at every step. */
export function greedyDecode(l: Seq2SeqLayers, sources: readonly (readonly number[])[], o: DecodeOptions): Decoding[] {
  checkDecodeInputs(l, sources, o, 'greedyDecode');
  const lp = o.lengthPenalty ?? 1;
  return batches(sources, o.batchSize ?? 64).flatMap((batch) => {
    const { runner, encoded, steps, ...start } = startDecoder(l, batch, batch.map((_, i) => i));
    let states = start.states;
    const hyps: Hypothesis[] = batch.map(() => ({ ids: [], logProb: 0, attention: [], ended: false }));
    let tokens = batch.map(() => START);
    let allowed: number[] | undefined; // the vocabulary is the model's: the same at every step
    for (let t = 0; t < o.maxSteps && hyps.some((h) => !h.ended); t++) {
      const s = step(l, runner, tokens, states, encoded);
      states = s.states;
      const ids = (allowed ??= choices(s.vocab, o.unknownTargets));
      tokens = hyps.map((h, i) => {
        if (h.ended) return END;
        const row = s.probs.subarray(i * s.vocab, (i + 1) * s.vocab);
        let best = END;
        for (const v of ids) if (row[v] > row[best]) best = v;
        h.logProb += logOf(row[best]);
        if (s.attention) h.attention.push(Array.from(s.attention.subarray(i * steps, (i + 1) * steps)));
        if (best === END) h.ended = true;
        else h.ids.push(best);
        return best;
      });
    }
    return hyps.map((h) => finish(h, lp));
  });
}

/**
 * Plain beam search: per source, the `beam` best live outputs by summed log probability; an output that emits END
 * is set aside (scored with length normalisation), and a source stops when `beam` outputs have ended or at
 * maxSteps (live outputs then count as they are). With beam 1 this is greedy decoding.
 */
export function beamSearch(l: Seq2SeqLayers, sources: readonly (readonly number[])[], beam: number, o: DecodeOptions): Decoding[] {
  const most = SEQ2SEQ_LIMITS.beam.max;
  if (!Number.isInteger(beam) || beam < 1 || beam > most) throw new Seq2SeqOptionError('beam', `must be an integer from 1 to ${most}, got ${typeof beam === 'string' ? JSON.stringify(beam) : String(beam)}`);
  checkDecodeInputs(l, sources, o, 'beamDecode');
  const lp = o.lengthPenalty ?? 1;
  batches([], o.batchSize ?? 64); // checks it, as greedy decoding does
  const perBatch = Math.max(1, Math.floor((o.batchSize ?? 64) / beam));
  return batches(sources, perBatch).flatMap((batch) => {
    const n = batch.length;
    const rows = batch.flatMap((_, i) => Array.from({ length: beam }, () => i));
    const { runner, encoded, steps, ...start } = startDecoder(l, batch, rows);
    let states = start.states;
    // Only the first beam of a source is live at the start, so the beams do not begin as copies.
    let live: Hypothesis[][] = batch.map(() => [{ ids: [], logProb: 0, attention: [], ended: false }]);
    const done: Hypothesis[][] = batch.map(() => []);
    let allowed: number[] | undefined; // the vocabulary is the model's: the same at every step
    for (let t = 0; t < o.maxSteps && live.some((b, i) => b.length > 0 && done[i].length < beam); t++) {
      const tokens = rows.map((src, r) => live[src][r - src * beam]?.ids.at(-1) ?? START);
      const s = step(l, runner, tokens, states, encoded);
      const ids = (allowed ??= choices(s.vocab, o.unknownTargets));
      const parents: number[] = [];
      const next: Hypothesis[][] = batch.map(() => []);
      for (let i = 0; i < n; i++) {
        const pad = () => { while (parents.length < (i + 1) * beam) parents.push(i * beam); };
        if (done[i].length >= beam) { live[i] = []; pad(); continue; }
        const cands: { k: number; v: number; logProb: number }[] = [];
        live[i].forEach((h, k) => {
          const row = s.probs.subarray((i * beam + k) * s.vocab, (i * beam + k + 1) * s.vocab);
          for (const v of ids) cands.push({ k, v, logProb: h.logProb + logOf(row[v]) });
        });
        cands.sort((a, b) => b.logProb - a.logProb || a.k - b.k || a.v - b.v);
        for (const c of cands) {
          if (next[i].length >= beam || done[i].length >= beam) break;
          const h = live[i][c.k];
          const r = i * beam + c.k;
          const attention = s.attention ? [...h.attention, Array.from(s.attention.subarray(r * steps, (r + 1) * steps))] : h.attention;
          if (c.v === END) done[i].push({ ids: h.ids, logProb: c.logProb, attention, ended: true });
          else {
            next[i].push({ ids: [...h.ids, c.v], logProb: c.logProb, attention, ended: false });
            parents.push(r);
          }
        }
        pad();
      }
      live = next;
      states = s.states.map((ls) => ls.map((t2) => gatherRows(t2, parents)));
    }
    return batch.map((_, i) => {
      // A source with beam finished outputs is decided: hypotheses still live from its last step are dropped, as the
      // next step would drop them (so the result does not depend on whether other sources kept the loop going).
      // Unfinished ones compete only when the step limit came first.
      const all = (done[i].length >= beam ? done[i] : [...done[i], ...live[i]]).map((h) => finish(h, lp));
      return all.reduce((a, b) => (b.score > a.score ? b : a));
    });
  });
}

/**
 * Beam search whose candidates include the greedy output, so it never returns an output its own score ranks below
 * greedy's (plain beam search can prune the greedy path).
 */
export function beamDecode(l: Seq2SeqLayers, sources: readonly (readonly number[])[], beam: number, o: DecodeOptions): Decoding[] {
  const b = beamSearch(l, sources, beam, o);
  const g = greedyDecode(l, sources, o);
  return b.map((d, i) => (g[i].score > d.score ? g[i] : d));
}

/** Summed log probability of given outputs under teacher forcing (END appended), for checking scores. */
export function sequenceLogProb(l: Seq2SeqLayers, source: readonly number[], ids: readonly number[]): number {
  const { runner, encoded, states } = startDecoder(l, [source], [0]);
  const out = decodeSteps(l, runner.call, idsTensor([[START, ...ids]]), states, encoded);
  const p = out.probs.floatData(), V = out.probs.shape[2];
  return [...ids, END].reduce((s, id, t) => s + logOf(p[t * V + id]), 0);
}
