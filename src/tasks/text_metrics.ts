/** Classification metrics from class probabilities: what sklearn's classification_report, confusion_matrix and roc_auc_score give. */

export interface ClassScores { name: string; precision: number; recall: number; f1: number; support: number }
export interface Averages { precision: number; recall: number; f1: number }

export interface ClassificationMetrics {
  n: number;
  accuracy: number;
  /** Mean crossentropy of the true class, probabilities clipped to [1e-7, 1 - 1e-7] as Keras does. */
  loss: number;
  perClass: ClassScores[];
  macro: Averages;
  weighted: Averages;
  /** confusion[true][predicted], counted sparsely. */
  confusion: ConfusionCounts;
  /** ROC AUC of classes[1] for two classes, else null. */
  auc: number | null;
}

const EPS = 1e-7;

/**
 * confusion[true][predicted] as per-class counts and the off-diagonal cells that occur (at most one per example):
 * thousands of classes cost no C x C array (10,000 classes took 800 MB and 15 s as a dense matrix of numbers).
 */
export class ConfusionCounts {
  readonly correct: number[];
  /** Examples per true class. */
  readonly support: number[];
  /** Examples per predicted class. */
  readonly predicted: number[];
  /** true * classes + predicted -> count, for true != predicted. */
  private readonly cells = new Map<number, number>();

  constructor(readonly classes: number) {
    [this.correct, this.support, this.predicted] = [0, 1, 2].map(() => new Array<number>(classes).fill(0));
  }

  /** One example of class t predicted as p. */
  add(t: number, p: number): void {
    for (const [what, c] of [['true', t], ['predicted', p]] as const) {
      if (!Number.isInteger(c) || c < 0 || c >= this.classes) throw new Error(`confusion counts: ${what} class ${c} is not one of the ${this.classes} classes' ids 0..${this.classes - 1}`);
    }
    this.support[t]++;
    this.predicted[p]++;
    if (t === p) this.correct[t]++;
    else this.cells.set(t * this.classes + p, (this.cells.get(t * this.classes + p) ?? 0) + 1);
  }

  /** The non-zero off-diagonal cells as [true, predicted, count], in no particular order. */
  confusions(): [number, number, number][] {
    return [...this.cells].map(([k, v]) => [Math.floor(k / this.classes), k % this.classes, v]);
  }

  /** The whole matrix, for the tables and records that show it (a few classes). */
  dense(): number[][] {
    const m = this.correct.map((v, i) => { const row = new Array<number>(this.classes).fill(0); row[i] = v; return row; });
    for (const [t, p, v] of this.confusions()) m[t][p] = v;
    return m;
  }
}

/** probs is [n, C] row-major (C = classes.length); the predicted class is the argmax (first on ties). */
export function predictedClass(probs: ArrayLike<number>, row: number, C: number): number {
  let best = 0;
  for (let c = 1; c < C; c++) if (probs[row * C + c] > probs[row * C + best]) best = c;
  return best;
}

/** Two-class models give P(classes[1]) per row; this makes it [P(0), P(1)] rows like a softmax. */
export function toClassProbabilities(output: ArrayLike<number>, numClasses: number): Float64Array {
  if (numClasses !== 2 || output.length === 0) return Float64Array.from(output);
  const out = new Float64Array(output.length * 2);
  for (let i = 0; i < output.length; i++) { out[2 * i] = 1 - output[i]; out[2 * i + 1] = output[i]; }
  return out;
}

/** Area under the ROC curve by ranks (Mann–Whitney U), ties counted half; null without both classes. */
export function rocAuc(yTrue: ArrayLike<number>, score: ArrayLike<number>): number | null {
  const n = yTrue.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let pos = 0, rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (yTrue[order[k]] === 1) { pos++; rankSum += rank; }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function classificationMetrics(yTrue: Int32Array, probs: ArrayLike<number>, classes: readonly string[]): ClassificationMetrics {
  const C = classes.length, n = yTrue.length;
  const confusion = new ConfusionCounts(C);
  let loss = 0, correct = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i], p = predictedClass(probs, i, C);
    confusion.add(t, p);
    if (p === t) correct++;
    loss -= Math.log(Math.min(1 - EPS, Math.max(EPS, probs[i * C + t])));
  }
  const perClass = classes.map((name, c): ClassScores => {
    const tp = confusion.correct[c], support = confusion.support[c], predicted = confusion.predicted[c];
    const precision = predicted ? tp / predicted : 0, recall = support ? tp / support : 0;
    return { name, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support };
  });
  // sklearn's report averages over the labels that occur, true or predicted: a class the data lacks and the model
  // never predicts has no precision or recall to average (counting it as 0 would halve a perfect macro F1).
  const occurs = perClass.filter((s, c) => s.support > 0 || confusion.predicted[c] > 0);
  const average = (w: (s: ClassScores) => number): Averages => {
    const total = occurs.reduce((a, s) => a + w(s), 0) || 1;
    const avg = (k: keyof Averages) => occurs.reduce((a, s) => a + s[k] * w(s), 0) / total;
    return { precision: avg('precision'), recall: avg('recall'), f1: avg('f1') };
  };
  let auc: number | null = null;
  if (C === 2) {
    const score = new Float64Array(n);
    for (let i = 0; i < n; i++) score[i] = probs[i * 2 + 1];
    auc = rocAuc(yTrue, score);
  }
  return { n, accuracy: n ? correct / n : 0, loss: n ? loss / n : 0, perClass, macro: average(() => 1), weighted: average((s) => s.support), confusion, auc };
}

export interface ScoredExample { index: number; where: string; text: string; label: string; predicted: string; trueProbability: number }

/** The k examples whose true class got the lowest probability (most confidently wrong first). */
export function worstExamples(yTrue: Int32Array, probs: ArrayLike<number>, classes: readonly string[], texts: readonly string[],
  where: readonly string[], k: number): ScoredExample[] {
  const C = classes.length;
  const idx = Array.from(yTrue.keys()).sort((a, b) => probs[a * C + yTrue[a]] - probs[b * C + yTrue[b]] || a - b).slice(0, k);
  return idx.map((i) => ({ index: i, where: where[i], text: texts[i], label: classes[yTrue[i]], predicted: classes[predictedClass(probs, i, C)],
    trueProbability: probs[i * C + yTrue[i]] }));
}
