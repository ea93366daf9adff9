/**
 * What a job's process said on stderr before it died, cut down to explain the crash in a job's error: the line
 * naming the cause (a Node crash ends with stack frames and "Node.js vNN", a V8 out-of-memory with native frames,
 * so the last lines alone lose it), the last few lines, each line and the whole capped in length.
 */
import { lineSplitter } from '../line_splitter.js';

/** A line that says what went wrong: `Error: ...`, `TypeError: ...`, `FATAL ERROR: Reached heap limit ...`, `Uncaught ...`. */
const CAUSE = /^(\w*Error\b|FATAL ERROR|Uncaught)/;
const TAIL_LINES = 3;
const MAX_LINE = 300;
const MAX_TOTAL = 1200;

const cut = (line: string, max: number) => (line.length > max ? `${line.slice(0, max - 1)}…` : line);

export class CrashNote {
  private cause: { line: string; at: number } | null = null;
  private first: { line: string; at: number } | null = null;
  private tail: { line: string; at: number }[] = [];
  private count = 0;
  private readonly lines = lineSplitter((line) => this.add(line));

  /** A chunk of stderr, as the pipe hands it over (a line may arrive in two chunks). */
  push(chunk: string | Buffer): void {
    this.lines.push(chunk);
  }

  private add(raw: string): void {
    const line = { line: cut(raw, MAX_LINE), at: this.count++ };
    this.first ??= line;
    if (!this.cause && CAUSE.test(raw)) this.cause = line;
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
  }

  /** The explanation ('' when the process said nothing), lines joined by " | ", "…" where lines were left out. */
  text(): string {
    this.lines.flush();
    const head = this.cause ?? this.first;
    const kept = head && !this.tail.some((l) => l.at === head.at) ? [head, ...this.tail] : this.tail;
    const parts: string[] = [];
    kept.forEach((l, i) => {
      if (i > 0 && l.at > kept[i - 1].at + 1) parts.push('…');
      parts.push(l.line);
    });
    return cut(parts.join(' | '), MAX_TOTAL);
  }
}
