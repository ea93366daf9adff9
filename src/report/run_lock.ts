/**
 * One writer per run folder. A command that writes a run takes <folder>/.rnnlab.lock before it reads or trains
 * anything, and gives it back when the run ends, however it ends; so a second run into the same folder (another
 * terminal, a dashboard job) is refused up front instead of training in full and only then finding the folder
 * taken. The lock file appears in one step, whole (a hard link of a complete temp file; O_EXCL where the file system
 * has no links), and names its holder: pid, host and command line. A lock whose holder is gone (of this host, no
 * such live process: atomic.ts's writerGone, refined by the recorded process start against a reused pid) is taken over.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { discardStaged, stageFile, TEMP_HOST, TEMP_PREFIX, writerGone } from '../io/atomic.js';
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
  constructor(readonly dir: string, readonly holder: RunLockHolder | null) {
    super(`${dir} is being written by another rnnlab run (${holderWords(holder, path.join(dir, RUN_LOCK_FILE))})`);
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

/**
 * Takes dir's lock for `command` (the command line to name in a refusal), making dir (and its parents) when missing;
 * throws RunFolderBusy when a live run holds it, this process's own runs included.
 */
export function lockRunFolder(dir: string, command: string): RunFolderLock {
  const file = path.resolve(dir, RUN_LOCK_FILE);
  const made = makeFolders(dir);
  const start = ownProcessStart();
  const mine: RunLockHolder = { pid: process.pid, host: TEMP_HOST, command, since: new Date().toISOString(), ...(start ? { start } : {}), token: randomBytes(8).toString('hex') };
  const h: Held = { file, token: mine.token, dir: path.resolve(dir), made };
  try {
    for (let tries = 0; ; tries++) {
      if (create(file, JSON.stringify(mine) + '\n')) break;
      // Released meanwhile (null), or a stale lock moved aside: tried again, a few times.
      const text = readText(file);
      const holder = text === null ? null : parseHolder(text);
      if (tries >= 5 || (text !== null && (!holder || !isStale(holder, file)))) throw new RunFolderBusy(dir, holder);
      if (text !== null) takeOver(file, text);
    }
  } catch (e) {
    removeMadeFolders(h);
    throw e;
  }
  held.set(file, h);
  if (!exitHook) { exitHook = true; process.on('exit', () => { for (const x of [...held.values()]) releaseHeld(x); }); }
  return { dir, release: () => { if (held.get(file) === h) releaseHeld(h); } };
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

/**
 * Moves a stale lock aside, in one rename, so that of two runs taking it over at once one gets it. If what was moved
 * is no longer the stale lock read (another run took it over first), it is put back for that run.
 */
function takeOver(file: string, staleText: string): void {
  const aside = path.join(path.dirname(file), `${TEMP_PREFIX}${RUN_LOCK_FILE}-${process.pid}-${randomBytes(4).toString('hex')}@${TEMP_HOST}`);
  try { renameSync(file, aside); } catch { return; /* gone already: try again */ }
  if (readText(aside) !== staleText) { try { linkSync(aside, file); } catch { /* a third run holds it now */ } }
  try { unlinkSync(aside); } catch { /* gone already */ }
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
