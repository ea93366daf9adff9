/**
 * The token flow as a user meets it: a browser opening the dashboard without the token (or with a wrong one) gets a
 * readable page saying what to do, not raw JSON, while the API still answers JSON; with the right token the page
 * loads, takes the token out of the address bar, and keeps working after a reload (from the cookie).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { describeInChromium, launchChromium, type Chromium } from '../helpers/browser.js';
import { request, useTestServer } from './helpers.js';

const TOKEN = 'token-for-tests';
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

const server = useTestServer({ token: TOKEN });

describe('the dashboard refused for want of its token', () => {
  it('answers a page request with a page naming what to open', async () => {
    for (const path of ['/', `/?token=wrong-${TOKEN}`, '/js/main.js']) {
      const r = await request(server.base, 'GET', path, { headers: HTML });
      expect(r.status, path).toBe(401);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.text).toContain('<p>this dashboard needs its access token: open the URL that rnnlab serve printed (it ends in ?token=...)</p>');
      expect(r.text).not.toContain('<script');
    }
  });

  it('still answers the API, and clients that do not ask for HTML, in JSON', async () => {
    for (const [path, headers] of [['/api/health', HTML], ['/', {}], ['/', { accept: 'application/json' }]] as const) {
      const r = await request(server.base, 'GET', path, { headers });
      expect(r.status, path).toBe(401);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(r.body.error).toMatch(/needs its access token/);
    }
  });
});

describeInChromium('the token flow in Chromium', () => {
  let browser: Chromium | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the refusal, then with the token loads, drops it from the address bar and survives a reload', async () => {
    browser = await launchChromium();
    const page = browser.page;
    page.setDefaultTimeout(30_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${server.base}/?token=wrong-${TOKEN}`);
    expect(await page.textContent('p')).toMatch(/needs its access token: open the URL that rnnlab serve printed/);

    await page.goto(`${server.base}/?token=${TOKEN}#train`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(page.url()).toBe(`${server.base}/#train`);
    expect(await page.getAttribute('#tab-train', 'aria-selected')).toBe('true');
    await page.waitForSelector('#conn-dot.live');

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#conn-dot.live');
    expect(errors).toEqual([]);
  }, 60_000);
});
