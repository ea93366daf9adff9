/** The Lab view's API: the sections with their source, a quick run of one section streamed as events, and its guards. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, post, request, REPO_ROOT, SseClient, startTestServer, until, type TestServer } from './helpers.js';

let s: TestServer;
let events: SseClient;

beforeAll(async () => {
  // The runner imports the compiled examples; compile them once when this checkout has not yet.
  if (!existsSync(join(REPO_ROOT, 'dist/examples/lab8/sections.js'))) {
    const built = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.examples.json'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(built.stdout + built.stderr).toBe('');
  }
  s = await startTestServer();
  events = await SseClient.connect(s.base);
}, 120_000);
afterAll(async () => {
  events?.close();
  await s?.close();
});

const finalStatus = (run: number) => (e: { event: string; data: { run: number; status: string } }) => e.event === 'lab-status' && e.data.run === run && e.data.status !== 'running';

describe('GET /api/lab', () => {
  it('lists the sections in the order of the notebook, with their TypeScript source', async () => {
    const r = await get(s.base, '/api/lab');
    expect(r.status).toBe(200);
    const sections = r.body.sections as { id: number; title: string; file: string; source: string }[];
    expect(sections.map((x) => x.id)).toEqual(sections.map((_, i) => i + 1));
    expect(sections.length).toBeGreaterThanOrEqual(15);
    expect(sections[0]).toMatchObject({ title: 'Tokenization', file: '01_tokenization.ts' });
    expect(sections[0].source).toContain('Tokenizer');
    expect(sections[13].source).toContain('rl.model(');
  });
});

describe('POST /api/lab/run', () => {
  it('runs the tokenization section in quick mode and streams its output, then keeps it for late pages', async () => {
    const r = await post(s.base, '/api/lab/run', { section: 1 });
    expect(r.status).toBe(202);
    expect(r.body.run).toMatchObject({ section: 1, status: 'running' });
    const run = r.body.run.run as number;
    const done = await events.waitFor(finalStatus(run), 60_000, 'the lab run to end');
    expect(done.data).toMatchObject({ section: 1, status: 'completed', exitCode: 0 });
    const streamed = events.events.filter((e) => e.event === 'lab-output' && e.data.run === run).map((e) => e.data.text).join('');
    expect(streamed).toContain('=== 1. Tokenization');
    expect(streamed).toMatch(/section 1 done in/);
    expect(streamed).toContain('(quick mode)');
    const later = await get(s.base, '/api/lab');
    expect(later.body.run).toMatchObject({ run, status: 'completed' });
    expect(later.body.run.output).toBe(streamed);
  }, 60_000);

  it('runs one section at a time, and cancels the running one', async () => {
    const first = await post(s.base, '/api/lab/run', { section: 1 });
    expect(first.status).toBe(202);
    const second = await post(s.base, '/api/lab/run', { section: 1 });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatch(/still running/);
    const c = await post(s.base, '/api/lab/cancel', {});
    expect(c.status).toBe(200);
    const done = await events.waitFor(finalStatus(first.body.run.run), 30_000, 'the cancelled run to end');
    expect(done.data.status).toBe('cancelled');
    const again = await post(s.base, '/api/lab/cancel', {});
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/no lab section is running/);
  }, 60_000);

  it('accepts only a section number from the list, and nothing else', async () => {
    for (const section of [0, 16, 99, 1.5, -1, '99', '0x1', '1 && echo hi', null, [1]]) {
      const r = await post(s.base, '/api/lab/run', { section });
      expect(r.status, JSON.stringify(section)).toBe(400);
      expect(r.body.error).toMatch(section === null ? /^section is required: one of the lab's section numbers/ : /section must be one of/);
    }
    const extra = await post(s.base, '/api/lab/run', { section: 1, args: ['--data', '/'] });
    expect(extra.status).toBe(400);
    expect(extra.body.error).toMatch(/unknown field.*args/);
    expect(await until(async () => (await get(s.base, '/api/lab')).body.run?.status !== 'running', 10_000)).toBe(true);
  });

  it('goes through the guards of every write: JSON only, same origin only', async () => {
    const before = (await get(s.base, '/api/lab')).body.run?.run;
    const form = await request(s.base, 'POST', '/api/lab/run', { body: 'section=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const json = { 'content-type': 'application/json' };
    const other = await request(s.base, 'POST', '/api/lab/run', { body: '{"section":1}', headers: { ...json, origin: 'http://evil.example' } });
    expect(other.status).toBe(403);
    const site = await request(s.base, 'POST', '/api/lab/run', { body: '{"section":1}', headers: { ...json, 'sec-fetch-site': 'cross-site' } });
    expect(site.status).toBe(403);
    expect((await get(s.base, '/api/lab')).body.run?.run).toBe(before);
  });
});
