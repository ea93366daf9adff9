/**
 * A cancel repeated once a cancelled job has stopped and its report is being written is answered as the first was
 * (idempotent), not refused as if the job's training had ended on its own; a failed job's refusal says it failed.
 * The job's process is a stand-in whose outcome and render the test settles, so the report phase is held open.
 */
import { describe, expect, it, vi } from 'vitest';
import type { JobHooks, JobProcess } from '../../src/server/job_process.js';
import { HttpError } from '../../src/server/http.js';
import { jobEnded, JobQueue, REPORT_PHASE } from '../../src/server/jobs.js';
import { parseJobSpec } from '../../src/server/job_spec.js';
import { JobCancelled } from '../../src/server/train.js';
import { tempDir, until } from './helpers.js';

interface Stand {
  hooks: JobHooks;
  answer: { resolve: (v: never) => void; reject: (e: Error) => void };
  rendering: ((unwritten: string | null) => void) | null;
}
const started = vi.hoisted(() => ({ current: null as Stand | null }));

vi.mock('../../src/server/job_process.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/server/job_process.js')>();
  return {
    ...real,
    startJobProcess: (_config: unknown, hooks: JobHooks): JobProcess => {
      const stand = { hooks, rendering: null } as unknown as Stand;
      const outcome = new Promise<never>((resolve, reject) => { stand.answer = { resolve, reject }; });
      started.current = stand;
      return {
        pid: undefined,
        outcome,
        render: () => new Promise<string | null>((resolve) => { stand.rendering = resolve; }),
        setBatchDelay: () => {},
        kill: () => {},
        release: () => {},
      };
    },
  };
});

const spec = () => parseJobSpec({ task: 'addition', name: 'twice', digits: 1, trainingSize: 20, hidden: 4, epochs: 1, batchSize: 10 });

/** A queue whose one job is running in the stand-in process. */
async function runningJob(): Promise<{ q: JobQueue; id: string; stand: Stand }> {
  started.current = null;
  const q = new JobQueue(tempDir('rnnlab-cancel-twice-'), () => {});
  const { id } = q.submit(spec());
  const stand = (await until(() => started.current, 30_000, "the job's process to start"))!;
  expect(q.summary(id).status).toBe('running');
  return { q, id, stand };
}

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return `${(e as HttpError).status} ${(e as Error).message}`;
  }
  return 'answered';
}

describe('a second cancel of a job being cancelled', () => {
  it('is answered as the first was once the stopped job writes its report, and the job ends cancelled', async () => {
    const { q, id, stand } = await runningJob();
    expect(q.cancel(id)).toMatchObject({ status: 'running', phase: 'cancelling' });
    // While it is still stopping, asked again: the same answer.
    expect(q.cancel(id)).toMatchObject({ status: 'running', phase: 'cancelling' });
    expect(stand.hooks.signal?.aborted).toBe(true);
    stand.answer.reject(new JobCancelled());
    await until(() => stand.rendering, 30_000, 'the report to be asked for');
    expect(q.summary(id).phase).toBe(REPORT_PHASE);

    expect(q.cancel(id)).toMatchObject({ id, status: 'running', phase: REPORT_PHASE });
    // Answered, not acted on: no kill timer for a process that is writing the report.
    expect(q.killPending(id)).toBe(false);

    stand.rendering!(null);
    const ended = (await until(() => (jobEnded(q.summary(id).status) ? q.summary(id) : null), 30_000, 'the job to end'))!;
    expect([ended.status, ended.phase]).toEqual(['cancelled', 'cancelled after 0 epochs']);
    expect(refusal(() => q.cancel(id))).toBe(`409 job '${id}' has already been cancelled`);
  });

  it('of a job that failed, while its report is written, is refused saying it failed, not that training ended', async () => {
    const { q, id, stand } = await runningJob();
    stand.answer.reject(new Error('the data could not be read'));
    await until(() => stand.rendering, 30_000, 'the report to be asked for');
    expect(refusal(() => q.cancel(id))).toBe(`409 job '${id}' has failed and is writing its report; it ends in moments`);
    stand.rendering!(null);
    const ended = (await until(() => (jobEnded(q.summary(id).status) ? q.summary(id) : null), 30_000, 'the job to end'))!;
    expect([ended.status, ended.error]).toEqual(['failed', 'the data could not be read']);
  });
});
