/**
 * Debian's Chromium for the dashboard's browser tests, driven by playwright-core: where it is looked for, how a file
 * skips when it is missing, and a launch whose temporary profile is always removed.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, describe, it } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
export const CHROMIUM_MISSING = `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser tests`;

/**
 * A describe block that runs only where Chromium is installed. Elsewhere its body is never collected (so nothing it
 * would set up happens) and one skipped test gives the reason; under CI a missing Chromium fails instead, so a CI
 * machine cannot pass by skipping every browser test. `unless` skips for another reason (e.g. no IMDb data).
 */
export function describeInChromium(name: string, body: () => void, unless?: { skip: boolean; reason: string }): void {
  const missing = !haveChromium ? CHROMIUM_MISSING : unless?.skip ? unless.reason : undefined;
  if (missing === undefined) return void describe(name, body);
  describe(name, () => {
    if (!haveChromium && process.env.CI) it('finds Chromium', () => { throw new Error(CHROMIUM_MISSING); });
    else it('runs in Chromium', (ctx) => ctx.skip(missing));
  });
}

export interface Chromium {
  ctx: BrowserContext;
  /** The window the browser opened with. */
  page: Page;
  /** Closes the browser and removes its profile (the profile goes even when closing fails). */
  close(): Promise<void>;
}

/** The close() of each browser still open. */
const open = new Set<() => Promise<void>>();
// A file that forgets to close (or fails before it does) still leaves no browser or profile behind.
afterAll(async () => {
  for (const close of [...open]) await close();
});

export async function launchChromium(o: { viewport?: { width: number; height: number }; acceptDownloads?: boolean } = {}): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'rnnlab-chromium-'));
  let ctx: BrowserContext;
  try {
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      ...(o.viewport ? { viewport: o.viewport } : {}),
      ...(o.acceptDownloads !== undefined ? { acceptDownloads: o.acceptDownloads } : {}),
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= (async () => {
    open.delete(close);
    try {
      await ctx.close();
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  })());
  open.add(close);
  let page: Page;
  try {
    page = ctx.pages()[0] ?? (await ctx.newPage());
  } catch (e) {
    await close();
    throw e;
  }
  return { ctx, page, close };
}

/**
 * Opens url once the dashboard says it is ready, in the browser's window or in another page of it; the page's script
 * errors go to errors.
 */
export async function openDashboard(browser: Chromium, url: string, errors: string[], o: { page?: Page; timeoutMs?: number } = {}): Promise<Page> {
  const page = o.page ?? browser.page;
  page.setDefaultTimeout(o.timeoutMs ?? 30_000);
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}
