/**
 * The training form and the tabs in Chromium: a number field holding text the browser cannot read is refused with
 * a message naming it (it used to be sent empty, so the run started with the default), an out-of-range value gets
 * the server's message and the field is marked, the fields carry the server's own ranges, and Back/Forward move
 * between the views the user opened.
 */
import { beforeAll, expect, it } from 'vitest';
import { LIMITS } from '../../src/server/job_spec.js';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';
import { request } from './helpers.js';

const field = (name: string) => `fieldset[data-task="addition"] [name="${name}"]`;

describeInChromium('the training form and the tabs in Chromium', () => {
  const dash = dashboardSession({ hash: '#train' });
  const jobCount = async () => (await request(dash.server.base, 'GET', '/api/jobs')).body.jobs.length as number;
  beforeAll(async () => {
    await dash.page.selectOption('#f-task', 'addition');
  });

  it('gives the number fields the ranges the server checks', async () => {
    for (const name of ['epochs', 'batchSize', 'trainingSize', 'hidden', 'layers', 'digits', 'seed', 'lr'] as const) {
      const [min, max] = await dash.page.$eval(field(name).replace('fieldset[data-task="addition"]', '#train-form'), (i) => [(i as HTMLInputElement).min, (i as HTMLInputElement).max]);
      expect([Number(min), Number(max)], name).toEqual([...LIMITS[name]]);
    }
  });

  it('refuses a number field it cannot read, naming it, and starts nothing', async () => {
    await dash.page.fill(field('epochs'), '');
    await dash.page.focus(field('epochs'));
    // Chromium lets "1e-" be typed into a number field but cannot read it: the field's value is then "".
    await dash.page.keyboard.type('1e-');
    expect(await dash.page.$eval(field('epochs'), (i) => (i as HTMLInputElement).validity.badInput)).toBe(true);
    await dash.page.click('#train-start');
    await dash.page.waitForFunction(() => (document.querySelector('#train-error')?.textContent ?? '') !== '');
    expect(await dash.page.textContent('#train-error')).toBe('Epochs (epochs) is not a number: type digits, or empty the field for the default');
    expect(await dash.page.getAttribute(field('epochs'), 'aria-invalid')).toBe('true');
    expect(await dash.page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('epochs');
    expect(await jobCount()).toBe(0);
  });

  for (const [value, message] of [
    ['-5', 'epochs must be from 1 to 200, got -5'],
    ['1000000000000', 'epochs must be from 1 to 200, got 1000000000000'],
    ['2.5', 'epochs must be an integer from 1 to 200, got 2.5'],
  ]) {
    it(`shows the server's refusal of epochs ${value} and marks the field`, async () => {
      await dash.page.fill(field('epochs'), value);
      await dash.page.evaluate(() => { document.querySelector('#train-error')!.textContent = ''; });
      await dash.page.click('#train-start');
      await dash.page.waitForFunction(() => (document.querySelector('#train-error')?.textContent ?? '') !== '');
      expect(await dash.page.textContent('#train-error')).toBe(message);
      expect(await dash.page.getAttribute(field('epochs'), 'aria-invalid')).toBe('true');
      expect(await dash.page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('epochs');
      expect(await jobCount()).toBe(0);
    });
  }

  it('refuses an empty or unreadable number on the Inside view, naming it, instead of sending 0 or a default', async () => {
    const r = await request(dash.server.base, 'POST', '/api/jobs', { body: JSON.stringify({ task: 'addition', digits: 2, trainingSize: 200, hidden: 4, epochs: 1, name: 'adder' }), headers: { 'content-type': 'application/json' } });
    const id = r.body.job.id as string;
    while (['queued', 'running'].includes((await request(dash.server.base, 'GET', `/api/jobs/${id}`)).body.job.status)) await new Promise((res) => setTimeout(res, 100));
    await dash.page.goto(`${dash.server.base}/#inside`);
    await dash.page.reload();
    await dash.page.waitForSelector('body[data-ready="true"]');
    await dash.page.waitForFunction(() => [...(document.querySelector('#comm-model') as HTMLSelectElement).options].some((o) => o.value !== ''));
    const refusal = async (button: string, error: string) => {
      await dash.page.evaluate((sel) => { document.querySelector(sel)!.textContent = ''; }, error);
      await dash.page.click(button);
      await dash.page.waitForFunction((sel) => (document.querySelector(sel)?.textContent ?? '') !== '', error);
      return dash.page.textContent(error);
    };
    await dash.page.fill('#comm-a', '');
    expect(await refusal('#comm-go', '#comm-error')).toBe('a needs a number');
    expect(await dash.page.getAttribute('#comm-a', 'aria-invalid')).toBe('true');
    // Text it cannot read, or a number past the server's range, the browser's own check stops (this form validates).
    await dash.page.focus('#comm-a');
    await dash.page.keyboard.type('1e-');
    expect(await dash.page.$eval('#comm-a', (i) => (i as HTMLInputElement).checkValidity())).toBe(false);
    await dash.page.fill('#comm-a', '100000');
    expect(await dash.page.$eval('#comm-a', (i) => (i as HTMLInputElement).checkValidity())).toBe(false);
    await dash.page.fill('#comm-a', '12');
    await dash.page.fill('#comm-b', '34');
    await dash.page.evaluate(() => { document.querySelector('#comm-error')!.textContent = ''; });
    await dash.page.click('#comm-go');
    await dash.page.waitForSelector('#comm-go:not([disabled])');
    expect(await dash.page.textContent('#comm-error')).toBe('');
    expect(await dash.page.getAttribute('#comm-a', 'aria-invalid')).toBeNull();

    await dash.page.selectOption('#grad-source', 'test');
    await dash.page.fill('#grad-samples', '');
    expect(await refusal('#grad-go', '#grad-error')).toBe('Reviews (samples) needs a number');
    await dash.page.click('#tab-train');
  });

  it('moves between the views opened with Back and Forward', async () => {
    await dash.page.goto(`${dash.server.base}/#train`);
    await dash.page.reload();
    await dash.page.waitForSelector('body[data-ready="true"]');
    await dash.page.click('#tab-runs');
    await dash.page.click('#tab-sweeps');
    expect(await dash.page.isVisible('#view-sweeps')).toBe(true);
    await dash.page.goBack();
    await dash.page.waitForFunction(() => !(document.querySelector('#view-runs') as HTMLElement).hidden);
    expect(await dash.page.getAttribute('#tab-runs', 'aria-selected')).toBe('true');
    await dash.page.goBack();
    await dash.page.waitForFunction(() => !(document.querySelector('#view-train') as HTMLElement).hidden);
    await dash.page.goForward();
    await dash.page.waitForFunction(() => !(document.querySelector('#view-runs') as HTMLElement).hidden);
    expect(dash.page.url()).toBe(`${dash.server.base}/#runs`);
    expect(dash.pageErrors).toEqual([]);
  });
});
