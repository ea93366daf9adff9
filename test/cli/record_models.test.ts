/**
 * docs/CLI.md's RunRecord: every trained model's entry in models[] holds its final metrics and its model.summary()
 * lines, and report.html shows the summary, for train, seq2seq and the experiments as for imdb and addition.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { topicTexts, writeCsv } from '../tasks/helpers.js';
import { checkCommonResults, checkReport, isolatedCache, readResults, run, tempDir } from './helpers.js';

isolatedCache();

let root: string;
beforeAll(() => { root = tempDir(); });

/** The run's results.json, checked against the schema, and its report's HTML. */
async function runOf(argv: string[], command: string): Promise<{ res: Record<string, any>; html: string }> {
  const out = path.join(root, command.replace(' ', '-'));
  const r = await run([...argv, '--out', out]);
  expect(r.code, r.err).toBe(0);
  const res = readResults(out);
  checkCommonResults(res, command);
  return { res, html: checkReport(out).html };
}

describe('models[] entries and the report hold metrics and the model summary', () => {
  it('train: the validation numbers of the model, its summary, and the summary in the report', async () => {
    const csv = writeCsv(root, 'topics.csv', topicTexts(12, 1, ['arts', 'sports']));
    const { res, html } = await runOf(['train', '--data', csv, '--model', 'gru', '--units', '4', '--embedding-dim', '4', '--epochs', '1', '--maxlen', '6'], 'train');
    const m = res.models[0];
    expect(m.metrics).toEqual({ validationAccuracy: res.metrics.validationAccuracy, validationLoss: res.metrics.validationLoss, validationAuc: res.metrics.validationAuc,
      validationMacroF1: res.metrics.validationMacroF1, validationWeightedF1: res.metrics.validationWeightedF1 });
    expect(m.summary.join('\n')).toMatch(/\(GRU\)/);
    expect(m.summary.join('\n')).toContain(`Total params: ${m.params.toLocaleString('en-US')}`);
    expect(html).toContain('Model summary');
  });

  it('seq2seq: the greedy scores of the model, its summary, and the summary in the report', async () => {
    const { res, html } = await runOf(['seq2seq', '--generate', 'addition', '--count', '60', '--epochs', '1', '--units', '4', '--embedding-dim', '4', '--samples', '0', '--verbose', '0'], 'seq2seq');
    const m = res.models[0];
    expect(m.metrics).toEqual(res.metrics);
    expect(m.metrics).toHaveProperty('validationExact');
    expect(m.summary.join('\n')).toContain(`Total params: ${m.params.toLocaleString('en-US')}`);
    expect(html).toContain('Model summary');
  });

  it('experiment reverse: both models with their held-out scores and summaries, shown in the report', async () => {
    const { res, html } = await runOf(['experiment', 'reverse', '--digits', '1', '--training-size', '40', '--epochs', '1', '--hidden', '4', '--verbose', '0'], 'experiment reverse');
    expect(res.models.map((m: { name: string }) => m.name)).toEqual(['plain', 'reversed']);
    expect(res.models[0].metrics.exactMatchAccuracy).toBe(res.metrics.plainExact);
    expect(res.models[1].metrics.perCharAccuracy).toBe(res.metrics.reversedPerChar);
    for (const m of res.models) expect(m.summary.join('\n')).toContain(`Total params: ${m.params.toLocaleString('en-US')}`);
    expect(html).toMatch(/Model summary: plain/);
  }, 60_000);

  it('experiment digitwise: the exact-match scores and the summary of its one model', async () => {
    const { res, html } = await runOf(['experiment', 'digitwise', '--digits', '1', '--test-digits', '2', '--training-size', '20', '--test-size', '10', '--epochs', '1', '--hidden', '4', '--verbose', '0'],
      'experiment digitwise');
    const m = res.models[0];
    expect(m.metrics).toMatchObject({ exactTrainedLength: res.metrics.exactTrainedLength, exactLongest: res.metrics.exactLongest });
    expect(m.summary).toEqual(res.details.summary);
    expect(html).toContain('Model summary');
  });
});
