/** Measure a saved text classifier on labelled data: accuracy, loss, per-class scores, confusion matrix, AUC, worst examples. */
import { loadTextDataset, type TextDataset, type TextDatasetOptions } from '../data/text_dataset.js';
import { badLabelMapEntry, encodeLabels, labelValue, mapLabels, resolveLabelMap } from '../data/text_labels.js';
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

/**
 * A map whose entries all name labels no row carries does nothing at all (the labels of another file, or a typo):
 * refused, as is an entry that differs from a data label only in case or spaces (a typo that would leave that label
 * unmapped). An entry for a label merely absent from this data is fine: the usual `1=pos,0=neg` map must work on a
 * one-class slice. Every entry must name a model class (badLabelMapEntry), and a data label that no entry maps and
 * no class matches is encodeLabels's data error, naming its row. Numeric labels match by value, as mapLabels maps them.
 */
function checkMapApplies(map: Readonly<Record<string, string>>, ds: TextDataset): void {
  const labels = new Set(ds.labels.filter((l): l is string => l !== null));
  const values = new Set([...labels].map(labelValue).filter((v) => v !== null));
  const occurs = (k: string) => { const v = labelValue(k); return labels.has(k) || (v !== null && values.has(v)); };
  const squash = (l: string) => l.trim().toLowerCase();
  const seen = [...labels].slice(0, 10);
  const its = `(its labels: ${seen.join(', ')}${labels.size > seen.length ? ', ...' : ''})`;
  for (const [k, c] of Object.entries(map)) {
    const near = occurs(k) ? undefined : [...labels].find((l) => squash(l) === squash(k));
    if (near !== undefined) throw new TextOptionError('labelMap', `'${k}=${c}': ${ds.source} has the label '${near}', not '${k}' ${its}`);
  }
  const entries = Object.entries(map);
  if (entries.length > 0 && !entries.some(([k]) => occurs(k))) {
    const [k, c] = entries[0];
    throw new TextOptionError('labelMap', `'${k}=${c}': no row of ${ds.source} has the label '${k}', nor any other label the map names ${its}`);
  }
}

export async function evaluateTextClassifier(o: TextEvaluateOptions): Promise<TextEvaluateResult> {
  const t0 = performance.now();
  const clf = typeof o.model === 'string' ? await loadTextClassifier(o.model) : o.model;
  // A label map naming no class of the model is a bad option value, found before the data is read.
  const badMap = o.labelMap ? badLabelMapEntry(o.labelMap, clf.classes) : null;
  if (badMap) throw new TextOptionError('labelMap', badMap);
  const ds = typeof o.data === 'string' ? await loadTextDataset(o.data, o) : o.data;
  if (o.labelMap) checkMapApplies(o.labelMap, ds);
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
