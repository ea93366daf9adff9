/**
 * What one IMDb training run means for its reader: the record body for results.json and the report, the same for
 * `rnnlab imdb` and for a dashboard job. The CLI and the dashboard only print and write what these return.
 */
import type { ReportDoc } from '../report/html.js';
import type { ModelRecord, RecordBody } from '../report/record.js';
import type { ChartSpec } from '../report/svg.js';
import { percent, seconds } from '../report/table.js';
import type { ImdbArrays, ImdbRun } from './imdb_task.js';

export function describeData(d: ImdbArrays): string {
  return `${d.nTrain.toLocaleString('en-US')} training and ${d.nTest.toLocaleString('en-US')} test reviews, vocab ${d.vocab}, padded to ${d.maxlen} ids ` +
    `(mean length ${d.meanLength.toFixed(1)} before padding; loaded in ${d.loadSeconds.toFixed(1)} s)`;
}

/** Loss and accuracy per epoch, train solid and validation dashed. */
export function curveCharts(h: Record<string, number[]>, what = ''): ChartSpec[] {
  const s = (k: string, name: string, dashed = false) => (h[k]?.length ? [{ name, y: h[k], dashed }] : []);
  return [
    { title: `Loss per epoch${what}`, xLabel: 'epoch', yLabel: 'loss', series: [...s('loss', 'train'), ...s('val_loss', 'test (validation)', true)] },
    { title: `Accuracy per epoch${what}`, xLabel: 'epoch', yLabel: 'accuracy', series: [...s('accuracy', 'train'), ...s('val_accuracy', 'test (validation)', true)] },
  ];
}

export function imdbMetrics(r: Omit<ImdbRun, 'model'>): Record<string, number> {
  return { testAccuracy: r.testAccuracy, testLoss: r.testLoss, trainAccuracy: r.trainAccuracy, trainLoss: r.trainLoss };
}

export function imdbModelRecord(r: Omit<ImdbRun, 'model'>): ModelRecord {
  return { name: r.name, params: r.params, history: r.history, secondsPerEpoch: r.secondsPerEpoch, metrics: { ...imdbMetrics(r), evalSeconds: r.evalSeconds }, summary: r.summary };
}

export function imdbDataRecord(d: ImdbArrays, limit: number | null): Record<string, unknown> {
  return { nTrain: d.nTrain, nTest: d.nTest, vocab: d.vocab, maxlen: d.maxlen, limit, meanLength: d.meanLength, loadSeconds: d.loadSeconds };
}

export function imdbFinding(r: Omit<ImdbRun, 'model'>, d: ImdbArrays): string {
  const epochs = r.history.loss?.length ?? 0;
  return `${r.name} reaches ${percent(r.testAccuracy)} test accuracy after ${epochs} epoch(s) (train ${percent(r.trainAccuracy)}), ` +
    `at ${seconds(r.meanSecondsPerEpoch)} s per epoch on ${d.nTrain} reviews.`;
}

export function imdbBody(r: Omit<ImdbRun, 'model'>, d: ImdbArrays, limit: number | null): RecordBody {
  return {
    config: { ...r.config, limit }, data: imdbDataRecord(d, limit), models: [imdbModelRecord(r)],
    metrics: imdbMetrics(r), finding: imdbFinding(r, d),
  };
}

export function imdbDoc(r: Omit<ImdbRun, 'model'>, d: ImdbArrays, body: RecordBody): ReportDoc {
  return {
    title: `IMDb sentiment: ${r.name}`,
    subtitle: describeData(d),
    finding: body.finding,
    metrics: { 'test accuracy': percent(r.testAccuracy), 'test loss': r.testLoss.toFixed(4), 'train accuracy': percent(r.trainAccuracy), parameters: r.params.toLocaleString('en-US'), 'seconds per epoch': seconds(r.meanSecondsPerEpoch) },
    sections: [
      { title: 'Curves', charts: curveCharts(r.history) },
      { title: 'Per epoch', tables: [{ columns: ['epoch', 'seconds', ...Object.keys(r.history)], rows: r.secondsPerEpoch.map((s, e) => [e + 1, seconds(s), ...Object.values(r.history).map((v) => (v[e] ?? NaN).toFixed(4))]) }] },
      { title: 'Model summary', pre: r.summary.join('\n') },
    ],
    config: body.config,
  };
}
