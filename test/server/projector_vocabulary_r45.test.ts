/**
 * A query word the projection does not show: "ask for more words" only where more words would show it; a word outside
 * the model's vocabulary (or beyond the most a projection shows) is said to be so, with the model's count of words.
 */
import { describe, expect, it } from 'vitest';
import { layers } from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { MAX_PROJECTED_WORDS, projectEmbedding } from '../../src/server/projector.js';
import { post, useTestServer } from './helpers.js';

/** An embedding model of `rows` ids (ids 0 to 3 are padding, start, OOV and unused: rows - 4 words). */
function model(rows: number): Sequential {
  return new Sequential({ layers: [layers.embedding({ inputDim: rows, outputDim: 2, inputLength: 4 }), layers.globalAveragePooling1d(), layers.dense({ units: 1 })] });
}

describe('projectEmbedding, a query not shown', () => {
  // Frequency ranks in the IMDb word index: too 96, could 97, years 150, wonderful 386, behavior 2000, captured 2001.
  it('says a word past the model\'s vocabulary is not in it, however many words are asked for', () => {
    expect(() => projectEmbedding(model(100), 2000, 'wonderful')).toThrow(
      "'wonderful' is not in this model's vocabulary, its 96 most frequent IMDb words (it is number 386 by frequency); try another word");
    // The first word past the vocabulary's edge.
    expect(() => projectEmbedding(model(100), 2000, 'could')).toThrow(/'could' is not in this model's vocabulary, its 96 most frequent IMDb words \(it is number 97/);
    expect(projectEmbedding(model(100), 2000, 'too').query).toBe('too');
  });

  it('says a word the IMDb index does not hold is in no model\'s vocabulary', () => {
    expect(() => projectEmbedding(model(100), 10, 'qqqzzz')).toThrow(
      "'qqqzzz' is not in this model's vocabulary, its 96 most frequent IMDb words (it is no word of the IMDb word index); try another word");
  });

  it('asks for more words where more would show it, naming how many', () => {
    expect(() => projectEmbedding(model(1000), 100, 'years')).toThrow("'years' is not among the 100 most frequent words shown (it is number 150); ask for 150 or more words");
    expect(projectEmbedding(model(1000), 150, 'years').neighbours.length).toBe(10);
  });

  it('says a known word beyond the most a projection shows cannot be shown', () => {
    expect(MAX_PROJECTED_WORDS).toBe(2000);
    expect(() => projectEmbedding(model(4000), 300, 'captured')).toThrow(
      "'captured' is number 2001 by frequency, beyond the 2000 most frequent words a projection shows; try a more frequent word");
    expect(() => projectEmbedding(model(4000), 300, 'behavior')).toThrow("'behavior' is not among the 300 most frequent words shown (it is number 2000); ask for 2000 or more words");
  });
});

describe('POST /api/inspect/embedding with a query not shown', () => {
  const s = useTestServer();

  it('answers 400s in those words, and refuses more words than a projection shows naming the same cap', async () => {
    // fresh:lstm has the lab's 10,000 ids: 9,996 words.
    const outside = await post(s.base, '/api/inspect/embedding', { model: 'fresh:lstm', query: 'zebra' });
    expect([outside.status, outside.body.error]).toEqual([400, "'zebra' is not in this model's vocabulary, its 9996 most frequent IMDb words (it is number 43304 by frequency); try another word"]);
    const further = await post(s.base, '/api/inspect/embedding', { model: 'fresh:lstm', words: 300, query: 'wonderful' });
    expect([further.status, further.body.error]).toEqual([400, "'wonderful' is not among the 300 most frequent words shown (it is number 386); ask for 386 or more words"]);
    const asked = await post(s.base, '/api/inspect/embedding', { model: 'fresh:lstm', words: 386, query: 'wonderful' });
    expect([asked.status, asked.body.query]).toEqual([200, 'wonderful']);
    const tooMany = await post(s.base, '/api/inspect/embedding', { model: 'fresh:lstm', words: MAX_PROJECTED_WORDS + 1 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toMatch(/words .*2000/);
  });
});
