/**
 * The little HTTP layer the dashboard needs on top of node:http: a router with ":param" segments,
 * JSON bodies with a size limit, and errors that become 4xx answers with a message instead of crashes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { jsonDepth, repeatedKeyProblem } from '../io/strict_json.js';

// The JSON checks live with the files' strict parse (the CLI reads run files too); request bodies use the same.
export { jsonDepth, repeatedKey, repeatedKeyProblem } from '../io/strict_json.js';

/** An error with an HTTP status; anything else thrown by a handler is a 500. */
export class HttpError extends Error {
  /** Headers the answer carries (a 405's Allow). */
  constructor(public readonly status: number, message: string, public readonly headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, message);
export const notFound = (message: string): HttpError => new HttpError(404, message);

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

/** A handler returns a JSON-able value (sent with 200 unless it set res.statusCode), or handles res itself and returns undefined. */
export type Handler = (ctx: RequestContext) => unknown;

/** What a route takes besides its path: the query parameters it reads (any other is refused, never ignored). */
export interface RouteOptions {
  query?: readonly string[];
}

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
  query: readonly string[];
}

/** The longest file name most file systems allow, so the longest run, job or sweep id. */
export const MAX_SEGMENT_CHARS = 255;

export class Router {
  private routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler, o: RouteOptions = {}): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler, query: o.query ?? [] });
    return this;
  }

  get(pattern: string, handler: Handler, o?: RouteOptions): this { return this.add('GET', pattern, handler, o); }
  post(pattern: string, handler: Handler): this { return this.add('POST', pattern, handler); }
  delete(pattern: string, handler: Handler): this { return this.add('DELETE', pattern, handler); }

  /**
   * The handler for a request, or an HttpError (404 no such path, 405 path exists for other methods, with the Allow
   * header RFC 9110 asks of a 405). OPTIONS on a path that exists is answered here: 204 with Allow.
   */
  match(method: string, pathname: string): { handler: Handler; params: Record<string, string>; query: readonly string[] } {
    let segments: string[];
    try {
      segments = pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    } catch {
      throw badRequest(`malformed URL path ${JSON.stringify(pathname)}`);
    }
    // No run, job or sweep id is longer than a file name may be: say so instead of echoing kilobytes back.
    const long = segments.find((p) => p.length > MAX_SEGMENT_CHARS);
    if (long !== undefined) throw notFound(`no such endpoint: a path segment of ${long.length} characters (ids and names here have at most ${MAX_SEGMENT_CHARS})`);
    const allowed: string[] = [];
    for (const r of this.routes) {
      if (r.parts.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < r.parts.length && ok; i++) {
        const p = r.parts[i];
        if (p.startsWith(':')) params[p.slice(1)] = segments[i];
        else ok = p === segments[i];
      }
      if (!ok) continue;
      if (r.method === method || (method === 'HEAD' && r.method === 'GET')) return { handler: r.handler, params, query: r.query };
      allowed.push(r.method);
    }
    if (allowed.length) {
      const routed = [...new Set(allowed)];
      const methods = routed.includes('GET') ? [...routed, 'HEAD'] : routed;
      if (method === 'OPTIONS') return { handler: allowAnswer(methods), params: {}, query: [] };
      throw new HttpError(405, `${method} is not allowed on ${pathname}; use ${routed.join(' or ')}`, { allow: [...methods, 'OPTIONS'].join(', ') });
    }
    throw notFound(`no such endpoint: ${method} ${pathname}`);
  }
}

/** The answer to OPTIONS on a path that exists: no body, the methods it takes. */
export function allowAnswer(methods: readonly string[]): Handler {
  return ({ res }) => {
    res.writeHead(204, { allow: [...methods, 'OPTIONS'].join(', ') });
    res.end();
    return undefined;
  };
}

/** Sends a JSON answer; `transform` rewrites the serialized text (the server uses it to keep its folders private). */
export function sendJson(res: ServerResponse, status: number, body: unknown, transform: (text: string) => string = (t) => t): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJsonBytes(res, status, Buffer.from(transform(JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)))));
}

/** Sends JSON already written out (a run's page, kept as bytes), with sendJson's headers. */
export function sendJsonBytes(res: ServerResponse, status: number, data: Buffer): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': data.length,
  });
  void sendBody(res, data, data.length);
}

/** Bodies up to this size are sent in one write; larger ones a piece of this size at a time (sendBody). */
export const BODY_PIECE_BYTES = 64 << 10;

function* piecesOf(body: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < body.length; at += BODY_PIECE_BYTES) yield body.subarray(at, at + BODY_PIECE_BYTES);
}

/**
 * Sends the body of an answer whose headers are set (`size` bytes, as its content-length says), a piece at a time,
 * each once the socket has taken the one before. The server drops a client whose answer makes no progress, and
 * progress shows only when a write is taken whole: one write of a large body would show none until its last byte was
 * read, and so cut off a client reading it steadily but slowly. A body that fails or comes short, or a client gone,
 * ends in a destroyed connection, so that a keep-alive client never reads the next answer as the rest of this body.
 * Resolves whether the whole body was sent; never rejects.
 */
export async function sendBody(res: ServerResponse, body: Uint8Array | Readable, size: number): Promise<boolean> {
  const small = body instanceof Uint8Array && body.length <= BODY_PIECE_BYTES;
  // An answer to HEAD has no body (Node drops what is written to it): its headers, with the length a GET would get, are all.
  if (small || res.req?.method === 'HEAD') {
    if (body instanceof Readable) body.destroy();
    res.end(small ? body : undefined);
    return true;
  }
  const source = body instanceof Readable ? body : Readable.from(piecesOf(body), { objectMode: false });
  let sent = 0;
  source.on('data', (chunk: Uint8Array) => { sent += chunk.length; });
  const complete = await pipeline(source, res, { end: false }).then(() => sent === size, () => false);
  if (complete) res.end();
  else res.destroy();
  return complete;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * The request's URL. A path is read as a path, whatever it starts with: resolved against a base, `//etc/passwd` would
 * be a URL naming the host `etc` and the path `/passwd`.
 */
export function requestUrl(target: string | undefined): URL {
  const t = target ?? '/';
  return t.startsWith('/') ? new URL(`http://localhost${t}`) : new URL(t, 'http://localhost');
}

/** The pages under /api/ that the dashboard opens in a tab of their own: a run's report. */
const API_PAGE = /^\/api\/runs\/[^/]+\/report\.html$/;

/** A browser opening a page (not the API): it shows a refusal as text to read, where raw JSON would puzzle. */
export function wantsPage(req: IncomingMessage): boolean {
  // The path, not the raw request target: an absolute-form target (GET http://host/api/...) is still the API.
  let path = req.url ?? '/';
  try { path = requestUrl(path).pathname; } catch { /* unparsable: the raw target */ }
  return (req.method === 'GET' || req.method === 'HEAD') && (!path.startsWith('/api/') || API_PAGE.test(path)) && /\btext\/html\b/.test(req.headers.accept ?? '');
}

/** The refusal as a small page without scripts (the message escaped, so nothing in it becomes markup). */
export function sendErrorPage(res: ServerResponse, status: number, message: string, transform: (text: string) => string = (t) => t): void {
  const text = transform(message).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
  const html = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>rnnlab dashboard: ${status}</title></head>\n<body><h1>rnnlab dashboard</h1><p>${text}</p></body></html>\n`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message, status });
}

/** Bodies nested deeper than this are refused before parsing: nothing the API takes needs more than a few levels. */
export const MAX_JSON_DEPTH = 32;

/**
 * A request that does not declare a JSON body is refused (415), whatever its length; so is one declaring a charset
 * other than UTF-8 (requireReadableBody).
 */
export function requireJsonType(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, `send the body as JSON with content-type application/json (got ${type || 'none'})`);
  requireReadableBody(req);
}

/**
 * A body declared in a charset other than UTF-8, which it is read as (RFC 8259 §8.1), or with a content coding other
 * than identity, which is never undone (RFC 9110 §8.4), is refused (415): its text would otherwise be misread, not refused.
 */
export function requireReadableBody(req: IncomingMessage): void {
  const params = (req.headers['content-type'] ?? '').split(';').slice(1);
  const coding = req.headers['content-encoding'];
  if (coding !== undefined && !coding.split(',').every((c) => /^\s*identity\s*$/i.test(c))) {
    // RFC 7694 (RFC 9110 §15.5.16): Accept-Encoding tells this 415 from a media-type one, which must not carry it.
    throw new HttpError(415, `the body is declared with Content-Encoding ${JSON.stringify(coding.slice(0, 40))}; send it uncompressed (no Content-Encoding, or identity)`, { 'accept-encoding': 'identity' });
  }
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    // US-ASCII text is UTF-8 text, byte for byte.
    if (!/^(utf-?8|us-ascii|ascii)$/i.test(charset)) {
      throw new HttpError(415, `the body is declared as charset ${JSON.stringify(charset.slice(0, 40))}; send it as UTF-8 (charset=utf-8, or no charset)`);
    }
  }
}

// fatal: a byte sequence that is not UTF-8 is an error, not U+FFFD (a word the model would silently not know).
// ignoreBOM keeps a byte order mark in the text, where JSON.parse refuses it as before.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Whether the request says it carries a body (a length above 0, or a chunked one). */
export function hasBody(req: IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Reads a JSON object body (at most `limit` bytes). Empty body gives {}. Every POST must say it sends
 * JSON, even an empty one: HTML forms on other sites cannot set that content type without CORS. A DELETE
 * (`requireType: false`), which no form can send, need not declare it: a body that is not JSON is then a 400.
 */
export async function readJsonBody(req: IncomingMessage, { limit = 1 << 20, requireType = true }: { limit?: number; requireType?: boolean } = {}): Promise<Record<string, unknown>> {
  if (requireType) requireJsonType(req);
  else requireReadableBody(req);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, `request body of ${declared} bytes is over the limit of ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    // Not destroyed when refused: the server reads and drops the rest for a moment, so that the client sees the 413.
    for await (const chunk of req.iterator({ destroyOnReturn: false })) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new HttpError(413, `request body is over the limit of ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
  } catch (e) {
    // A client that hangs up mid-body (or is cut off by the request timeout) is no fault of the server's.
    if (!(e instanceof HttpError) && (req.destroyed || (e as NodeJS.ErrnoException).code === 'ECONNRESET')) {
      throw badRequest('the request body was cut off: the connection closed before all of it arrived');
    }
    throw e;
  }
  if (size === 0) return {};
  let text: string;
  try {
    text = UTF8.decode(Buffer.concat(chunks));
  } catch {
    throw badRequest('the body is not valid UTF-8: send JSON text encoded as UTF-8');
  }
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw badRequest(`the body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body is not valid JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('the body must be a JSON object');
  const repeated = repeatedKeyProblem(text);
  if (repeated !== null) throw badRequest(`the body ${repeated}; send each key once`);
  return value as Record<string, unknown>;
}
