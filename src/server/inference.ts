/**
 * What the "Try it" and "Inside the network" views compute from a trained model: sentiment with the
 * prediction after every word, sums with per-character probabilities, a text classifier's class and every class's
 * probability, hidden states and gates over time,
 * ||d loss / d h_t|| against t, and how alike the hidden states of a+b and b+a are.
 */
import { ADDITION_CHARS, CharacterTable, datasets, encodeReview as encodeIds, IMDB_IDS, padSequences } from '../data/index.js';
import { cosine } from '../experiments/commutativity.js';
import { longRangeRuns, recordNorms, type LongRangeRun } from '../experiments/gradients.js';
import { sharedWordIndex } from '../data/imdb_words.js';
import { engineApply, type TraceRecord } from '../layers/layer.js';
import type { Sequential } from '../models/sequential.js';
import { Random } from '../random.js';
import { predictTexts, type PredictionRecord } from '../tasks/text_predict.js';
import { Tensor } from '../tensor.js';
import { badRequest, HttpError } from './http.js';
import type { ModelEntry, ModelMeta } from './models.js';

type ImdbMeta = Extract<ModelMeta, { task: 'imdb' }>;
type AdditionMeta = Extract<ModelMeta, { task: 'addition' }>;

/** Reviews longer than this many characters are refused before tokenizing. */
export const MAX_TEXT_CHARS = 20000;
const RECURRENT = new Set(['SimpleRNN', 'LSTM', 'GRU']);
/** Layers that map each time step on its own, so a hidden state at step t can be read out at step t. */
const STEPWISE_AFTER = new Set(['Dense', 'Dropout', 'Activation']);
const STEPWISE_BEFORE = new Set(['Embedding', 'Dropout', 'SpatialDropout1D']);

const round = (v: number, digits = 4) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

export interface Token {
  /** The word as typed (lower-cased as Keras's tokenizer does). */
  word: string;
  /** The id the model reads; null when the word is not in the vocabulary at all and is skipped, as in Keras's data. */
  id: number | null;
  /**
   * 'word', 'rare' (outside the model's vocabulary: read as the OOV id), 'unknown' (skipped), 'start' (the start marker),
   * 'truncated' (cut off the front of a review longer than maxlen, as Keras's pad_sequences does; id null).
   */
  kind: 'word' | 'rare' | 'unknown' | 'start' | 'truncated';
}

/** A review as the IMDb model reads it: the start marker, then the word ids, as `imdb.load` makes them. */
export function encodeReview(text: string, meta: ImdbMeta): { tokens: Token[]; ids: number[]; truncated: number } {
  if (text.length > MAX_TEXT_CHARS) throw badRequest(`text is ${text.length} characters long; the limit is ${MAX_TEXT_CHARS}`);
  const enc = encodeIds(text, meta.vocab, sharedWordIndex());
  const tokens: Token[] = [{ word: '<start>', id: IMDB_IDS.start, kind: 'start' }, ...enc.tokens.map(({ word, id, kind }) => ({ word, id, kind }))];
  if (enc.ids.length === 1) throw badRequest('the text has no word the model knows; type a few English words');
  // Keras's pad_sequences truncates 'pre' by default: a long review keeps its last maxlen ids, as in training.
  const truncated = Math.max(0, enc.ids.length - meta.maxlen);
  let cut = truncated;
  for (const t of tokens) {
    if (cut === 0) break;
    if (t.id === null) continue;
    t.id = null;
    t.kind = 'truncated';
    cut--;
  }
  return { tokens, ids: enc.ids.slice(truncated), truncated };
}

/** Id rows as the model takes them: int32 for an Embedding, floats for a model that starts with Dense (the lab's ff_raw). */
function idTensor(model: Sequential, rows: number[][], maxlen: number): Tensor {
  const p = padSequences(rows, { maxlen });
  const shape = [rows.length, maxlen];
  return model.layers[0]?.className === 'Embedding' ? new Tensor(p.data as Int32Array, shape, 'int32') : new Tensor(Float32Array.from(p.data), shape, 'float32');
}

function padded(model: Sequential, ids: number[], maxlen: number): Tensor {
  return idTensor(model, [ids], maxlen);
}

/** The index of the recurrent layer whose hidden state at step t can be read out as "the output after token t", or -1. */
function readoutLayer(model: Sequential): number {
  const ls = model.layers;
  const r = ls.findIndex((l) => RECURRENT.has(l.className));
  if (r < 0) return -1;
  if (!ls.slice(0, r).every((l) => STEPWISE_BEFORE.has(l.className))) return -1;
  if (!ls.slice(r + 1).every((l) => STEPWISE_AFTER.has(l.className))) return -1;
  const rl = ls[r] as unknown as { returnSequences?: boolean; goBackwards?: boolean };
  if (rl.returnSequences || rl.goBackwards) return -1;
  return r;
}

/** The model's output after each of the last n steps of x ([1, T] ids): readout of h_t where possible, else one pass per prefix. */
function outputsAfterEachStep(model: Sequential, ids: number[], maxlen: number): { probs: number[]; method: string } {
  const n = ids.length;
  const r = readoutLayer(model);
  if (r >= 0) {
    const { layers } = model.trace(padded(model, ids, maxlen));
    const rec = layers.find((l) => l.layer === model.layers[r].name);
    if (rec) {
      const [, T, U] = rec.hiddenStates.shape;
      const h = new Tensor(rec.hiddenStates.values.slice((T - n) * U, T * U), [n, U], 'float32');
      let out = h;
      for (const l of model.layers.slice(r + 1)) out = engineApply(l, out, { training: false, mask: null });
      return { probs: Array.from(out.values as ArrayLike<number>, (v) => round(v)), method: `the ${model.layers[r].className}'s hidden state after each word, read out by the final layers` };
    }
  }
  // Any model: the prediction for each prefix of the review, padded as a review of that length would be.
  const prefixes = ids.map((_, k) => ids.slice(0, k + 1));
  const out = model.predict(idTensor(model, prefixes, maxlen), { batchSize: 64 });
  return { probs: Array.from(out.values as ArrayLike<number>, (v) => round(v)), method: 'the prediction for the review cut after each word' };
}

export function predictSentiment(entry: ModelEntry, text: string) {
  const meta = entry.meta as ImdbMeta;
  const { tokens, ids, truncated } = encodeReview(text, meta);
  const { probs, method } = outputsAfterEachStep(entry.model, ids, meta.maxlen);
  const final = entry.model.predict(padded(entry.model, ids, meta.maxlen)).values[0];
  let k = 0;
  const steps = tokens.map((t) => ({ ...t, p: t.id === null ? null : probs[k++] }));
  return {
    model: entry.id,
    probability: round(final),
    label: final > 0.5 ? 'positive' : 'negative',
    tokens: steps,
    known: tokens.filter((t) => t.kind === 'word' || t.kind === 'rare').length,
    skipped: tokens.filter((t) => t.kind === 'unknown').length,
    truncated,
    maxlen: meta.maxlen,
    method,
  };
}

/** The most texts one POST /api/predict/text scores (each at most MAX_TEXT_CHARS long). */
export const MAX_TEXTS = 64;

/**
 * A `rnnlab train` classifier's prediction for each text: the records `rnnlab predict --model RUN --format jsonl` prints
 * for the same texts (a blank text gets an empty record, label null, so the answers stay in line with the texts).
 */
export async function predictText(entry: ModelEntry, texts: readonly string[]): Promise<{ model: string; classes: string[]; predictions: PredictionRecord[] }> {
  const clf = entry.classifier;
  if (entry.meta.task !== 'text' || !clf) throw badRequest(`model '${entry.id}' is not a text classifier (rnnlab train)`);
  const predictions: PredictionRecord[] = [];
  for await (const r of predictTexts(clf, texts)) predictions.push(r);
  return { model: entry.id, classes: [...clf.classes], predictions };
}

const TABLE = new CharacterTable(ADDITION_CHARS);

export function parseSum(query: string, digits: number): { a: number; b: number } {
  const m = /^\s*(\d+)\s*\+\s*(\d+)\s*$/.exec(query);
  if (!m) throw badRequest(`'${query.slice(0, 40)}' is not a sum: type two whole numbers joined by '+', e.g. 231+432`);
  for (const s of [m[1], m[2]]) {
    if (String(Number(s)).length > digits) {
      throw badRequest(`${s} has more than ${digits} digit${digits > 1 ? 's' : ''}; this model adds numbers up to ${10 ** digits - 1}`);
    }
  }
  return { a: Number(m[1]), b: Number(m[2]) };
}

/** The query string the model reads: "a+b" padded to 2*digits+1, reversed for a model trained on reversed queries. */
export function additionQuery(a: number, b: number, meta: AdditionMeta): string {
  const q = `${a}+${b}`.padEnd(2 * meta.digits + 1, ' ');
  return meta.reverse ? [...q].reverse().join('') : q;
}

function encodeQueries(queries: string[], meta: AdditionMeta): Tensor {
  const e = TABLE.encodeBatch(queries, 2 * meta.digits + 1);
  return new Tensor(e.data, e.shape, 'float32');
}

export function predictSum(entry: ModelEntry, query: string) {
  const meta = entry.meta as AdditionMeta;
  const { a, b } = parseSum(query, meta.digits);
  const q = additionQuery(a, b, meta);
  const out = entry.model.predict(encodeQueries([q], meta));
  const [, L, C] = out.shape;
  const positions = [];
  let answer = '';
  for (let i = 0; i < L; i++) {
    const row = Array.from(out.values.subarray(i * C, (i + 1) * C) as ArrayLike<number>);
    let best = 0;
    for (let c = 1; c < C; c++) if (row[c] > row[best]) best = c;
    answer += TABLE.chars[best];
    positions.push({
      position: i + 1,
      char: TABLE.chars[best],
      probability: round(row[best]),
      probs: TABLE.chars.map((ch, c) => ({ char: ch, p: round(row[c]) })).sort((x, y) => y.p - x.p),
    });
  }
  const expected = String(a + b);
  return {
    model: entry.id, a, b, question: `${a}+${b}`, modelInput: q, reversed: meta.reverse,
    answer: answer.trim(), expected, correct: answer.trim() === expected, positions, chars: [...TABLE.chars],
  };
}

function matrix(t: Tensor, b: number, from: number): number[][] {
  const [, T, U] = t.shape;
  const rows: number[][] = [];
  for (let s = from; s < T; s++) {
    const o = (b * T + s) * U;
    rows.push(Array.from(t.values.subarray(o, o + U) as ArrayLike<number>, (v) => round(v)));
  }
  return rows;
}

export interface LayerStates {
  layer: string;
  className: string;
  /** Labels of the steps shown (words, characters or output positions). */
  steps: string[];
  units: number;
  /** [steps][units] */
  hidden: number[][];
  /** LSTM: input, forget, candidate, output; GRU: update, reset, candidate; each [steps][units]. */
  gates: Record<string, number[][]>;
}

function layerStates(rec: TraceRecord, labels: string[], from: number): LayerStates {
  const [, T, U] = rec.hiddenStates.shape;
  const steps = labels.length === T ? labels.slice(from) : Array.from({ length: T - from }, (_, i) => `step ${from + i + 1}`);
  const gates: Record<string, number[][]> = {};
  for (const [k, g] of Object.entries(rec.gates ?? {})) gates[k] = matrix(g, 0, from);
  return { layer: rec.layer, className: rec.className, steps: rec.layer.startsWith('backward_') ? [...steps].reverse() : steps, units: U, hidden: matrix(rec.hiddenStates, 0, from), gates };
}

/** Hidden states and gates of every recurrent layer for one input. */
export function traceInput(entry: ModelEntry, input: { text?: string; query?: string; includePadding?: boolean }) {
  const model = entry.model;
  if (entry.meta.task === 'imdb') {
    const meta = entry.meta;
    if (input.text === undefined) throw badRequest('text is required for an IMDb model');
    const { tokens, ids } = encodeReview(input.text, meta);
    const { layers, output } = model.trace(padded(model, ids, meta.maxlen));
    const words = tokens.filter((t) => t.id !== null).map((t) => (t.kind === 'rare' ? `${t.word} (rare)` : t.word));
    const labels = [...new Array(meta.maxlen - ids.length).fill('<pad>'), ...words];
    const from = input.includePadding ? 0 : meta.maxlen - ids.length;
    return {
      model: entry.id, task: 'imdb', input: input.text, probability: round(output.values[output.values.length - 1]),
      layers: layers.map((rec) => {
        const T = rec.hiddenStates.shape[1];
        // Layers after pooling have fewer steps than words; show all of theirs.
        return layerStates(rec, T === meta.maxlen ? labels : [], T === meta.maxlen ? from : 0);
      }),
    };
  }
  const meta = entry.meta;
  // Its output is one class per text, with no per-step readout this view could label.
  if (meta.task === 'text') throw badRequest(`model '${entry.id}' is a text classifier (rnnlab train): Inside the network shows IMDb and addition models; predict with it through POST /api/predict/text`);
  if (input.query === undefined) throw badRequest('query is required for an addition model');
  const { a, b } = parseSum(input.query, meta.digits);
  const q = additionQuery(a, b, meta);
  const { layers, output } = model.trace(encodeQueries([q], meta));
  const chars = [...q].map((c) => (c === ' ' ? '␣' : c));
  const L = output.shape[1];
  const outLabels = Array.from({ length: L }, (_, i) => `out ${i + 1}`);
  return {
    model: entry.id, task: 'addition', input: `${a}+${b}`, modelInput: q,
    answer: TABLE.decode(output.values as Float32Array).trim(),
    layers: layers.map((rec) => layerStates(rec, rec.hiddenStates.shape[1] === chars.length ? chars : outLabels, 0)),
  };
}

export interface GradientSeries {
  model: string;
  label: string;
  layer: string;
  className: string;
  /** ||d loss / d h_t||, t = 1..T, averaged over the samples. */
  norms: number[];
  /** LSTM only: ||d loss / d c_t|| (the cell state). */
  cellNorms?: number[];
  /** ||d loss / d x_t|| of the recurrent layer's input (the word vector read at step t). */
  inputNorms: number[];
  loss: number;
  samples: number;
}

const precise = (v: number[]) => v.map((x) => Number(x.toPrecision(5)));

/** Gradient measurements that wait behind the running one (one process measures at a time); one more is a 429. */
export const MAX_GRADIENTS_WAITING = 4;

/**
 * ||d loss / d h_t||, ||d loss / d c_t|| and ||d loss / d x_t|| for the first recurrent layer, averaged over the given
 * reviews, in one pass over the whole batch (the server runs it in a process of its own: gradient_process.ts). Cut
 * into smaller batches, the gradients would be the same only up to float32 rounding: each sample's gradient is
 * seeded with 1/batch, and where it vanishes into float32's subnormal range (an untrained GRU at step 1 of 200, about
 * 1e-42) the rounding depends on that scale, so the fifth digit shown changes. The numbers must not depend on how
 * the server slices its work.
 */
export function gradientNorms(entry: Pick<ModelEntry, 'id' | 'label' | 'model'>, x: Tensor, y: Tensor): GradientSeries {
  // A model saved without its training configuration (model.save before compile) has no loss to differentiate.
  if (!entry.model.loss) throw new HttpError(422, `model '${entry.id}' was saved without a loss (it was never compiled), so d loss / d h_t cannot be measured on it`);
  const g = entry.model.hiddenStateGradients(x, y);
  const first = g.layers.find((l) => !l.layer.startsWith('backward_')) ?? g.layers[0];
  if (!first) throw badRequest(`model '${entry.id}' has no recurrent layer to measure`);
  const n = recordNorms(first);
  return {
    model: entry.id, label: entry.label, layer: first.layer, className: first.className,
    norms: precise(n.dh), ...(n.dc ? { cellNorms: precise(n.dc) } : {}), inputNorms: precise(n.dx), loss: round(g.loss, 6), samples: x.shape[0],
  };
}

let longRangeCache: Promise<LongRangeRun[]> | null = null;

/** The long-range sign task, trained once per server (deterministic, about five seconds on two cores). */
export function longRangeGradients(): Promise<LongRangeRun[]> {
  longRangeCache ??= longRangeRuns().catch((e) => { longRangeCache = null; throw e; });
  return longRangeCache;
}

/**
 * What gradientNorms measures: reviews' ids (before padding) and their labels, as the server sends them to the
 * measurement's process (gradient_child.ts) and as a test measures them in its own.
 */
export function measureBatch(model: Sequential, rows: number[][], labels: number[], maxlen: number): { x: Tensor; y: Tensor } {
  return { x: idTensor(model, rows, maxlen), y: new Tensor(Float32Array.from(labels), [rows.length, 1], 'float32') };
}

export function reviewBatch(model: Sequential, text: string, label: 0 | 1, meta: ImdbMeta): { x: Tensor; y: Tensor } {
  return measureBatch(model, [encodeReview(text, meta).ids], [label], meta.maxlen);
}

/** The most test reviews a gradient measurement reads. */
export const MAX_TEST_SAMPLES = 256;

type ImdbLoad = typeof datasets.imdb.load;

/**
 * The first test reviews (after Keras's seeded shuffle), as models of each vocabulary size read them. Loading the
 * corpus holds the event loop for seconds and takes about 100 MB (the first time, it scans the tarball for longer):
 * it is done once per vocabulary size, shared by the requests that arrive meanwhile, and only the few reviews a
 * measurement can use are kept. A failed load (no tarball yet) is not kept, so the next request tries again.
 */
export class TestReviews {
  private readonly kept = new Map<number, Promise<{ rows: number[][]; labels: Float32Array }>>();

  constructor(private readonly dataPath?: string, private readonly load: ImdbLoad = (o) => datasets.imdb.load(o)) {}

  async batch(model: Sequential, meta: ImdbMeta, n: number): Promise<{ x: Tensor; y: Tensor }> {
    const { rows, labels } = await this.rows(meta, n);
    return measureBatch(model, rows, labels, meta.maxlen);
  }

  /** The first n test reviews' ids (unpadded) and labels, as plain arrays a measurement's process can be sent. */
  async rows(meta: ImdbMeta, n: number): Promise<{ rows: number[][]; labels: number[] }> {
    if (!Number.isInteger(n) || n < 1 || n > MAX_TEST_SAMPLES) throw badRequest(`samples must be an integer from 1 to ${MAX_TEST_SAMPLES}, got ${n}`);
    let pending = this.kept.get(meta.vocab);
    if (!pending) {
      pending = this.load({ numWords: meta.vocab, path: this.dataPath }).then((d) => {
        const k = Math.min(MAX_TEST_SAMPLES, d.test.x.length);
        return { rows: d.test.x.slice(0, k).map((r) => Array.from(r)), labels: Float32Array.from(d.test.y.subarray(0, k)) };
      });
      pending.catch(() => this.kept.delete(meta.vocab));
      this.kept.set(meta.vocab, pending);
    }
    const { rows, labels } = await pending;
    const k = Math.min(n, rows.length);
    return { rows: rows.slice(0, k), labels: Array.from(labels.subarray(0, k)) };
  }
}

function finalEncoderState(model: Sequential, queries: string[], meta: AdditionMeta): Float32Array[] {
  const { layers } = model.trace(encodeQueries(queries, meta));
  const enc = layers.find((l) => l.layer === model.layers[0].name) ?? layers[0];
  if (!enc) throw badRequest('the model has no recurrent layer to trace');
  const [B, T, U] = enc.hiddenStates.shape;
  return Array.from({ length: B }, (_, i) => Float32Array.from(enc.hiddenStates.values.subarray((i * T + T - 1) * U, (i * T + T) * U)));
}

/** a+b against b+a: the encoder's final states, per-step similarity, and baselines (same sum, random pairs). */
export function commutativity(entry: ModelEntry, aIn: number, bIn: number, baselinePairs = 100) {
  const meta = entry.meta as AdditionMeta;
  const max = 10 ** meta.digits - 1;
  for (const v of [aIn, bIn]) if (v > max) throw badRequest(`${v} has more than ${meta.digits} digit${meta.digits === 1 ? '' : 's'}; this model adds numbers up to ${max}`);
  const qa = additionQuery(aIn, bIn, meta), qb = additionQuery(bIn, aIn, meta);
  const { layers, output } = entry.model.trace(encodeQueries([qa, qb], meta));
  const perLayer = layers.map((rec) => {
    const [, T, U] = rec.hiddenStates.shape;
    const h = rec.hiddenStates.values;
    const at = (b: number, t: number) => h.subarray((b * T + t) * U, (b * T + t + 1) * U);
    const sim: number[][] = [];
    for (let s = 0; s < T; s++) sim.push(Array.from({ length: T }, (_, t) => round(cosine(at(0, s), at(1, t)))));
    return { layer: rec.layer, className: rec.className, steps: T, final: round(cosine(at(0, T - 1), at(1, T - 1))), stepwise: Array.from({ length: T }, (_, t) => round(cosine(at(0, t), at(1, t)))), matrix: sim };
  });
  const [L, C] = [output.shape[1], output.shape[2]];
  const decode = (b: number) => TABLE.decode(output.values.subarray(b * L * C, (b + 1) * L * C) as Float32Array).trim();
  // Baselines: c+d with the same sum, and random pairs, against a+b (seeded, so the numbers are stable).
  const rng = new Random(aIn * 7919 + bIn);
  const s = aIn + bIn, lo = Math.max(0, s - max), hi = Math.min(s, max);
  const same: string[] = [];
  const rand: string[] = [];
  for (let k = 0; k < baselinePairs; k++) {
    if (hi - lo >= 2) {
      const c = lo + rng.int(hi - lo + 1);
      if (c !== aIn && c !== bIn) same.push(additionQuery(c, s - c, meta));
    }
    rand.push(additionQuery(rng.int(max + 1), rng.int(max + 1), meta));
  }
  const base = finalEncoderState(entry.model, [qa], meta)[0];
  const meanCos = (qs: string[]) => {
    if (!qs.length) return null;
    const st = finalEncoderState(entry.model, qs, meta);
    return round(st.reduce((acc, v) => acc + cosine(base, v), 0) / st.length);
  };
  const enc = perLayer[0];
  return {
    model: entry.id, a: aIn, b: bIn, queries: [qa, qb], answers: [decode(0), decode(1)], expected: String(s),
    encoderFinal: enc?.final ?? null,
    baselines: { sameSum: meanCos(same), sameSumPairs: same.length, random: meanCos(rand), randomPairs: rand.length },
    layers: perLayer,
  };
}
