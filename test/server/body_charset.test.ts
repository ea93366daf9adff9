/**
 * Request bodies are read as UTF-8 (RFC 8259 §8.1): one declaring another charset is a 415 naming it, and bytes that
 * are not UTF-8 are a 400 saying so, where they used to become U+FFFD (a word the model silently did not know).
 * The bodies here are jobs with an unknown field: the 400 naming that field shows how the body was decoded, and no
 * job is ever queued.
 */
import { describe, expect, it } from 'vitest';
import { get, request, useTestServer } from './helpers.js';

const s = useTestServer();

const sendJob = (body: Buffer, contentType: string) => request(s.base, 'POST', '/api/jobs', { body, headers: { 'content-type': contentType } });
const utf8Body = Buffer.from('{"task":"addition","café":1}', 'utf8');

describe('a declared charset', () => {
  it.each(['application/json; charset=utf-8', 'application/json; charset=UTF-8', 'application/json;charset=utf8', 'application/json; charset="Utf-8"', 'application/json', 'application/json; charset=US-ASCII'])(
    '%s is read as UTF-8', async (type) => {
      const r = await sendJob(utf8Body, type);
      expect([r.status, r.body.error]).toEqual([400, 'unknown field in the job: café']);
    });

  it.each([['iso-8859-1'], ['utf-16'], ['windows-1252'], ['']])('charset=%s is a 415 naming it', async (charset) => {
    const r = await sendJob(Buffer.from('{"task":"addition","caf\xe9":1}', 'latin1'), `application/json; charset=${charset}`);
    expect([r.status, r.body.error]).toEqual([415, `the body is declared as charset ${JSON.stringify(charset)}; send it as UTF-8 (charset=utf-8, or no charset)`]);
  });

  it('is checked on a POST without a body too', async () => {
    const r = await request(s.base, 'POST', '/api/demo', { headers: { 'content-type': 'application/json; charset=latin1' } });
    expect(r.status).toBe(415);
    expect(r.body.error).toContain('"latin1"');
  });
});

describe('bytes that are not UTF-8', () => {
  it.each([
    ['a Latin-1 é', Buffer.from('{"task":"addition","caf\xe9":1}', 'latin1')],
    ['0xFF 0xFE inside a string', Buffer.concat([Buffer.from('{"task":"addition","name":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])],
    ['a truncated sequence at the end', Buffer.concat([Buffer.from('{"task":"addition"}'), Buffer.from([0xe2, 0x82])])],
  ])('%s: 400 saying the body is not valid UTF-8', async (_what, body) => {
    const r = await sendJob(body, 'application/json');
    expect([r.status, r.body.error]).toEqual([400, 'the body is not valid UTF-8: send JSON text encoded as UTF-8']);
  });

  it('a byte order mark is still refused as JSON, not silently dropped', async () => {
    const r = await sendJob(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8Body]), 'application/json');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^the body is not valid JSON: /);
  });

  it('queued no job through any of these', async () => {
    expect((await get(s.base, '/api/jobs')).body.jobs).toEqual([]);
  });
});
