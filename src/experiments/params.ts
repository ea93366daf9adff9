/**
 * The lab's exercise "calculate the number of parameters": the formula for every layer of every lab model,
 * the number it gives, and the count the built model reports.
 */
import { Bidirectional, Conv1D, Dense, Embedding, GRU, LSTM, SimpleRNN, TimeDistributed, type Layer } from '../layers/index.js';
import { RNN } from '../layers/recurrent.js';
import type { Sequential } from '../models/sequential.js';
import type { Table } from '../report/table.js';
import { additionModel, IMDB_MODELS, imdbModel, type ImdbModelName, type ImdbModelOptions } from './lab_models.js';
import type { ExperimentResult } from './types.js';

export interface LayerParams { layer: string; className: string; formula: string; computed: number; reported: number }

const n = (v: number) => v.toLocaleString('en-US');

function inDim(l: Layer): number {
  const s = l.builtInputShape ?? [];
  return s[s.length - 1] as number;
}

/** The formula (as text) and its value for one layer. */
export function layerFormula(l: Layer): { formula: string; value: number } {
  if (l instanceof TimeDistributed) {
    const inner = layerFormula(l.layer);
    return { formula: `same as the wrapped Dense: ${inner.formula}`, value: inner.value };
  }
  if (l instanceof Bidirectional) {
    const inner = layerFormula(l.forwardLayer);
    return { formula: `2 directions x [${inner.formula}]`, value: 2 * inner.value };
  }
  if (l instanceof Dense) {
    const i = inDim(l), u = l.units, b = l.useBias ? 1 : 0;
    return { formula: `(${n(i)} inputs${b ? ' + 1 bias' : ''}) x ${n(u)} units`, value: (i + b) * u };
  }
  if (l instanceof Embedding) return { formula: `${n(l.inputDim)} words x ${n(l.outputDim)} dims`, value: l.inputDim * l.outputDim };
  if (l instanceof Conv1D) {
    const i = inDim(l), b = l.useBias ? 1 : 0;
    return { formula: `(${l.kernelSize} kernel x ${n(i)} channels${b ? ' + 1 bias' : ''}) x ${n(l.filters)} filters`, value: (l.kernelSize * i + b) * l.filters };
  }
  if (l instanceof RNN) {
    const i = inDim(l), u = l.units;
    const gates = l instanceof LSTM ? 4 : l instanceof GRU ? 3 : 1;
    const biasRows = !l.useBias ? 0 : l instanceof GRU && l.resetAfter ? 2 : 1;
    const what = l instanceof LSTM ? '4 gates x ' : l instanceof GRU ? '3 gates x ' : l instanceof SimpleRNN ? '' : `${gates} x `;
    const bias = biasRows === 0 ? '' : biasRows === 2 ? ' + 2 biases (reset_after)' : ' + 1 bias';
    return { formula: `${what}${n(u)} units x (${n(i)} inputs + ${n(u)} recurrent${bias})`, value: gates * u * (i + u + biasRows) };
  }
  if (l.countParams() === 0) return { formula: 'no weights', value: 0 };
  return { formula: 'see the layer', value: l.countParams() };
}

export function modelParams(model: Sequential): LayerParams[] {
  return model.layers.map((l) => {
    const f = layerFormula(l);
    return { layer: l.name, className: l.className, formula: f.formula, computed: f.value, reported: l.countParams() };
  });
}

/** The lab's first exercise is the 500-id, 250-unit net; with other sizes the finding must not give it another count. */
function ffName(o: ImdbModelOptions): string {
  const lab = (o.maxlen ?? 500) === 500 && (o.units ?? 250) === 250;
  return lab ? "the lab's first exercise" : "the lab's first exercise at these sizes (the lab's own, 500 ids and 250 units, has 125,501)";
}

export function paramsExperiment(o: ImdbModelOptions & { models?: (ImdbModelName | 'addition')[] } = {}): ExperimentResult {
  const names = o.models ?? [...IMDB_MODELS, 'addition'];
  const tables: Table[] = [];
  const numbers: Record<string, number> = {};
  const details: Record<string, LayerParams[]> = {};
  let allMatch = true;
  for (const name of names) {
    const model = name === 'addition' ? additionModel() : imdbModel(name, o);
    const rows = modelParams(model);
    details[name] = rows;
    const total = rows.reduce((s, r) => s + r.computed, 0);
    const reported = model.countParams();
    if (total !== reported || rows.some((r) => r.computed !== r.reported)) allMatch = false;
    numbers[name] = reported;
    tables.push({
      caption: `${name}: ${n(total)} parameters by hand, ${n(reported)} reported by countParams() ${total === reported ? '☑' : '☒'}`,
      columns: ['layer', 'formula', 'by hand', 'model'],
      rows: [...rows.map((r) => [`${r.layer} (${r.className})`, r.formula, r.computed, r.reported]), ['total', '', total, reported]],
    });
  }
  const ff = details.ff_raw?.reduce((s, r) => s + r.computed, 0);
  const finding = `${allMatch ? 'Every' : 'Not every'} hand count matches the model's own count` +
    (ff !== undefined ? `; ${ffName(o)}, the feed-forward net on ${o.maxlen ?? 500} raw ids, has (${o.maxlen ?? 500} + 1) x ${o.units ?? 250} + (${o.units ?? 250} + 1) x 1 = ${n(ff)} parameters` : '') +
    (numbers.lstm !== undefined ? `; in the LSTM the embedding holds ${n((o.vocab ?? 10000) * (o.embeddingDim ?? 100))} of the ${n(numbers.lstm)} weights and the LSTM layer itself ${n(details.lstm.find((r) => r.className === 'LSTM')?.computed ?? 0)}` : '') + '.';
  return {
    name: 'params', title: 'Calculate the number of parameters', finding, numbers: { ...numbers, allMatch: allMatch ? 1 : 0 }, tables,
    charts: [{ kind: 'bar', title: 'Parameters per model', yLabel: 'parameters', categories: names.map(String), series: [{ name: 'parameters', y: names.map((m) => numbers[m]) }] }],
    config: { vocab: o.vocab ?? 10000, maxlen: o.maxlen ?? 500, embeddingDim: o.embeddingDim ?? 100, units: o.units ?? null, models: names },
    details,
  };
}
