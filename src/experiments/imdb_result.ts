/**
 * What one IMDb training run means for its reader: the record body for results.json and the report, the same for
 * `rnnlab imdb` and for a dashboard job. The CLI and the dashboard only print and write what these return.
 */
import { decode } from '../data/imdb_words.js';
import type { Sequential } from '../models/sequential.js';
import type { ReportDoc } from '../report/html.js';
import type { ModelRecord, RecordBody } from '../report/record.js';
import type { ChartSpec } from '../report/svg.js';
import { fixed, percent, seconds } from '../report/table.js';
import { wholeEpochsOf, type ImdbArrays, type ImdbRun } from './imdb_task.js';

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

/**
 * Train accuracy and loss at the end of the run's first `wholeEpochs` epochs (all of them unless given). A stop that
 * cut the last epoch short left that epoch's numbers of the batches it got; the caller that knows it passes the whole
 * epochs, so the record agrees with its table (NaN with none).
 */
export function trainNumbersAfter(r: Pick<ImdbRun, 'history' | 'trainAccuracy' | 'trainLoss'>, wholeEpochs?: number): { trainAccuracy: number; trainLoss: number } {
  const ran = r.history.loss?.length ?? 0;
  if (wholeEpochs === undefined || wholeEpochs >= ran) return { trainAccuracy: r.trainAccuracy, trainLoss: r.trainLoss };
  const at = (k: string) => (wholeEpochs > 0 ? r.history[k]?.[wholeEpochs - 1] ?? NaN : NaN);
  return { trainAccuracy: at('accuracy'), trainLoss: at('loss') };
}

export function imdbMetrics(r: Omit<ImdbRun, 'model'>, wholeEpochs?: number): Record<string, number> {
  return { testAccuracy: r.testAccuracy, testLoss: r.testLoss, ...trainNumbersAfter(r, wholeEpochs) };
}

/** `wholeEpochs`: as for trainNumbersAfter; the history keeps every epoch begun, the cut one included. */
export function imdbModelRecord(r: Omit<ImdbRun, 'model'>, wholeEpochs?: number): ModelRecord {
  return { name: r.name, params: r.params, history: r.history, secondsPerEpoch: r.secondsPerEpoch, metrics: { ...imdbMetrics(r, wholeEpochs), evalSeconds: r.evalSeconds }, summary: r.summary };
}

export function imdbDataRecord(d: ImdbArrays, limit: number | null): Record<string, unknown> {
  return { nTrain: d.nTrain, nTest: d.nTest, vocab: d.vocab, maxlen: d.maxlen, limit, meanLength: d.meanLength, loadSeconds: d.loadSeconds };
}

/** "0.42 s per epoch", or, where no epoch of the run was timed (a checkpoint from an rnnlab that kept no times), that. */
export function perEpochText(r: Pick<ImdbRun, 'meanSecondsPerEpoch'>): string {
  return Number.isFinite(r.meanSecondsPerEpoch) ? `${seconds(r.meanSecondsPerEpoch)} s per epoch` : 'no epoch timed';
}

export function imdbFinding(r: Omit<ImdbRun, 'model'>, d: ImdbArrays): string {
  const epochs = r.history.loss?.length ?? 0;
  if (r.cancelled) {
    // A cut epoch is not counted: its accuracy and time are of the batches it got.
    const whole = wholeEpochsOf(r);
    return `${r.name} was stopped after ${whole} epoch(s)${r.partialLastEpoch ? ' and part of the next' : ''}, before the test evaluation` +
      (whole ? ` (train accuracy ${percent(r.trainAccuracy)}, ${perEpochText(r)} on ${d.nTrain} reviews).` : '.');
  }
  return `${r.name} reaches ${percent(r.testAccuracy)} test accuracy after ${epochs} epoch(s) (train ${percent(r.trainAccuracy)}), ` +
    `${Number.isFinite(r.meanSecondsPerEpoch) ? 'at ' : ''}${perEpochText(r)} on ${d.nTrain} reviews.`;
}

export function imdbBody(r: Omit<ImdbRun, 'model'>, d: ImdbArrays, limit: number | null, classification?: TestClassification): RecordBody {
  return {
    config: { ...r.config, limit }, data: imdbDataRecord(d, limit), models: [imdbModelRecord(r, wholeEpochsOf(r))],
    metrics: imdbMetrics(r, wholeEpochsOf(r)), finding: imdbFinding(r, d), ...(classification ? { details: { ...classification } } : {}),
  };
}

/** What the dashboard shows of a classifier's mistakes (the shape `rnnlab evaluate` records: confusion[true][predicted]). */
export interface TestClassification {
  classes: string[];
  confusion: number[][];
  /** The most confidently wrong test reviews, the lowest probability of the true label first. */
  misclassified: { index: number; where: string; text: string; label: string; predicted: string; trueProbability: number }[];
}

const MISCLASSIFIED_KEPT = 20;
const MAX_REVIEW_CHARS = 2000;

/** The test reviews' confusion matrix (p > 0.5 is positive, as the accuracy counts) and the most confidently wrong, as the words the model read. */
export function imdbTestClassification(model: Sequential, d: ImdbArrays): TestClassification {
  const p = model.predict(d.xTest, { batchSize: 256 }).values;
  const y = d.yTest.values, x = d.xTest.values as Int32Array, L = d.maxlen;
  const classes = ['negative', 'positive'];
  const confusion = [[0, 0], [0, 0]];
  const wrong: number[] = [];
  for (let i = 0; i < y.length; i++) {
    const t = y[i] >= 0.5 ? 1 : 0, guess = p[i] > 0.5 ? 1 : 0;
    confusion[t][guess]++;
    if (t !== guess) wrong.push(i);
  }
  const trueP = (i: number) => (y[i] >= 0.5 ? p[i] : 1 - p[i]);
  wrong.sort((a, b) => trueP(a) - trueP(b) || a - b);
  const words = (i: number) => decode(x.subarray(i * L, (i + 1) * L).filter((id) => id > 1));
  return {
    classes, confusion,
    misclassified: wrong.slice(0, MISCLASSIFIED_KEPT).map((i) => {
      const text = words(i);
      return { index: i, where: 'test', text: text.length > MAX_REVIEW_CHARS ? `${text.slice(0, MAX_REVIEW_CHARS - 1)}…` : text,
        label: classes[y[i] >= 0.5 ? 1 : 0], predicted: classes[p[i] > 0.5 ? 1 : 0], trueProbability: trueP(i) };
    }),
  };
}

/**
 * `failed`: the run's training threw, so, as for a stopped run, the test evaluation never ran: its numbers read n/a
 * (a NaN the evaluation measured still reads NaN).
 */
export function imdbDoc(r: Omit<ImdbRun, 'model'>, d: ImdbArrays, body: RecordBody, o: { failed?: boolean } = {}): ReportDoc {
  const evaluated = !r.cancelled && !o.failed;
  return {
    title: `IMDb sentiment: ${r.name}`,
    subtitle: describeData(d),
    finding: body.finding,
    metrics: { 'test accuracy': percent(r.testAccuracy), 'test loss': evaluated ? fixed(r.testLoss) : 'n/a', 'train accuracy': percent(r.trainAccuracy), parameters: r.params.toLocaleString('en-US'), 'seconds per epoch': seconds(r.meanSecondsPerEpoch) },
    sections: [
      { title: 'Curves', charts: curveCharts(r.history) },
      { title: 'Per epoch', tables: [{ columns: ['epoch', 'seconds', ...Object.keys(r.history)], rows: r.secondsPerEpoch.map((s, e) => [e + 1, seconds(s), ...Object.values(r.history).map((v) => fixed(v[e]))]) }] },
      { title: 'Model summary', pre: r.summary.join('\n') },
    ],
    config: body.config,
  };
}
