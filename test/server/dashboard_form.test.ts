/**
 * The training form and the tabs in Chromium: a number field holding text the browser cannot read is refused with
 * a message naming it (it used to be sent empty, so the run started with the default), an out-of-range value gets
 * the server's message and the field is marked, the fields carry the server's own ranges, and Back/Forward move
 * between the views the user opened.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LIMITS } from '../../src/server/job_spec.js';
import { describeInChromium, launchChromium, openDashboard, type Chromium } from '../helpers/browser.js';
import { request, startTestServer, type TestServer } from './helpers.js';

let server: TestServer;
let browser: Chromium | undefined;
let page: Page;
const pageErrors: string[] = [];

const field = (name: string) => `fieldset[data-task="addition"] [name="${name}"]`;
const jobCount = async () => (await request(server.base, 'GET', '/api/jobs')).body.jobs.length as number;

describeInChromium('the training form and the tabs in Chromium', () => {
  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchChromium();
    page = await openDashboard(browser, `${server.base}/#train`, pageErrors);
    await page.selectOption('#f-task', 'addition');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('gives the number fields the ranges the server checks', async () => {
    for (const name of ['epochs', 'batchSize', 'trainingSize', 'hidden', 'layers', 'digits', 'seed', 'lr'] as const) {
      const [min, max] = await page.$eval(field(name).replace('fieldset[data-task="addition"]', '#train-form'), (i) => [(i as HTMLInputElement).min, (i as HTMLInputElement).max]);
      expect([Number(min), Number(max)], name).toEqual([...LIMITS[name]]);
    }
  });

  it('refuses a number field it cannot read, naming it, and starts nothing', async () => {
    await page.fill(field('epochs'), '');
    await page.focus(field('epochs'));
    // Chromium lets "1e-" be typed into a number field but cannot read it: the field's value is then "".
    await page.keyboard.type('1e-');
    expect(await page.$eval(field('epochs'), (i) => (i as HTMLInputElement).validity.badInput)).toBe(true);
    await page.click('#train-start');
    await page.waitForFunction(() => (document.querySelector('#train-error')?.textContent ?? '') !== '');
    expect(await page.textContent('#train-error')).toBe('Epochs (epochs) is not a number: type digits, or empty the field for the default');
    expect(await page.getAttribute(field('epochs'), 'aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('epochs');
    expect(await jobCount()).toBe(0);
  });

  for (const [value, message] of [
    ['-5', 'epochs must be from 1 to 200, got -5'],
    ['1000000000000', 'epochs must be from 1 to 200, got 1000000000000'],
    ['2.5', 'epochs must be an integer from 1 to 200, got 2.5'],
  ]) {
    it(`shows the server's refusal of epochs ${value} and marks the field`, async () => {
      await page.fill(field('epochs'), value);
      await page.evaluate(() => { document.querySelector('#train-error')!.textContent = ''; });
      await page.click('#train-start');
      await page.waitForFunction(() => (document.querySelector('#train-error')?.textContent ?? '') !== '');
      expect(await page.textContent('#train-error')).toBe(message);
      expect(await page.getAttribute(field('epochs'), 'aria-invalid')).toBe('true');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('epochs');
      expect(await jobCount()).toBe(0);
    });
  }

  it('refuses an empty or unreadable number on the Inside view, naming it, instead of sending 0 or a default', async () => {
    const r = await request(server.base, 'POST', '/api/jobs', { body: JSON.stringify({ task: 'addition', digits: 2, trainingSize: 200, hidden: 4, epochs: 1, name: 'adder' }), headers: { 'content-type': 'application/json' } });
    const id = r.body.job.id as string;
    while (['queued', 'running'].includes((await request(server.base, 'GET', `/api/jobs/${id}`)).body.job.status)) await new Promise((res) => setTimeout(res, 100));
    await page.goto(`${server.base}/#inside`);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForFunction(() => [...(document.querySelector('#comm-model') as HTMLSelectElement).options].some((o) => o.value !== ''));
    const refusal = async (button: string, error: string) => {
      await page.evaluate((sel) => { document.querySelector(sel)!.textContent = ''; }, error);
      await page.click(button);
      await page.waitForFunction((sel) => (document.querySelector(sel)?.textContent ?? '') !== '', error);
      return page.textContent(error);
    };
    await page.fill('#comm-a', '');
    expect(await refusal('#comm-go', '#comm-error')).toBe('a needs a number');
    expect(await page.getAttribute('#comm-a', 'aria-invalid')).toBe('true');
    // Text it cannot read, or a number past the server's range, the browser's own check stops (this form validates).
    await page.focus('#comm-a');
    await page.keyboard.type('1e-');
    expect(await page.$eval('#comm-a', (i) => (i as HTMLInputElement).checkValidity())).toBe(false);
    await page.fill('#comm-a', '100000');
    expect(await page.$eval('#comm-a', (i) => (i as HTMLInputElement).checkValidity())).toBe(false);
    await page.fill('#comm-a', '12');
    await page.fill('#comm-b', '34');
    await page.evaluate(() => { document.querySelector('#comm-error')!.textContent = ''; });
    await page.click('#comm-go');
    await page.waitForSelector('#comm-go:not([disabled])');
    expect(await page.textContent('#comm-error')).toBe('');
    expect(await page.getAttribute('#comm-a', 'aria-invalid')).toBeNull();

    await page.selectOption('#grad-source', 'test');
    await page.fill('#grad-samples', '');
    expect(await refusal('#grad-go', '#grad-error')).toBe('Reviews (samples) needs a number');
    await page.click('#tab-train');
  });

  it('moves between the views opened with Back and Forward', async () => {
    await page.goto(`${server.base}/#train`);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('#tab-runs');
    await page.click('#tab-sweeps');
    expect(await page.isVisible('#view-sweeps')).toBe(true);
    await page.goBack();
    await page.waitForFunction(() => !(document.querySelector('#view-runs') as HTMLElement).hidden);
    expect(await page.getAttribute('#tab-runs', 'aria-selected')).toBe('true');
    await page.goBack();
    await page.waitForFunction(() => !(document.querySelector('#view-train') as HTMLElement).hidden);
    await page.goForward();
    await page.waitForFunction(() => !(document.querySelector('#view-runs') as HTMLElement).hidden);
    expect(page.url()).toBe(`${server.base}/#runs`);
    expect(pageErrors).toEqual([]);
  });
});
