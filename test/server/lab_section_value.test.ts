/**
 * POST /api/lab/run names a section number it refuses as the number it got: 1e400, which JSON.parse reads as
 * Infinity, used to be echoed as "got null" (what JSON.stringify writes for it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT, request, startTestServer, type TestServer } from './helpers.js';

let s: TestServer;

beforeAll(async () => {
  // The section list comes from the compiled examples; compile them once when this checkout has not yet.
  if (!existsSync(join(REPO_ROOT, 'dist/examples/lab8/sections.js'))) {
    const built = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.examples.json'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(built.stdout + built.stderr).toBe('');
  }
  s = await startTestServer();
}, 120_000);
afterAll(async () => { await s?.close(); });

it('names an out-of-range number as the number it got, Infinity included', async () => {
  for (const [sent, named] of [['1e400', 'Infinity'], ['-1e400', '-Infinity'], ['1e2', '100'], ['"100"', '"100"']]) {
    const r = await request(s.base, 'POST', '/api/lab/run', { body: `{"section":${sent}}`, headers: { 'content-type': 'application/json' } });
    expect(r.status, sent).toBe(400);
    expect(r.body.error, sent).toMatch(new RegExp(`^section must be one of the lab's section numbers 1 to \\d+, got ${named}$`));
  }
});

it('takes the section as decimal text, as job fields take numbers', async () => {
  const r = await request(s.base, 'POST', '/api/lab/run', { body: '{"section":"1"}', headers: { 'content-type': 'application/json' } });
  expect([r.status, r.body.run?.section]).toEqual([202, 1]);
  const cancel = await request(s.base, 'POST', '/api/lab/cancel', { body: '{}', headers: { 'content-type': 'application/json' } });
  expect(cancel.status).toBe(200);
});
