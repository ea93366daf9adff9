/**
 * What one addition run means for its reader: the record body for results.json, the report, the sample lines;
 * the same for `rnnlab addition` and for a dashboard job.
 */
import type { ReportDoc } from '../report/html.js';
import type { ModelRecord, Num, RecordBody } from '../report/record.js';
import type { ChartSpec } from '../report/svg.js';
import { percent } from '../report/table.js';
import type { AdditionRun, AdditionSample } from './addition_task.js';
import { wholeEpochsOf } from './imdb_task.js';

/** One line in the lab's format: "Question 231+432 True 663 Guess 663 ☑", padded for the run's digits. */
export function sampleLine(s: AdditionSample, digits: number): string {
  const qWidth = 2 * digits + 1, aWidth = digits + 1;
  return `Question ${s.question.padEnd(qWidth)} True ${s.truth.padEnd(aWidth)} Guess ${s.guess.padEnd(aWidth)} ${s.correct ? '☑' : '☒'}`;
}

export function additionCharts(h: Record<string, number[]>): ChartSpec[] {
  const x = h.loss?.map((_, i) => i + 1) ?? [];
  return [
    { title: 'Loss per epoch', xLabel: 'epoch', yLabel: 'categorical cross-entropy', series: [{ name: 'train', x, y: h.loss ?? [] }, { name: 'validation', x, y: h.val_loss ?? [], dashed: true }] },
    { title: 'Accuracy per epoch', xLabel: 'epoch', yLabel: 'accuracy', yMin: 0, yMax: 1, series: [{ name: 'train (per char)', x, y: h.accuracy ?? [] },
      { name: 'validation (per char)', x, y: h.val_accuracy ?? [], dashed: true }, { name: 'validation (exact)', x, y: h.val_exact ?? [] }] },
  ];
}

/**
 * An addition run's metrics: fractions of the held-out answers (as its samples), the train accuracy and the val_loss,
 * all of its last whole epoch, null with none. A cancel's cut epoch is left out, as imdb's: its accuracy averages only
 * its first batches, its validation was skipped, and its half-updated weights answer no held-out question.
 */
export function additionMetrics(r: AdditionRun): Record<string, Num> {
  const whole = wholeEpochsOf(r);
  const atWhole = (k: string) => (whole > 0 ? r.history[k]?.[whole - 1] ?? null : null);
  const scored = (v: number) => (Number.isFinite(v) ? v : null);
  return { perCharAccuracy: scored(r.perChar), exactMatchAccuracy: scored(r.exact), trainAccuracy: atWhole('accuracy'), valLoss: atWhole('val_loss') };
}

/** An addition run's entry in a record's models[] (rnnlab addition, and the experiments that train addition models). */
export function additionModelRecord(name: string, r: AdditionRun): ModelRecord {
  return { name, params: r.params, history: r.history, secondsPerEpoch: r.secondsPerEpoch, metrics: additionMetrics(r), summary: r.summary };
}

export function additionBody(r: AdditionRun): RecordBody {
  const epochs = r.history.loss?.length ?? 0;
  const c = r.config;
  const finding = `After ${epochs} epoch(s) the ${String(c.rnn)} seq2seq (${r.params.toLocaleString('en-US')} parameters, ${String(c.layers)} decoder layer(s)) ` +
    `gets ${percent(r.perChar)} of answer characters and ${percent(r.exact)} of whole answers right on ${r.data.val.answers.length} held-out questions.`;
  const metrics = additionMetrics(r);
  return {
    config: c,
    data: { trainingQuestions: r.data.train.answers.length, validationQuestions: r.data.val.answers.length },
    models: [additionModelRecord(`${String(c.rnn)} seq2seq`, r)],
    metrics, finding, samples: r.samples, details: { samplesPerEpoch: r.samplesPerEpoch },
  };
}

export function additionDoc(r: AdditionRun, body: RecordBody): ReportDoc {
  const c = r.config;
  return {
    title: `Addition seq2seq (${String(c.rnn)}, ${String(c.digits)} digits${c.reverse ? ', reversed' : ''})`,
    finding: body.finding,
    metrics: { 'exact match (validation)': percent(r.exact), 'per character (validation)': percent(r.perChar), parameters: r.params.toLocaleString('en-US') },
    sections: [
      { title: 'Curves', charts: additionCharts(r.history) },
      { title: 'Samples', pre: r.samples.map((s) => sampleLine(s, c.digits as number)).join('\n') },
      { title: 'Model summary', pre: r.summary.join('\n') },
    ],
    config: c,
  };
}
