/**
 * The text tasks' results as a RunRecord body and a report (the shape experiments/imdb_result.ts gives the lab's
 * runs), so `rnnlab train` and `rnnlab evaluate` runs are read by the dashboard, sweeps and reports like any other.
 */
import { caseOnlyClassNotes } from '../data/text_labels.js';
import type { ReportDoc } from '../report/html.js';
import { modelSummary, type Num, type RecordBody } from '../report/record.js';
import { percent, type Table } from '../report/table.js';
import type { ClassificationMetrics, ConfusionCounts, ScoredExample } from './text_metrics.js';
import type { TextEvaluateResult } from './text_evaluate.js';
import type { TextTrainResult } from './text_train.js';

/** Headline numbers: fractions for accuracies, per-class scores keyed by class. */
export function classificationMetrics(m: ClassificationMetrics, prefix: string): Record<string, Num | Record<string, Num>> {
  return {
    [`${prefix}Accuracy`]: m.accuracy, [`${prefix}Loss`]: m.loss, [`${prefix}Auc`]: m.auc,
    [`${prefix}MacroF1`]: m.macro.f1, [`${prefix}WeightedF1`]: m.weighted.f1,
    precision: Object.fromEntries(m.perClass.map((c) => [c.name, c.precision])),
    recall: Object.fromEntries(m.perClass.map((c) => [c.name, c.recall])),
    f1: Object.fromEntries(m.perClass.map((c) => [c.name, c.f1])),
  };
}

export function perClassTable(m: ClassificationMetrics): Table {
  return {
    caption: 'Per class',
    columns: ['class', 'precision', 'recall', 'F1', 'support'],
    rows: [
      ...m.perClass.map((c) => [c.name, c.precision.toFixed(4), c.recall.toFixed(4), c.f1.toFixed(4), c.support]),
      ['macro avg', m.macro.precision.toFixed(4), m.macro.recall.toFixed(4), m.macro.f1.toFixed(4), m.n],
      ['weighted avg', m.weighted.precision.toFixed(4), m.weighted.recall.toFixed(4), m.weighted.f1.toFixed(4), m.n],
    ],
  };
}

/**
 * Up to this many classes the record (details.confusion) and the report keep the whole confusion matrix; beyond it,
 * whose C x C cells grow past any useful table (and, at thousands of classes, past what JSON.stringify can write), they
 * keep its bounded form instead (details.confusionTop; docs/results.schema.json).
 */
export const FULL_CONFUSION_MAX_CLASSES = 100;
/** How many of the largest off-diagonal cells the bounded form keeps. */
export const TOP_CONFUSIONS = 100;

/** The bounded form of confusion[true][predicted]: per-class counts and the largest confusions, as [true, predicted, count]. */
export interface ConfusionTop {
  correct: number[]; support: number[]; predicted: number[];
  top: [number, number, number][];
  /** The non-zero off-diagonal cells left out of top, and the examples they hold. */
  otherCells: number; otherCount: number;
}

/** One pass over the counts however many views (record, report table, evaluate's printout) ask for their bounded form. */
const topsOf = new WeakMap<ConfusionCounts, ConfusionTop>();

export function confusionTop(confusion: ConfusionCounts, k = TOP_CONFUSIONS): ConfusionTop {
  const known = k === TOP_CONFUSIONS ? topsOf.get(confusion) : undefined;
  if (known) return known;
  const top = boundedConfusion(confusion, k);
  if (k === TOP_CONFUSIONS) topsOf.set(confusion, top);
  return top;
}

function boundedConfusion(confusion: ConfusionCounts, k: number): ConfusionTop {
  // The largest first; ties in class order, so the same counts always keep the same cells.
  const cells = confusion.confusions().sort((a, b) => b[2] - a[2] || a[0] - b[0] || a[1] - b[1]);
  const rest = cells.slice(k);
  return {
    correct: [...confusion.correct], support: [...confusion.support], predicted: [...confusion.predicted],
    top: cells.slice(0, k), otherCells: rest.length, otherCount: rest.reduce((a, c) => a + c[2], 0),
  };
}

/** details' confusion entry: the whole matrix up to FULL_CONFUSION_MAX_CLASSES classes, else its bounded form. */
function confusionDetails(m: ClassificationMetrics): { confusion: number[][] } | { confusionTop: ConfusionTop } {
  return m.confusion.classes <= FULL_CONFUSION_MAX_CLASSES ? { confusion: m.confusion.dense() } : { confusionTop: confusionTop(m.confusion) };
}

export function confusionTable(m: ClassificationMetrics): Table {
  const names = m.perClass.map((c) => c.name);
  if (names.length <= FULL_CONFUSION_MAX_CLASSES) {
    return { caption: 'Confusion matrix (rows: true class, columns: predicted)', columns: ['true \\ predicted', ...names], rows: m.confusion.dense().map((row, i) => [names[i], ...row]) };
  }
  const c = confusionTop(m.confusion);
  const more = c.otherCells ? `; ${c.otherCells} other confusion(s) of ${c.otherCount} example(s) not shown` : '';
  return {
    caption: `Most frequent confusions (${names.length} classes: over ${FULL_CONFUSION_MAX_CLASSES}, the whole matrix is not shown${more})`,
    columns: ['true', 'predicted', 'count', 'share of true class'],
    rows: c.top.map(([t, p, v]) => [names[t], names[p], v, percent(v / c.support[t])]),
  };
}

function worstTable(worst: readonly ScoredExample[]): Table {
  return {
    caption: 'Worst-scored examples (lowest probability of the true class)',
    columns: ['where', 'true', 'predicted', 'P(true)', 'text'],
    rows: worst.map((w) => [w.where, w.label, w.predicted, w.trueProbability.toFixed(4), w.text.length > 160 ? `${w.text.slice(0, 157)}...` : w.text]),
  };
}

export function textTrainBody(r: TextTrainResult, dataPath: string): RecordBody {
  const metrics = classificationMetrics(r.validation, 'validation');
  // The model's own entry keeps the plain numbers; the per-class scores are the run's metrics.
  const modelMetrics = Object.fromEntries(Object.entries(metrics).filter(([, v]) => typeof v !== 'object' || v === null)) as Record<string, Num>;
  const notes = caseOnlyClassNotes(r.classes);
  const finding = `A ${String(r.config.model)} classifier over ${r.classes.length} classes reaches ${percent(r.validation.accuracy)} validation accuracy after ${r.epochsRun} epoch(s)${r.stoppedEarly ? ' (stopped early)' : ''}.`;
  return {
    config: r.config,
    data: { path: dataPath, classes: r.classes, ...r.counts, classWeights: r.classWeights },
    models: [{ name: String(r.config.model), params: r.params, history: r.history, secondsPerEpoch: r.secondsPerEpoch, metrics: modelMetrics, summary: modelSummary(r.model) }],
    metrics,
    finding,
    tables: [perClassTable(r.validation), confusionTable(r.validation)],
    // What train says beside its results (classes that differ only in case), kept with them so the record says it too.
    details: { ...confusionDetails(r.validation), seconds: r.seconds, ...(notes.length ? { notes } : {}) },
  };
}

export function textTrainDoc(r: TextTrainResult, body: RecordBody): ReportDoc {
  const h = r.history;
  const s = (k: string, name: string, dashed = false) => (h[k]?.length ? [{ name, y: h[k], dashed }] : []);
  const notes = (body.details?.notes as string[] | undefined) ?? [];
  return {
    title: `Text classifier: ${String(r.config.model)}`,
    subtitle: `${r.counts.train} training and ${r.counts.validation} validation examples; classes ${r.classes.join(', ')}`,
    finding: body.finding,
    metrics: { 'validation accuracy': percent(r.validation.accuracy), 'validation loss': r.validation.loss.toFixed(4), ...(r.validation.auc === null ? {} : { 'ROC AUC': r.validation.auc.toFixed(4) }), parameters: r.params.toLocaleString('en-US') },
    sections: [
      { title: 'Curves', charts: [
        { title: 'Loss per epoch', xLabel: 'epoch', yLabel: 'loss', series: [...s('loss', 'train'), ...s('val_loss', 'validation', true)] },
        { title: 'Accuracy per epoch', xLabel: 'epoch', yLabel: 'accuracy', series: [...s('accuracy', 'train'), ...s('val_accuracy', 'validation', true)] },
      ] },
      ...(notes.length ? [{ title: 'Notes', text: notes }] : []),
      { title: 'Validation', tables: body.tables },
      { title: 'Model summary', pre: (body.models[0].summary ?? []).join('\n') },
    ],
    config: r.config,
  };
}

export function textEvaluateBody(r: TextEvaluateResult): RecordBody {
  const m = r.metrics;
  return {
    config: { model: r.modelDir, labelMap: r.labelMap },
    data: { path: r.data, classes: r.classes, n: m.n, skipped: r.skipped },
    models: [],
    metrics: classificationMetrics(m, 'test'),
    finding: `The model scores ${percent(m.accuracy)} accuracy on ${m.n} labelled examples (macro F1 ${m.macro.f1.toFixed(4)}${m.auc === null ? '' : `, ROC AUC ${m.auc.toFixed(4)}`}).`,
    tables: [perClassTable(m), confusionTable(m), worstTable(r.worst)],
    details: { ...confusionDetails(m), worst: r.worst, seconds: r.seconds },
  };
}

export function textEvaluateDoc(r: TextEvaluateResult, body: RecordBody): ReportDoc {
  return {
    title: 'Evaluation of a text classifier',
    subtitle: `${r.modelDir} on ${r.data}`,
    finding: body.finding,
    metrics: { accuracy: percent(r.metrics.accuracy), loss: r.metrics.loss.toFixed(4), ...(r.metrics.auc === null ? {} : { 'ROC AUC': r.metrics.auc.toFixed(4) }) },
    sections: [{ title: 'Scores', tables: body.tables }],
    config: body.config,
  };
}
