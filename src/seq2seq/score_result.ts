/** A seq2seq evaluation (scoreSeq2Seq) as printed lines, a RunRecord body and a report. */
import type { ReportDoc } from '../report/html.js';
import type { Num, RecordBody } from '../report/record.js';
import { percent } from '../report/table.js';
import { attentionHeatmap } from './heatmap.js';
import { attentionChart, recordedSamples, sampleLines } from './result.js';
import type { Seq2SeqScoreResult } from './score.js';

/** What was scored: the model folder and the pairs file (with the TSV header line, when one was read as a header). */
export interface Seq2SeqScoreRun { modelDir: string; data: string; headerLine: number | null }

export function scoreLines(r: Seq2SeqScoreResult): string[] {
  const lines = [
    `Per-token accuracy (greedy): ${percent(r.greedy.perToken)}`,
    `Exact-match accuracy (greedy): ${percent(r.greedy.exact)}`,
  ];
  if (r.beam) {
    lines.push(`Per-token accuracy (beam ${r.beamWidth}): ${percent(r.beam.perToken)}`);
    lines.push(`Exact-match accuracy (beam ${r.beamWidth}): ${percent(r.beam.exact)}`);
  }
  const u = r.unknownShare;
  if (u.source > 0 || u.target > 0) lines.push(`Tokens not in the model's vocabulary (read as <unk>, never counted right in a target): source ${percent(u.source)}, target ${percent(u.target)}`);
  if (r.longTargets > 0) lines.push(`${r.longTargets} pair(s) have a target longer than the model writes (its longest training target): never an exact match`);
  return lines;
}

function finding(r: Seq2SeqScoreResult): string {
  const beam = r.beam ? `; beam search (width ${r.beamWidth}) ${percent(r.beam.exact)}` : '';
  return `The model gets ${percent(r.greedy.exact)} of ${r.pairs} outputs exactly right greedily (${percent(r.greedy.perToken)} of the tokens)${beam}.`;
}

export function scoreBody(r: Seq2SeqScoreResult, run: Seq2SeqScoreRun): RecordBody {
  const metrics: Record<string, Num> = { testPerToken: r.greedy.perToken, testExact: r.greedy.exact };
  if (r.beam) Object.assign(metrics, { beamPerToken: r.beam.perToken, beamExact: r.beam.exact });
  return {
    config: { model: run.modelDir, beam: r.beamWidth },
    data: {
      path: run.data, pairs: r.pairs, ...(run.headerLine !== null ? { header: true } : {}),
      unknownSourcePairs: r.unknownSources.length, longSourcePairs: r.longSources.length, longTargetPairs: r.longTargets, unknown: r.unknownShare,
    },
    models: [],
    metrics,
    finding: finding(r),
    samples: recordedSamples(r.samples),
    details: { seconds: r.seconds, ...(r.attention ? { attention: r.attention } : {}) },
  };
}

export function scoreDoc(r: Seq2SeqScoreResult, run: Seq2SeqScoreRun, body: RecordBody): ReportDoc {
  const a = r.attention;
  return {
    title: 'Evaluation of a seq2seq model',
    subtitle: `${run.modelDir} on ${run.data} (${r.pairs} pairs)`,
    finding: body.finding,
    metrics: {
      'per-token accuracy (greedy)': percent(r.greedy.perToken), 'exact match (greedy)': percent(r.greedy.exact),
      ...(r.beam ? { 'per-token accuracy (beam)': percent(r.beam.perToken), 'exact match (beam)': percent(r.beam.exact) } : {}),
    },
    sections: [
      ...(r.samples.length ? [{ title: 'Samples', pre: sampleLines(r.samples).join('\n') }] : []),
      ...(a ? [{
        title: 'Attention of the first pair',
        text: ['Rows: output tokens; columns: source tokens. Darker is more weight; hover over a cell for its value.'],
        charts: [attentionChart(a)],
        pre: attentionHeatmap(a.source, a.output, a.weights).join('\n'),
      }] : []),
    ],
    config: body.config,
  };
}
