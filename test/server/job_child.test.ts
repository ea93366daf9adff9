/**
 * The dashboard job's process (src/server/job_process.ts): it gets only the environment training needs (never the
 * access token), it saves the trained model into the run folder itself (saying why when it cannot), a real crash
 * is explained by its cause with the package's folders redacted, and closing the server does not wait forever for
 * a process that does not stop.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterFirstBatch, finished, get, PAUSE_MS, post, REPO_ROOT, restoreEnvAfterEach, serverPerTest, SMALL_SUM, tempDir } from './helpers.js';

const s = serverPerTest();
restoreEnvAfterEach();

const sum = SMALL_SUM;

describe("a dashboard job's process", () => {
  it.skipIf(process.platform !== 'linux')('inherits the RNNLAB_* settings and PATH, but not the access token or other secrets', async () => {
    Object.assign(process.env, { RNNLAB_TOKEN: 'sekret-token-123456789', AWS_SECRET_ACCESS_KEY: 'xyz', RNNLAB_OFFLINE: '1' });
    await s.start({ batchDelayMs: PAUSE_MS });
    const id = (await post(s.base, '/api/jobs', { ...sum, name: 'env' })).body.job.id;
    await afterFirstBatch(s, id);
    const pid = s.d.jobs.trainingPid()!;
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
    const names = env.map((e) => e.slice(0, e.indexOf('=')));
    expect(env).toContain('RNNLAB_OFFLINE=1');
    expect(names).toContain('PATH');
    expect(names).toContain('RNNLAB_THREADS');
    expect(names).not.toContain('RNNLAB_TOKEN');
    expect(names).not.toContain('AWS_SECRET_ACCESS_KEY');
    expect(env.join('\n')).not.toContain('sekret');
    await post(s.base, `/api/jobs/${id}/cancel`, {});
    expect((await finished(s.base, id)).status).toBe('cancelled');
  });

  it('fails a job whose process throws with the error line, not only its stack, and without the package folder', async () => {
    // A real uncaught exception in the job's process once the job arrives (NODE_OPTIONS is passed on to it).
    const dir = tempDir('rnnlab-crash-');
    const preload = join(dir, 'crash.cjs');
    writeFileSync(preload, `process.on('message', (m) => { if (m.type === 'start') setImmediate(() => { throw new Error('boom in ' + ${JSON.stringify(join(REPO_ROOT, 'dist', 'server', 'job_child.js'))} + ' ' + 'x'.repeat(400)); }); });\n`);
    process.env.NODE_OPTIONS = `--require ${preload}`;
    await s.start();
    const id = (await post(s.base, '/api/jobs', { ...sum, name: 'crash' })).body.job.id;
    const job = await finished(s.base, id);
    expect(job.status).toBe('failed');
    // The cause (its line cut to 300 characters), then the last lines of the stack.
    expect(job.error).toMatch(/^the job's training process ended without a result \(exit code 1\): Error: boom in \S*dist\/server\/job_child\.js x+… \| at .* \| Node\.js v\S+$/);
    expect(job.error).not.toContain(REPO_ROOT);
    expect(job.error.length).toBeLessThan(1400);
    const record = JSON.parse(readFileSync(join(s.runsDir, job.runId, 'results.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'failed', error: { message: job.error } });
  });

  it('is killed when it does not stop within the deadline after the server begins closing, failing its job', async () => {
    const runsDir = tempDir();
    await s.start({ runsDir, batchDelayMs: PAUSE_MS });
    const id = (await post(s.base, '/api/jobs', { ...sum, name: 'stuck' })).body.job.id;
    const { runId } = await afterFirstBatch(s, id);
    const pid = s.d.jobs.trainingPid()!;
    // Frozen: the cancel close() sends is never read.
    process.kill(pid, 'SIGSTOP');
    s.d.jobs.closeDeadlineMs = 1000;
    await s.close();
    expect(() => process.kill(pid, 0)).toThrow();
    const record = JSON.parse(readFileSync(join(runsDir, runId, 'results.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'failed' });
    expect(record.error.message).toMatch(/^the job's training process did not stop within 1 s of the server closing and was killed \(signal SIGKILL\)/);
  });

  it('saves the model into the run folder itself, and a model it cannot save leaves the job completed without one, saying why', async () => {
    await s.start({ batchDelayMs: PAUSE_MS });
    const id = (await post(s.base, '/api/jobs', { ...sum, name: 'unsaveable' })).body.job.id;
    const { runId } = await afterFirstBatch(s, id);
    // A file where the model folder goes: the job's process cannot save there.
    writeFileSync(join(s.runsDir, runId, 'model'), 'in the way');
    s.d.jobs.batchDelayMs = 0;
    const job = await finished(s.base, id);
    expect(job).toMatchObject({ status: 'completed', modelReady: false });
    expect(job.phase).toMatch(/^done, but the model was not saved: .+/);
    const models = (await get(s.base, '/api/models')).body.models;
    expect(models.find((m: { id: string }) => m.id === runId)).toBeUndefined();

    const next = (await post(s.base, '/api/jobs', { ...sum, name: 'saved' })).body.job.id;
    const done = await finished(s.base, next);
    expect(done).toMatchObject({ status: 'completed', modelReady: true, phase: 'done' });
    expect(existsSync(join(s.runsDir, done.runId, 'model', 'model.json'))).toBe(true);
    expect((await get(s.base, '/api/models')).body.models.find((m: { id: string }) => m.id === done.runId)).toMatchObject({ source: 'disk' });
  });
});
