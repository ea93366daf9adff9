/**
 * A run's report opens in a tab of its own (the Runs table's "report" link): a browser asking for it gets the refusal
 * as the short HTML page, as for the dashboard's own pages, where it used to get raw JSON (a 404 for a run deleted
 * since, a 401 without the token). The rest of the API, and clients not asking for HTML, still get JSON.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { wantsPage } from '../../src/server/http.js';
import { request, useTestServer } from './helpers.js';

const TOKEN = 'token-for-r48';
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const AUTH = { authorization: `token ${TOKEN}` };

const req = (method: string, url: string, accept?: string) => ({ method, url, headers: accept === undefined ? {} : { accept } }) as unknown as IncomingMessage;

describe('wantsPage', () => {
  it('takes a browser opening a run\'s report for a page, and the rest of the API for the API', () => {
    expect(wantsPage(req('GET', '/api/runs/some-run/report.html', HTML.accept))).toBe(true);
    expect(wantsPage(req('HEAD', '/api/runs/some-run/report.html', HTML.accept))).toBe(true);
    expect(wantsPage(req('GET', 'http://localhost:1/api/runs/some-run/report.html?token=x', HTML.accept))).toBe(true);
    expect(wantsPage(req('GET', '/api/runs/some-run/report.html', 'application/json'))).toBe(false);
    expect(wantsPage(req('GET', '/api/runs/some-run/report.html'))).toBe(false);
    expect(wantsPage(req('POST', '/api/runs/some-run/report.html', HTML.accept))).toBe(false);
    for (const path of ['/api/runs/some-run', '/api/runs/some-run/report.png', '/api/runs/a/b/report.html', '/api/health', '/api/report.html']) {
      expect(wantsPage(req('GET', path, HTML.accept)), path).toBe(false);
    }
  });
});

describe('a run\'s report refused to a browser', () => {
  const server = useTestServer({ token: TOKEN });

  it('answers a missing report with the HTML page', async () => {
    const r = await request(server.base, 'GET', '/api/runs/nope/report.html', { headers: { ...HTML, ...AUTH } });
    expect(r.status).toBe(404);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.text).toContain('<p>no run &#39;nope&#39;');
    expect(r.text).not.toContain('<script');
  });

  it('answers a report asked for without the token with the HTML page naming what to open', async () => {
    const r = await request(server.base, 'GET', '/api/runs/nope/report.html', { headers: HTML });
    expect(r.status).toBe(401);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.text).toContain('<p>this dashboard needs its access token: open the URL that rnnlab serve printed (it ends in ?token=...)</p>');
  });

  it('still answers JSON to clients not asking for HTML, and elsewhere in the API', async () => {
    for (const [path, headers] of [['/api/runs/nope/report.html', AUTH], ['/api/runs/nope/report.html', { ...AUTH, accept: 'application/json' }], ['/api/runs/nope', { ...HTML, ...AUTH }]] as const) {
      const r = await request(server.base, 'GET', path, { headers });
      expect(r.status, path).toBe(404);
      expect(r.headers['content-type'], path).toBe('application/json; charset=utf-8');
      expect(r.body.error, path).toMatch(/^no run 'nope'/);
    }
  });
});
