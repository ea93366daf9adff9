import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Layer } from '../../src/layers/layer.js';
import { buildTextModel, TEXT_MODELS } from '../../src/tasks/text_model.js';
import { trainTextClassifier } from '../../src/tasks/text_train.js';
import { topicTexts, writeCsv } from './helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-text-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const classes = (m: { layers: Layer[] }) => m.layers.map((l) => l.className);
const base = { vocab: 50, maxlen: 10, numClasses: 2 };

describe('buildTextModel', () => {
  it('builds every architecture with a sigmoid head for two classes and a softmax head for more', () => {
    for (const name of TEXT_MODELS) {
      expect(buildTextModel(name, base).outputShape).toEqual([null, 1]);
      const m = buildTextModel(name, { ...base, numClasses: 4 });
      expect(m.outputShape).toEqual([null, 4]);
      expect(m.loss).toBe('sparseCategoricalCrossentropy');
    }
    expect(classes(buildTextModel('cnn_lstm', base))).toEqual(['Embedding', 'Conv1D', 'MaxPooling1D', 'LSTM', 'Dense']);
    expect(classes(buildTextModel('bilstm', base))).toEqual(['Embedding', 'Bidirectional', 'Dense']);
    expect(classes(buildTextModel('ff_embed', { ...base, dropout: 0.5 }))).toEqual(['Embedding', 'Flatten', 'Dense', 'Dropout', 'Dense']);
  });

  it('layers, units, embeddingDim, dropout and maskZero shape the model', () => {
    const m = buildTextModel('gru', { ...base, layers: 3, units: 7, embeddingDim: 5, dropout: 0.25, maskZero: true });
    expect(classes(m)).toEqual(['Embedding', 'GRU', 'GRU', 'GRU', 'Dense']);
    const [emb, g1, , g3] = m.layers as unknown as { outputDim: number; maskZero: boolean; units: number; dropout: number; returnSequences: boolean }[];
    expect(emb.outputDim).toBe(5);
    expect(emb.maskZero).toBe(true);
    expect(g1.returnSequences).toBe(true);
    expect(g3.returnSequences).toBe(false);
    expect(g3.units).toBe(7);
    expect(g1.dropout).toBe(0.25);
    expect(() => buildTextModel('lstm', { ...base, dropout: 1 })).toThrow(/dropout: must be in \[0, 1\)/);
    expect(() => buildTextModel('ff_raw', base)).toThrow(/ff_raw feeds raw word ids/);
    expect(() => buildTextModel('cnn', { ...base, maxlen: 1 })).toThrow(/maxlen: cnn pools pairs of steps and needs maxlen >= 2/);
  });
});

describe('training options', () => {
  it('earlyStopping stops when val_loss rises and keeps the best epoch', async () => {
    const rows = topicTexts(40, 8, ['arts', 'sports']);
    const data = writeCsv(root, 'train.csv', rows);
    // The same texts with the labels swapped: the better the model learns, the worse its validation loss.
    const validation = writeCsv(root, 'flipped.csv', rows.map((r) => ({ text: r.text, label: r.label === 'arts' ? 'sports' : 'arts' })));
    const r = await trainTextClassifier({ data, validation, epochs: 8, earlyStopping: 1, units: 8, embeddingDim: 8, batchSize: 16, learningRate: 0.01, seed: 1 });
    expect(r.epochsRun).toBe(2);
    expect(r.stoppedEarly).toBe(true);
    // Restored to epoch 1's weights: the final validation loss is the best one seen.
    expect(r.validation.loss).toBeCloseTo(Math.min(...r.history.val_loss), 4);
  });

  it('limit takes a stratified sample; seed changes the split; padding post is kept in the vectorizer', async () => {
    const data = writeCsv(root, 'lim.csv', topicTexts(50, 9));
    const common = { data, epochs: 1, units: 4, embeddingDim: 4 };
    const r = await trainTextClassifier({ ...common, limit: 30, padding: 'post', maxlen: 6 });
    expect(r.counts.train).toBe(30);
    expect(r.counts.perClassTrain).toEqual({ arts: 10, science: 10, sports: 10 });
    expect(r.vectorizer.padding).toBe('post');
    expect(r.vectorizer.maxlen).toBe(6);
    const a = await trainTextClassifier({ ...common, seed: 1 });
    const b = await trainTextClassifier({ ...common, seed: 2 });
    expect(a.history.loss).not.toEqual(b.history.loss);
  });
});
