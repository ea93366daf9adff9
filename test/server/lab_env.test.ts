/**
 * A Lab section's process gets the environment a training job's process gets (job_process.ts's childEnv): the
 * RNNLAB_* settings and what finds programs, never the dashboard's access token nor anything else the server was
 * started with; and it runs offline, so the dashboard never downloads the IMDb data.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { post, restoreEnvAfterEach, serverPerTest, until } from './helpers.js';

const s = serverPerTest();
restoreEnvAfterEach();

describe("a Lab section's process", () => {
  it.skipIf(process.platform !== 'linux')('inherits the RNNLAB_* settings and PATH, but not the access token or other secrets', async () => {
    Object.assign(process.env, { RNNLAB_TOKEN: 'sekret-token-123456789', FAKE_CLOUD_SECRET: 'hunter2', RNNLAB_DEBUG: '1' });
    // The server itself may download; the section never does (RNNLAB_OFFLINE is the runner's own addition).
    delete process.env.RNNLAB_OFFLINE;
    await s.start();
    // The seq2seq section trains for a while even in quick mode: its process lives long enough to be read.
    const r = await post(s.base, '/api/lab/run', { section: 11 });
    expect(r.status, r.text).toBe(202);
    const lab = s.d.lab;
    const pid = lab.pid();
    expect(pid).not.toBeNull();
    // Its first output comes from the section's own code, so the process is the section's, past Node's exec.
    await until(() => (lab.current()?.output.length ?? 0) > 0 || lab.current()?.status !== 'running', 60_000, 'the section to print');
    expect(lab.current()?.status, lab.current()?.output).toBe('running');
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
    const names = env.map((e) => e.slice(0, e.indexOf('=')));
    expect(env).toContain('RNNLAB_DEBUG=1');
    expect(env).toContain('RNNLAB_OFFLINE=1');
    expect(names).toContain('PATH');
    expect(names).not.toContain('RNNLAB_TOKEN');
    expect(names).not.toContain('FAKE_CLOUD_SECRET');
    expect(env.join('\n')).not.toMatch(/sekret|hunter2/);
    expect((await post(s.base, '/api/lab/cancel', {})).status).toBe(200);
    await until(() => lab.current()?.status !== 'running', 30_000, 'the section to stop');
    expect(lab.current()?.status).toBe('cancelled');
  }, 120_000);
});
