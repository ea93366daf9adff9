/**
 * The lab's exercise "reverse the data": the same addition model trained on plain and on reversed queries
 * (Keras's addition_rnn trick), accuracy per epoch side by side.
 */
import { percent, type Table } from '../report/table.js';
import { trainAddition, type AdditionRun, type AdditionTaskOptions } from './addition_task.js';
import { additionModelRecord } from './addition_result.js';
import type { ExperimentResult } from './types.js';

/** Below this share of whole answers right, for both models, the comparison has nothing to show. */
export const NOT_LEARNED_BELOW = 0.05;

export type ReverseOptions = Omit<AdditionTaskOptions, 'reverse' | 'samples'>;

export async function reverseExperiment(o: ReverseOptions = {}): Promise<ExperimentResult> {
  const runs: Record<'plain' | 'reversed', AdditionRun> = {} as never;
  for (const variant of ['plain', 'reversed'] as const) {
    o.log?.(`Training on ${variant} queries...`);
    runs[variant] = await trainAddition({ ...o, reverse: variant === 'reversed', samples: 0 });
    o.onModelDone?.(additionModelRecord(variant, runs[variant]));
  }
  const p = runs.plain, r = runs.reversed;
  const epochs = Math.max(p.history.loss?.length ?? 0, r.history.loss?.length ?? 0);
  const at = (h: Record<string, number[]>, k: string, e: number) => h[k]?.[e] ?? NaN;
  const perEpoch: Table = {
    caption: 'Validation accuracy per epoch (per character as Keras reports it, and whole answers)',
    columns: ['epoch', 'plain: per char', 'reversed: per char', 'plain: exact', 'reversed: exact'],
    rows: Array.from({ length: epochs }, (_, e) => [e + 1, percent(at(p.history, 'val_accuracy', e)), percent(at(r.history, 'val_accuracy', e)),
      percent(at(p.history, 'val_exact', e)), percent(at(r.history, 'val_exact', e))]),
  };
  const gain = r.exact - p.exact;
  const firstAbove = (h: Record<string, number[]>, thr: number) => {
    const i = (h.val_exact ?? []).findIndex((v) => v >= thr);
    return i < 0 ? null : i + 1;
  };
  const p90 = firstAbove(p.history, 0.9), r90 = firstAbove(r.history, 0.9);
  const speed = p90 !== null || r90 !== null
    ? ` It first gets 90% of answers right after ${r90 ?? 'more than ' + epochs} epoch(s) reversed vs ${p90 ?? 'more than ' + epochs} plain.` : '';
  const numbers = `${percent(r.exact)} of validation answers are exactly right with reversed queries vs ${percent(p.exact)} without ` +
    `(per character: ${percent(r.perChar)} vs ${percent(p.perChar)})`;
  // Two models that get (almost) no answer right say nothing about reversing: "makes little difference" would mislead.
  const neitherLearned = Math.max(p.exact, r.exact) < NOT_LEARNED_BELOW;
  const finding = neitherLearned
    ? `Neither model has learned to add after ${epochs} epoch(s): ${numbers}, so this run cannot tell whether reversing the queries helps; ` +
      'train longer or on more questions (the lab trains 20 epochs on 50,000).'
    : `Reversing the queries ${gain > 0.005 ? 'helps' : gain < -0.005 ? 'hurts' : 'makes little difference'}: after ${epochs} epoch(s) ${numbers}.${speed}`;
  const x = Array.from({ length: epochs }, (_, i) => i + 1);
  return {
    name: 'reverse',
    title: 'Reversed vs plain queries (addition seq2seq)',
    finding,
    numbers: { plainExact: p.exact, reversedExact: r.exact, plainPerChar: p.perChar, reversedPerChar: r.perChar, epochs },
    tables: [perEpoch],
    charts: [
      { title: 'Whole answers right (validation)', xLabel: 'epoch', yLabel: 'exact-match accuracy', yMin: 0, yMax: 1,
        series: [{ name: 'plain', x, y: p.history.val_exact ?? [] }, { name: 'reversed', x, y: r.history.val_exact ?? [] }] },
      { title: 'Characters right (validation, Keras accuracy)', xLabel: 'epoch', yLabel: 'per-character accuracy', yMin: 0, yMax: 1,
        series: [{ name: 'plain', x, y: p.history.val_accuracy ?? [] }, { name: 'reversed', x, y: r.history.val_accuracy ?? [] },
          { name: 'plain (train)', x, y: p.history.accuracy ?? [], dashed: true }, { name: 'reversed (train)', x, y: r.history.accuracy ?? [], dashed: true }] },
      { title: 'Loss', xLabel: 'epoch', yLabel: 'categorical cross-entropy',
        series: [{ name: 'plain', x, y: p.history.val_loss ?? [] }, { name: 'reversed', x, y: r.history.val_loss ?? [] },
          { name: 'plain (train)', x, y: p.history.loss ?? [], dashed: true }, { name: 'reversed (train)', x, y: r.history.loss ?? [], dashed: true }] },
    ],
    config: { ...p.config, reverse: 'both' },
    models: [
      additionModelRecord('plain', p),
      additionModelRecord('reversed', r),
    ],
    details: { params: p.params, summary: p.summary },
  };
}
