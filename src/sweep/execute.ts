/**
 * Runs one run of a sweep in its own process (a crash takes out that run, not the sweep) and reports its
 * progress line by line. A run folder that already holds a completed results.json is not run again; one that
 * holds a checkpoint is resumed from it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { compiledEntry } from '../compiled_entry.js';
import { lineSplitter } from '../line_splitter.js';
import { makeFolders } from '../local_files.js';
import { RESULTS_FILE } from '../report/record.js';
import { runArgv, type SweepRun } from './expand.js';
import { clearUnfinishedOutputs, RUN_WRITES } from './leftovers.js';
import { readOutcome, type RunOutcome } from './outcome.js';
import { cleanStaleTemps, closeStaleStamp, liveStamp, WORKER_FILE, workerLog, workerStampOf, type WorkerStamp } from './worker_file.js';

export interface ExecuteOptions {
  /** The sweep folder; the run goes to <sweepDir>/runs/<id>. */
  sweepDir: string;
  /** Kernel threads for this run. */
  threads: number;
  /** Each line the run prints (with --verbose 2: one per epoch). */
  onLine?: (line: string) => void;
  /** Stops the run as Ctrl-C stops the CLI (an imdb run saves a checkpoint at the batch boundary); it then throws RunInterruptedError. */
  signal?: AbortSignal;
  /** Who runs it (a queue worker's name, a local pool's slot): recorded in the run folder's worker.json. */
  worker?: string;
  /**
   * Something about the run's folder its caller should say, that does not change the run's fate: worker.json could
   * not be closed, or an earlier try's unfinished outputs were cleared. Without it, a process warning.
   */
  onWarning?: (message: string) => void;
  /**
   * Called once the run is known to be neither complete nor being run elsewhere, before its folder is touched: what
   * it throws ends the run unstarted (a queue worker refuses a job of another version, or one whose input it lacks),
   * while a completed or busy run is still answered as such, whatever this caller would refuse.
   */
  beforeStart?: () => void;
}

export interface ExecuteResult {
  /** 'skipped': it had completed before. */
  how: 'ran' | 'resumed' | 'skipped';
  outcome: RunOutcome;
}

export class RunFailedError extends Error {
  /** `signal`: what ended the run when it did not exit (SIGKILL from the out-of-memory killer, say). */
  constructor(readonly runId: string, readonly exitCode: number | null, readonly tail: string, readonly signal: NodeJS.Signals | null = null) {
    super(`run ${runId} failed (exit ${exitCode ?? `by signal${signal ? ` ${signal}` : ''}`})${tail ? `: ${tail}` : ''}`);
    this.name = 'RunFailedError';
  }
}

/** A run stopped through ExecuteOptions.signal: not a failed attempt; its checkpoint, if it wrote one, resumes it. */
export class RunInterruptedError extends RunFailedError {
  constructor(runId: string, exitCode: number | null) {
    super(runId, exitCode, 'stopped');
    this.name = 'RunInterruptedError';
  }
}

/** The run is being trained right now by another worker (or another slot of this one): starting it too would mix two trainings in one folder. */
export class RunBusyError extends Error {
  constructor(readonly runId: string, readonly holder: WorkerStamp) {
    super(`run ${runId} is being run by ${holder.worker} (pid ${holder.pid} on ${holder.host})`);
    this.name = 'RunBusyError';
  }
}

export function runDirOf(sweepDir: string, run: SweepRun): string {
  return path.join(sweepDir, 'runs', run.id);
}

/** How the CLI's child says its report.png was not written (src/cli/printer.ts). */
const PNG_WARNING = 'rnnlab: report.png not written: ';

const EPOCH_LINE = /Epoch (\d+)\/(\d+)/;

/** The epoch a progress line reports, if any. */
export function epochOfLine(line: string): { epoch: number; epochs: number } | null {
  const m = EPOCH_LINE.exec(line);
  return m ? { epoch: Number(m[1]), epochs: Number(m[2]) } : null;
}

/**
 * A V8 stack frame, as lineSplitter hands it over (trimmed): `at fn (file:///x.js:1:2)`, `at node:internal/y:3:4`,
 * `at <anonymous>`, `at async Promise.all (index 0)`; Node ends an error's last frame with ` {` when the error's own
 * properties follow.
 */
const STACK_FRAME = /^at (?:.* \()?(?:[^()]*:\d+:\d+|<anonymous>|native|index \d+)\)?( \{)?$/;
/** The heading Node gives the frames of an 'error' event no listener took (its error's message is the line above). */
const EMITTED_AT = /^Emitted '[^']*' event on .* at:$/;
/** What Node prints for the frames an error shares with its cause's stack, in place of them. */
const SHARED_FRAMES = /^\.\.\. \d+ lines? matching cause stack trace \.\.\.$/;
/** An error's cause in its property block (`[cause]: Error: why`, `[cause]: 'why'`), not one that opens a block of its own. */
const CAUSE = /^\[cause\]: (?![{[]$)/;
/** A cause that is an error, as its stack begins (`[cause]: TypeError: why`, `[cause]: Error [ERR_X]: why`): its message may span lines. */
const ERROR_CAUSE = /^\[cause\]: [\w$.]+(?: \[[^\]]+\])?:(?: |$)/;
/** An error cause printed without frames whose message spans lines (`[cause]: [Error: first`), which its `]` closes. */
const BRACKETED_CAUSE = /^\[cause\]: \[(?!.*\](?: \{)?$)/;
/** The stderr lines (explainingLines only) kept for a failure's reason and missingChart. */
const KEPT_LINES = 12;
const REASON_LINES = 5;
/** How far a cause's message, its further lines joined to its first, may run in a reason before the rest is cut. */
const CAUSE_CHARS = 1500;
/** How a cause's further lines are set off in a reason. */
const CAUSE_INDENT = '    ';

/**
 * Whether a line of a run's stderr can say why it failed: false, true, or 'continued' for a further line of the
 * message of the cause above (`[cause]: Error: first line`, then `second line`), which belongs with that line.
 */
export type Explains = (line: string) => boolean | 'continued';

/**
 * Which lines of a run's stderr can say why it failed (one filter per stream: it remembers where it is). Not a stack
 * frame, its "Emitted 'error' event" heading, nor the `{ ... }` block of an error's own properties (code, errno ...)
 * Node prints after the last frame, which would push the message out of the kept lines and the reason; but the line
 * of the error's cause in that block (and of its cause's cause) is kept, with every line of its message: a wrapping
 * error's message often leaves the why to it.
 */
export function explainingLines(): Explains {
  // Nesting in the property block: Node's util.inspect ends a line with each `{`/`[` it opens across lines and starts
  // one with its `}`/`]`.
  let depth = 0;
  // Inside a cause's message: until its first frame ('framed'), or until the `]` of one printed without frames.
  let cause: 'framed' | 'bracketed' | null = null;
  return (line) => {
    if (cause === 'bracketed') {
      if (/\](?: \{)?$/.test(line)) {
        cause = null;
        if (line.endsWith('{')) depth++;
      }
      return 'continued';
    }
    // A framed cause's message ends at its first frame, or at the block's end when it has no frames.
    if (cause === 'framed' && !STACK_FRAME.test(line) && !SHARED_FRAMES.test(line) && !/^[}\]]/.test(line)) return 'continued';
    cause = null;
    if (depth > 0) {
      if (CAUSE.test(line)) {
        if (BRACKETED_CAUSE.test(line)) cause = 'bracketed';
        // An error's message is text: a `{` ending it opens nothing.
        else if (ERROR_CAUSE.test(line)) cause = 'framed';
        else if (/[{[]$/.test(line)) depth++;
        return true;
      }
      if (/^[}\]]/.test(line)) depth--;
      if (/[{[]$/.test(line)) depth++;
      return false;
    }
    const frame = STACK_FRAME.exec(line);
    if (frame?.[1]) depth = 1;
    return !frame && !EMITTED_AT.test(line) && !SHARED_FRAMES.test(line);
  };
}

/**
 * The last `limit` lines of a stream that explainingLines keeps, a cause's further lines joined to its line, indented,
 * up to CAUSE_CHARS; what is cut past that is counted on a line of its own. `end()` once the stream has ended.
 */
export function keptLines(limit = KEPT_LINES): { lines: string[]; push: (line: string, how: true | 'continued') => void; end: () => void } {
  const lines: string[] = [];
  let cut = 0;
  const end = () => {
    if (cut) lines[lines.length - 1] += `\n${CAUSE_INDENT}(${cut} more line${cut === 1 ? '' : 's'} of it cut)`;
    cut = 0;
  };
  return {
    lines,
    push: (line, how) => {
      if (how === 'continued' && lines.length) {
        const last = lines[lines.length - 1];
        if (cut || last.length + CAUSE_INDENT.length + line.length + 1 > CAUSE_CHARS) cut++;
        else lines[lines.length - 1] = `${last}\n${CAUSE_INDENT}${line}`;
        return;
      }
      end();
      lines.push(line);
      if (lines.length > limit) lines.shift();
    },
    end,
  };
}

/**
 * Why a run failed, from the last lines of its stderr (only explainingLines kept): its error's message, not the
 * rest of a stack. Node's own trailer of an uncaught error ("Node.js v20.1.0"), the source excerpt it prints above
 * one (location, code, caret) and a stack's heading that repeats a message already said (RNNLAB_DEBUG prints the
 * stack after the CLI's "rnnlab <command>: error: <message>") are left out too.
 */
export function failureReason(lines: readonly string[]): string {
  const kept: string[] = [];
  for (const line of lines) {
    if (/^Node\.js v\d/.test(line)) continue;
    if (/^\^+$/.test(line)) {
      // Above the caret: the code line, and above it the file:line it is at.
      kept.pop();
      if (/:\d+$/.test(kept[kept.length - 1] ?? '')) kept.pop();
      continue;
    }
    const heading = /^[\w.]*(?:Error|Exception)\w*: (.+)$/.exec(line);
    if (heading && kept.some((k) => k.endsWith(heading[1]))) continue;
    kept.push(line);
  }
  return kept.slice(-REASON_LINES).join(' | ');
}

/** Runs the child to its end, passing its lines on (and its progress to the stamp); resolves with its exit code, or the signal that ended it. */
function runChild(entry: string, argv: string[], o: ExecuteOptions, seen: ReturnType<typeof workerLog>, tail: ReturnType<typeof keptLines>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...argv], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, RNNLAB_THREADS: String(o.threads) },
      // Its own process group: a Ctrl-C in the terminal reaches only the sweep or worker, which passes it on once
      // (a training run given Ctrl-C twice exits at once, without its checkpoint). Its stdin still ends it with the parent.
      detached: true,
    });
    const onAbort = () => child.kill('SIGINT');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const lines = (kept: ReturnType<typeof keptLines> | null) => {
      const explains = explainingLines();
      return lineSplitter((line) => {
        o.onLine?.(line);
        const e = epochOfLine(line);
        if (e) seen.epoch(e);
        const how = kept ? explains(line) : false;
        if (how) kept!.push(line, how);
      });
    };
    const out = lines(null), err = lines(tail);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => out.push(c));
    child.stderr.on('data', (c: string) => err.push(c));
    child.on('error', (e) => { o.signal?.removeEventListener('abort', onAbort); reject(e); });
    child.on('close', (code, signal) => {
      out.flush();
      err.flush();
      tail.end();
      o.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal });
    });
  });
}

/**
 * A completed run lacks its chart when report.png could not be written (a full disk): what to say, with the reason
 * the run printed on its stderr (the last lines of which, explainingLines only, are `stderrTail`; a sweep shows them
 * only for failed runs).
 */
export function missingChart(dir: string, stderrTail: readonly string[]): string | null {
  if (existsSync(path.join(dir, 'report.png'))) return null;
  const why = stderrTail.find((l) => l.startsWith(PNG_WARNING));
  return `completed without report.png${why ? ` (${why.slice(PNG_WARNING.length)})` : ''}`;
}

/** The worker.json problems this process has reported, by file and problem: each is said once, not at every read. */
const stampProblemsSaid = new Set<string>();

/**
 * Why the run folder's worker.json is not read, the first time this process finds it (null after that, and when it
 * is read or there is none). Such a stamp counts as none: the run shows no worker, its attempts are not counted from
 * it and it is not taken as running elsewhere, which the user sees without this with no hint why.
 */
export function unreadStampWarning(dir: string): string | null {
  const { problem } = workerStampOf(dir);
  if (problem === null) return null;
  const key = `${path.resolve(dir)}\0${problem}`;
  if (stampProblemsSaid.has(key)) return null;
  stampProblemsSaid.add(key);
  // Named by its whole path, as a stamp that cannot be written is: the run folder's name alone is in every sweep.
  const short = `${path.basename(dir)}/${WORKER_FILE}`;
  const named = problem.startsWith(short) ? path.join(path.resolve(dir), WORKER_FILE) + problem.slice(short.length) : problem;
  return `${named}, so the run counts as having no worker stamp (no worker shown, no attempts counted from it, not taken as running elsewhere) until a worker starts it and writes a whole one`;
}

function warn(o: ExecuteOptions, message: string): void {
  if (o.onWarning) o.onWarning(message);
  else process.emitWarning(message);
}

export async function executeRun(run: SweepRun, o: ExecuteOptions): Promise<ExecuteResult> {
  const dir = path.resolve(runDirOf(o.sweepDir, run));
  cleanStaleTemps(dir);
  const unread = unreadStampWarning(dir);
  if (unread) warn(o, `run ${run.id}: ${unread}`);
  const before = readOutcome(dir);
  if (before?.status === 'completed') {
    closeStaleStamp(dir, 'completed');
    return { how: 'skipped', outcome: before };
  }
  const holder = liveStamp(dir);
  if (holder) throw new RunBusyError(run.id, holder);
  o.beforeStart?.();
  // readOutcome said "not done": unreadable outputs must not keep the run from running again, unless the run refuses
  // its folder anyway; then they stay, and the run's refusal below names what it refuses.
  const cleared = clearUnfinishedOutputs(dir, RUN_WRITES[run.command]);
  if (cleared.removed.length) warn(o, `run ${run.id}: removed ${cleared.removed.join(', ')}, left by an earlier try without a readable ${RESULTS_FILE}; running it again`);
  if (cleared.refused.length) warn(o, `run ${run.id}: removed nothing that an earlier try left: the run refuses ${cleared.refused.join(', ')}`);
  makeFolders(dir);
  const argv = runArgv(run, dir, o.threads);
  const resumed = existsSync(path.join(dir, 'checkpoint', 'checkpoint.json'));
  if (resumed) argv.push('--resume', dir);
  // The sweep code names the CLI's child by path so that it does not import the CLI.
  const entry = compiledEntry('cli/sweep_child.js');
  if (!existsSync(entry)) throw new Error(`the compiled CLI is missing (${path.relative(process.cwd(), entry)}): run npm run build`);
  if (o.signal?.aborted) throw new RunInterruptedError(run.id, null);

  const tail = keptLines();
  const seen = workerLog(dir, o.worker ?? `${hostname()}:${process.pid}`);
  const close = (state: 'completed' | 'failed' | 'interrupted') => {
    const err = seen.end(state);
    // The stamp still says "running": other processes see the heartbeat stop (or this pid end), this one knows it is not running it.
    if (err) warn(o, `run ${run.id}: ${err.message}; it still says "running", though the run ${state === 'completed' ? 'completed' : state === 'interrupted' ? 'was stopped' : 'failed'}`);
  };
  let code: number | null, signal: NodeJS.Signals | null;
  try {
    ({ code, signal } = await runChild(entry, argv, o, seen, tail));
  } catch (e) {
    // A child that could not start: its stamp must not stay "running" (the run would look busy to every worker).
    close('failed');
    throw e;
  }
  const outcome = readOutcome(dir);
  // A run that wrote its completed record as the stop reached it (exit 130) completed: nothing is left to resume.
  const completed = outcome?.status === 'completed' && (code === 0 || o.signal?.aborted === true);
  close(completed ? 'completed' : o.signal?.aborted ? 'interrupted' : 'failed');
  if (!completed && o.signal?.aborted) throw new RunInterruptedError(run.id, code);
  if (!completed) throw new RunFailedError(run.id, code, failureReason(tail.lines), signal);
  const chart = missingChart(dir, tail.lines);
  if (chart) warn(o, `run ${run.id}: ${chart}`);
  return { how: resumed ? 'resumed' : 'ran', outcome: outcome! };
}
