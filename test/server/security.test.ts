/** Issue #11 as an attacker would try it: cross-site writes, the token off loopback, Host tricks, a hostile runs folder, deep bodies, leaked paths. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { newJobId } from '../../src/server/job_id.js';
import { pathRedactor } from '../../src/server/redact.js';
import { parseHost } from '../../src/server/request_guard.js';
import { runServe, type Dashboard } from '../../src/server/index.js';
import { get, request, startTestServer, tempDir, useTestServer } from './helpers.js';

const s = useTestServer();
const outside = tempDir('rnnlab-outside-');
const json = { 'content-type': 'application/json' };

beforeAll(() => {
  writeFileSync(join(outside, 'secret.txt'), 'root:*:0:0:secret\n');
  writeFileSync(join(outside, 'results.json'), JSON.stringify({ command: 'imdb', status: 'completed' }));
  writeFileSync(join(outside, 'report.html'), '<p>from outside</p>');
  const run = (id: string) => {
    mkdirSync(join(s.runsDir, id));
    return join(s.runsDir, id);
  };
  symlinkSync(join(outside, 'secret.txt'), join(run('link-report'), 'report.html'));
  symlinkSync(join(outside, 'secret.txt'), join(run('link-results'), 'results.json'));
  symlinkSync(outside, join(s.runsDir, 'linked-run'));
  writeFileSync(join(run('ok'), 'report.html'), '<p>report</p>');
  if (process.platform !== 'win32') {
    execFileSync('mkfifo', [join(run('fifo-results'), 'results.json')]);
    execFileSync('mkfifo', [join(run('fifo-report'), 'report.html')]);
  }
});
afterAll(() => rmSync(outside, { recursive: true, force: true }));

const own = () => `http://127.0.0.1:${s.d.port}`;

describe('cross-site request forgery', () => {
  it('refuses writes from another origin or a cross-site fetch, and queues nothing', async () => {
    const evil = await request(s.base, 'POST', '/api/demo', { body: '{}', headers: { ...json, origin: 'http://evil.example' } });
    expect(evil.status).toBe(403);
    expect(evil.body.error).toMatch(/other origins/);
    const nullOrigin = await request(s.base, 'POST', '/api/demo', { body: '{}', headers: { ...json, origin: 'null' } });
    expect(nullOrigin.status).toBe(403);
    const otherPort = await request(s.base, 'POST', '/api/demo', { body: '{}', headers: { ...json, origin: 'http://127.0.0.1:1' } });
    expect(otherPort.status).toBe(403);
    const site = await request(s.base, 'POST', '/api/demo', { body: '{}', headers: { ...json, 'sec-fetch-site': 'cross-site' } });
    expect(site.status).toBe(403);
    expect(site.body.error).toMatch(/cross-site/);
    const del = await request(s.base, 'DELETE', '/api/jobs/x', { headers: { origin: 'http://evil.example' } });
    expect(del.status).toBe(403);
    expect((await get(s.base, '/api/jobs')).body.jobs).toEqual([]);
  });

  it('requires a JSON content type on every POST, even an empty one (an auto-submitted form cannot set it)', async () => {
    for (const type of [undefined, 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      expect((await request(s.base, 'POST', '/api/demo', { headers })).status, String(type)).toBe(415);
      expect((await request(s.base, 'POST', '/api/jobs/job-1/cancel', { headers })).status, String(type)).toBe(415);
    }
    expect((await get(s.base, '/api/jobs')).body.jobs).toEqual([]);
  });

  it("lets the dashboard's own same-origin requests through", async () => {
    const r = await request(s.base, 'POST', '/api/jobs/job-1/cancel', { headers: { ...json, origin: own(), 'sec-fetch-site': 'same-origin' } });
    expect(r.status).toBe(404);
    const demo = await request(s.base, 'POST', '/api/demo', { body: '{"task":"nope"}', headers: { ...json, origin: own() } });
    expect(demo.status).toBe(400);
  });

  it('makes job ids that cannot be guessed', () => {
    const ids = Array.from({ length: 200 }, newJobId);
    expect(new Set(ids).size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^job-[A-Za-z0-9_-]{16}$/);
  });
});

describe('Host header', () => {
  it('is parsed strictly', async () => {
    expect(parseHost('[::1]:8787')).toEqual({ name: '[::1]', port: 8787 });
    expect(parseHost('LocalHost')).toEqual({ name: 'localhost', port: null });
    for (const bad of ['[::1]evil.example', '[::1]:80evil', 'localhost:80:80', 'localhost:99999', 'local host', '', 'a@b', '127.0.0.1:']) {
      expect(parseHost(bad), bad).toBeNull();
    }
    for (const host of ['[::1]evil.example', 'localhost:80:80', '127.0.0.1.evil.example']) {
      const r = await request(s.base, 'GET', '/api/health', { headers: { host } });
      expect(r.status, host).toBeGreaterThanOrEqual(400);
      expect(r.status, host).toBeLessThan(500);
    }
  });
});

describe('the access token', () => {
  async function withServer(o: { host?: string; token?: string }, fn: (d: Dashboard, base: string) => Promise<void>) {
    const t = await startTestServer(o);
    try {
      await fn(t.d, t.base);
    } finally {
      await t.close();
    }
  }

  it('is made at random off loopback, printed in the URL, and needed on every request', async () => {
    await withServer({ host: '0.0.0.0' }, async (d, base) => {
      expect(d.token).toMatch(/^[0-9a-f]{48}$/);
      expect(d.url).toContain(`?token=${d.token}`);
      expect((await get(base, '/api/health')).status).toBe(401);
      expect((await get(base, '/')).status).toBe(401);
      expect((await get(base, '/api/health?token=wrong-token')).status).toBe(401);
      const first = await get(base, `/?token=${d.token}`);
      expect(first.status).toBe(200);
      const cookie = String(first.headers['set-cookie']);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      const pair = cookie.split(';')[0];
      expect((await request(base, 'GET', '/api/health', { headers: { cookie: pair } })).status).toBe(200);
      expect((await request(base, 'GET', '/api/health', { headers: { authorization: `token ${d.token}` } })).status).toBe(200);
      expect((await request(base, 'GET', '/api/health', { headers: { cookie: `${pair.split('=')[0]}=nope` } })).status).toBe(401);
      // Off loopback any Host name is fine (the token is the guard), but not a malformed one.
      expect((await request(base, 'GET', '/api/health', { headers: { host: 'my-machine.lan:8787', cookie: pair } })).status).toBe(200);
    });
  });

  it('is required on loopback too when given, and no token means none on loopback', async () => {
    await withServer({ token: 'given-token-123' }, async (d, base) => {
      expect(d.url).toMatch(/\?token=given-token-123$/);
      expect((await get(base, '/api/health')).status).toBe(401);
      expect((await get(base, '/api/health?token=given-token-123')).status).toBe(200);
    });
    expect(s.d.token).toBeNull();
    expect((await get(s.base, '/api/health')).status).toBe(200);
  });

  it('comes from --token or RNNLAB_TOKEN, and a bad one is a usage error naming where it came from', async () => {
    const io = () => {
      const out: string[] = [], err: string[] = [];
      return { io: { out: { write: (t: string) => out.push(t) }, err: { write: (t: string) => err.push(t) } }, out, err };
    };
    const short = io();
    expect(await main(['serve', '--port', '0', '--runs', tempDir(), '--token', 'abc'], short.io)).toBe(2);
    expect(short.err.join('')).toMatch(/--token must be 8 to 256 characters/);
    const c = io();
    const saved = process.env.RNNLAB_TOKEN;
    try {
      process.env.RNNLAB_TOKEN = 'abc';
      const bad = io();
      expect(await main(['serve', '--port', '0', '--runs', tempDir()], bad.io)).toBe(2);
      expect(bad.err.join('')).toMatch(/RNNLAB_TOKEN must be 8 to 256 characters/);
      let stop!: () => void;
      const stopped = new Promise<void>((r) => (stop = r));
      let token: string | null = null;
      const code = await runServe({ port: 0, runsDir: tempDir(), token: 'from-the-environment' }, c.io, { stop: stopped, onReady: (d) => ((token = d.token), stop()) });
      expect(code).toBe(0);
      expect(token).toBe('from-the-environment');
      expect(c.out.join('')).toMatch(/\?token=from-the-environment/);
    } finally {
      if (saved === undefined) delete process.env.RNNLAB_TOKEN;
      else process.env.RNNLAB_TOKEN = saved;
    }
  });
});

describe('a hostile runs folder', () => {
  it('serves reports only from regular files inside the runs folder', async () => {
    expect((await get(s.base, '/api/runs/ok/report.html')).text).toBe('<p>report</p>');
    for (const id of ['link-report', 'linked-run']) {
      const r = await get(s.base, `/api/runs/${id}/report.html`);
      expect(r.status, id).toBe(403);
      expect(r.text).not.toContain('root:*');
      expect(r.text).not.toContain('from outside');
    }
    expect((await get(s.base, '/api/runs/ok/report.png')).status).toBe(404);
  });

  it('does not read a results.json that leads outside, nor echo what it points at', async () => {
    for (const id of ['link-results', 'linked-run']) {
      const r = await get(s.base, `/api/runs/${id}`);
      expect(r.status, id).toBe(403);
      expect(r.text).not.toContain('root:*');
      expect(r.text).not.toContain(outside);
    }
  });

  it.skipIf(process.platform === 'win32')('refuses FIFOs at once and stays responsive (mkfifo is POSIX only)', async () => {
    expect((await get(s.base, '/api/runs/fifo-results')).status).toBe(403);
    expect((await get(s.base, '/api/runs/fifo-report/report.html')).status).toBe(403);
    expect((await get(s.base, '/api/health')).status).toBe(200);
    // The run list reads every results.json: the FIFO is listed as unreadable, not read.
    const list = await get(s.base, '/api/runs');
    expect(list.status).toBe(200);
    expect(list.text).toContain('results.json is not a regular file');
    expect(list.text).not.toContain('root:*');
  });
});

describe('deep JSON bodies', () => {
  it('a body nested 400k deep is a clear 400, not a stack overflow', async () => {
    const body = `{"a":${'['.repeat(400000)}${']'.repeat(400000)}}`;
    const r = await request(s.base, 'POST', '/api/predict/sum', { body, headers: json });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/nests arrays or objects more than 32 levels deep/);
  });
});

describe('error disclosure', () => {
  it('/api/runs/nope, /api/config and a refused file reveal no absolute path', async () => {
    const answers = [await get(s.base, '/api/runs/nope'), await get(s.base, '/api/config'), await get(s.base, '/api/runs/link-report/report.html'), await get(s.base, '/api/runs/nope/report.html')];
    expect(answers[0].status).toBe(404);
    expect(answers[0].body.error).toMatch(/no run 'nope'/);
    for (const a of answers) {
      for (const p of [s.runsDir, tmpdir(), process.cwd(), homedir()]) expect(a.text).not.toContain(p);
    }
  });

  it('answers and events name folders by their public names, also inside JSON strings', () => {
    const runs = join(tmpdir(), 'some-runs');
    const redact = pathRedactor([runs]);
    expect(redact(`cannot write ${runs}/x: EACCES`)).toBe('cannot write some-runs/x: EACCES');
    expect(redact(JSON.stringify({ dir: `${homedir()}/data/a.tar.gz`, cwd: join(process.cwd(), 'runs') }))).toBe(JSON.stringify({ dir: '~/data/a.tar.gz', cwd: './runs' }));
  });
});
