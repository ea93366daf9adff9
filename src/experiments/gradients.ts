/**
 * The lab's "RNNs and vanishing/exploding gradients" section, measured: the norm of d loss / d h_t for
 * every time step t, for a SimpleRNN and an LSTM reading the same IMDb batches.
 */
import { takeRows } from '../models/batches.js';
import { formatTick } from '../report/svg.js';
import type { Table } from '../report/table.js';
import { buildImdbModel, type ImdbArrays, type OptimizerChoice } from './imdb_task.js';
import { IMDB_MODELS, type ImdbModelName } from './lab_models.js';
import { setSeed } from '../random.js';
import type { ExperimentResult, RunIo } from './types.js';

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
}

export interface GradientProfile {
  model: ImdbModelName;
  layer: string;
  className: string;
  /** Mean over samples (and batches) of ||d loss / d h_t||, t = 1..T in processing order. */
  norms: number[];
  /** norms[0] / norms[T-1]. */
  firstToLast: number;
  /** Steps back from the end before the norm falls below 1% of the last step's (T if never). */
  stepsTo1Percent: number;
}

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
  const seed = o.seed ?? 1;
  const profiles: GradientProfile[] = [];
  const losses: Record<string, number> = {};
  for (const name of names) {
    setSeed(seed);
    const model = buildImdbModel(name, { vocab: data.vocab, maxlen: data.maxlen, units: o.units, embeddingDim: o.embeddingDim, optimizer: o.optimizer, lr: o.lr });
    if (o.epochs) {
      o.log?.(`Training ${name} for ${o.epochs} epoch(s) before measuring...`);
      await model.fit(data.xTrain, data.yTrain, { epochs: o.epochs, batchSize, verbose: o.verbose ?? 1, out: o.out });
    }
    o.log?.(`Measuring ||dL/dh_t|| for ${name} on ${nBatches} batch(es) of ${batchSize} reviews (${data.maxlen} steps)...`);
    let sums: number[] | null = null;
    let rec: { layer: string; className: string } | null = null;
    let loss = 0;
    for (let k = 0; k < nBatches; k++) {
      const xb = takeRows(data.xTrain, null, k * batchSize, (k + 1) * batchSize);
      const yb = takeRows(data.yTrain, null, k * batchSize, (k + 1) * batchSize);
      const g = model.hiddenStateGradients(xb, yb);
      loss += g.loss / nBatches;
      const first = g.layers.find((l) => !l.layer.startsWith('backward_'));
      if (!first) throw new Error(`gradients: ${name} recorded no hidden-state gradients`);
      const norms = stepNorms(first.dh, first.shape);
      sums = sums ? sums.map((s, t) => s + norms[t] / nBatches) : norms.map((v) => v / nBatches);
      rec = { layer: first.layer, className: first.className };
    }
    const norms = sums!;
    const last = norms[norms.length - 1];
    let steps = 0;
    while (steps < norms.length && norms[norms.length - 1 - steps] >= 0.01 * last) steps++;
    profiles.push({ model: name, layer: rec!.layer, className: rec!.className, norms, firstToLast: norms[0] / last, stepsTo1Percent: steps });
    losses[name] = loss;
  }
  const T = data.maxlen;
  const table: Table = {
    caption: `||d loss / d h_t|| (mean over ${nBatches * batchSize} reviews), ${o.epochs ? `after ${o.epochs} epoch(s)` : 'at initialisation'}`,
    columns: ['model', 'layer', 't = 1', `t = ${Math.ceil(T / 2)}`, `t = ${T}`, 'first / last', 'steps within 1% of last'],
    rows: profiles.map((p) => [p.model, p.className, formatTick(p.norms[0]), formatTick(p.norms[Math.ceil(T / 2) - 1]), formatTick(p.norms[T - 1]),
      p.firstToLast.toExponential(2), p.stepsTo1Percent]),
  };
  const measured = profiles.filter((p) => Number.isFinite(p.firstToLast) && p.firstToLast > 0);
  const silent = profiles.filter((p) => !measured.includes(p));
  const sorted = [...measured].sort((a, b) => a.firstToLast - b.firstToLast);
  const when = o.epochs ? `after ${o.epochs} epoch(s) of training` : 'at initialisation';
  const gated = (p: GradientProfile) => p.className !== 'SimpleRNN';
  let finding: string;
  if (sorted.length >= 2) {
    const worst = sorted[0], best = sorted[sorted.length - 1];
    const orders = Math.log10(best.firstToLast / worst.firstToLast);
    const list = sorted.map((p) => `${p.firstToLast.toExponential(1)} for the ${p.model}`);
    finding = `Over ${T} steps ${when}, the gradient reaching step 1, relative to the last step's, is ${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}: ` +
      `it vanishes fastest in the ${worst.model}, ${orders.toFixed(1)} orders of magnitude below the ${best.model}. ` +
      (gated(best) && !gated(worst)
        ? 'The gated cell\'s additive memory keeps a path for the gradient back through time; the SimpleRNN multiplies it by tanh\' and its recurrent kernel at every step.'
        : !gated(best) && gated(worst)
          ? 'Here the SimpleRNN, whose tanh units work in their near-linear range with an orthogonal recurrent kernel, keeps far more of the gradient, while a gated cell scales it by its forget/update gate (below 1) at every step; gates pay off only once training learns to hold them open.'
          : 'Both shrink the gradient step by step, at different rates.');
  } else if (sorted.length === 1) {
    finding = `Over ${T} steps ${when}, the gradient reaching step 1 is ${sorted[0].firstToLast.toExponential(2)} of the last step's for the ${sorted[0].model}.`;
  } else {
    finding = 'No model recorded a non-zero hidden-state gradient.';
  }
  if (silent.length) finding += ` (No usable gradient was recorded for ${silent.map((p) => p.model).join(', ')}: its norms are all zero or not finite.)`;
  return {
    name: 'gradients',
    title: 'Vanishing gradients, measured: ||d loss / d h_t|| against t',
    finding,
    numbers: Object.fromEntries(profiles.flatMap((p) => [[`${p.model}FirstToLast`, p.firstToLast], [`${p.model}StepsTo1Percent`, p.stepsTo1Percent]])),
    tables: [table],
    charts: [{ title: '||d loss / d h_t|| (log scale)', xLabel: 'time step t', yLabel: 'gradient norm', logY: true,
      series: profiles.map((p) => ({ name: `${p.model} (${p.className})`, y: p.norms })) }],
    config: { models: names, vocab: data.vocab, maxlen: data.maxlen, units: o.units ?? 100, embeddingDim: o.embeddingDim ?? 100, batchSize, batches: nBatches, epochs: o.epochs ?? 0, seed },
    details: { profiles, losses },
  };
}
