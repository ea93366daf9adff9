/**
 * The kernel threads that rnnlab workers and local sweeps on this machine have claimed. Each one registers its
 * runs × threads in a small file while it runs, so a second worker started on the same machine sizes its runs to
 * the cores the first left, and one that is told to use more than the machine has says so. (Each worker alone
 * already fits its own runs to the cores; two of them, each sized for the whole machine, ran twice the threads.)
 *
 * Two starting at the same instant: each writes its claim first (provisional: what it would take alone), then reads
 * the others'. Of any two, the later reader sees the earlier writer, so one of them always counts the other. Claims
 * are ordered (time, pid, sequence): a claim counts a provisional one ordered before it at its full request, and
 * waits for one ordered after it to settle before counting it, so two simultaneous starters split the cores between
 * them rather than both taking all of them (or both shrinking to one thread).
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { aliveAs, ownProcessStart } from '../io/process_alive.js';
import { makeFolders } from '../local_files.js';

/** Where the claims live: one folder per machine (its temp folder), one file per claim. */
export function claimsDir(): string {
  return path.join(tmpdir(), 'rnnlab-threads');
}

/** A claim file: `threads` is final once `settled`; until then it is what the claimer would take alone. */
interface Claim { pid: number; writer: unknown; threads: number; what: string; settled?: boolean; order?: [number, number, number] }

interface Found { name: string; claim: Claim }

/** Claims of live processes, except `except` (a file name); the files of processes that are gone are removed. */
function liveClaims(dir: string, except?: string): Found[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^\d+(-\d+)?\.json$/.test(n) && n !== except);
  } catch {
    return [];
  }
  const found: Found[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    let c: Claim;
    try {
      c = JSON.parse(readFileSync(file, 'utf8')) as Claim;
    } catch {
      continue; // being written, or not ours to judge
    }
    if (typeof c.threads !== 'number' || typeof c.pid !== 'number') continue;
    if (!aliveAs(c.pid, c.writer)) { rmSync(file, { force: true }); continue; }
    found.push({ name, claim: c });
  }
  return found;
}

const holder = (c: Claim) => `${c.what} (pid ${c.pid}): ${c.threads}`;

/** The threads other live processes of this machine have claimed; the files of processes that are gone are removed. */
export function threadsClaimedByOthers(dir = claimsDir()): { threads: number; holders: string[] } {
  const others = liveClaims(dir).filter((f) => f.claim.pid !== process.pid);
  return { threads: others.reduce((n, f) => n + f.claim.threads, 0), holders: others.map((f) => holder(f.claim)) };
}

let sequence = 0;

/** A file for a new claim of this process, written atomically; false when it cannot be (a claim never stops a sweep). */
function writeClaim(file: string, claim: Claim): boolean {
  try {
    makeFolders(path.dirname(file));
    writeFileAtomic(file, JSON.stringify(claim));
    return true;
  } catch {
    return false;
  }
}

const before = (a: [number, number, number], b: [number, number, number]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

export interface HostClaim {
  /** The cores left to this claim by the others (at least 1). */
  free: number;
  /** The others as counted, for the oversubscription note. */
  others: { threads: number; holders: string[] };
  release: () => void;
}

export interface ClaimOptions { dir?: string; cores?: number; /** How long to wait for a later simultaneous claim to settle. */ settleMs?: number }

/**
 * Claims threads for this process until release() (or its exit). `take(free)` is the threads it would run given
 * `free` cores (the caller's own sizing); the claim records take(free) for the free cores the others left.
 */
export async function claimHostThreads(take: (free: number) => number, what: string, o: ClaimOptions = {}): Promise<HostClaim> {
  const dir = o.dir ?? claimsDir();
  const cores = o.cores ?? availableParallelism();
  const name = `${process.pid}-${++sequence}.json`;
  const file = path.join(dir, name);
  const base = { pid: process.pid, writer: ownProcessStart(), what };
  const order: [number, number, number] = [Date.now(), process.pid, sequence];
  const written = writeClaim(file, { ...base, threads: take(cores), settled: false, order });
  // Yield once: another claimer of this process (or a process started at the same instant) writes meanwhile.
  await new Promise((r) => setImmediate(r));
  const deadline = Date.now() + (o.settleMs ?? 2000);
  let others = liveClaims(dir, name);
  // A provisional claim after this one waits for this one's (it counts it in full), so it settles soon: wait for it.
  const later = (f: Found) => f.claim.settled === false && f.claim.order !== undefined && before(f.claim.order, order) > 0;
  while (others.some(later) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    others = liveClaims(dir, name);
  }
  // A provisional claim ordered before this one (or one that never settled) counts at its full request.
  const threads = others.reduce((n, f) => n + f.claim.threads, 0);
  const free = Math.max(1, cores - threads);
  if (!written || !writeClaim(file, { ...base, threads: take(free), settled: true, order })) {
    rmSync(file, { force: true });
    return { free, others: { threads, holders: others.map((f) => holder(f.claim)) }, release: () => undefined };
  }
  const release = () => rmSync(file, { force: true });
  process.once('exit', release);
  return { free, others: { threads, holders: others.map((f) => holder(f.claim)) }, release: () => { process.off('exit', release); release(); } };
}

/** The sentence to print when runs × threads here plus the other claims exceed the cores, else null. */
export function oversubscription(runs: number, threads: number, others: { threads: number; holders: string[] }, cores = availableParallelism(), runsFlag = '--parallel'): string | null {
  const total = runs * threads + others.threads;
  if (total <= cores) return null;
  const elsewhere = others.threads ? ` and ${others.threads} claimed by other rnnlab processes here (${others.holders.join(', ')})` : '';
  return `Note: ${runs} run(s) × ${threads} thread(s)${elsewhere} make ${total} threads on ${cores} core(s); the runs will slow each other down (lower ${runsFlag} or --threads)`;
}
