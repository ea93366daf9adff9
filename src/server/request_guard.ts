/**
 * Who may talk to the dashboard: strict Host parsing (against DNS rebinding), same-origin writes only
 * (against cross-site request forgery), and the access token a server bound beyond loopback requires.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A Host header split strictly into name and port: a bracketed IPv6 literal or a DNS name / IPv4, then an optional port, nothing else. */
export function parseHost(header: string | undefined): { name: string; port: number | null } | null {
  const m = /^(?:(\[[0-9a-f:.]+\])|([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?))(?::(\d{1,5}))?$/i.exec(header ?? '');
  if (!m) return null;
  const port = m[3] === undefined ? null : Number(m[3]);
  if (port !== null && port > 65535) return null;
  return { name: (m[1] ?? m[2]).toLowerCase(), port };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' };

/**
 * Whether `origin` is the page's own: http or https (a TLS proxy in front, as SECURITY.md suggests) and exactly the
 * host and port of the Host header. The server cannot tell which scheme the browser used (a proxy speaks TLS for
 * it), and only one server listens at a host and port, so an explicit port leaves no room for another site; a Host
 * without a port matches either scheme's default port (80, 443), so a page served on the other of those two ports
 * of the same host name counts as the dashboard's own (SECURITY.md says so). A port the origin leaves out is its
 * scheme's default.
 */
function sameOrigin(origin: string, host: string): boolean {
  const m = /^(https?):\/\/(.+)$/.exec(origin.toLowerCase());
  if (!m) return false;
  const [, scheme, authority] = m;
  return authority === host || `${authority}:${DEFAULT_PORTS[scheme]}` === host;
}

/**
 * Refuses a state-changing request a page of another site made: browsers send Sec-Fetch-Site and Origin
 * with every such request, and neither can be forged by the page itself.
 */
export function checkSameOrigin(req: IncomingMessage): void {
  if (SAFE_METHODS.has(req.method ?? 'GET')) return;
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site') throw new HttpError(403, 'cross-site requests may not change anything here (Sec-Fetch-Site: cross-site)');
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const host = (req.headers.host ?? '').toLowerCase();
  if (!sameOrigin(origin, host)) {
    throw new HttpError(403, `requests from other origins may not change anything here (Origin '${origin.slice(0, 200)}' is not http://${host} or https://${host})`);
  }
}

export const TOKEN_PARAM = 'token';

/** A token as --token / RNNLAB_TOKEN may give it: visible characters only, so it survives a URL and a cookie. */
export function checkToken(token: string, name = 'token'): string {
  if (!/^[A-Za-z0-9._~-]{8,256}$/.test(token)) {
    throw new Error(`${name} must be 8 to 256 characters of letters, digits and . _ ~ - (got ${token.length} characters)`);
  }
  return token;
}

export function randomToken(): string {
  return randomBytes(24).toString('hex');
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Checks the access token of every request: from ?token= (then remembered in a cookie), the cookie, or an Authorization header. */
export class TokenGate {
  private readonly expected: Buffer;
  readonly cookieName: string;

  constructor(readonly token: string, port: number) {
    this.expected = digest(token);
    // One cookie per port: two dashboards on one machine keep their own tokens.
    this.cookieName = `rnnlab-token-${port}`;
  }

  /** Equal-length digests compared in constant time, so timing tells nothing about the token. */
  private matches(candidate: string | undefined): boolean {
    return candidate !== undefined && timingSafeEqual(digest(candidate), this.expected);
  }

  check(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const fromQuery = url.searchParams.get(TOKEN_PARAM) ?? undefined;
    if (this.matches(fromQuery)) {
      res.setHeader('set-cookie', `${this.cookieName}=${this.token}; Path=/; HttpOnly; SameSite=Strict`);
      return;
    }
    if (this.matches(cookie(req, this.cookieName)) || this.matches(authorization(req))) return;
    throw new HttpError(401, 'this dashboard needs its access token: open the URL that rnnlab serve printed (it ends in ?token=...)');
  }
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function authorization(req: IncomingMessage): string | undefined {
  const m = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}
