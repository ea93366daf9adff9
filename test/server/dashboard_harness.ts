/**
 * The dashboard in Chromium for one describe block of a browser test: a test server over a temporary runs folder,
 * Chromium, and the page open on a view once the dashboard is ready; all closed after the block.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { DashboardOptions } from '../../src/server/index.js';
import { launchChromium, openDashboard, type Chromium } from '../helpers/browser.js';
import { startTestServer, tempDir, type TestServer } from './helpers.js';
import type { Sequential } from '../../src/models/sequential.js';
import { writeRecord } from '../../src/report/record.js';
import { finishRecord, startRecord } from '../../src/report/run.js';

export interface DashboardSession {
  /** A test that restarts the server puts the new one here: the session closes the one it holds at the end. */
  server: TestServer;
  browser: Chromium;
  page: Page;
  /** The page's script errors. */
  pageErrors: string[];
  runsDir: string;
  /** Goes to a view (`#inside`) and waits until the dashboard is ready again. */
  show(hash: string): Promise<void>;
}

export interface DashboardSessionOptions {
  /** The view the page opens on, e.g. `#runs`. */
  hash: string;
  /** Fills the runs folder before the server starts. */
  runs?: (runsDir: string) => void | Promise<void>;
  server?: Omit<DashboardOptions, 'runsDir'>;
  viewport?: { width: number; height: number };
  /** Playwright's default wait (30 s unless given). */
  timeoutMs?: number;
  /** The limit on the whole setup, runs and jobs included (60 s unless given): for runs that take long to make. */
  setupTimeoutMs?: number;
  /**
   * Called once the server is up, before Chromium starts: for jobs the page should find when it opens (or a job it
   * should find running).
   */
  serverStarted?: (server: TestServer) => Promise<void>;
  /**
   * Called with the browser's window before it opens the dashboard (awaited when it returns a promise): to see the
   * page's first requests, or to add a script that runs before the page's own.
   */
  beforeOpen?: (page: Page) => unknown;
}

/**
 * Call inside a describe block (describeInChromium's): the session's fields are set in its beforeAll, so tests read
 * them (session.page), never the describe body.
 */
export function dashboardSession(o: DashboardSessionOptions): DashboardSession {
  const session = {
    pageErrors: [] as string[],
    async show(hash: string) {
      await session.page.goto(`${session.server.base}/${hash}`);
      await session.page.waitForSelector('body[data-ready="true"]');
    },
  } as DashboardSession;
  beforeAll(async () => {
    session.runsDir = tempDir();
    await o.runs?.(session.runsDir);
    session.server = await startTestServer({ ...o.server, runsDir: session.runsDir });
    await o.serverStarted?.(session.server);
    session.browser = await launchChromium(o.viewport ? { viewport: o.viewport } : {});
    await o.beforeOpen?.(session.browser.page);
    session.page = await openDashboard(session.browser, `${session.server.base}/${o.hash}`, session.pageErrors, { timeoutMs: o.timeoutMs });
  }, o.setupTimeoutMs ?? 60_000);
  afterAll(async () => {
    await session.browser?.close();
    await session.server?.close();
  });
  return session;
}

/** A completed run folder `id` recording `config`, with `model` saved in it by `save`. */
export async function runFolder(runsDir: string, id: string, command: string, config: Record<string, unknown>, model: Sequential, save: (dir: string) => Promise<unknown>): Promise<void> {
  const dir = join(runsDir, id);
  mkdirSync(dir);
  await save(join(dir, 'model'));
  const start = startRecord({ command, argv: [], source: 'cli', runName: id, startedAt: new Date(), config });
  writeRecord(dir, finishRecord(start, { config, data: null, models: [{ name: 'm', params: model.countParams(), history: {}, secondsPerEpoch: [] }], metrics: {}, finding: '' }));
}
