/**
 * The jobs list offers Cancel only while the server would accept it: a queued job or one still training. Once a
 * running job's training has ended (the server's finishing, saving and report phases, or its last batch done) the
 * server answers a cancel with 409, so the button goes, and focus on it moves to the job's name button (.job-show).
 * Rendered in Chromium by the page's own job_list.js from job views as GET /api/jobs gives them.
 */
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { FINISHING_PHASE, REPORT_PHASE } from '../../src/server/jobs.js';
import { SAVING_PHASE } from '../../src/server/train.js';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';

type Progress = { epoch: number; epochs: number; batch: number; steps: number } | null;
const job = (status: string, phase: string, progress: Progress = null) => ({
  id: 'j1', name: 'adder', status, phase, command: '', metrics: {}, runId: 'r1', error: null,
  progress: progress && { ...progress, fraction: 0.5, elapsedSeconds: 1, etaSeconds: 1 },
});

/** Renders the views one after another into one list, as updates arrive; returns what the entry shows after each. */
function renderSteps(page: Page, views: ReturnType<typeof job>[], focusCancel = false) {
  return page.evaluate(({ views, focusCancel }) => {
    const { renderJobList } = (window as unknown as { jobList: { renderJobList: (...a: unknown[]) => void } }).jobList;
    const list = document.createElement('ul');
    document.body.append(list);
    const seen: { cancel: boolean; focusOnName: boolean }[] = [];
    for (const v of views) {
      renderJobList(list, [v], null, () => undefined);
      const button = list.querySelector('button[data-action="cancel"]') as HTMLButtonElement | null;
      if (focusCancel && button) button.focus();
      seen.push({ cancel: button !== null, focusOnName: document.activeElement === list.querySelector('li .job-show') });
    }
    list.remove();
    return seen;
  }, { views, focusCancel });
}

describeInChromium('the Cancel button of a job whose training has ended', () => {
  const dash = dashboardSession({ hash: '#train', timeoutMs: 60_000 });
  beforeAll(async () => {
    // The page's own module, imported in the page (as a string: vitest would rewrite an import() in a function).
    await dash.page.evaluate("import('/js/job_list.js').then((m) => { window.jobList = m; })");
  });

  it('is shown while queued and training, and goes in each phase the server refuses a cancel in', async () => {
    const training = { epoch: 2, epochs: 2, batch: 3, steps: 5 };
    for (const phase of [FINISHING_PHASE, SAVING_PHASE, REPORT_PHASE]) {
      const seen = await renderSteps(dash.page, [job('queued', 'starting'), job('running', 'training', training), job('running', phase, training), job('completed', 'done')]);
      expect(seen.map((s) => s.cancel), phase).toEqual([true, true, false, false]);
    }
    expect(dash.pageErrors).toEqual([]);
  });

  it('goes once the last batch of the last epoch is done, whatever phase the task then reports', async () => {
    const seen = await renderSteps(dash.page, [
      job('running', 'training', { epoch: 2, epochs: 2, batch: 4, steps: 5 }),
      job('running', 'listing the misclassified reviews', { epoch: 2, epochs: 2, batch: 5, steps: 5 }),
    ]);
    expect(seen.map((s) => s.cancel)).toEqual([true, false]);
    // The last batch of an earlier epoch is not the end of training.
    expect((await renderSteps(dash.page, [job('running', 'training', { epoch: 1, epochs: 2, batch: 5, steps: 5 })]))[0]!.cancel).toBe(true);
  });

  it('moves keyboard focus from the Cancel button to the job\'s name button when the button goes', async () => {
    const training = { epoch: 1, epochs: 1, batch: 2, steps: 5 };
    const seen = await renderSteps(dash.page, [job('running', 'training', training), job('running', FINISHING_PHASE, training)], true);
    expect(seen).toEqual([{ cancel: true, focusOnName: false }, { cancel: false, focusOnName: true }]);
  });
});
