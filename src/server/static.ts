/**
 * The single-page app's files: web/ from the package (same relative path from src/server and dist/server)
 * and Chart.js's UMD build from the installed chart.js package. Nothing is fetched from the network.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import { BODY_PIECE_BYTES, notFound, sendBody } from './http.js';
import { openFileInside } from './safe_files.js';

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** The browser may load only what this server serves; pages elsewhere may not frame it. */
export const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Chart.js's UMD file inside the installed package. */
export function chartJsPath(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('chart.js');
  const umd = path.join(path.dirname(main), 'chart.umd.min.js');
  if (existsSync(umd)) return umd;
  const alt = path.join(path.dirname(main), 'chart.umd.js');
  if (existsSync(alt)) return alt;
  throw new Error(`chart.js is installed at ${path.dirname(main)} but has no UMD build; reinstall with npm ci`);
}

export const VENDOR: Record<string, () => string> = {
  'chart.umd.min.js': chartJsPath,
};

/** A file to serve: its folder and its path inside that folder, read through safe_files. */
export interface ServedFile {
  root: string;
  rel: string;
}

/** Generous for the app's scripts and Chart.js, and for report pages with their charts inlined. */
export const MAX_SERVED_BYTES = 64 << 20;

/**
 * Streams the file from the handle opened after its checks, as fast as the client reads: a file is never held whole
 * in memory, so many clients fetching a large report (or never reading it) cost a buffer each, not the report each.
 * The length is the one checked; a file cut short meanwhile ends the connection early rather than sending garbage.
 */
export async function sendFile(res: ServerResponse, file: ServedFile, head = false, extraHeaders: Record<string, string> = {}): Promise<void> {
  const { fh, size } = await openFileInside(file.root, file.rel, { maxBytes: MAX_SERVED_BYTES });
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file.rel).toLowerCase()] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': 'no-cache',
    ...SECURITY_HEADERS,
    ...extraHeaders,
  });
  if (head || size === 0) {
    await fh.close();
    res.end();
    return;
  }
  // The stream closes the handle when it ends or fails; a client gone mid-way destroys it. A file that vanished
  // mid-read, or one that shrank after it was opened, drops the connection (sendBody).
  await sendBody(res, fh.createReadStream({ start: 0, end: size - 1, highWaterMark: BODY_PIECE_BYTES }), size);
}

/** A file of the app for a URL path, or a 404. Never leaves web/. */
export function webFile(pathname: string): ServedFile {
  if (pathname === '/' || pathname === '/index.html') return { root: WEB_DIR, rel: 'index.html' };
  // A page without an icon of its own (a run's report.html) makes the browser ask for /favicon.ico: the app's icon,
  // rather than a 404 in its console.
  if (pathname === '/favicon.ico') return { root: WEB_DIR, rel: 'favicon.svg' };
  if (pathname.startsWith('/vendor/')) {
    const f = VENDOR[pathname.slice('/vendor/'.length)];
    if (f) {
      const file = f();
      return { root: path.dirname(file), rel: path.basename(file) };
    }
    throw notFound(`no such file: ${pathname}`);
  }
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    throw notFound(`no such file: ${pathname}`);
  }
  const file = path.resolve(WEB_DIR, '.' + path.posix.normalize(rel));
  if (!file.startsWith(WEB_DIR + path.sep) || !(path.extname(file).toLowerCase() in TYPES)) throw notFound(`no such file: ${pathname}`);
  return { root: WEB_DIR, rel: path.relative(WEB_DIR, file) };
}
