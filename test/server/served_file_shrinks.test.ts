/**
 * A served file that shrinks between its open and its read must not leave a keep-alive connection short of the
 * Content-Length it promised (the next response would be read as the rest of this body): the connection is dropped.
 */
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

vi.mock('../../src/server/safe_files.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/server/safe_files.js')>();
  // The size seen at open is 100 bytes more than the bytes the read will find, as after a truncation.
  return { ...real, openFileInside: async (...args: Parameters<typeof real.openFileInside>) => {
    const opened = await real.openFileInside(...args);
    return { ...opened, size: opened.size + 100 };
  } };
});
const { sendFile } = await import('../../src/server/static.js');

const dir = mkdtempSync(path.join(os.tmpdir(), 'rnnlab-shrink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sendFile', () => {
  it('drops the connection when the file holds fewer bytes than announced', async () => {
    writeFileSync(path.join(dir, 'report.html'), 'x'.repeat(50));
    const server = http.createServer((_req, res) => { void sendFile(res, { root: dir, rel: 'report.html' }); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const outcome = await new Promise<string>((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/', agent: new http.Agent({ keepAlive: true }) }, (res) => {
          let n = 0;
          res.on('data', (c: Buffer) => { n += c.length; });
          res.on('end', () => resolve(`ended after ${n} bytes`));
          res.on('aborted', () => resolve('aborted'));
          res.on('error', () => resolve('aborted'));
        });
        req.on('error', () => resolve('aborted'));
        setTimeout(() => resolve('still open'), 5000).unref();
      });
      expect(outcome).toBe('aborted');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
