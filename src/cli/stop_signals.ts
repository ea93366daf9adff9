/**
 * Ctrl-C (SIGINT), SIGTERM or a closed terminal (SIGHUP) during a long command that stops cleanly: the first aborts
 * the returned signal (the command finishes what it can and writes what it has), the second exits at once.
 */
import { STOP_SIGNALS, type CliContext } from './context.js';
import { commandListeners, dispatchPendingSignals } from './early_stop.js';

export function onStopSignals(line: (s: string) => void, stopping: () => string | null): { signal: AbortSignal; release: () => void } {
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) {
      line('Stopped at once.');
      process.exit(130);
    }
    const words = stopping();
    if (words !== null) line(words);
    stop.abort();
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  return { signal: stop.signal, release: () => { for (const sig of STOP_SIGNALS) process.off(sig, onSignal); } };
}

/**
 * The end of a training run, after fit: first what it computes from the trained model (test passes, the summary),
 * then the writes of its run folder. Node's default for a signal then would end the process silently, possibly
 * between two files, leaving a folder that mixes this run's files with an earlier run's. While armed, a stop signal
 * (or a closed stdout, which bin/rnnlab.js turns into one) during the computing ends the process at once with exit
 * code 130 and nothing of the run written; during the writes it waits for them (short), so the folder always holds
 * one run, and the run then ends with 130. Either way one line on stderr says what happened and what to do.
 * A run that keeps nothing before its writes (an experiment: no checkpoint) arms it from its start.
 */
export class RunEndGuard {
  private writingNow = false;
  private stoppedWhileWriting = false;
  private armed = false;
  private readonly onSignal = () => this.signalled();

  /**
   * notWritten: the line for a stop before any write (what was kept, how to get the results); written: the line
   * for one during the writes. beforeExit: what to tidy before leaving at once (an empty default run folder).
   */
  constructor(private readonly err: (s: string) => void, private readonly words: { notWritten: string; written: () => string }, private readonly beforeExit: () => void = () => {}) {}

  /**
   * From here a stop signal is this guard's (call it before any other handler is removed, so none gets through).
   * 'writing' for a run that has nothing left to compute and keeps what it trained (compare): no stop discards it.
   */
  arm(phase: 'computing' | 'writing' = 'computing'): void {
    if (phase === 'writing') this.writingNow = true;
    if (this.armed) return;
    this.armed = true;
    for (const sig of STOP_SIGNALS) process.on(sig, this.onSignal);
  }

  /**
   * The writes start: a signal that came during a synchronous pass before is dispatched on these turns of the
   * event loop (two, as the first after a long synchronous stretch may not poll the signal yet) and still finds
   * nothing written.
   */
  async writing(): Promise<void> {
    this.arm();
    await twoTurns();
    this.writingNow = true;
  }

  /** The writes are done: `code`, or 130 when a stop signal came while they ran (said on stderr). */
  async finish(code: number): Promise<number> {
    await twoTurns();
    this.release();
    if (!this.stoppedWhileWriting) return code;
    this.err(this.words.written());
    return 130;
  }

  release(): void {
    if (!this.armed) return;
    this.armed = false;
    for (const sig of STOP_SIGNALS) process.off(sig, this.onSignal);
  }

  private signalled(): void {
    if (this.writingNow) {
      // A second one does not cut the writes short either: they are what keeps the folder whole.
      if (!this.stoppedWhileWriting) this.err('rnnlab: stopping once the run\'s files are written (they are written whole)');
      this.stoppedWhileWriting = true;
      return;
    }
    this.err(this.words.notWritten);
    this.beforeExit();
    process.exit(130);
  }
}

const twoTurns = async () => { for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r)); };

/** The run folders this process holds locked (lockRunFolderFlag), each with how to give it back on a stop. */
const lockedFolders = new Map<symbol, { dir: string; isDefault: boolean; giveBack: () => void }>();

/**
 * A stop signal while a run folder is locked and no handler of the command's listens (it reads its data before
 * training; evaluate has none): Node's default would end the process silently, leaving the lock and a --out folder
 * that taking it made. Only when it is the signal's one listener does this act, so a command's own handlers, once
 * installed, take precedence: one line says nothing was written, each lock is given back (with the folders it
 * made, while empty) and the process exits 130.
 */
function stoppedWhileLocked(signal?: NodeJS.Signals): void {
  if (commandListeners(signal ?? 'SIGINT') > 1) return;
  const held = [...lockedFolders.values()];
  // A default folder made for the run goes with its lock, so it is not named as if it stayed.
  const kept = held.filter((h) => !h.isDefault).map((h) => h.dir);
  process.stderr.write(`rnnlab: stopped before anything was written; nothing was written${kept.length ? ` to ${kept.join(' or ')}` : ''}\n`);
  for (const h of held.reverse()) {
    try { h.giveBack(); } catch { /* the exit hook of run_lock.ts tries again */ }
  }
  process.exit(130);
}

/**
 * Covers dir (locked now) with stoppedWhileLocked until the returned function is called, at the lock's release.
 * isDefault: a default folder made for the run, which giveBack removes.
 */
export function stopWhileLocked(dir: string, giveBack: () => void, isDefault = false): () => void {
  const key = Symbol(dir);
  if (lockedFolders.size === 0) for (const sig of STOP_SIGNALS) process.on(sig, stoppedWhileLocked);
  lockedFolders.set(key, { dir, isDefault, giveBack });
  return () => {
    if (!lockedFolders.delete(key)) return;
    if (lockedFolders.size === 0) for (const sig of STOP_SIGNALS) process.off(sig, stoppedWhileLocked);
  };
}

/**
 * For a command that writes its run folder in one synchronous stretch once its data is read (evaluate, tokenize
 * --out), called right after the writes, its folder's lock still held: a stop signal that came meanwhile is dispatched
 * only now, and once the lock's handler (which says nothing was written) is gone Node's default would end the process
 * silently. Answered here with what is then true: exit 130, the run in `dir` whole.
 */
export async function stopAfterTheWrites(command: string, dir: string, ctx: CliContext): Promise<void> {
  const onSignal = () => {
    ctx.err.write(`rnnlab ${command}: stopped after its run was written; ${dir} holds it whole\n`);
    process.exit(130);
  };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  try {
    await dispatchPendingSignals();
  } finally {
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
  }
}

/**
 * For a command whose one write is asynchronous (export: a temp file synced and renamed over --out), so a stop signal
 * would otherwise be answered mid-write, by a line saying nothing was written beside the temp file it leaves: a stop
 * while `write` runs waits for it (short), as stopAfterTheWrites does for the run folders, and is then answered with
 * what is true, `said(code)` for write's exit code (the file written whole, or the write failed and nothing was),
 * and exit code 130. A stop before `write` starts is the early-stop handler's: nothing was written.
 */
export async function finishTheWrite(write: () => Promise<number>, said: (code: number) => string, ctx: CliContext): Promise<number> {
  let stopped = false;
  const onSignal = () => { stopped = true; };
  for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  let code: number;
  try {
    code = await write();
    await dispatchPendingSignals();
  } finally {
    for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
  }
  if (!stopped) return code;
  ctx.err.write(`${said(code)}\n`);
  return 130;
}
