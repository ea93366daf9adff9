/**
 * One writer per run folder. A command that writes a run takes <folder>/.rnnlab.lock before it reads or trains
 * anything, and gives it back when the run ends, however it ends; so a second run into the same folder (another
 * terminal, a dashboard job) is refused up front instead of training in full and only then finding the folder
 * taken. The lock file appears in one step, whole (a hard link of a complete temp file; O_EXCL where the file system
 * has no links), and names its holder: pid, host and command line. A lock whose holder is gone (of this host, no
 * such live process: atomic.ts's writerGone, refined by the recorded process start against a reused pid) is taken over,
 * by one run at a time (removeStale): however many runs find it stale at once, exactly one of them ends up holding it.
 */
import { closeSync, linkSync, openSync, readdirSync, readFileSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { discardStaged, stageFile, TEMP_HOST, writerGone } from '../io/atomic.js';
import { aliveAs, ownProcessStart, type ProcessStart } from '../io/process_alive.js';
import { makeFolders } from '../local_files.js';

/** Hidden (the dashboard lists no dot-names) and no run file: readers of a run folder never look at it. */
export const RUN_LOCK_FILE = '.rnnlab.lock';

/** What a lock file says of the run holding it. */
export interface RunLockHolder {
  pid: number;
  /** The holder's host as atomic.ts names hosts (TEMP_HOST): a pid is only tested on its own host. */
  host: string;
  /** The command line that holds it ("rnnlab train --data d --out o", or the dashboard job's). */
  command: string;
  since: string;
  start?: ProcessStart;
  /** Tells this lock from one a later run wrote at the same path (release removes only its own). */
  token: string;
}

/** The folder is another live run's: its holder, or null where the lock file cannot be read as one. */
export class RunFolderBusy extends Error {
  /** `file`: the file naming the holder (the lock, or the guard of a run taking a stale lock over). */
  constructor(readonly dir: string, readonly holder: RunLockHolder | null, file = path.join(dir, RUN_LOCK_FILE)) {
    super(`${dir} is being written by another rnnlab run (${holderWords(holder, file)})`);
    this.name = 'RunFolderBusy';
  }
}

/** "pid 123 on this host: rnnlab train ..., since ...", for refusals. */
export function holderWords(h: RunLockHolder | null, file: string): string {
  if (!h) return `its lock file ${file} cannot be read; remove it if no run is writing there`;
  const where = h.host === TEMP_HOST ? 'this host' : `host ${h.host}`;
  const gone = h.host === TEMP_HOST ? '' : `; remove ${file} if that run is gone`;
  return `pid ${h.pid} on ${where}: ${h.command}, since ${h.since}${gone}`;
}

export interface RunFolderLock {
  readonly dir: string;
  /** Removes the lock (and the folders taking it made, while empty). Safe to call again. */
  release(): void;
}

interface Held { file: string; token: string; dir: string; made: string | undefined }

/** The locks this process holds, by lock file: given back at exit too (process.exit from a stop signal skips finally). */
const held = new Map<string, Held>();
let exitHook = false;

/** A stale lock's takeover guard: <lock file>.takeover-<16 hex digits of a hash of the stale lock's text>. */
const GUARD_INFIX = '.takeover-';

/** The steps of a takeover a test may hold a process at (setTakeOverHook), to force an interleaving of several runs. */
export type TakeOverStep = 'found-stale' | 'guarded';
let takeOverHook: ((step: TakeOverStep, file: string) => void) | null = null;
/** Test hook: called when a run has found the lock stale, and again once it holds the guard, before it removes the lock. */
export function setTakeOverHook(fn: ((step: TakeOverStep, file: string) => void) | null): void {
  takeOverHook = fn;
}

/** How long a run waits for another run's takeover of a stale lock to end before it gives up, refused. */
const TAKEOVER_WAIT_MS = 5000;
const PAUSE_MS = 10;

/**
 * Takes dir's lock for `command` (the command line to name in a refusal), making dir (and its parents) when missing;
 * throws RunFolderBusy when a live run holds it, this process's own runs included. `made`: the outermost folder the
 * caller made for this run just before (a default run folder, or the runs/ it made for it), removed as the folders
 * taking the lock makes are: at release, and at exit, while empty.
 */
export function lockRunFolder(dir: string, command: string, made?: string): RunFolderLock {
  const file = path.resolve(dir, RUN_LOCK_FILE);
  const madeNow = makeFolders(dir);
  const mine = holderText(command);
  const h: Held = { file, token: mine.token, dir: path.resolve(dir), made: made === undefined ? madeNow : path.resolve(made) };
  try {
    const until = Date.now() + TAKEOVER_WAIT_MS;
    let takenOver = 0;
    for (let tries = 0; ; tries++) {
      if (create(file, mine.text)) break;
      // Released meanwhile (null): tried again, a few times.
      const text = readText(file);
      const holder = text === null ? null : parseHolder(text);
      if (text === null) {
        if (tries >= 5) throw new RunFolderBusy(dir, null);
        continue;
      }
      if (!holder || !isStale(holder, file)) throw new RunFolderBusy(dir, holder);
      takeOverHook?.('found-stale', file);
      const waiting = removeStale(file, text, command, 0);
      if (waiting) {
        // Another live run taking the stale lock over is given a moment to end, then named in the refusal.
        if (Date.now() > until) throw new RunFolderBusy(dir, waiting.holder, waiting.guard);
        pause(PAUSE_MS);
      } else if (++takenOver > 10) throw new RunFolderBusy(dir, holder);
    }
  } catch (e) {
    removeMadeFolders(h);
    throw e;
  }
  held.set(file, h);
  sweepDeadGuards(file);
  if (!exitHook) { exitHook = true; process.on('exit', () => { for (const x of [...held.values()]) releaseHeld(x); }); }
  return { dir, release: () => { if (held.get(file) === h) releaseHeld(h); } };
}

/** This process as a lock file (or a takeover guard) names it, with a token of its own. */
function holderText(command: string): { text: string; token: string } {
  const start = ownProcessStart();
  const h: RunLockHolder = { pid: process.pid, host: TEMP_HOST, command, since: new Date().toISOString(), ...(start ? { start } : {}), token: randomBytes(8).toString('hex') };
  return { text: JSON.stringify(h) + '\n', token: h.token };
}

/**
 * Removes the stale lock (or stale guard) `file` read as `staleText`, under a guard only one run can hold: the guard's
 * name is made from the stale text, created whole in one step (as a lock is), and the file is removed only while it
 * still reads as that text. No run but the guard's holder removes it, and a lock written since (by a run that took
 * over first) never has the same text (its token is new), so a fresh lock is never removed as the stale one. A guard
 * whose holder is gone (died mid-takeover) is itself removed the same way, one level up. Returns null when the
 * takeover is done (by this run or another), else the guard to wait for and its holder (null while it cannot be
 * read: one being written where the file system has no hard links).
 */
function removeStale(file: string, staleText: string, command: string, depth: number): { guard: string; holder: RunLockHolder | null } | null {
  const guard = `${file}${GUARD_INFIX}${createHash('sha256').update(staleText).digest('hex').slice(0, 16)}`;
  if (!create(guard, holderText(`${command} (taking over a stale lock)`).text)) {
    const text = readText(guard);
    if (text === null) return null;
    const holder = parseHolder(text);
    if (!holder || !isStale(holder, guard) || depth >= 2) return { guard, holder };
    return removeStale(guard, text, command, depth + 1);
  }
  try {
    takeOverHook?.('guarded', file);
    if (readText(file) === staleText) { try { unlinkSync(file); } catch { /* gone already */ } }
  } finally {
    try { unlinkSync(guard); } catch { /* gone already */ }
  }
  return null;
}

/**
 * Takeover guards left in the folder by runs that died mid-takeover. Run once this run holds the lock: a guard is
 * named after a stale lock's text, which can no longer be in the folder, so none of them guards anything now.
 */
function sweepDeadGuards(file: string): void {
  const prefix = `${RUN_LOCK_FILE}${GUARD_INFIX}`;
  let names: string[];
  try { names = readdirSync(path.dirname(file)).filter((n) => n.startsWith(prefix)); } catch { return; }
  for (const n of names) {
    const guard = path.join(path.dirname(file), n);
    const holder = parseHolder(readText(guard) ?? '');
    if (holder && isStale(holder, guard)) { try { unlinkSync(guard); } catch { /* gone already */ } }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** The lock file made whole in one step; false when one is there already. */
function create(file: string, text: string): boolean {
  const tmp = stageFile(file, text);
  try {
    linkSync(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw e;
  } finally {
    discardStaged(tmp);
  }
  // No hard links here: O_EXCL still makes the name one run's; a reader may briefly find it empty (busy, unreadable).
  let fd: number;
  try { fd = openSync(file, 'wx', 0o644); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try { writeSync(fd, text); } finally { closeSync(fd); }
  return true;
}

function readText(file: string): string | null {
  try { return readFileSync(file, 'utf8'); } catch { return null; }
}

function parseHolder(text: string): RunLockHolder | null {
  try {
    const h = JSON.parse(text) as Partial<RunLockHolder>;
    if (Number.isSafeInteger(h.pid) && typeof h.host === 'string' && typeof h.command === 'string' && typeof h.since === 'string' && typeof h.token === 'string') return h as RunLockHolder;
  } catch { /* not a lock file this code wrote */ }
  return null;
}

/**
 * A holder that is gone: a dead process of this host, or this very process with no run holding the lock any more (a
 * run in-process that ended without giving it back). Another host's lock is never stale here.
 */
function isStale(h: RunLockHolder, file: string): boolean {
  if (h.host === TEMP_HOST && h.pid === process.pid) return held.get(file)?.token !== h.token;
  return writerGone(h, (pid) => aliveAs(pid, h.start));
}

function releaseHeld(h: Held): void {
  held.delete(h.file);
  // Only this run's own lock: one a later run took over (this process was thought gone) is that run's.
  if (parseHolder(readText(h.file) ?? '')?.token === h.token) { try { unlinkSync(h.file); } catch { /* gone already */ } }
  removeMadeFolders(h);
}

/** The folders taking the lock made (a new --out), removed while empty: a run that wrote nothing leaves nothing. */
function removeMadeFolders(h: Held): void {
  if (h.made === undefined) return;
  for (let at = h.dir; ; at = path.dirname(at)) {
    try { rmdirSync(at); } catch { return; /* holds something: kept */ }
    if (at === h.made || path.dirname(at) === at) return;
  }
}
