/**
 * What a request may hold and what the API answers, where a probe found them out of step with each other or the docs:
 * repeated JSON keys, the advertised forms, options a model does not use, a DELETE's body, which run folders are
 * runs and which reports are served, and the words of a few 404s and 400s.
 */
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repeatedKey } from '../../src/server/http.js';
import { parseJobSpec } from '../../src/server/job_spec.js';
import { get, request, tempDir, useRunsServer } from './helpers.js';

const outside = tempDir('rnnlab-outside-');
const record = (o: Record<string, unknown> = {}) => JSON.stringify({ command: 'imdb', startedAt: '2025-01-01T10:00:00.000Z', finishedAt: '2025-01-01T10:01:00.000Z', config: { model: 'lstm' }, history: { loss: [0.5] }, metrics: {}, ...o });

const s = useRunsServer((run, runsDir) => {
  writeFileSync(join(outside, 'report.html'), '<p>from outside</p>');
  run('20250101-100000-cli', { 'results.json': record(), 'report.html': '<p>own</p>' });
  run('20250101-100001-dash', { 'results.json': record({ source: 'rnnlab serve', argv: ['imdb'] }) });
  symlinkSync(join(outside, 'report.html'), join(run('20250101-100002-out', { 'results.json': record() }), 'report.html'));
  // A link to another run's report, inside the runs folder: served, so listed.
  symlinkSync(join(runsDir, '20250101-100000-cli', 'report.html'), join(run('20250101-100003-in', { 'results.json': record() }), 'report.html'));
  execFileSync('mkfifo', [join(run('20250101-100004-fifo', { 'results.json': record() }), 'report.html')]);
  run('20250101-100005-empty', { 'notes.txt': 'no run here' });
  run('20250101-100006-lost', { 'report.html': '<p>record lost</p>' });
  symlinkSync(join(runsDir, '20250101-100000-cli', 'results.json'), join(run('20250101-100007-linked'), 'results.json'));
});

const json = { 'content-type': 'application/json' };
/** A DELETE with a body: Node frames none by default (no chunking for DELETE), so the length is given. */
const del = (path: string, body: string) => request(s.base, 'DELETE', path, { body, headers: { 'content-length': String(Buffer.byteLength(body)) } });

describe('repeated JSON keys', () => {
  it('a body repeating a key at any depth is a 400 naming the key, and nothing is queued', async () => {
    const job = await request(s.base, 'POST', '/api/jobs', { body: '{"task":"addition","task":"imdb"}', headers: json });
    expect([job.status, job.body.error]).toEqual([400, 'the body gives the key "task" more than once; send each key once']);
    // Spelled with an escape, it is the same key.
    const escaped = await request(s.base, 'POST', '/api/jobs', { body: '{"task":"addition","t\\u0061sk":"imdb"}', headers: json });
    expect([escaped.status, escaped.body.error]).toEqual([400, 'the body gives the key "task" more than once; send each key once']);
    const text = await request(s.base, 'POST', '/api/predict/text', { body: '{"model":"x","text":"hi","text":"yo"}', headers: json });
    expect([text.status, text.body.error]).toEqual([400, 'the body gives the key "text" more than once; send each key once']);
    const deep = await request(s.base, 'POST', '/api/demo', { body: '{"task":"both","x":[{"a":1},{"a":1,"a":2}]}', headers: json });
    expect([deep.status, deep.body.error]).toEqual([400, 'the body gives the key "a" more than once (at x[1].a); send each key once']);
    // Even two equal values: which one counts is not the point, the body is not what the client meant to send.
    expect((await request(s.base, 'POST', '/api/demo', { body: '{"task":"both","task":"both"}', headers: json })).status).toBe(400);
    // The one job listed is the dashboard run restored from its folder.
    expect(((await get(s.base, '/api/jobs')).body.jobs as { id: string }[]).map((j) => j.id)).toEqual(['run-20250101-100001-dash']);
  });

  it('the same key in different objects, or inside strings, is no repeat', () => {
    expect(repeatedKey('{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}],"d":"\\"a\\":1,\\"a\\":2","e":["a","a"]}')).toBeNull();
    expect(repeatedKey('{"a":{"b":{"c":1}},"z":[[0],{"k":{},"k":[]}]}')).toEqual({ key: 'k', path: 'z[1].k' });
    expect(repeatedKey('{"a":{"b":{"c":1,"c":2}}}')).toEqual({ key: 'c', path: 'a.b.c' });
    expect(repeatedKey('{ "a" : 1 ,\n "a" : 2 }')).toEqual({ key: 'a', path: 'a' });
  });

  it('an empty object or array before a string leaves it a value (it was read as a key of the array: a 500)', async () => {
    for (const t of ['{"a":[{}, "x"]}', '{"texts":[{},1,"hello"]}', '{"a":[[],{},[{}],"b",{"c":{}},"c"],"d":{"e":[]},"f":"g"}', '[{},"a","a"]', '"a"', '{"a\\\\":{},"b":[{},{"c":"\\""}],"c":[{}]}']) {
      expect(repeatedKey(t), t).toBeNull();
    }
    expect(repeatedKey('{"a":{},"a":1}')).toEqual({ key: 'a', path: 'a' });
    expect(repeatedKey('{"a":[{},{"x":[],"x":{}}]}')).toEqual({ key: 'x', path: 'a[1].x' });
    const r = await request(s.base, 'POST', '/api/predict/text', { body: '{"model":"x","texts":[{},1,"hello"]}', headers: json });
    expect([r.status, r.body.error]).toEqual([400, 'texts must be an array of strings']);
  });

  it('a key that is no name is quoted where it is, so the place reads unambiguously', async () => {
    expect(repeatedKey('{"":{"":1,"":2}}')).toEqual({ key: '', path: '[""][""]' });
    expect(repeatedKey('{"a.b":{"0":[1,{"x":1,"x":2}]}}')).toEqual({ key: 'x', path: '["a.b"]["0"][1].x' });
    expect(repeatedKey('{"x":{"a b":1,"a b":2}}')).toEqual({ key: 'a b', path: 'x["a b"]' });
    const top = await request(s.base, 'POST', '/api/demo', { body: '{"":1,"":2}', headers: json });
    expect([top.status, top.body.error]).toEqual([400, 'the body gives the key "" more than once; send each key once']);
    const deep = await request(s.base, 'POST', '/api/demo', { body: '{"":{"":1,"":2}}', headers: json });
    expect([deep.status, deep.body.error]).toEqual([400, 'the body gives the key "" more than once (at [""][""]); send each key once']);
  });

  it('random valid JSON: no repeat is found where there is none, and one added anywhere is found where it is', () => {
    // A seeded generator (mulberry32): the same texts on every run.
    let seed = 52;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    // The characters that steer a scanner: quotes, escapes, brackets, separators; and some that are merely text.
    const CHARS = ['"', '\\', '{', '}', '[', ']', ',', ':', 'a', 'b', ' ', '\n', '\u0001', 'é', '😀', '/'];
    const str = () => Array.from({ length: Math.floor(rand() * 4) }, () => pick(CHARS)).join('');
    const NUMBERS = [0, -1, 12, 0.5, -2.5e-7, 1e21, 123456789];
    type V = unknown;
    const value = (depth: number): V => {
      // A body is an object; below it, anything.
      const kind = depth === 0 ? 4 : depth > 4 ? Math.floor(rand() * 3) : Math.floor(rand() * 5);
      if (kind === 0) return pick([true, false, null, ...NUMBERS]);
      if (kind === 1 || kind === 2) return kind === 1 ? str() : pick(['', 'k', 'x']);
      const n = Math.floor(rand() * 4) + (depth === 0 ? 1 : 0);
      if (kind === 3) return Array.from({ length: n }, () => value(depth + 1));
      const o: Record<string, V> = {};
      for (let i = 0; i < n; i++) o[pick([str(), 'k', 'x', ''])] = value(depth + 1);
      return o;
    };
    const ws = () => pick(['', '', ' ', '\n\t ', '\r\n']);
    // Each UTF-16 unit as \uXXXX: the same key, spelled otherwise.
    const escaped = (k: string) => `"${[...Array(k.length).keys()].map((i) => `\\u${k.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`;
    let dup = '';
    const text = (v: V, target: object | null): string => {
      if (Array.isArray(v)) return `[${ws()}${v.map((x) => ws() + text(x, target) + ws()).join(',')}]`;
      if (v === null || typeof v !== 'object') return ws() + JSON.stringify(v) + ws();
      const entries = Object.entries(v).map(([k, x]) => `${ws()}${JSON.stringify(k)}${ws()}:${text(x, target)}`);
      if (v === target) {
        dup = pick(Object.keys(v));
        entries.push(`${ws()}${rand() < 0.5 ? JSON.stringify(dup) : escaped(dup)}:${ws()}0`);
      }
      return `{${entries.join(',')}${ws()}}`;
    };
    const step = (k: string | number) => (typeof k === 'number' ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);
    /** Every object with a key, and the steps to it. */
    const objects = (v: V, at: (string | number)[], out: [object, (string | number)[]][]): [object, (string | number)[]][] => {
      if (Array.isArray(v)) v.forEach((x, i) => objects(x, [...at, i], out));
      else if (v !== null && typeof v === 'object') {
        if (Object.keys(v).length) out.push([v, at]);
        for (const [k, x] of Object.entries(v)) objects(x, [...at, k], out);
      }
      return out;
    };
    for (let n = 0; n < 2000; n++) {
      const v = value(0);
      const plain = text(v, null);
      expect(JSON.parse(plain)).toEqual(v);
      expect(repeatedKey(plain), plain).toBeNull();
      const targets = objects(v, [], []);
      const [target, at] = pick(targets);
      const t = text(v, target);
      expect(repeatedKey(t), t).toEqual({ key: dup, path: [...at, dup].map(step).join('').replace(/^\./, '') });
    }
  });
});

describe('the forms GET /api/config advertises', () => {
  it('post back as they are', async () => {
    const cfg = (await get(s.base, '/api/config')).body;
    expect(parseJobSpec({ task: 'addition', ...cfg.additionForm }).config).toMatchObject({ task: 'addition', digits: cfg.additionForm.digits, hidden: cfg.additionForm.hidden });
    expect(parseJobSpec({ task: 'imdb', ...cfg.imdbForm }).config).toMatchObject({ task: 'imdb', model: cfg.imdbForm.model });
  });
});

describe('options a model does not use', () => {
  it('get no default in the job config, so its command is what the terminal runs', () => {
    for (const model of ['ff_raw', 'ff_embed', 'cnn', 'cnn_lstm']) {
      const { config } = parseJobSpec({ task: 'imdb', model, maxlen: 50 });
      expect('maskZero' in config, model).toBe(false);
    }
    expect(parseJobSpec({ task: 'imdb', model: 'ff_raw' }).config).not.toHaveProperty('embeddingDim');
    expect(parseJobSpec({ task: 'imdb', model: 'lstm', maxlen: 50 }).config).toMatchObject({ maskZero: false });
    expect(parseJobSpec({ task: 'imdb', model: 'gru', maxlen: 50, maskZero: true }).config).toMatchObject({ maskZero: true });
    expect(() => parseJobSpec({ task: 'imdb', model: 'cnn', maskZero: true })).toThrow(/maskZero changes nothing for cnn/);
  });
});

describe("a DELETE's body", () => {
  it('needs no content type: a body that is not JSON is the documented 400, a field a 400 naming it', async () => {
    const bad = await del(`/api/jobs/job-${'A'.repeat(16)}`, 'nope');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^the body is not valid JSON/);
    const field = await del(`/api/jobs/job-${'A'.repeat(16)}`, '{"force":true}');
    expect([field.status, field.body.error]).toEqual([400, 'unknown field in the request: force']);
    // An empty object is no field: the job is looked up (and is not there).
    expect((await del(`/api/jobs/job-${'A'.repeat(16)}`, '{}')).status).toBe(404);
    // A POST still declares JSON.
    expect((await request(s.base, 'POST', `/api/jobs/job-${'A'.repeat(16)}/cancel`, { body: '{}', headers: { 'content-length': '2' } })).status).toBe(415);
  });
});

describe('run folders', () => {
  it('list a report only when fetching it serves it', async () => {
    const list = (await get(s.base, '/api/runs')).body.runs as { id: string; hasReport: boolean }[];
    const reports = Object.fromEntries(list.map((r) => [r.id, r.hasReport]));
    for (const [id, served] of Object.entries(reports)) {
      const r = await get(s.base, `/api/runs/${id}/report.html`);
      expect(r.status === 200, `${id}: ${r.status}`).toBe(served);
    }
    expect(reports).toMatchObject({ '20250101-100000-cli': true, '20250101-100002-out': false, '20250101-100003-in': true, '20250101-100004-fifo': false, '20250101-100006-lost': true });
    expect((await get(s.base, '/api/runs/20250101-100002-out')).body.summary.hasReport).toBe(false);
  });

  it('are runs by id exactly when the list shows them', async () => {
    const listed = new Set(((await get(s.base, '/api/runs')).body.runs as { id: string }[]).map((r) => r.id));
    expect(listed.has('20250101-100005-empty')).toBe(false);
    const empty = await get(s.base, '/api/runs/20250101-100005-empty');
    expect([empty.status, empty.body.error]).toEqual([404, "no run '20250101-100005-empty': its folder holds no results.json"]);
    expect(listed.has('20250101-100006-lost')).toBe(true);
    const lost = await get(s.base, '/api/runs/20250101-100006-lost');
    expect([lost.status, lost.body.summary.status]).toEqual([200, 'invalid']);
  });

  it('refuse a results.json that is a link as they refuse a FIFO: not a regular file, not read', async () => {
    const linked = await get(s.base, '/api/runs/20250101-100007-linked');
    expect([linked.status, linked.body.error]).toEqual([403, '20250101-100007-linked/results.json is not a regular file; it is not read']);
    const list = ((await get(s.base, '/api/runs')).body.runs as { id: string; status: string; error?: string }[]).find((r) => r.id === '20250101-100007-linked');
    expect(list).toMatchObject({ status: 'invalid', error: 'results.json is not a regular file' });
  });
});

describe('messages', () => {
  it('a query parameter on a route that takes none names that route', async () => {
    const r = await get(s.base, '/api/health?x=1');
    expect([r.status, r.body.error]).toEqual([400, "/api/health takes no query parameters (got 'x'); send fields in a JSON body"]);
  });

  it('a run-<folder> id of a run the dashboard never trained is said to be no job, not a job dropped from the list', async () => {
    const cli = await get(s.base, '/api/jobs/run-20250101-100000-cli');
    expect([cli.status, cli.body.error]).toEqual([404, "no job 'run-20250101-100000-cli': run '20250101-100000-cli' was not trained by the dashboard, so it is no job; the run is GET /api/runs/20250101-100000-cli"]);
    // The dashboard's own run is a job, restored from its folder.
    expect((await get(s.base, '/api/jobs/run-20250101-100001-dash')).status).toBe(200);
  });

  it('a run-<folder> id of a run whose record cannot be read says so, not that the dashboard never trained it', async () => {
    // A report without its results.json, and a results.json that is a link (never read): who wrote them is unknown.
    for (const run of ['20250101-100006-lost', '20250101-100007-linked']) {
      const r = await get(s.base, `/api/jobs/run-${run}`);
      expect([r.status, r.body.error]).toEqual([404, `no job 'run-${run}': the record of run '${run}' cannot be read, so no job is rebuilt from it; the run is GET /api/runs/${run}`]);
    }
    // A folder that is no run is no job either, and said to be neither.
    const empty = await get(s.base, '/api/jobs/run-20250101-100005-empty');
    expect([empty.status, empty.body.error]).toEqual([404, "no job 'run-20250101-100005-empty'"]);
  });

  it("CLI.md's example of a model over --max-model-params is a 422, not the batch cost's 400", () => {
    let status = 0;
    try {
      parseJobSpec({ task: 'imdb', model: 'lstm', vocab: 88588, embeddingDim: 1024, maxlen: 100 }, 50_000_000);
    } catch (e) {
      status = (e as { status: number }).status;
    }
    expect(status).toBe(422);
  });
});
