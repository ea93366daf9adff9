/**
 * A model id or a job name holding a lone surrogate (half a character, as the JSON escape "\ud800" sends) is refused
 * with a 400 naming the field, in the words the model routes' text fields use; not looked up (a 404 echoing it) nor
 * refused only as a character outside the name's set.
 */
import { describe, expect, it } from 'vitest';
import { get, post, SMALL_SUM, useTestServer } from './helpers.js';

const half = (field: string, unit: string, at: number) =>
  `field '${field}' holds a lone surrogate U+${unit} at character ${at} (half of a surrogate pair, not a character); write the whole character`;

const s = useTestServer();

describe('a lone surrogate in a model id or a job name', () => {
  it.each([
    ['/api/predict/sentiment', { model: 'fresh:\ud800', text: 'a fine film' }, half('model', 'D800', 7)],
    ['/api/predict/text', { model: '\udc00mine', text: 'fine' }, half('model', 'DC00', 1)],
    ['/api/predict/sum', { model: 'run\ud83d', query: '1+2' }, half('model', 'D83D', 4)],
    ['/api/inspect/states', { model: '\ud83d\ude00\ud83d', text: 'fine' }, half('model', 'D83D', 2)],
    ['/api/inspect/gradients', { models: ['fresh:simple_rnn', 'x\udc00'], text: 'fine' }, half('models[1]', 'DC00', 2)],
    ['/api/inspect/embedding', { model: '\ud800', words: 10 }, half('model', 'D800', 1)],
    ['/api/inspect/commutativity', { model: '\ud800', a: 1, b: 2 }, half('model', 'D800', 1)],
    ['/api/jobs', { ...SMALL_SUM, name: 'sum\ud800s' }, half('name', 'D800', 4)],
    ['/api/jobs', { ...SMALL_SUM, name: '  \udfff' }, half('name', 'DFFF', 3)],
  ])('%s %j: a 400 naming the field', async (route, body, message) => {
    const r = await post(s.base, route, body);
    expect(r.status, r.text).toBe(400);
    expect(r.body.error).toBe(message);
  });

  it('submits no job for a refused name, and still answers a whole but unknown model id with its 404', async () => {
    const refused = await post(s.base, '/api/jobs', { ...SMALL_SUM, name: '\ud800' });
    expect(refused.body.error).toBe(half('name', 'D800', 1));
    expect((await get(s.base, '/api/jobs')).body.jobs).toEqual([]);
    const unknown = await post(s.base, '/api/predict/text', { model: 'no-such-\u{1F600}', text: 'fine' });
    expect(unknown.status, unknown.text).toBe(404);
    expect(unknown.body.error).toContain("no trained model 'no-such-\u{1F600}'");
  });
});
