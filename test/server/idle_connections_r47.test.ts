/**
 * Clients that open a connection and then send nothing (or a CONNECT) and never close it: once the server has answered
 * them it closes its side fully, so they do not hold connection slots and the cap does not shut out everyone else.
 * In-process with short limits (no dist/ needed).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard } from '../../src/server/index.js';
import { SERVER_LIMITS } from '../../src/server/server.js';
import { tempDir, until } from './helpers.js';

type Dashboard = Awaited<ReturnType<typeof startDashboard>>;
const CAP = 6;
let d: Dashboard;

beforeAll(async () => {
  const saved = { ...SERVER_LIMITS };
  // Node reads its timeouts and the cap when the server is made: short ones for this server only.
  Object.assign(SERVER_LIMITS, { headersTimeoutMs: 1000, requestTimeoutMs: 1500, checkEveryMs: 200, maxConnections: CAP });
  d = await startDashboard({ port: 0, runsDir: tempDir() }).finally(() => Object.assign(SERVER_LIMITS, saved));
});
afterAll(async () => {
  await d.close();
});

const connections = () => new Promise<number>((resolve, reject) => d.server.getConnections((e, n) => (e ? reject(e) : resolve(n))));

/**
 * A connection that never ends its side: with `read` it collects what the server sends, without it it never reads
 * (the answer stays in its receive buffer). `sent` resolves once the server has written its answer and closed its side.
 */
function holdOpen(first: string, read: boolean): { sock: net.Socket; got: () => string } {
  const sock = net.connect({ port: d.port, host: '127.0.0.1', allowHalfOpen: true });
  let got = '';
  sock.on('error', () => {});
  if (read) {
    sock.setEncoding('utf8');
    sock.on('data', (c: string) => { got += c; });
  } else sock.pause();
  if (first) sock.write(first);
  return { sock, got: () => got };
}

describe('idle connections that never close', () => {
  it('are answered 408 and closed by the server, so a normal request is served while they are still held at the cap', async () => {
    const idle = Array.from({ length: CAP }, (_v, i) => holdOpen('', i % 2 === 0));
    try {
      await until(async () => (await connections()) === CAP, 10_000, 'the server to accept every idle connection');
      // Past the header timeout the server answers each and lets go of it; the clients keep their ends open.
      await until(() => idle.filter((c, i) => i % 2 === 0 && c.got().startsWith('HTTP/1.1 408 Request Timeout\r\n')).length === CAP / 2, 10_000, 'the 408s');
      await until(async () => (await connections()) === 0, 10_000, 'the server to close the idle connections');
      expect(idle.every((c) => !c.sock.destroyed)).toBe(true);
      const health = await fetch(`http://127.0.0.1:${d.port}/api/health`);
      expect(health.status).toBe(200);
    } finally {
      for (const c of idle) c.sock.destroy();
    }
  }, 30_000);

  it('a CONNECT is answered 405 and its connection closed by the server, though the client keeps its end open', async () => {
    const c = holdOpen('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', true);
    try {
      await until(() => c.got().startsWith('HTTP/1.1 405 Method Not Allowed\r\n'), 10_000, 'the 405');
      await until(async () => (await connections()) === 0, 10_000, 'the server to close the CONNECT connection');
      expect(c.sock.destroyed).toBe(false);
    } finally {
      c.sock.destroy();
    }
  }, 30_000);
});
