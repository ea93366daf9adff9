import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { recordProblems } from '../../src/report/record.js';
import { topicTexts, writeCsv } from './helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-text-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(args, { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

/** A folder dataset as Keras's text_dataset_from_directory reads it (also aclImdb's train/ layout). */
function folder(name: string, rows: { text: string; label: string }[]): string {
  const dir = path.join(root, name);
  rows.forEach((r, i) => {
    mkdirSync(path.join(dir, r.label), { recursive: true });
    writeFileSync(path.join(dir, r.label, `${i}_7.txt`), r.text);
  });
  writeFileSync(path.join(dir, 'urls_pos.txt'), 'http://example.com\n');
  return dir;
}

describe('rnnlab train on a few examples', () => {
  it('says when the stratified split holds out far more than --validation-split asks', async () => {
    const data = writeCsv(root, 'four.csv', [{ text: 'good', label: 'pos' }, { text: 'bad', label: 'neg' }, { text: 'great', label: 'pos' }, { text: 'awful', label: 'neg' }]);
    const t = await cli(['train', '--data', data, '--units', '4', '--embedding-dim', '4', '--epochs', '1', '--out', path.join(root, 'four')]);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/Examples: 2 train, 2 validation \(50% held out for --validation-split 0\.1: the split is stratified and rounds per class, keeping at least one example of each class of two or more in each part\)\n/);
  });

  it('names a class of one example, which the split cannot validate', async () => {
    const rows = [...Array.from({ length: 6 }, (_, i) => ({ text: `good film ${i}`, label: 'pos' })), ...Array.from({ length: 6 }, (_, i) => ({ text: `bad film ${i}`, label: 'neg' })),
      { text: 'so so', label: 'mid' }];
    const t = await cli(['train', '--data', writeCsv(root, 'lonely.csv', rows), '--units', '4', '--embedding-dim', '4', '--epochs', '1', '--out', path.join(root, 'lonely')]);
    expect(t.code, t.err).toBe(0);
    expect(t.out).toMatch(/Examples: 11 train, 2 validation[^\n]*; no validation example of class mid \(a class of one example is trained on only\)\n/);
  });
});

describe('rnnlab train / evaluate', () => {
  const sentiment = (n: number, seed: number) => topicTexts(n, seed, ['arts', 'sports', 'science']).map((r) => ({ text: r.text, label: r.label === 'sports' ? 'pos' : r.label === 'arts' ? 'neg' : 'unsup' }));

  it('trains on a folder with --classes neg,pos, then evaluates on another folder', async () => {
    const train = folder('train', sentiment(80, 1));
    const test = folder('test', sentiment(20, 2));
    const out = path.join(root, 'run');
    // neg,pos: the classes in the order given (Keras's class_names), here the sorted one.
    const t = await cli(['train', '--data', train, '--classes', 'neg,pos', '--units', '16', '--embedding-dim', '16', '--epochs', '10', '--batch-size', '16', '--maxlen', 'auto',
      '--validation-split', '0.2', '--early-stopping', '--out', out]);
    expect(t.err).toBe('');
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/^Epoch 1\/10/);
    expect(t.out).toMatch(/Validation accuracy: \d+\.\d\d%/);
    expect(t.out).toMatch(/Classes: neg, pos \(sigmoid head\)/);
    expect(t.out).toMatch(/Examples: 128 train, 32 validation\n/);
    expect(readdirSync(out).sort()).toEqual(['model', 'report.html', 'report.png', 'results.json']);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ command: 'train', status: 'completed', data: { classes: ['neg', 'pos'] }, config: { model: 'lstm', earlyStopping: 2, validationSplit: 0.2 } });
    expect(results.metrics.validationAccuracy).toBeGreaterThan(0.5);
    expect(recordProblems(results)).toEqual([]);

    const evalOut = path.join(root, 'eval');
    const e = await cli(['evaluate', '--model', out, '--data', test, '--classes', 'neg,pos', '--worst', '2', '--out', evalOut]);
    expect(e.err).toBe('');
    expect(e.code).toBe(0);
    const lines = e.out.split('\n');
    expect(lines[0]).toMatch(/^Accuracy: \d+\.\d\d%$/);
    expect(Number(lines[0].match(/([\d.]+)%/)![1])).toBeGreaterThan(80);
    expect(lines[1]).toMatch(/^Loss: /);
    expect(e.out).toMatch(/macro avg/);
    expect(e.out).toMatch(/Confusion matrix/);
    expect(e.out).toMatch(/ROC AUC \(pos\): /);
    expect(e.out).toMatch(/Worst-scored examples/);
    const res = JSON.parse(readFileSync(path.join(evalOut, 'results.json'), 'utf8'));
    expect(res.data.n).toBe(40);
    expect(res.details.worst).toHaveLength(2);
    expect(res.details.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(40);
    expect(res.config.labelMap).toBeNull();
    expect(res.metrics.testAccuracy).toBeCloseTo(Number(lines[0].match(/([\d.]+)%/)![1]) / 100, 4);
    expect(recordProblems(res)).toEqual([]);

    // Another labelled set with 0/1 labels: matched by polarity, or mapped explicitly.
    const rows = sentiment(10, 3).filter((r) => r.label !== 'unsup');
    const numeric = writeCsv(root, 'numeric.csv', rows.map((r) => ({ text: r.text, label: r.label === 'pos' ? '1' : '0' })));
    const auto = await cli(['evaluate', '--model', out, '--data', numeric, '--out', path.join(root, 'eval2')]);
    expect(auto.code).toBe(0);
    expect(auto.out).toMatch(/Labels mapped: 0 -> neg, 1 -> pos|Labels mapped: 1 -> pos, 0 -> neg/);
    const flipped = await cli(['evaluate', '--model', out, '--data', numeric, '--label-map', '0=pos,1=neg', '--out', path.join(root, 'eval3')]);
    const acc = (s: string) => Number(s.match(/^Accuracy: ([\d.]+)%/)![1]);
    expect(acc(flipped.out)).toBeCloseTo(100 - acc(auto.out), 6);
    const badMap = await cli(['evaluate', '--model', out, '--data', numeric, '--label-map', '0']);
    expect(badMap.err).toMatch(/--label-map takes label=class pairs/);
  });

  it('names the flag on bad values (exit 2) and the file on bad data (exit 1), writing nothing to --out', async () => {
    const data = writeCsv(root, 'd.csv', topicTexts(10, 3));
    const out = path.join(root, 'never');
    const bad = async (args: string[], code: number, msg: RegExp) => {
      const r = await cli(['train', '--data', data, '--out', out, ...args]);
      expect(r.code).toBe(code);
      expect(r.err).toMatch(msg);
    };
    await bad(['--model', 'cnn', '--recurrent-dropout', '0.2'], 2, /--recurrent-dropout: cnn has no recurrent layer/);
    await bad(['--model', 'cnn', '--layers', '2'], 2, /--layers: cnn has no recurrent layers/);
    await bad(['--validation', data, '--validation-split', '0.2'], 2, /--validation-split: give either --validation \(a file\) or --validation-split, not both/);
    await bad(['--maxlen', 'long'], 2, /--maxlen expects a positive integer or auto, got 'long'/);
    await bad(['--model', 'transformer'], 2, /'transformer' is invalid.*lstm, gru/s);
    await bad(['--label-column', 'stars'], 1, /data error: .*d\.csv:1: no label column 'stars'.*"text", "label"/);
    await bad(['--classes', 'a,b'], 2, /--classes picks class subfolders of a folder --data, but .*d\.csv is a file/);
    await bad(['--format', 'tsv'], 1, /d\.csv:1: no text column found.*"text,label"/);
    await bad(['--format', 'xml'], 2, /'xml' is invalid.*csv, tsv, jsonl, folder/s);
    expect(existsSync(out)).toBe(false);
    const e = await cli(['evaluate', '--model', path.join(root, 'nothing'), '--data', data]);
    // A --model without a saved model is a usage error naming the flag, as in predict and translate.
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/rnnlab evaluate: error: --model: no such file or folder: .*nothing/);
  });

  it('--no-lowercase keeps case in the vocabulary; --class-weight balanced is recorded', async () => {
    const data = writeCsv(root, 'case.csv', topicTexts(20, 4, ['arts', 'sports']));
    const out = path.join(root, 'case');
    const r = await cli(['train', '--data', data, '--no-lowercase', '--class-weight', 'balanced', '--epochs', '1', '--units', '4', '--embedding-dim', '4', '--out', out]);
    expect(r.code).toBe(0);
    const spec = JSON.parse(readFileSync(path.join(out, 'model', 'rnnlab-text.json'), 'utf8'));
    expect(spec.vectorizer.standardize).toBe('strip_punctuation');
    expect(spec.vectorizer.vocabulary.some((w: string) => /^[A-Z]/.test(w))).toBe(true);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.data.classWeights).toEqual({ arts: 1, sports: 1 });
  });
});
