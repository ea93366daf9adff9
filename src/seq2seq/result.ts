/** A seq2seq run as a RunRecord body, report and printed lines (the lab's Question / True / Guess samples). */
import type { ReportDoc } from '../report/html.js';
import type { ChartSpec } from '../report/svg.js';
import { modelSummary, type Num, type RecordBody, type Sample } from '../report/record.js';
import { percent } from '../report/table.js';
import { attentionHeatmap, displayWidth, visibleToken } from './heatmap.js';
import type { Seq2SeqSample, Seq2SeqTrainResult } from './train.js';

/** A text on one line (a CSV's quoted newline or tab drawn as ␊ / ␉), padded to `width` terminal columns (CJK counts two). */
function column(text: string, width = 0): string {
  const shown = text === ' ' ? text : visibleToken(text);
  return shown + ' '.repeat(Math.max(0, width - displayWidth(shown)));
}

export function sampleLines(samples: readonly Seq2SeqSample[]): string[] {
  const widest = (texts: string[]) => Math.max(0, ...texts.map((x) => displayWidth(column(x))));
  const q = widest(samples.map((s) => s.question)), t = widest(samples.map((s) => s.truth));
  return samples.map((s) => `Question ${column(s.question, q)} True ${column(s.truth, t)} Guess ${column(s.guess)} ${s.correct ? '☑' : '☒'}` +
    (s.beamGuess !== undefined && s.beamGuess !== s.guess ? `  (beam: ${column(s.beamGuess)})` : ''));
}

/** The samples as results.json records them: the beam's output too when there is one (--beam), as printed. */
export function recordedSamples(samples: readonly Seq2SeqSample[]): Sample[] {
  return samples.map(({ question, truth, guess, correct, beamGuess }) => ({ question, truth, guess, correct, ...(beamGuess !== undefined ? { beamGuess } : {}) }));
}

export function resultLines(r: Seq2SeqTrainResult): string[] {
  const lines = [
    `Validation per-token accuracy (greedy): ${percent(r.greedy.perToken)}`,
    `Validation exact-match accuracy (greedy): ${percent(r.greedy.exact)}`,
  ];
  const u = r.heldOutUnknown;
  if (u.source > 0 || u.target > 0) {
    lines.push(`Held-out tokens not in the training vocabulary (read as <unk>): source ${percent(u.source)}, target ${percent(u.target)}`);
    // A sentence without spaces is one word: every held-out one is new, and the run learns nothing it can show.
    const wordy = (['source', 'target'] as const).filter((side) => r.config[`${side}Tokens`] === 'word' && u[side] >= 0.5);
    // With a vocabulary limit the cut explains unknown tokens too: say that instead of guessing at the script.
    if (typeof r.config.maxVocab === 'number') {
      lines.push(`(--max-vocab ${r.config.maxVocab} kept each side's ${r.config.maxVocab - 4} most frequent training tokens; the others read as <unk>)`);
    } else if (wordy.length > 0) {
      const flag = r.config.tokens === 'word' ? '--tokens' : `--${wordy[0]}-tokens`;
      lines.push(`(with word tokens a text without spaces, such as Chinese or Japanese, is one word; ${flag} char reads it character by character)`);
    }
  }
  if (r.beam) {
    lines.push(`Validation per-token accuracy (beam ${String(r.config.beam)}): ${percent(r.beam.perToken)}`);
    lines.push(`Validation exact-match accuracy (beam ${String(r.config.beam)}): ${percent(r.beam.exact)}`);
  }
  return lines;
}

function tokensPhrase(c: Record<string, unknown>): string {
  return c.sourceTokens === c.targetTokens ? `${String(c.tokens)} tokens` : `${String(c.sourceTokens)} source and ${String(c.targetTokens)} target tokens`;
}

function finding(r: Seq2SeqTrainResult): string {
  const c = r.config;
  const beam = r.beam ? `; beam search (width ${String(c.beam)}) ${percent(r.beam.exact)}` : '';
  return `A ${String(c.rnn)} encoder-decoder (${c.attention === 'none' ? 'no' : String(c.attention)} attention, ${tokensPhrase(c)}) gets ${percent(r.greedy.exact)} of held-out outputs exactly right greedily${beam}.`;
}

export function seq2seqBody(r: Seq2SeqTrainResult, data: Record<string, unknown>): RecordBody {
  const metrics: Record<string, Num> = { validationPerToken: r.greedy.perToken, validationExact: r.greedy.exact };
  if (r.beam) Object.assign(metrics, { beamPerToken: r.beam.perToken, beamExact: r.beam.exact });
  return {
    config: r.config,
    data: { ...data, ...r.counts, heldOutUnknown: r.heldOutUnknown, sourceVocabulary: r.spec.architecture.sourceVocabSize, targetVocabulary: r.spec.architecture.targetVocabSize },
    models: [{ name: 'seq2seq', params: r.params, history: r.history, secondsPerEpoch: r.secondsPerEpoch, metrics: { ...metrics }, summary: modelSummary(r.net.model) }],
    metrics,
    finding: finding(r),
    samples: recordedSamples(r.samples),
    details: { seconds: r.seconds, ...(r.attention ? { attention: r.attention } : {}) },
  };
}

/** The attention matrix as a report heatmap, sized so each cell stays readable. */
export function attentionChart(a: { source: string[]; output: string[]; weights: number[][] }): ChartSpec {
  return {
    kind: 'heatmap', title: 'Attention weights', xLabel: 'source', yLabel: 'output', series: [],
    heatmap: { rows: a.output, columns: a.source, values: a.weights, min: 0, max: 1 },
    width: Math.min(1280, Math.max(360, 160 + 34 * a.source.length)), height: Math.min(1000, Math.max(240, 110 + 22 * a.output.length)),
  };
}

export function seq2seqDoc(r: Seq2SeqTrainResult, body: RecordBody): ReportDoc {
  const h = r.history;
  const s = (k: string, name: string, dashed = false) => (h[k]?.length ? [{ name, y: h[k], dashed }] : []);
  const a = r.attention;
  return {
    title: 'Sequence to sequence',
    subtitle: `${r.counts.train} training and ${r.counts.validation} held-out pairs` +
      (r.counts.heldOutSeen ? ` (${r.counts.heldOutSeen} of them also training pairs)` : ''),
    finding: body.finding,
    metrics: {
      'per-token accuracy (greedy)': percent(r.greedy.perToken), 'exact match (greedy)': percent(r.greedy.exact),
      ...(r.beam ? { 'per-token accuracy (beam)': percent(r.beam.perToken), 'exact match (beam)': percent(r.beam.exact) } : {}),
      parameters: r.params.toLocaleString('en-US'),
    },
    sections: [
      { title: 'Curves (teacher forcing)', charts: [
        { title: 'Loss per epoch', xLabel: 'epoch', yLabel: 'loss', series: [...s('loss', 'train'), ...s('val_loss', 'validation', true)] },
        { title: 'Next-token accuracy per epoch', xLabel: 'epoch', yLabel: 'accuracy', series: [...s('accuracy', 'train'), ...s('val_accuracy', 'validation', true)] },
      ] },
      { title: 'Samples', pre: sampleLines(r.samples).join('\n') },
      { title: 'Model summary', pre: (body.models[0].summary ?? []).join('\n') },
      ...(a ? [{
        title: 'Attention of the first sample',
        text: [`Rows: output tokens; columns: source tokens. Darker is more weight; hover over a cell for its value.`],
        charts: [attentionChart(a)],
        pre: attentionHeatmap(a.source, a.output, a.weights).join('\n'),
      }] : []),
    ],
    config: r.config,
  };
}
