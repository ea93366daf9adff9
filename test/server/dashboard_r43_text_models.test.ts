/**
 * In Chromium: the Try it tab's card for `rnnlab train` classifiers stays hidden until a text model exists; then a
 * typed text shows the class and every class's probability that POST /api/predict/text answers, a refusal shows in
 * the card's alert line, and its controls have names. Inside the network and the projector never offer a text model
 * (their routes refuse it with a 400).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Route } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { describeInChromium } from '../helpers/browser.js';
import { run, TRAIN_FAST } from '../cli/helpers.js';
import { dashboardSession } from './dashboard_harness.js';
import { finished, post, tempDir } from './helpers.js';

const TEXT_RUN = 'mine';
const CLASSES = ['meh', 'neg', 'pos'];
const TYPED = 'a great and lovely film';

const fail = (status: number, error: string) => (route: Route) =>
  route.fulfill({ status, contentType: 'application/json', body: JSON.stringify({ error }) });

describeInChromium('the Try it card for rnnlab train text classifiers, in Chromium', () => {
  const dash = dashboardSession({
    hash: '#try',
    serverStarted: async (server) => {
      // A trained model of the lab's, so the card is hidden for want of a text model, not of any model.
      const job = (await post(server.base, '/api/jobs', { task: 'addition', digits: 2, trainingSize: 200, hidden: 4, epochs: 1, name: 'adder' })).body.job;
      expect((await finished(server.base, job.id)).status).toBe('completed');
    },
    setupTimeoutMs: 120_000,
  });
  let additionId: string;

  const card = () => dash.page.locator('#text-card');
  const optionValues = (sel: string) => dash.page.$$eval(`${sel} option`, (os) => os.map((o) => (o as HTMLOptionElement).value));
  const classify = async (text: string) => {
    await dash.page.fill('#text-text', text);
    await dash.page.click('#text-go');
  };

  beforeAll(async () => {
    additionId = (await optionValues('#sum-model'))[0];
  });

  it('keeps the card hidden while no text model exists', async () => {
    expect(additionId).toBeTruthy();
    expect(await card().count()).toBe(1);
    expect(await card().isHidden()).toBe(true);
    expect(await dash.page.getByRole('button', { name: 'Classify' }).count()).toBe(0);
    expect(await dash.page.isVisible('#sum-form')).toBe(true);
  });

  it('shows the card once a rnnlab train run exists, its controls named', async () => {
    const csv = join(tempDir('rnnlab-text-data-'), 'data.csv');
    const rows = Array.from({ length: 24 }, (_, i) => [['great lovely fine', 'pos'], ['awful dull bad', 'neg'], ['so so okay', 'meh']][i % 3]);
    writeFileSync(csv, `text,label\n${rows.map(([words, label], i) => `${words} film ${i},${label}`).join('\n')}\n`);
    const t = await run(['train', '--data', csv, ...TRAIN_FAST, '--threads', '1', '--out', join(dash.server.runsDir, TEXT_RUN)]);
    expect(t.code, t.err).toBe(0);
    await dash.page.reload();
    await dash.page.waitForSelector('body[data-ready="true"]');
    await dash.page.waitForSelector('#text-card:not([hidden])');
    const select = card().getByRole('combobox', { name: /^Model/ });
    expect(await select.count()).toBe(1);
    expect(await select.evaluate((s) => [...(s as HTMLSelectElement).options].map((o) => o.value))).toEqual([TEXT_RUN]);
    expect(await select.isEnabled()).toBe(true);
    expect(await card().getByRole('textbox', { name: 'Text', exact: true }).count()).toBe(1);
    expect(await card().getByRole('button', { name: 'Classify', exact: true }).count()).toBe(1);
    expect(await card().getByRole('alert').count()).toBe(1);
    expect(await card().getByRole('heading', { name: 'Class of a text (rnnlab train models)' }).count()).toBe(1);
  });

  it('shows the predicted class and every class\'s probability that POST /api/predict/text answers', async () => {
    const answered = dash.page.waitForResponse((r) => r.url().endsWith('/api/predict/text'));
    await classify(TYPED);
    const response = await answered;
    expect(JSON.parse(response.request().postData() ?? '')).toEqual({ model: TEXT_RUN, text: TYPED });
    const direct = await post(dash.server.base, '/api/predict/text', { model: TEXT_RUN, text: TYPED });
    expect(direct.status, direct.text).toBe(200);
    expect(await response.json()).toEqual(direct.body);
    const p = direct.body.predictions[0] as { label: string; probability: number; probabilities: Record<string, number> };
    expect(Object.keys(p.probabilities).sort()).toEqual(CLASSES);

    await dash.page.waitForSelector('#text-result:not([hidden])');
    expect(await dash.page.textContent('#text-label')).toBe(p.label);
    expect(await dash.page.textContent('#text-prob')).toBe(`P(${p.label}) = ${p.probability.toFixed(3)}`);
    const shown = await dash.page.$$eval('#text-probs tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const expected = Object.entries(p.probabilities).sort((a, b) => b[1] - a[1]).map(([cls, v]) => [cls, `${(v * 100).toFixed(1)}%`]);
    expect(shown).toEqual(expected);
    expect(await dash.page.getAttribute('#text-probs tbody tr.selected', 'data-class')).toBe(p.label);
    expect(await dash.page.textContent('#text-said')).toBe(`Predicted ${p.label} (${(p.probability * 100).toFixed(1)}%); ${expected.map(([c, v]) => `${c} ${v}`).join(', ')}.`);
    expect(await dash.page.textContent('#text-error')).toBe('');
  });

  it('shows a refusal in the card\'s alert line and hides the last answer', async () => {
    for (const [status, error] of [[500, 'cannot read the model of run mine'], [400, 'texts must be an array of strings']] as const) {
      await dash.page.route('**/api/predict/text', fail(status, error));
      await classify(TYPED);
      await dash.page.waitForFunction((e) => document.querySelector('#text-error')?.textContent === e, error);
      expect(await dash.page.isHidden('#text-result')).toBe(true);
      expect(await dash.page.textContent('#text-said')).toBe('');
      expect(await dash.page.isDisabled('#text-go')).toBe(false);
      await dash.page.unroute('**/api/predict/text');
    }
    // The server's own 400 for a blank text.
    await classify('   ');
    await dash.page.waitForFunction(() => (document.querySelector('#text-error')?.textContent ?? '').startsWith('text must not be empty'));
    expect(await dash.page.isHidden('#text-result')).toBe(true);
    // The next answer takes the message away.
    await classify(TYPED);
    await dash.page.waitForSelector('#text-result:not([hidden])');
    expect(await dash.page.textContent('#text-error')).toBe('');
  });

  it('offers the text model to neither Inside the network nor the projector', async () => {
    await dash.page.click('#tab-inside');
    expect(await optionValues('#states-model')).toEqual([additionId]);
    expect(await optionValues('#comm-model')).toEqual([additionId]);
    for (const sel of ['#grad-a', '#grad-b']) {
      const ids = await optionValues(sel);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.every((id) => id.startsWith('fresh:'))).toBe(true);
    }
    const proj = await optionValues('#proj-model');
    expect(proj.length).toBeGreaterThan(0);
    expect(proj).not.toContain(TEXT_RUN);
    expect(proj.every((id) => id.startsWith('fresh:'))).toBe(true);
    expect(dash.pageErrors).toEqual([]);
  });
});
