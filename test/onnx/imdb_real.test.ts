// The lab's IMDb models on real reviews from the tarball (Keras's id scheme, padded and cut at the front), exported
// and run by ONNX Runtime: predictions equal rnnlab's (max abs difference <= 1e-5), with and without maskZero.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { toOnnx } from '../../src/onnx/index.js';
import { imdbModel, type ImdbModelName } from '../../src/experiments/lab_models.js';
import { readTarFile } from '../../src/data/tar.js';
import { imdbEncodeRanks } from '../../src/data/imdb_tokenize.js';
import { getWordIndex } from '../../src/data/imdb_words.js';
import { padSequences } from '../../src/data/pad.js';
import { maxAbsDiff, ortPredict, ortSession, trainBriefly } from './helpers.js';

// RNNLAB_DATA (the tarball or a folder holding it) when set, else the shared copy beside the repository.
const TARBALL = [
  ...(process.env.RNNLAB_DATA ? [process.env.RNNLAB_DATA, join(process.env.RNNLAB_DATA, 'aclImdb_v1.tar.gz')] : []),
  resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/aclImdb_v1.tar.gz'),
].find((p) => p.endsWith('.tar.gz') && existsSync(p)) ?? '';
const VOCAB = 2000, MAXLEN = 120, PER_CLASS = 16;

/** The first reviews of each training class, as Keras ids: <START>=1, rank+3, out-of-vocabulary 2. */
async function realReviews(): Promise<{ x: rl.Tensor; y: rl.Tensor }> {
  const texts: { text: string; label: number }[] = [];
  const counts = { pos: 0, neg: 0 };
  await readTarFile(TARBALL, (entry) => {
    const m = /^aclImdb\/train\/(pos|neg)\/[^/]+\.txt$/.exec(entry.name);
    if (!m || counts[m[1] as 'pos' | 'neg'] >= PER_CLASS) return undefined;
    counts[m[1] as 'pos' | 'neg']++;
    return (data) => texts.push({ text: data.toString('utf8'), label: m[1] === 'pos' ? 1 : 0 });
  });
  const index = getWordIndex();
  const ids = texts.map(({ text }) => [1, ...imdbEncodeRanks(text, index).map((r) => (r + 3 < VOCAB ? r + 3 : 2))]);
  const p = padSequences(ids, { maxlen: MAXLEN });
  return { x: rl.tensor(p.data, p.shape, 'int32'), y: rl.tensor(Float32Array.from(texts, (t) => t.label), [texts.length, 1]) };
}

// The tarball is the shared copy of the real dataset; checkouts without it run the synthetic tests only.
describe.skipIf(TARBALL === '')('lab models on real IMDb reviews, exported to ONNX', () => {
  let data: { x: rl.Tensor; y: rl.Tensor };
  beforeAll(async () => { data = await realReviews(); });

  const cases: [ImdbModelName, boolean][] = [['lstm', false], ['lstm', true], ['gru', true], ['bilstm', true], ['cnn_lstm', false], ['simple_rnn', true]];
  for (const [name, maskZero] of cases) {
    it(`${name}${maskZero ? ' with maskZero' : ''}`, async () => {
      expect(data.x.shape).toEqual([2 * PER_CLASS, MAXLEN]);
      expect(Array.from(data.x.values).filter((v) => v === 0).length).toBeGreaterThan(0); // some reviews are padded
      rl.setSeed(12);
      const m = imdbModel(name, { vocab: VOCAB, maxlen: MAXLEN, embeddingDim: 16, units: 12, maskZero });
      await trainBriefly(m, data.x, 'binaryCrossentropy');
      const theirs = await ortPredict(await ortSession(toOnnx(m)), data.x);
      expect(maxAbsDiff(m.predict(data.x).values, theirs)).toBeLessThanOrEqual(1e-5);
    });
  }
});
