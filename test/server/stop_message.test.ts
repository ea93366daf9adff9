/**
 * The line `rnnlab serve` prints on Ctrl-C / SIGTERM says what the stop loses: the running job (cancelled) and the
 * waiting ones (discarded, since they live only in the server's memory), by name and id while there are few.
 */
import { describe, expect, it } from 'vitest';
import { runServe, STOP_MESSAGE_MAX_NAMED, stopMessage, type Dashboard } from '../../src/server/index.js';
import { REPORT_PHASE } from '../../src/server/jobs.js';
import { parseJobSpec } from '../../src/server/job_spec.js';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { tempDir } from './helpers.js';

type Status = 'queued' | 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted';
const job = (name: string, status: Status, phase = 'epoch 2 of 20') => ({ id: `job-${name}`, name, status, phase });
const waiting = (n: number) => Array.from({ length: n }, (_, i) => job(`q${i + 1}`, 'queued'));

describe('stopMessage', () => {
  it('says plainly that nothing is lost when no job runs or waits (finished jobs are no loss)', () => {
    expect(stopMessage([])).toBe('Stopping: no job is running or waiting.');
    expect(stopMessage([job('a', 'completed'), job('b', 'cancelled'), job('c', 'failed'), job('d', 'interrupted')])).toBe('Stopping: no job is running or waiting.');
  });

  it('names the running job it cancels, and says none wait', () => {
    expect(stopMessage([job('done', 'completed'), job('long', 'running')])).toBe('Stopping: cancelling the running job long (job-long); no jobs are waiting.');
  });

  it('does not say it cancels a job past training, whose report is being written', () => {
    expect(stopMessage([job('long', 'running', REPORT_PHASE), ...waiting(1)]))
      .toBe('Stopping: letting the running job long (job-long) finish writing its report and discarding 1 waiting job: q1 (job-q1) (waiting jobs are not kept across restarts).');
  });

  it('does not say it cancels a job whose training has ended (it evaluates and saves, whatever its phase says)', () => {
    expect(stopMessage([job('long', 'running', 'evaluating on the test reviews')], true))
      .toBe('Stopping: letting the running job long (job-long), whose training has ended, finish (it evaluates, saves its model and writes its report; a second Ctrl-C stops at once); no jobs are waiting.');
  });

  it('names each waiting job it discards, in queue order, with the count', () => {
    expect(stopMessage([job('long', 'running'), ...waiting(1)]))
      .toBe('Stopping: cancelling the running job long (job-long) and discarding 1 waiting job: q1 (job-q1) (waiting jobs are not kept across restarts).');
    expect(stopMessage([job('long', 'running'), ...waiting(3)]))
      .toBe('Stopping: cancelling the running job long (job-long) and discarding 3 waiting jobs: q1 (job-q1), q2 (job-q2), q3 (job-q3) (waiting jobs are not kept across restarts).');
  });

  it(`names up to ${STOP_MESSAGE_MAX_NAMED} waiting jobs, and past that gives their count alone`, () => {
    const named = stopMessage([job('long', 'running'), ...waiting(STOP_MESSAGE_MAX_NAMED)]);
    expect(named).toContain(`discarding ${STOP_MESSAGE_MAX_NAMED} waiting jobs: q1 (job-q1),`);
    expect(named).toContain(`q${STOP_MESSAGE_MAX_NAMED} (job-q${STOP_MESSAGE_MAX_NAMED}) (waiting`);
    expect(stopMessage([job('long', 'running'), ...waiting(STOP_MESSAGE_MAX_NAMED + 1)]))
      .toBe(`Stopping: cancelling the running job long (job-long) and discarding ${STOP_MESSAGE_MAX_NAMED + 1} waiting jobs (waiting jobs are not kept across restarts).`);
  });

  it('says no job runs when only waiting ones are lost', () => {
    expect(stopMessage(waiting(2))).toBe('Stopping: no job is running; discarding 2 waiting jobs: q1 (job-q1), q2 (job-q2) (waiting jobs are not kept across restarts).');
  });
});

describe('runServe stopped with a job running and two waiting', () => {
  it('prints the running and waiting jobs by id, and those waiting jobs end cancelled, never run', async () => {
    // The running job trains in dist/server/job_child.js.
    assertDistFresh('server/job_child.ts');
    const out: string[] = [];
    const io = { out: { write: (t: string) => out.push(t) }, err: { write: () => undefined } };
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let dash: Dashboard | undefined;
    const ids: string[] = [];
    // Long enough that it is still training when the stop comes; the cancel ends it at its next batch.
    const spec = (name: string) => parseJobSpec({ task: 'addition', digits: 2, trainingSize: 2000, hidden: 4, epochs: 200, batchSize: 10, name });
    const code = await runServe({ port: 0, runsDir: tempDir(), batchDelayMs: 50 }, io, {
      stop: stopped,
      onReady: (d) => {
        dash = d;
        for (const name of ['long', 'next', 'last']) ids.push(d.jobs.submit(spec(name)).id);
        stop();
      },
    });
    expect(code).toBe(0);
    const line = out.find((l) => l.startsWith('Stopping:'));
    expect(line).toBe(`Stopping: cancelling the running job long (${ids[0]}) and discarding 2 waiting jobs: next (${ids[1]}), last (${ids[2]}) (waiting jobs are not kept across restarts).\n`);
    const after = new Map(dash!.jobs.list().map((j) => [j.id, j]));
    expect(after.get(ids[0])?.status).not.toBe('running');
    for (const id of ids.slice(1)) expect([after.get(id)?.status, after.get(id)?.startedAt]).toEqual(['cancelled', null]);
  }, 60_000);
});
