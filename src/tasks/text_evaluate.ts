/** Measure a saved text classifier on labelled data: accuracy, loss, per-class scores, confusion matrix, AUC, worst examples. */
import { loadTextDataset, type TextDataset, type TextDatasetOptions } from '../data/text_dataset.js';
import { badLabelMapEntry, encodeLabels, mapLabels, resolveLabelMap } from '../data/text_labels.js';
import { loadTextClassifier, type TextClassifier } from './text_classifier_file.js';
import { classificationMetrics, worstExamples, type ClassificationMetrics, type ScoredExample } from './text_metrics.js';
import { TextOptionError } from './text_model.js';
import { scoreBatch } from './text_predict.js';

export interface TextEvaluateOptions extends Omit<TextDatasetOptions, 'labelsOptional'> {
  /** A model folder (or run folder), or a loaded classifier. */
  model: string | TextClassifier;
  data: string | TextDataset;
  /** Data label -> model class (e.g. {"0": "neg", "1": "pos"}); by default two-class sentiment labels are matched by polarity. */
  labelMap?: Record<string, string> | null;
  /** How many worst-scored examples to return (default 10). */
  worst?: number;
  batchSize?: number;
}

export interface TextEvaluateResult {
  modelDir: string;
  data: string;
  classes: string[];
  skipped: number;
  /** The label map used (given or found), or null. */
  labelMap: Record<string, string> | null;
  metrics: ClassificationMetrics;
  worst: ScoredExample[];
  seconds: number;
}

export async function evaluateTextClassifier(o: TextEvaluateOptions): Promise<TextEvaluateResult> {
  const t0 = performance.now();
  const clf = typeof o.model === 'string' ? await loadTextClassifier(o.model) : o.model;
  // A label map naming no class of the model is a bad option value, found before the data is read.
  const badMap = o.labelMap ? badLabelMapEntry(o.labelMap, clf.classes) : null;
  if (badMap) throw new TextOptionError('labelMap', badMap);
  const ds = typeof o.data === 'string' ? await loadTextDataset(o.data, o) : o.data;
  const labelMap = resolveLabelMap(ds.labels, clf.classes, o.labelMap);
  const { ids } = encodeLabels(mapLabels(ds.labels, labelMap), ds.where, ds.source, clf.classes, { optionNames: o.optionNames });
  const C = clf.classes.length, batch = o.batchSize ?? 2048;
  const probs = new Float64Array(ds.texts.length * C);
  for (let s = 0; s < ds.texts.length; s += batch) probs.set(scoreBatch(clf, ds.texts.slice(s, s + batch)), s * C);
  return {
    modelDir: clf.dir, data: ds.source, classes: clf.classes, skipped: ds.skipped, labelMap,
    metrics: classificationMetrics(ids, probs, clf.classes),
    worst: worstExamples(ids, probs, clf.classes, ds.texts, ds.where, o.worst ?? 10),
    seconds: (performance.now() - t0) / 1000,
  };
}
