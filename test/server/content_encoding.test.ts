/**
 * A request body is read as it arrives: one declaring a content coding other than identity (a gzip body) is a 415
 * naming Content-Encoding, with `Accept-Encoding: identity` (RFC 7694), rather than a misleading "not valid UTF-8" or,
 * for a coding declared but not applied, a silent success. The bodies are jobs with an unknown field: the 400 naming
 * that field shows the body was read, and no job is ever queued.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { get, request, useTestServer } from './helpers.js';

const s = useTestServer();

const job = Buffer.from('{"task":"addition","colour":1}', 'utf8');
const sendJob = (body: Buffer, encoding?: string) =>
  request(s.base, 'POST', '/api/jobs', { body, headers: { 'content-type': 'application/json', ...(encoding === undefined ? {} : { 'content-encoding': encoding }) } });
const refusal = (coding: string) => `the body is declared with Content-Encoding ${JSON.stringify(coding)}; send it uncompressed (no Content-Encoding, or identity)`;

describe('Content-Encoding on a request body', () => {
  it.each([[undefined], ['identity'], ['IDENTITY'], [' identity , identity']])('%s: the body is read as sent', async (coding) => {
    const r = await sendJob(job, coding);
    expect([r.status, r.body.error]).toEqual([400, 'unknown field in the job: colour']);
    expect(r.headers['accept-encoding']).toBeUndefined();
  });

  it('gzip on a gzipped body is a 415 naming Content-Encoding, not a UTF-8 error', async () => {
    const r = await sendJob(gzipSync(job), 'gzip');
    expect([r.status, r.body.error]).toEqual([415, refusal('gzip')]);
    expect(r.headers['accept-encoding']).toBe('identity');
  });

  it.each([['gzip'], ['br'], ['deflate'], ['x-custom'], ['identity, gzip'], ['']])('%s on a plain body is a 415, not ignored', async (coding) => {
    const r = await sendJob(job, coding);
    expect([r.status, r.body.error]).toEqual([415, refusal(coding)]);
    expect(r.headers['accept-encoding']).toBe('identity');
  });

  it('is checked on a POST without a body too', async () => {
    const r = await request(s.base, 'POST', '/api/demo', { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect([r.status, r.body.error]).toEqual([415, refusal('gzip')]);
  });

  it('a content-type 415 carries no Accept-Encoding (RFC 7694 keeps the two apart)', async () => {
    const r = await request(s.base, 'POST', '/api/jobs', { body: job, headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' } });
    expect(r.status).toBe(415);
    expect(r.body.error).toBe('send the body as JSON with content-type application/json (got text/plain)');
    expect(r.headers['accept-encoding']).toBeUndefined();
  });

  it('queued no job through any of these', async () => {
    expect((await get(s.base, '/api/jobs')).body.jobs).toEqual([]);
  });
});
