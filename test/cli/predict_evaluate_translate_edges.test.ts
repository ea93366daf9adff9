/**
 * predict's --text-column naming a column called like a label, evaluate --out into another command's run folder,
 * and translate's outputs cut off at the step limit. Runs the CLI in-process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, run, tempDir } from './helpers.js';
import { saveSeq2Seq, trainSeq2Seq } from '../../src/seq2seq/index.js';
import { loadTextDataset } from '../../src/data/text_dataset.js';
import { topicTexts, writeCsv } from '../tasks/helpers.js';

const root = tempDir('rnnlab-edges-');
afterAll(cleanup);

let n = 0;
function file(name: string, content: string): string {
  const p = path.join(root, `${n++}-${name}`);
  writeFileSync(p, content);
  return p;
}
const TINY = ['--epochs', '1', '--units', '4', '--embedding-dim', '4', '--batch-size', '16'];
const trainRun = path.join(root, 'train-run');

beforeAll(async () => {
  const r = await run(['train', '--data', writeCsv(root, 'two.csv', topicTexts(20, 2, ['arts', 'sports'])), ...TINY, '--out', trainRun]);
  expect(r.code, r.err).toBe(0);
}, 60_000);

describe('predict --text-column naming a column called like a label', () => {
  it('CSV: the column is the text, and there are no labels (predict has no label column)', async () => {
    const f = file('p.csv', 'label,id\nmuseum opera,1\nfootball goal,2\n');
    const r = await run(['predict', '--model', trainRun, '--file', f, '--text-column', 'label', '--format', 'jsonl']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n').map((l) => JSON.parse(l).text)).toEqual(['museum opera', 'football goal']);
  });

  it('JSON Lines: the same', async () => {
    const f = file('p.jsonl', '{"label": "museum opera", "id": 1}\n{"label": "football goal", "id": 2}\n');
    const r = await run(['predict', '--model', trainRun, '--file', f, '--input-format', 'jsonl', '--text-column', 'label', '--format', 'jsonl']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n').map((l) => JSON.parse(l).text)).toEqual(['museum opera', 'football goal']);
  });

  it('where labels are optional another label-named column is still the label; a given labelColumn equal to the text is refused', async () => {
    const f = file('l.csv', 'label,sentiment\nmuseum opera,pos\nfootball goal,neg\n');
    const optional = await loadTextDataset(f, { textColumn: 'label', labelsOptional: true } as never);
    expect(optional.texts).toEqual(['museum opera', 'football goal']);
    expect(optional.labels).toEqual(['pos', 'neg']);
    await expect(loadTextDataset(f, { textColumn: 'label', labelColumn: 'label', labelsOptional: true } as never))
      .rejects.toThrow(/the text and the label are the same column 'label' \(textColumn, labelColumn\)/);
    // Training needs labels: a guessed label that is the text column, with no other, is still refused.
    await expect(loadTextDataset(file('t.csv', 'label,id\nmuseum,1\nopera,2\n'), { textColumn: 'label' }))
      .rejects.toThrow(/the text and the label are the same column 'label'/);
  });
});

describe('evaluate --out into a run folder', () => {
  const data = () => writeCsv(root, `eval-${n++}.csv`, topicTexts(6, 5, ['arts', 'sports']));

  it("the model's own training run folder is refused (exit 2), its results.json untouched", async () => {
    const before = readFileSync(path.join(trainRun, 'results.json'), 'utf8');
    const r = await run(['evaluate', '--model', trainRun, '--data', data(), '--out', trainRun]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/rnnlab evaluate: error: --out: .*train-run holds the results\.json of an earlier 'rnnlab train' run, which evaluate's record would replace; nothing was changed\. Give --out a new folder/);
    expect(readFileSync(path.join(trainRun, 'results.json'), 'utf8')).toBe(before);
  });

  it("an earlier evaluate run's folder is written again", async () => {
    const out = path.join(root, 'eval-run');
    const first = await run(['evaluate', '--model', trainRun, '--data', data(), '--out', out]);
    expect(first.code, first.err).toBe(0);
    const firstStart = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')).startedAt;
    const again = await run(['evaluate', '--model', trainRun, '--data', data(), '--out', out, '--worst', '3']);
    expect(again.code, again.err).toBe(0);
    const rec = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(rec.command).toBe('evaluate');
    expect(rec.argv).toContain('--worst');
    expect(rec.startedAt >= firstStart).toBe(true);
  });
});

describe('translate: an output cut off at the step limit', () => {
  const model = path.join(root, 'reverse');
  beforeAll(async () => {
    // Strings of 3 or 4 letters reversed: a 5-letter input runs past the longest target (4) without <end>.
    const words = (k: number): string[] => (k === 0 ? [''] : words(k - 1).flatMap((w) => [...'abcde'].map((c) => w + c)));
    const pairs = [...words(3), ...words(4)].map((s, i) => ({ source: s, target: [...s].reverse().join(''), where: `pair ${i + 1}` }));
    const run = await trainSeq2Seq(pairs, { units: 32, embeddingDim: 16, epochs: 20, batchSize: 32, lr: 0.01, seed: 1 });
    await saveSeq2Seq(model, run.net, run.spec);
  }, 120_000);

  it('jsonl carries "truncated" for every input', async () => {
    const r = await run(['translate', '--model', model, '--format', 'jsonl', 'cab', 'abcde', '']);
    expect(r.code, r.err).toBe(0);
    // The 5-letter input is longer than any training source: only that note (jsonl carries the truncation itself).
    expect(r.err).toBe('rnnlab translate: text argument 2: 5 source tokens, more than the 4 the model was trained for (its longest training source, or the --max-source-len of seq2seq); the output may be wrong\n');
    const recs = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(recs.map((x) => [x.output, x.truncated])).toEqual([['bac', false], [recs[1].output, true], ['', false]]);
    expect(recs[1].output).toHaveLength(5);
  });

  it('text and tsv: stdout stays one line per input, the note goes to stderr naming the input', async () => {
    const r = await run(['translate', '--model', model, 'cab', 'abcde']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toHaveLength(3);
    expect(r.err).toBe("rnnlab translate: text argument 2: no <end> within 5 steps (the model's target length limit + 1); the output may be cut short\n" +
      'rnnlab translate: text argument 2: 5 source tokens, more than the 4 the model was trained for (its longest training source, or the --max-source-len of seq2seq); the output may be wrong\n');
    const f = file('in.txt', 'dead\nabcde\n');
    const t = await run(['translate', '--model', model, '--file', f, '--format', 'tsv']);
    expect(t.code).toBe(0);
    expect(t.out.split('\n')[0]).toBe('dead\tdaed');
    expect(t.err).toMatch(new RegExp(`^rnnlab translate: .*in\\.txt:2: no <end> within 5 steps`));
    expect(t.err.split('\n')).toHaveLength(3);
  });
});
