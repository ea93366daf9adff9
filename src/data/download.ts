import { createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import { makeFolders } from '../local_files.js';
import { DataError } from './errors.js';

export interface DownloadOptions {
  /** Exact byte count of the complete file; a mismatch is an error and nothing is renamed into place. */
  expectedSize: number;
  /** Progress bar on stderr; defaults to on when stderr is a terminal. */
  progress?: boolean;
  timeoutMs?: number;
  /** Attempts per call; each one resumes from what the previous one left in `<dest>.part`. */
  attempts?: number;
}

/**
 * Downloads into `<dest>.part` with HTTP Range resume (a later call picks up a partial file), then
 * renames onto `dest` only once the size matches.
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions): Promise<void> {
  const { expectedSize, progress = Boolean(process.stderr.isTTY), timeoutMs = 30_000, attempts = 3 } = options;
  const part = `${dest}.part`;
  makeFolders(dirname(dest));
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (sizeOf(part) > expectedSize) rmSync(part, { force: true });
    const before = sizeOf(part);
    try {
      if (before < expectedSize) await fetchInto(url, part, expectedSize, progress, timeoutMs);
      lastError = undefined;
      break;
    } catch (err) {
      lastError = err;
      // Retry only when the attempt got somewhere (or asked for a restart); an unreachable host fails fast.
      const progressed = sizeOf(part) > before || err instanceof RestartError;
      if (err instanceof DataError || !progressed) break;
    }
  }
  if (lastError) throw lastError;
  const got = sizeOf(part);
  if (got !== expectedSize) {
    if (got > expectedSize) rmSync(part, { force: true });
    throw new DataError(`download of ${url} has ${got} bytes, expected ${expectedSize}` +
      (got < expectedSize ? `; run again to resume from ${part}` : '; the partial file was deleted'));
  }
  renameSync(part, dest);
}

class RestartError extends Error {}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function fetchInto(url: string, part: string, total: number, progress: boolean, timeoutMs: number): Promise<void> {
  const start = sizeOf(part);
  const res = await get(url, start, timeoutMs);
  let append = false;
  if (res.statusCode === 206) {
    const range = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''));
    if (!range || Number(range[1]) !== start) {
      res.resume();
      throw new Error(`server answered Range ${start}- with ${String(res.headers['content-range'])}`);
    }
    append = true;
  } else if (res.statusCode === 416) {
    // The server has nothing past our partial file: it is stale or oversized; start over.
    res.resume();
    rmSync(part, { force: true });
    throw new RestartError('server refused to resume (HTTP 416)');
  } else if (res.statusCode !== 200) {
    res.resume();
    throw new DataError(`download of ${url} failed: HTTP ${res.statusCode}`);
  }
  const offset = append ? start : 0;
  // A server that sends more than the file's size is broken or hostile: stop before it fills the disk.
  const tooMuch = () => new DataError(`download of ${url} sends more than the expected ${total} bytes; stopped, and the partial file was deleted`);
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && offset + declared > total) {
    res.destroy();
    rmSync(part, { force: true });
    throw tooMuch();
  }
  const bar = progress ? new ProgressBar(total, offset) : undefined;
  const out = createWriteStream(part, { flags: append ? 'a' : 'w' });
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    let cause: Error | null = null;
    let received = offset;
    res.on('data', (chunk: Buffer) => {
      bar?.advance(chunk.length);
      received += chunk.length;
      if (received <= total || failed) return;
      failed = true;
      res.unpipe(out);
      res.destroy();
      out.end(() => {
        rmSync(part, { force: true });
        reject(tooMuch());
      });
    });
    res.on('error', (err) => { cause = err; });
    // A dropped connection keeps what arrived: every chunk has been delivered by 'close', so flush them all to the
    // partial file and the next attempt resumes exactly there.
    res.on('close', () => {
      if (res.complete || failed) return;
      failed = true;
      res.unpipe(out);
      out.end(() => reject(cause && cause.message !== 'aborted' ? cause : new Error('connection aborted')));
    });
    out.on('error', (err) => {
      failed = true;
      res.destroy();
      out.destroy();
      reject(err);
    });
    out.on('finish', () => { if (!failed) resolve(); });
    res.pipe(out);
  });
  bar?.done();
}

function get(url: string, start: number, timeoutMs: number, redirects = 5): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const headers: Record<string, string> = { 'user-agent': 'rnnlab' };
    if (start > 0) headers.range = `bytes=${start}-`;
    const req = client.get(url, { headers }, (res) => {
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (redirects === 0) return reject(new DataError(`download of ${url}: too many redirects`));
        const next = new URL(location, url);
        // Only web URLs, and never from https down to plain http.
        if (!['http:', 'https:'].includes(next.protocol) || (url.startsWith('https:') && next.protocol === 'http:')) {
          return reject(new DataError(`download of ${url}: refusing the redirect to ${next.protocol}//${next.host}`));
        }
        return resolve(get(next.toString(), start, timeoutMs, redirects - 1));
      }
      resolve(res);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no data for ${timeoutMs / 1000} s`)));
    req.on('error', reject);
  });
}

class ProgressBar {
  private readonly t0 = Date.now();
  private lastDraw = 0;
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastDecile = -1;

  constructor(
    private readonly total: number,
    private done_ = 0,
  ) {}

  advance(n: number): void {
    this.done_ += n;
    const now = Date.now();
    if (now - this.lastDraw > 200) this.draw(now);
  }

  done(): void {
    this.draw(Date.now());
    if (this.tty) process.stderr.write('\n');
  }

  private draw(now: number): void {
    this.lastDraw = now;
    const frac = Math.min(1, this.done_ / this.total);
    const mb = (b: number) => (b / 1e6).toFixed(1);
    const rate = this.done_ / Math.max(0.001, (now - this.t0) / 1000);
    const line = `aclImdb_v1.tar.gz ${(frac * 100).toFixed(0).padStart(3)}% ${mb(this.done_)}/${mb(this.total)} MB ${mb(rate)} MB/s`;
    if (this.tty) {
      const width = 30;
      const filled = Math.round(frac * width);
      process.stderr.write(`\r[${'='.repeat(filled)}${' '.repeat(width - filled)}] ${line}`);
    } else {
      // Logs get a line per 10%, not a carriage-return animation.
      const decile = Math.floor(frac * 10);
      if (decile !== this.lastDecile) {
        this.lastDecile = decile;
        process.stderr.write(`${line}\n`);
      }
    }
  }
}
