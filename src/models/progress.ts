/**
 * Keras's progress output. verbose 1: a live bar with ETA on a TTY, one plain line per epoch elsewhere;
 * verbose 2: one line per epoch.
 */
export type Logs = Record<string, number>;

function formatLogs(logs: Logs): string {
  return Object.entries(logs).map(([k, v]) => ` - ${k}: ${fmtValue(v)}`).join('');
}

function fmtValue(v: number): string {
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(4);
}

function formatDuration(seconds: number): string {
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}:${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;
  return `${Math.round(seconds)}s`;
}

function formatPerStep(seconds: number): string {
  if (seconds >= 1) return `${Math.round(seconds)}s/step`;
  if (seconds >= 1e-3) return `${Math.round(seconds * 1e3)}ms/step`;
  return `${Math.round(seconds * 1e6)}us/step`;
}

export function bar(current: number, total: number, width = 30): string {
  const digits = String(total).length;
  const filled = Math.floor((width * current) / total);
  let inner = '='.repeat(Math.max(filled - (current < total ? 1 : 0), 0));
  if (current < total) inner += '>';
  inner = inner.padEnd(width, '.');
  return `${String(current).padStart(digits)}/${total} [${inner}]`;
}

export interface ProgressWriter { write(s: string): unknown; isTTY?: boolean }

/** Where fit's, evaluate's and a callback's messages go. */
export interface Writer { write(s: string): unknown }

/** Where a callback's (or fit's) messages go: an object with a write(text) method (default stdout). */
export function checkWriter(v: unknown, what: string, owner: string): Writer {
  if (v === undefined) return process.stdout;
  if (typeof v !== 'object' || v === null || typeof (v as Writer).write !== 'function') {
    throw new Error(`${owner}: ${what} must be a writer, an object with a write(text) method such as process.stdout, got ${describe(v)}`);
  }
  return v as Writer;
}

function describe(v: unknown): string {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return `an object with keys ${Object.keys(v).map((k) => `'${k}'`).join(', ') || '(none)'}`;
  return JSON.stringify(v) ?? String(v);
}


export class ProgressBar {
  private start: number;
  private lastDraw = 0;
  private readonly live: boolean;

  /** start: when the run of steps began (Date.now() by default; a dataset learns its step count only at the end). */
  constructor(private total: number, private verbose: 0 | 1 | 2, private out: ProgressWriter = process.stdout, start = Date.now()) {
    this.start = start;
    this.live = verbose === 1 && !!out.isTTY;
  }

  /** Whether update(current) would draw: callers build the logs only then. */
  wants(current: number): boolean {
    return this.live && (current >= this.total || Date.now() - this.lastDraw >= 100);
  }

  /** After each batch; logs are running means. */
  update(current: number, logs: Logs): void {
    if (!this.wants(current)) return;
    const now = Date.now();
    this.lastDraw = now;
    const elapsed = (now - this.start) / 1000;
    const eta = current > 0 ? (elapsed / current) * (this.total - current) : 0;
    this.out.write(`\r${bar(current, this.total)} - ETA: ${formatDuration(eta)}${formatLogs(logs)}\x1b[K`);
  }

  /** At the end of the epoch, with validation values included. */
  finish(logs: Logs): void {
    if (this.verbose === 0) return;
    const elapsed = (Date.now() - this.start) / 1000;
    const perStep = elapsed / Math.max(this.total, 1);
    if (this.verbose === 1) {
      this.out.write(`${this.live ? '\r' : ''}${bar(this.total, this.total)} - ${formatDuration(elapsed)} ${formatPerStep(perStep)}${formatLogs(logs)}${this.live ? '\x1b[K' : ''}\n`);
    } else {
      this.out.write(`${this.total}/${this.total} - ${formatDuration(elapsed)} - ${formatPerStep(perStep)}${formatLogs(logs)}\n`);
    }
  }
}
