/**
 * In Chromium: under a small `rnnlab serve --max-model-params` the gradients view's default pair (SimpleRNN against
 * LSTM) cannot be the untrained networks the cap holds back (they are neither listed nor served: a 422). The select
 * whose kind is missing is left empty and the page says why, naming the network and the flag; under the default cap
 * it says nothing and the pair is fresh:simple_rnn against fresh:lstm.
 */
import { afterAll, expect, it } from 'vitest';
import { imdbModel } from '../../src/experiments/lab_models.js';
import { describeInChromium, launchChromium, openDashboard, type Chromium } from '../helpers/browser.js';
import { startTestServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
let browser: Chromium | undefined;

afterAll(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
});

/** The gradients view as a dashboard started with maxModelParams shows it: its two selects and its note. */
async function gradientsView(maxModelParams?: number) {
  const server = await startTestServer(maxModelParams === undefined ? {} : { maxModelParams });
  servers.push(server);
  browser ??= await launchChromium();
  const errors: string[] = [];
  const page = await openDashboard(browser, `${server.base}/#inside`, errors);
  await page.waitForSelector('#grad-a option', { state: 'attached' });
  const view = await page.evaluate(() => {
    const select = (id: string) => {
      const s = document.querySelector(id) as HTMLSelectElement;
      return { value: s.value, offered: [...s.options].map((o) => o.value) };
    };
    const note = document.querySelector('#grad-default-note') as HTMLElement | null;
    return { a: select('#grad-a'), b: select('#grad-b'), note: note && !note.hidden ? note.innerText : null };
  });
  expect(errors).toEqual([]);
  return view;
}

describeInChromium("the gradients view's default pair under --max-model-params", () => {
  const rnn = imdbModel('simple_rnn', { vocab: 10000, maxlen: 200 }).countParams();

  it('leaves the LSTM select empty and says why when fresh:lstm is over the cap; under the default cap says nothing', async () => {
    const view = await gradientsView(rnn + 1);
    expect(view.a).toEqual({ value: 'fresh:simple_rnn', offered: ['fresh:simple_rnn'] });
    expect(view.b).toEqual({ value: '', offered: ['fresh:simple_rnn'] });
    expect(view.note).toBe("The untrained LSTM (fresh:lstm) is over this dashboard's limit on model size (rnnlab serve --max-model-params) and no trained LSTM is listed, so the second model is left empty: choose another IMDb model, or train one within the limit.");
    const full = await gradientsView();
    expect([full.a.value, full.b.value]).toEqual(['fresh:simple_rnn', 'fresh:lstm']);
    expect(full.note).toBeNull();
  });

  it('names both when neither untrained network is within the cap', async () => {
    const view = await gradientsView(1000);
    expect(view.a.value).toBe('');
    expect(view.b.value).toBe('');
    expect(view.note).toBe("The untrained SimpleRNN (fresh:simple_rnn) and LSTM (fresh:lstm) are over this dashboard's limit on model size (rnnlab serve --max-model-params) and no trained SimpleRNN or LSTM is listed, so the first and second models are left empty: choose another IMDb model, or train one within the limit.");
  });
});
