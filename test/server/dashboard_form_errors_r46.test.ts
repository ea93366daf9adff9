/**
 * The Inside tab's and Try it's forms in Chromium: each is `novalidate`, so a value the browser's own range check
 * would stop silently (leaving the last message standing, or none) reaches the form's handler, which names the field,
 * its range and the value now there, and the message of an earlier submit is gone.
 */
import { beforeAll, expect, it } from 'vitest';
import { MAX_TEST_SAMPLES } from '../../src/server/inference.js';
import { MAX_PROJECTED_WORDS } from '../../src/server/projector.js';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';
import { finished, post } from './helpers.js';

describeInChromium('the Inside and Try it forms name the value refused, in Chromium', () => {
  const dash = dashboardSession({
    hash: '#inside',
    serverStarted: async (server) => {
      // An addition model for the commutativity form (the projector's and the gradients' have untrained ones).
      const id = (await post(server.base, '/api/jobs', { task: 'addition', digits: 2, trainingSize: 200, hidden: 4, epochs: 1, name: 'adder' })).body.job.id as string;
      expect((await finished(server.base, id)).status).toBe('completed');
    },
    timeoutMs: 60_000,
    setupTimeoutMs: 120_000,
  });
  beforeAll(async () => {
    await dash.page.waitForFunction(() => [...(document.querySelector('#comm-model') as HTMLSelectElement).options].some((o) => o.value !== ''));
    await dash.page.waitForFunction(() => [...(document.querySelector('#proj-model') as HTMLSelectElement).options].some((o) => o.value !== ''));
  });

  /** Submits and waits for the form's message to become `expected`; the message the page shows otherwise. */
  async function submitFor(button: string, error: string, expected: string): Promise<string | null> {
    await dash.page.click(button);
    await dash.page.waitForFunction(([sel, text]) => document.querySelector(sel)?.textContent === text, [error, expected], { timeout: 5000 }).catch(() => undefined);
    return dash.page.textContent(error);
  }

  it('leaves the checks to the page in each of these forms', async () => {
    expect(await dash.page.$$eval('#proj-form, #comm-form, #grad-form, #sentiment-form, #sum-form', (fs) => fs.map((f) => [f.id, (f as HTMLFormElement).noValidate])))
      .toEqual([['sentiment-form', true], ['sum-form', true], ['grad-form', true], ['comm-form', true], ['proj-form', true]]);
  });

  it('projector: an empty field, then one past the range, each gets its own message', async () => {
    // The field's range is the server's.
    expect(await dash.page.$eval('#proj-words', (i) => [(i as HTMLInputElement).min, (i as HTMLInputElement).max])).toEqual(['2', String(MAX_PROJECTED_WORDS)]);
    await dash.page.fill('#proj-words', '');
    expect(await submitFor('#proj-go', '#proj-error', 'Words (words) needs a number')).toBe('Words (words) needs a number');
    await dash.page.fill('#proj-words', '5000');
    const past = `Words (words) must be from 2 to ${MAX_PROJECTED_WORDS}, got 5000`;
    expect(await submitFor('#proj-go', '#proj-error', past)).toBe(past);
    expect(await dash.page.getAttribute('#proj-words', 'aria-invalid')).toBe('true');
    await dash.page.fill('#proj-words', '1');
    expect(await submitFor('#proj-go', '#proj-error', `Words (words) must be from 2 to ${MAX_PROJECTED_WORDS}, got 1`)).toBe(`Words (words) must be from 2 to ${MAX_PROJECTED_WORDS}, got 1`);
  });

  it('commutativity: an empty a, then a negative one, then a fraction', async () => {
    await dash.page.fill('#comm-a', '');
    expect(await submitFor('#comm-go', '#comm-error', 'a needs a number')).toBe('a needs a number');
    await dash.page.fill('#comm-a', '-3');
    expect(await submitFor('#comm-go', '#comm-error', 'a must be from 0 to 99999, got -3')).toBe('a must be from 0 to 99999, got -3');
    await dash.page.fill('#comm-a', '2.5');
    expect(await submitFor('#comm-go', '#comm-error', 'a must be an integer from 0 to 99999, got 2.5')).toBe('a must be an integer from 0 to 99999, got 2.5');
    expect(await dash.page.getAttribute('#comm-a', 'aria-invalid')).toBe('true');
    // A value in range is sent: the message goes, and the field is no longer marked.
    await dash.page.fill('#comm-a', '12');
    // Two digits each, as the model was trained.
    await dash.page.fill('#comm-b', '34');
    await dash.page.click('#comm-go');
    await dash.page.waitForSelector('#comm-result:not([hidden])');
    expect(await dash.page.textContent('#comm-error')).toBe('');
    expect(await dash.page.getAttribute('#comm-a', 'aria-invalid')).toBeNull();
  });

  it('gradients: 0 reviews gets a message (the line used to stay empty)', async () => {
    await dash.page.selectOption('#grad-source', 'test');
    expect(await dash.page.$eval('#grad-samples', (i) => (i as HTMLInputElement).max)).toBe(String(MAX_TEST_SAMPLES));
    await dash.page.fill('#grad-samples', '0');
    const msg = `Reviews (samples) must be from 1 to ${MAX_TEST_SAMPLES}, got 0`;
    expect(await submitFor('#grad-go', '#grad-error', msg)).toBe(msg);
    expect(dash.pageErrors).toEqual([]);
  });
});
