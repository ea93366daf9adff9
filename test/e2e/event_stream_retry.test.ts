/**
 * A page the server refuses an event stream (503: all streams taken) shows it and connects by itself once a stream
 * is free: Chromium does not retry an EventSource answered with anything but a 200, so the page must.
 */
import http from 'node:http';
import { afterAll, expect, it } from 'vitest';
import { EVENT_HUB_LIMITS } from '../../src/server/sse.js';
import { describeInChromium, launchChromium, type Chromium } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../server/helpers.js';

/** Opens an event stream from here and keeps it; resolves once the server has taken it. */
function holdStream(base: string): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/api/events`, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream refused: ${res.statusCode}`));
      res.on('data', () => {});
      resolve(req);
    });
    req.on('error', () => {});
  });
}

let server: TestServer | undefined;
let browser: Chromium | undefined;
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describeInChromium('the dashboard when its event stream is refused', () => {
  it('says so, retries, and goes live once a stream is free', async () => {
    server = await startTestServer();
    const held = [];
    for (let i = 0; i < EVENT_HUB_LIMITS.maxClients; i++) held.push(await holdStream(server.base));
    browser = await launchChromium();
    const page = browser.page;
    await page.goto(server.base);
    await page.waitForFunction(() => /refused by the server; retrying in \d+ s/.test(document.querySelector('#status-text')?.textContent ?? ''), null, { timeout: 30_000 });
    expect(await page.getAttribute('#conn-dot', 'class')).toContain('down');
    held.pop()!.destroy();
    await page.waitForFunction(() => document.querySelector('#conn-dot')?.classList.contains('live'), null, { timeout: 60_000 });
    for (const r of held) r.destroy();
  }, 120_000);
});
