import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTextClassifier } from '../../src/tasks/text_classifier_file.js';
import { evaluateTextClassifier } from '../../src/tasks/text_evaluate.js';
import { predictTexts } from '../../src/tasks/text_predict.js';
import { trainTextClassifier } from '../../src/tasks/text_train.js';
import { Tensor } from '../../src/tensor.js';
import { topicTexts, writeCsv, writeJsonl } from './helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-text-train-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const small = { units: 16, embeddingDim: 16, batchSize: 32, verbose: 0 as const };

describe('trainTextClassifier', () => {
  it('learns a 3-class topic set far above chance, with a softmax head, and saves what scoring needs', async () => {
    const data = writeJsonl(root, 'topics.jsonl', topicTexts(150, 1));
    const saveTo = path.join(root, 'topics-model');
    const r = await trainTextClassifier({ data, model: 'gru', epochs: 6, seed: 3, saveTo, ...small });
    expect(r.classes).toEqual(['arts', 'science', 'sports']);
    expect(r.counts).toMatchObject({ train: 405, validation: 45 });
    expect(r.counts.perClassTrain).toEqual({ arts: 135, science: 135, sports: 135 });
    expect(r.model.outputShape).toEqual([null, 3]);
    expect(r.validation.accuracy).toBeGreaterThan(0.8);
    expect(r.config.maxlen).toBe(r.vectorizer.maxlen);
    expect(readdirSync(saveTo).sort()).toEqual(['model.json', 'rnnlab-text.json', 'weights.bin']);
    expect(readdirSync(root).filter((n) => n.startsWith('.rnnlab-tmp'))).toEqual([]);

    const clf = await loadTextClassifier(saveTo);
    expect(clf.classes).toEqual(['arts', 'science', 'sports']);
    const out = [];
    for await (const p of predictTexts(clf, ['The referee stopped the football league', 'A quantum physics laboratory'], { topK: 2 })) out.push(p);
    expect(out.map((p) => p.label)).toEqual(['sports', 'science']);
    expect(out[0].top).toHaveLength(2);
    expect(out[0].top![0].label).toBe('sports');
    expect(Object.values(out[0].probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);

    const test = writeCsv(root, 'topics-test.csv', topicTexts(30, 99));
    const ev = await evaluateTextClassifier({ model: saveTo, data: test, worst: 3 });
    expect(ev.metrics.n).toBe(90);
    expect(ev.metrics.accuracy).toBeGreaterThan(0.8);
    expect(ev.metrics.auc).toBeNull();
    expect(ev.metrics.confusion.dense().flat().reduce((a, b) => a + b, 0)).toBe(90);
    expect(ev.worst).toHaveLength(3);
    expect(ev.worst[0].trueProbability).toBeLessThanOrEqual(ev.worst[2].trueProbability);
  });

  it('trains a binary sigmoid model end to end from CSV with a validation file, early stopping and a seed', async () => {
    const rows = topicTexts(100, 5, ['arts', 'sports']).map((r) => ({ text: r.text, label: r.label === 'sports' ? 'pos' : 'neg' }));
    const data = writeCsv(root, 'bin.csv', rows);
    const validation = writeCsv(root, 'bin-val.csv', topicTexts(20, 6, ['arts', 'sports']).map((r) => ({ text: r.text, label: r.label === 'sports' ? 'pos' : 'neg' })));
    const opts = { data, validation, model: 'lstm', epochs: 8, seed: 11, maxlen: 12, vocab: 30, earlyStopping: 1, ...small };
    const a = await trainTextClassifier(opts);
    expect(a.classes).toEqual(['neg', 'pos']);
    expect(a.model.outputShape).toEqual([null, 1]);
    expect(a.counts).toMatchObject({ train: 200, validation: 40 });
    expect(a.vectorizer.vocabularySize).toBe(30);
    expect(a.validation.accuracy).toBeGreaterThan(0.9);
    expect(a.validation.auc).toBeGreaterThan(0.9);
    const b = await trainTextClassifier(opts);
    expect(b.history.loss).toEqual(a.history.loss);
  });

  it('rejects options that do not apply, naming them, and saves nothing', async () => {
    const data = writeCsv(root, 'opts.csv', topicTexts(10, 2));
    const saveTo = path.join(root, 'never');
    await expect(trainTextClassifier({ data, model: 'transformer', saveTo })).rejects.toThrow(/model: unknown model 'transformer'; choose one of lstm/);
    await expect(trainTextClassifier({ data, model: 'cnn', layers: 2, saveTo })).rejects.toThrow(/layers: cnn has no recurrent layers/);
    await expect(trainTextClassifier({ data, model: 'cnn', recurrentDropout: 0.2, saveTo })).rejects.toThrow(/recurrentDropout: cnn has no recurrent layer/);
    await expect(trainTextClassifier({ data, maxlen: 0, saveTo })).rejects.toThrow(/maxlen: must be a positive integer or 'auto'/);
    await expect(trainTextClassifier({ data, classWeight: 'even' as never, saveTo })).rejects.toThrow(/classWeight: must be 'balanced'/);
    await expect(trainTextClassifier({ data, validation: data, validationSplit: 0.2, saveTo })).rejects.toThrow(/validationSplit: give either validation .* or validationSplit/);
    await expect(trainTextClassifier({ data: writeCsv(root, 'one.csv', [{ text: 'a b', label: 'x' }, { text: 'c', label: 'x' }]), saveTo }))
      .rejects.toThrow(/every example has the label 'x'/);
    expect(existsSync(saveTo)).toBe(false);
  });

  it("maxlen 'auto' on one-word texts is 1, but the CNNs (which pool pairs of steps) get 2; a given 1 stays refused", async () => {
    const words = ['good', 'bad', 'great', 'awful', 'fine', 'poor'];
    const data = writeCsv(root, 'one-word.csv', Array.from({ length: 24 }, (_, i) => ({ text: words[i % 6], label: i % 2 ? 'neg' : 'pos' })));
    const lstm = await trainTextClassifier({ data, model: 'lstm', epochs: 1, ...small });
    expect(lstm.config.maxlen).toBe(1);
    for (const model of ['cnn', 'cnn_lstm']) {
      const r = await trainTextClassifier({ data, model, epochs: 1, ...small });
      expect(r.config.maxlen).toBe(2);
      expect(r.vectorizer.maxlen).toBe(2);
    }
    await expect(trainTextClassifier({ data, model: 'cnn', maxlen: 1, epochs: 1, ...small })).rejects.toThrow(/maxlen: cnn pools pairs of steps and needs maxlen >= 2, got 1/);
  });

  it("classWeight 'balanced' moves the predicted probability of a rare class towards balance", async () => {
    // Both classes come from the same texts at 9:1, so the best unweighted answer is P(minor) = 0.1 everywhere,
    // and the best balanced-weighted answer is 0.5.
    const rows = topicTexts(200, 21, ['arts']).map((r, i) => ({ text: r.text, label: i % 10 === 0 ? 'minor' : 'major' }));
    const data = writeCsv(root, 'imbalanced.csv', rows);
    const base = { data, model: 'gru', epochs: 10, seed: 4, validationSplit: 0.25, learningRate: 0.01, ...small, embeddingDim: 8, units: 8 };
    const meanMinor = async (r: Awaited<ReturnType<typeof trainTextClassifier>>) => {
      const texts = topicTexts(50, 77, ['arts']).map((t) => t.text);
      const p = r.model.predict(new Tensor(r.vectorizer.encode(texts).data, [texts.length, r.vectorizer.maxlen!], 'int32')).values;
      return Array.from(p).reduce((a, b) => a + b, 0) / p.length;
    };
    const plain = await trainTextClassifier(base);
    const weighted = await trainTextClassifier({ ...base, classWeight: 'balanced' });
    expect(weighted.classWeights).toEqual({ major: 150 / (2 * 135), minor: 150 / (2 * 15) });
    expect(plain.classes).toEqual(['major', 'minor']);
    expect(await meanMinor(plain)).toBeLessThan(0.2);
    expect(await meanMinor(weighted)).toBeGreaterThan(0.35);
    // The model's own loss is back after training.
    expect(Object.prototype.hasOwnProperty.call(weighted.model, 'lossOnBatch')).toBe(false);
  });

  it('records the train file in the spec and validates the spec on load', async () => {
    const data = writeCsv(root, 'spec.csv', topicTexts(20, 3, ['arts', 'sports']));
    const saveTo = path.join(root, 'spec-model');
    await trainTextClassifier({ data, epochs: 1, saveTo, ...small });
    const spec = JSON.parse(readFileSync(path.join(saveTo, 'rnnlab-text.json'), 'utf8'));
    expect(spec).toMatchObject({ format: 'rnnlab-text-classifier', version: 1, classes: ['arts', 'sports'], model: { name: 'lstm' } });
    expect(spec.vectorizer.vocabulary.slice(0, 2)).toEqual(['', '[UNK]']);
  });
});
