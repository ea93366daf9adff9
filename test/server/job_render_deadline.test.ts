/**
 * The render step of a job's process, driven directly: a process that never answers is killed at the render
 * deadline (the error names the step), a job's process that dies after its result has its report written by a fresh
 * one, a writer killed says why, and a job's process never sent the render (the server failed before it) is ended
 * by release().
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startJobProcess } from '../../src/server/job_process.js';
import { parseJobSpec } from '../../src/server/job_spec.js';
import { finishRecord, startRecord } from '../../src/report/run.js';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { tempDir, until } from './helpers.js';
import { processAlive } from '../../src/io/process_alive.js';

const config = parseJobSpec({ task: 'addition', digits: 1, trainingSize: 20, hidden: 4, epochs: 1, batchSize: 10 }).config;

/** A finished job's process (waiting for the render), its run folder, and what to render there. */
async function trainedJob(renderDeadlineMs = 5 * 60_000) {
  // The test runs src/, the job's process dist/: both must be the same code.
  assertDistFresh('server/job_child.ts');
  const runDir = tempDir('rnnlab-render-');
  const p = startJobProcess(config, {}, { runDir, batchDelayMs: 0, renderDeadlineMs });
  const outcome = await p.outcome;
  const start = startRecord({ command: 'addition', argv: [], source: 'dashboard', runName: 'render-step', startedAt: new Date(), config: { ...config } });
  const record = finishRecord(start, { ...outcome.body, finding: 'trained' }, 'completed');
  const doc = { title: 'render-step (completed)', sections: [] };
  return { p, runDir, record, doc, pid: p.pid! };
}

const alive = processAlive;

describe("a job's render step", () => {
  it.skipIf(process.platform !== 'linux')('kills a process that never answers at the deadline, the error naming the step; nothing is written', async () => {
    const { p, runDir, record, doc, pid } = await trainedJob(500);
    // Stopped, it can neither answer nor end by itself: only the deadline settles the render.
    process.kill(pid, 'SIGSTOP');
    await expect(p.render(runDir, record, doc)).rejects.toThrow(/^the process writing the report did not finish within 0\.5 s and was killed$/);
    expect(existsSync(join(runDir, 'report.html'))).toBe(false);
  });

  it("has a fresh process write the report when the job's process dies after its result, before the render reaches it", async () => {
    const { p, runDir, record, doc, pid } = await trainedJob();
    // The render is sent in the same tick, before node has seen the process end: it goes to a dying process.
    process.kill(pid, 'SIGKILL');
    await expect(p.render(runDir, record, doc)).resolves.toBeNull();
    expect(readFileSync(join(runDir, 'report.html'), 'utf8')).toContain('render-step (completed)');
    expect(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'))).toMatchObject({ status: 'completed', runName: 'render-step' });
  });

  it('says why the report is missing when the process writing it is killed (the server closing)', async () => {
    const { p, runDir, record, doc } = await trainedJob();
    const rendering = p.render(runDir, record, doc);
    p.kill('did not stop within 30 s of the server closing and was killed');
    await expect(rendering).rejects.toThrow(/^the process writing the report did not stop within 30 s of the server closing and was killed \(signal SIGKILL\)$/);
  });

  it("ends the job's process on release() when the render was never sent", async () => {
    const { p, pid } = await trainedJob();
    expect(alive(pid)).toBe(true);
    p.release();
    await until(() => !alive(pid), 30_000, "the job's process to end");
  });
});
