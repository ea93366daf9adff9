/**
 * The lab's "RNNs and vanishing/exploding gradients" section, measured: the norms of d loss / d h_t, d loss / d c_t
 * (LSTM cell state) and d loss / d x_t for every time step t, for a SimpleRNN and an LSTM reading the same IMDb
 * batches, and the same before and after training on the long-range task where only a gated cell can learn.
 */
import { takeRows } from '../models/batches.js';
import { formatTick } from '../report/svg.js';
import type { Table } from '../report/table.js';
import { buildImdbModel, type ImdbArrays, type OptimizerChoice } from './imdb_task.js';
import { imdbDataRecord } from './imdb_result.js';
import { IMDB_MODELS, type ImdbModelName } from './lab_models.js';
import { setSeed } from '../random.js';
import type { ExperimentResult, RunIo } from './types.js';
import type { StateGradRecord } from '../layers/layer.js';
import type { Sequential } from '../models/sequential.js';
import type { Tensor } from '../tensor.js';
import { EpochTimer } from './train_hooks.js';
import { modelSummary, type ModelRecord } from '../report/record.js';
import { longRangeData, longRangeModel, longRangeSeeds, trainLongRange, type LongRangeCell, type LongRangeOptions } from './long_range.js';

export const RECURRENT_MODELS = ['simple_rnn', 'lstm', 'gru', 'cnn_lstm', 'bilstm'] as const satisfies readonly ImdbModelName[];

export interface GradientsOptions extends RunIo {
  models?: ImdbModelName[];
  units?: number;
  embeddingDim?: number;
  batchSize?: number;
  /** Batches to average over. */
  batches?: number;
  /** Train this many epochs before measuring (0: at initialisation). */
  epochs?: number;
  optimizer?: OptimizerChoice;
  lr?: number;
  seed?: number;
  /** Also measure on the long-range task, before and after training (false: skip it). */
  longRange?: LongRangeOptions | false;
  /** The reviews per split `data` was loaded with (null: all), recorded with the run. */
  limit?: number | null;
}

export interface GradientProfile {
  model: string;
  layer: string;
  className: string;
  /** Mean over samples (and batches) of ||d loss / d h_t||, t = 1..T in processing order. */
  norms: number[];
  /** norms[0] / norms[T-1]. */
  firstToLast: number;
  /** The steps counted back from the last while the norm stays at least 1% of the last step's (T if it never falls below). */
  stepsTo1Percent: number;
  /** LSTM only: mean ||d loss / d c_t||, processing order. */
  cellNorms?: number[];
  /** Mean ||d loss / d x_t|| of the layer's input, t in input order. */
  inputNorms: number[];
  /** LSTM only: its mean forget gate over the measured reviews, steps and units (what scales d loss / d c_t per step). */
  meanForgetGate?: number;
}

/** Per-step norms of one batch's state gradients, as a profile without the summary ratios. */
export function recordNorms(r: StateGradRecord): { dh: number[]; dc?: number[]; dx: number[] } {
  const [B, T] = r.shape;
  return {
    dh: stepNorms(r.dh, r.shape),
    ...(r.dc ? { dc: stepNorms(r.dc, r.shape) } : {}),
    dx: r.dx && r.inputSize ? stepNorms(r.dx, [B, T, r.inputSize]) : new Array<number>(T).fill(0),
  };
}

/** The first forward-direction recurrent layer's gradients for one batch. */
export function firstRecurrentGradients(model: Sequential, x: Tensor, y: Tensor, what: string): { loss: number; record: StateGradRecord } {
  const g = model.hiddenStateGradients(x, y);
  const record = g.layers.find((l) => !l.layer.startsWith('backward_'));
  if (!record) throw new Error(`gradients: ${what} recorded no hidden-state gradients`);
  return { loss: g.loss, record };
}

function summarise(model: string, layer: string, className: string, n: { dh: number[]; dc?: number[]; dx: number[] }): GradientProfile {
  const norms = n.dh;
  const last = norms[norms.length - 1];
  let steps = 0;
  while (steps < norms.length && norms[norms.length - 1 - steps] >= 0.01 * last) steps++;
  return { model, layer, className, norms, firstToLast: norms[0] / last, stepsTo1Percent: steps, ...(n.dc ? { cellNorms: n.dc } : {}), inputNorms: n.dx };
}

const ratio = (v: number[]) => v[0] / v[v.length - 1];
const addMean = (sum: number[] | undefined, v: number[] | undefined, k: number) => v ? (sum ? sum.map((s, t) => s + v[t] / k) : v.map((x) => x / k)) : sum;

/** ||dh[b, t, :]|| averaged over b, for a [B, T, U] gradient. */
export function stepNorms(dh: ArrayLike<number>, [B, T, U]: [number, number, number]): number[] {
  const out = new Array<number>(T).fill(0);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      let s = 0;
      const o = (b * T + t) * U;
      for (let u = 0; u < U; u++) s += dh[o + u] * dh[o + u];
      out[t] += Math.sqrt(s) / B;
    }
  }
  return out;
}

export async function gradientsExperiment(data: ImdbArrays, o: GradientsOptions = {}): Promise<ExperimentResult> {
  const names = o.models ?? ['simple_rnn', 'lstm'];
  for (const n of names) {
    if (!(RECURRENT_MODELS as readonly string[]).includes(n)) throw new Error(`gradients: '${n}' has no recurrent layer; use one of ${RECURRENT_MODELS.join(', ')}`);
    if (!IMDB_MODELS.includes(n)) throw new Error(`gradients: unknown model '${n}'`);
  }
  const batchSize = Math.min(o.batchSize ?? 32, data.nTrain);
  const nBatches = Math.max(1, Math.min(o.batches ?? 4, Math.floor(data.nTrain / batchSize)));
  // Fewer reviews than asked for: say so, rather than measure less than --batch-size x --batches without a word.
  if (batchSize < (o.batchSize ?? 32) || nBatches < (o.batches ?? 4)) {
    o.log?.(`(--batch-size ${o.batchSize ?? 32} x --batches ${o.batches ?? 4} asked; the ${data.nTrain} training reviews loaded hold ${nBatches} batch(es) of ${batchSize})`);
  }
  const seed = o.seed ?? 1;
  const profiles: GradientProfile[] = [];
  const losses: Record<string, number> = {};
  const trained: ModelRecord[] = [];
  for (const name of names) {
    setSeed(seed);
    const model = buildImdbModel(name, { vocab: data.vocab, maxlen: data.maxlen, units: o.units, embeddingDim: o.embeddingDim, optimizer: o.optimizer, lr: o.lr });
    if (o.epochs) {
      o.log?.(`Training ${name} for ${o.epochs} epoch(s) before measuring...`);
      const timer = new EpochTimer();
      const h = await model.fit(data.xTrain, data.yTrain, { epochs: o.epochs, batchSize, verbose: o.verbose ?? 1, out: o.out, callbacks: [timer] });
      trained.push({ name, params: model.countParams(), history: h.history, secondsPerEpoch: timer.seconds, summary: modelSummary(model) });
      o.onModelDone?.(trained[trained.length - 1]);
    }
    o.log?.(`Measuring ||dL/dh_t|| for ${name} on ${nBatches} batch(es) of ${batchSize} reviews (${data.maxlen} steps)...`);
    let sums: { dh?: number[]; dc?: number[]; dx?: number[] } = {};
    let rec: StateGradRecord | null = null;
    let loss = 0;
    let forget: number | undefined;
    for (let k = 0; k < nBatches; k++) {
      const xb = takeRows(data.xTrain, null, k * batchSize, (k + 1) * batchSize);
      const yb = takeRows(data.yTrain, null, k * batchSize, (k + 1) * batchSize);
      const g = firstRecurrentGradients(model, xb, yb, name);
      loss += g.loss / nBatches;
      const n = recordNorms(g.record);
      sums = { dh: addMean(sums.dh, n.dh, nBatches), dc: addMean(sums.dc, n.dc, nBatches), dx: addMean(sums.dx, n.dx, nBatches) };
      rec = g.record;
      const f = n.dc ? meanForgetGate(model, xb) : undefined;
      if (f !== undefined) forget = (forget ?? 0) + f / nBatches;
    }
    const profile = summarise(name, rec!.layer, rec!.className, { dh: sums.dh!, dc: sums.dc, dx: sums.dx! });
    profiles.push(forget === undefined ? profile : { ...profile, meanForgetGate: forget });
    losses[name] = loss;
  }
  const T = data.maxlen;
  // cnn_lstm's LSTM reads the pooled sequence (half the steps): each row is read at its own first, middle and last step.
  const sameLength = profiles.every((p) => p.norms.length === T);
  const table: Table = {
    caption: `Gradient norms per step (mean over ${nBatches * batchSize} reviews), ${o.epochs ? `after ${o.epochs} epoch(s)` : 'at initialisation'}`,
    columns: ['model', 'layer', 't = 1', sameLength ? `t = ${Math.ceil(T / 2)}` : 'middle t', sameLength ? `t = ${T}` : 'last t', 'first / last', 'steps from the end ≥ 1% of last', 'cell c: first / last', 'input x: first / last'],
    rows: profiles.map((p) => {
      const n = p.norms.length;
      return [p.model, n === T ? p.className : `${p.className} (${n} steps)`, formatTick(p.norms[0]), formatTick(p.norms[Math.ceil(n / 2) - 1]), formatTick(p.norms[n - 1]),
        p.firstToLast.toExponential(2), p.stepsTo1Percent, p.cellNorms ? ratio(p.cellNorms).toExponential(2) : '-', ratio(p.inputNorms).toExponential(2)];
    }),
  };
  const when = o.epochs ? `after ${o.epochs} epoch(s) of training` : 'at initialisation';
  let finding = imdbFinding(profiles, T, when);
  const longRange = o.longRange === false ? null : await longRangeProfiles(o.longRange ?? {}, o.log, o.onModelDone);
  if (longRange) finding += ' ' + longRange.finding;
  const charts: ExperimentResult['charts'] = [
    { title: '||d loss / d h_t|| on IMDb (log scale)', xLabel: 'time step t', yLabel: 'gradient norm', logY: true,
      series: profiles.map((p) => ({ name: `${p.model} (${p.className})`, y: p.norms })) },
    { title: '||d loss / d c_t|| (LSTM cell state) and ||d loss / d x_t|| on IMDb (log scale)', xLabel: 'time step t', yLabel: 'gradient norm', logY: true,
      series: profiles.flatMap((p) => [...(p.cellNorms ? [{ name: `${p.model} cell c_t`, y: p.cellNorms }] : []), { name: `${p.model} input x_t`, y: p.inputNorms }]) },
    ...(longRange?.charts ?? []),
  ];
  return {
    name: 'gradients',
    title: 'Vanishing gradients, measured: ||d loss / d h_t||, ||d loss / d c_t|| and ||d loss / d x_t|| against t',
    finding,
    numbers: { ...Object.fromEntries(profiles.flatMap((p) => [[`${p.model}FirstToLast`, p.firstToLast], [`${p.model}StepsTo1Percent`, p.stepsTo1Percent]])),
      ...(longRange?.numbers ?? {}) },
    tables: longRange ? [table, longRange.table] : [table],
    charts,
    config: { models: names, vocab: data.vocab, maxlen: data.maxlen, units: o.units ?? 100, embeddingDim: o.embeddingDim ?? 100, batchSize, batches: nBatches, epochs: o.epochs ?? 0,
      optimizer: o.optimizer ?? 'adam', lr: o.lr ?? null, seed, limit: o.limit ?? null, longRange: longRange ? longRange.options : false },
    data: imdbDataRecord(data, o.limit ?? null),
    models: [...trained, ...(longRange?.runs.map((r) => r.record) ?? [])],
    details: { profiles, losses, ...(longRange ? { longRange: longRange.runs } : {}) },
  };
}

function imdbFinding(profiles: GradientProfile[], T: number, when: string): string {
  const shorter = profiles.filter((p) => p.norms.length !== T);
  const over = shorter.length ? `${T} steps (${shorter.map((p) => `the ${p.model}'s ${p.className} reads ${p.norms.length}`).join(', ')})` : `${T} steps`;
  const measured = profiles.filter((p) => Number.isFinite(p.firstToLast) && p.firstToLast > 0);
  const silent = profiles.filter((p) => !measured.includes(p));
  const sorted = [...measured].sort((a, b) => a.firstToLast - b.firstToLast);
  let finding: string;
  if (sorted.length >= 2) {
    const worst = sorted[0], best = sorted[sorted.length - 1];
    const orders = Math.log10(best.firstToLast / worst.firstToLast);
    const list = sorted.map((p) => `${p.firstToLast.toExponential(1)} for the ${p.model}`);
    finding = `On IMDb over ${over} ${when}, ||d loss / d h_1|| relative to the last step's is ${list.slice(0, -1).join(', ')} and ${list[list.length - 1]} ` +
      `(${orders.toFixed(1)} orders of magnitude apart).`;
  } else if (sorted.length === 1) {
    finding = `On IMDb over ${over} ${when}, ||d loss / d h_1|| is ${sorted[0].firstToLast.toExponential(2)} of the last step's for the ${sorted[0].model}.`;
  } else {
    finding = 'No model recorded a non-zero hidden-state gradient.';
  }
  const lstm = measured.find((p) => p.cellNorms);
  if (lstm?.cellNorms) {
    // The measured shrink per step and the measured forget gate, side by side: the direct path along the cell
    // multiplies by f_t at each step, but the paths through h_t add to it, so the two need not agree.
    const steps = lstm.cellNorms.length - 1;
    const perStep = steps > 0 ? ratio(lstm.cellNorms) ** (1 / steps) : NaN;
    const gate = lstm.meanForgetGate;
    finding += ` For the ${lstm.model} the cell-state gradient ||d loss / d c_1|| is ${ratio(lstm.cellNorms).toExponential(1)} of the last step's` +
      (Number.isFinite(perStep) ? `, a factor of ${perStep.toFixed(2)} per step on average over ${steps} steps` : '') +
      (gate !== undefined ? `; its mean forget gate on these reviews is ${gate.toFixed(2)}${when === 'at initialisation' ? ' (the unit forget bias starts it near sigmoid(1) = 0.73)' : ''}` : '') +
      ': along the cell the gradient is multiplied by the forget gate at every step (the paths through h_t add to that), and training can move forget gates towards 1 where information must be kept.';
  }
  if (silent.length) finding += ` (No usable gradient was recorded for ${silent.map((p) => p.model).join(', ')}: its norms are all zero or not finite.)`;
  return finding;
}

export interface LongRangeRun {
  cell: LongRangeCell;
  accuracy: number;
  /** Mean forget gate over steps and units (LSTM only), before and after training. */
  forgetGate?: { initial: number; trained: number };
  initial: GradientProfile;
  trained: GradientProfile;
  /** Its training: history, epoch times, parameters, held-out accuracy. */
  record: ModelRecord;
}

const LONG_RANGE_SAMPLES = 64;

/** Mean of the LSTM's forget gate over the batch, steps and units. */
function meanForgetGate(model: Sequential, x: Tensor): number | undefined {
  const f = model.trace(x).layers[0]?.gates?.forget;
  if (!f) return undefined;
  let s = 0;
  for (const v of f.values) s += v;
  return s / f.values.length;
}

function measureLongRange(cell: LongRangeCell, model: Sequential, x: Tensor, y: Tensor): GradientProfile {
  const g = firstRecurrentGradients(model, x, y, cell);
  return summarise(cell, g.record.layer, g.record.className, recordNorms(g.record));
}

/** The sign task before and after training, for an LSTM and a SimpleRNN: gradients on held-out sequences. */
export async function longRangeRuns(o: LongRangeOptions = {}, log?: RunIo['log'], onModelDone?: RunIo['onModelDone']): Promise<LongRangeRun[]> {
  const runs: LongRangeRun[] = [];
  for (const cell of ['simpleRNN', 'lstm'] as const) {
    const probe = longRangeData(longRangeSeeds(o).heldOut, { ...o, samples: LONG_RANGE_SAMPLES });
    const fresh = longRangeModel(cell, o);
    const initial = measureLongRange(cell, fresh, probe.x, probe.y);
    const f0 = meanForgetGate(fresh, probe.x);
    log?.(`Training the ${cell} on the long-range task (sign at step 1, ${(o.steps ?? 50) - 1} noisy steps after it)...`);
    const { model, accuracy, record } = await trainLongRange(cell, o);
    onModelDone?.(record);
    const trained = measureLongRange(cell, model, probe.x, probe.y);
    const f1 = meanForgetGate(model, probe.x);
    runs.push({ cell, accuracy, initial, trained, record, ...(f0 !== undefined && f1 !== undefined ? { forgetGate: { initial: f0, trained: f1 } } : {}) });
  }
  return runs;
}

async function longRangeProfiles(o: LongRangeOptions, log?: RunIo['log'], onModelDone?: RunIo['onModelDone']) {
  const runs = await longRangeRuns(o, log, onModelDone);
  const T = runs[0].initial.norms.length;
  const pct = (v: number) => `${(100 * v).toFixed(1)} %`;
  const table: Table = {
    caption: `Long-range task (${T} steps; gradients: mean over ${LONG_RANGE_SAMPLES} held-out sequences, accuracy: over ${o.samples ?? 2000}): gradient at step 1 relative to the last step, before and after training`,
    columns: ['model', 'held-out accuracy', 'h: initial', 'h: trained', 'c: initial', 'c: trained', 'x: initial', 'x: trained', 'mean forget gate'],
    rows: runs.map((r) => [r.cell, pct(r.accuracy), ratio(r.initial.norms).toExponential(2), ratio(r.trained.norms).toExponential(2),
      r.initial.cellNorms ? ratio(r.initial.cellNorms).toExponential(2) : '-', r.trained.cellNorms ? ratio(r.trained.cellNorms).toExponential(2) : '-',
      ratio(r.initial.inputNorms).toExponential(2), ratio(r.trained.inputNorms).toExponential(2),
      r.forgetGate ? `${r.forgetGate.initial.toFixed(2)} → ${r.forgetGate.trained.toFixed(2)}` : '-']),
  };
  const lstm = runs.find((r) => r.cell === 'lstm')!, srnn = runs.find((r) => r.cell === 'simpleRNN')!;
  const change = (a: number, b: number) => `${a.toExponential(1)} → ${b.toExponential(1)}`;
  let finding = `On the long-range task (the sign at step 1 decides the label, ${T - 1} noisy steps follow), the trained LSTM reaches ${pct(lstm.accuracy)} held-out accuracy ` +
    `and the SimpleRNN ${pct(srnn.accuracy)}. From untrained to trained, the LSTM's gradient reaching step 1's input relative to the last step's goes ${change(ratio(lstm.initial.inputNorms), ratio(lstm.trained.inputNorms))}` +
    (lstm.initial.cellNorms && lstm.trained.cellNorms ? `, through its cell state ${change(ratio(lstm.initial.cellNorms), ratio(lstm.trained.cellNorms))}` : '') +
    (lstm.forgetGate ? `, with its mean forget gate ${lstm.forgetGate.initial.toFixed(2)} → ${lstm.forgetGate.trained.toFixed(2)}` : '') +
    `; the SimpleRNN's input gradient goes ${change(ratio(srnn.initial.inputNorms), ratio(srnn.trained.inputNorms))}.`;
  const charts: ExperimentResult['charts'] = [
    { title: `Long-range task: ||d loss / d x_t|| before and after training (log scale)`, xLabel: 'time step t', yLabel: 'gradient norm', logY: true,
      series: runs.flatMap((r) => [{ name: `${r.cell} untrained`, y: r.initial.inputNorms }, { name: `${r.cell} trained`, y: r.trained.inputNorms }]) },
    { title: `Long-range task: LSTM ||d loss / d c_t|| and ||d loss / d h_t|| before and after training (log scale)`, xLabel: 'time step t', yLabel: 'gradient norm', logY: true,
      series: [{ name: 'c_t untrained', y: lstm.initial.cellNorms ?? [] }, { name: 'c_t trained', y: lstm.trained.cellNorms ?? [] },
        { name: 'h_t untrained', y: lstm.initial.norms }, { name: 'h_t trained', y: lstm.trained.norms }] },
  ];
  const numbers = { longRangeLstmAccuracy: lstm.accuracy, longRangeSimpleRnnAccuracy: srnn.accuracy,
    longRangeLstmInputFirstToLast: ratio(lstm.trained.inputNorms), longRangeSimpleRnnInputFirstToLast: ratio(srnn.trained.inputNorms) };
  return { runs, table, finding, charts, numbers, options: { steps: T, samples: o.samples ?? 2000, epochs: o.epochs ?? 30, units: o.units ?? 16, seed: longRangeSeeds(o).train } };
}
