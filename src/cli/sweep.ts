/**
 * `rnnlab sweep SPEC`: the lab's "try other hyper-parameters" exercise as one command. Runs every setting ×
 * seed of the spec on a local pool (default) or queues them on Redis for `rnnlab worker`s, then prints and writes
 * the ranked table, each axis's effect and the finding.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { createRunDir, defaultOutDir } from '../report/run.js';
import { expandRuns, specNotes, writtenAlike } from '../sweep/expand.js';
import { claimHostThreads, oversubscription } from '../sweep/host_threads.js';
import { poolSize, runSweepLocal, type SweepOutcome } from '../sweep/pool.js';
import { ConnectStoppedError, DEFAULT_QUEUE_NAME, enqueueSweep, type PathFlags, queueNameProblem, redisUrlProblem, shownUrl, waitForSweep } from '../sweep/queue.js';
import { summaryLines } from '../sweep/render.js';
import { precisionFallbackLine } from '../sweep/summary.js';
import { specMismatch, SWEEP_FILE } from '../sweep/record.js';
import { parseSpec, SweepSpecError, type FlagValue, type SweepCommand, type SweepSpec } from '../sweep/spec.js';
import { ADDITION_COMMAND_FLAGS } from './addition.js';
import { aliveAs, isProcessStart, ownProcessStart, type ProcessStart } from '../io/process_alive.js';
import { UsageError, type CliContext } from './context.js';
import { addFlags, convertFlag, helpExtras, type Flags, MAX_THREADS } from './flags.js';
import { IMDB_FLAGS } from './imdb.js';
import { onStopSignals } from './stop_signals.js';
import { checkOutFolder, entryOf, linksAmong, linkWords, quotedNames } from './paths.js';
import { checkWritesNotOverInputs, type FolderWrites } from './out_file.js';
import { errnoWords, makeFolders } from '../local_files.js';
import { isRunRecordFile, REPORT_FILES } from '../report/record.js';

/**
 * The flags each command a sweep runs takes: the spec's flags are checked against them when it is read, and a worker
 * checks a queued run's input paths on its own disk with their path checks.
 */
export const COMMAND_FLAG_SPECS: Record<SweepSpec['command'], Flags> = { imdb: IMDB_FLAGS, addition: ADDITION_COMMAND_FLAGS };
const COMMAND_FLAG_NAMES = { imdb: Object.keys(IMDB_FLAGS), addition: Object.keys(ADDITION_COMMAND_FLAGS) };

export const SWEEP_LOCK = '.sweep.lock';


/** What .sweep.lock holds: its sweep's pid, host and (on Linux) process start, so a reused pid is not taken for it. */
interface LockOwner { pid: number; host: string | null; writer: ProcessStart | null }

/** The pid first on its own line (what locks held before they named their host, and what older rnnlabs read), then the rest. */
const lockText = (o: LockOwner) => `${o.pid}\n${JSON.stringify(o)}\n`;

function parseLock(text: string): LockOwner | null {
  const [first, rest] = text.split('\n');
  if (!/^\d+$/.test(first.trim())) return null;
  const pid = Number(first.trim());
  try {
    const v = rest?.trim() ? JSON.parse(rest) as Partial<LockOwner> : {};
    return { pid, host: typeof v.host === 'string' ? v.host : null, writer: isProcessStart(v.writer) ? v.writer : null };
  } catch {
    return { pid, host: null, writer: null };
  }
}

/** Whether a lock's sweep may still be running: another machine's is assumed to be (its pids mean nothing here). */
function lockHeld(o: LockOwner): boolean {
  if (o.host !== null && o.host !== hostname()) return true;
  // This process's own pid: a lock left by an earlier process that had it (containers reuse small pids).
  if (o.pid === process.pid) return false;
  return aliveAs(o.pid, o.writer);
}

/**
 * The lock file created already holding its owner (written aside, then hard-linked into place: EEXIST when taken),
 * so no other sweep ever reads it empty and takes it for stale. False when it exists.
 */
function createLock(file: string, me: LockOwner): boolean {
  const aside = `${file}.${me.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, lockText(me), { flag: 'wx' });
  try {
    linkSync(aside, file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmSync(aside, { force: true });
  }
}

/**
 * A stale lock removed only if it is still the one judged stale: moved aside first (atomic), re-read, and put back
 * when another sweep's fresh lock was moved instead (two sweeps taking over one stale lock at once).
 */
function removeStaleLock(file: string, stale: string): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try { renameSync(file, aside); } catch { return; /* gone already */ }
  let moved = '';
  try { moved = readFileSync(aside, 'utf8'); } catch { /* unreadable: as stale */ }
  if (moved !== stale) {
    try { linkSync(aside, file); } catch { /* a third sweep holds it now: it decides */ }
  }
  rmSync(aside, { force: true });
}

/**
 * Takes the sweep folder for this process: <out>/.sweep.lock names its pid, host and process start. A second sweep
 * into the same folder is refused while the holder lives (or runs on another machine: that lock is never taken
 * over here, and is deleted by hand once that sweep is gone); a lock left by a process that died here is taken over.
 * Returns the release function.
 */
export function lockSweepDir(dir: string, command = 'sweep'): () => void {
  const file = path.join(dir, SWEEP_LOCK);
  makeFolders(dir);
  const me: LockOwner = { pid: process.pid, host: hostname(), writer: ownProcessStart() };
  for (let tries = 0; tries < 3; tries++) {
    if (createLock(file, me)) {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try { if (readFileSync(file, 'utf8') === lockText(me)) unlinkSync(file); } catch { /* gone already */ }
      };
      process.once('exit', release);
      return () => { process.off('exit', release); release(); };
    }
    let text: string;
    let owner: LockOwner | null;
    try {
      text = readFileSync(file, 'utf8');
      owner = parseLock(text);
    } catch { continue; /* released meanwhile */ }
    if (owner && lockHeld(owner)) {
      const where = owner.host && owner.host !== me.host ? ` on ${owner.host}` : '';
      throw new UsageError(`--out: another sweep (pid ${owner.pid}${where}) is running in ${dir}; two sweeps never write one folder. Wait for it, stop it, or give --out another folder${where ? ` (if it is gone, delete ${file})` : ''}`, command);
    }
    // A stale lock (its process is gone, or it is unreadable): take it over.
    removeStaleLock(file, text);
  }
  throw new UsageError(`--out: could not lock ${dir} (${SWEEP_LOCK} keeps reappearing); is another sweep starting there?`, command);
}

/**
 * --out checked up front: a folder (or a new one, not below a file). In a sweep folder (its sweep.json a file), which
 * the sweep resumes, report.html and report.png are the sweep's own and are replaced when they are plain files; any
 * other folder must hold no report.html, report.png or results.json, which are not the sweep's. A link in their place
 * (or in sweep.json's or runs/'s) is refused everywhere: the sweep would write through it.
 */
export function checkSweepOut(dir: string, command = 'sweep'): void {
  checkOutFolder('--out', dir, command, {
    // sweep.json is in the list so that one which is not a plain file (a folder, a link) clashes.
    names: [SWEEP_FILE, ...REPORT_FILES],
    replaceable: (d) => entryOf(path.join(d, SWEEP_FILE))?.isFile() ?? false,
    more: (d) => {
      const runs = entryOf(path.join(d, 'runs'));
      return runs && !runs.isDirectory() ? ['runs'] : [];
    },
    refusal: (clash) => {
      const links = linksAmong(dir, clash);
      const what = links.length ? `${linkWords(dir, links)}${links.length < clash.length ? ' among them' : ''}`
        : isRunRecordFile(path.join(dir, 'results.json')) ? 'an earlier run\'s outputs' : 'files this sweep did not write';
      return `--out: ${dir} already holds ${quotedNames(clash)} (${what}), which the sweep would write over; nothing was changed. ` +
        'Give --out a new or empty folder, or a sweep folder to resume';
    },
  });
}

/** What a sweep renames into its --out folder: a spec there under one of these names would be written over. */
const SWEEP_WRITES: FolderWrites = {
  names: [SWEEP_FILE, 'report.html', 'report.png'], who: 'this sweep', roles: { [SWEEP_FILE]: "the sweep's own record" }, takeOut: 'move',
};

const FLAGS: Flags = {
  out: { kind: 'path', metavar: 'DIR', help: 'the sweep folder (runs/, sweep.json, report.html); the same folder again resumes the sweep (default runs/<timestamp>-sweep-<command>/)' },
  parallel: { kind: 'int', min: 1, max: 1024, help: 'runs at once on this machine (default: one per core, each on one thread)' },
  threads: { kind: 'int', min: 1, max: MAX_THREADS, help: 'kernel threads per run (default: cores / parallel)' },
  queue: { kind: 'string', metavar: 'URL', help: 'queue the runs on Redis (redis://HOST:PORT, rediss:// for TLS) for `rnnlab worker`s instead of running them here' },
  'queue-name': { kind: 'string', metavar: 'NAME', default: DEFAULT_QUEUE_NAME, help: 'the BullMQ queue' },
  detach: { kind: 'bool', help: 'with --queue: return once the runs are queued' },
};

interface SweepFlags { out?: string; parallel?: number; threads?: number; queue?: string; queueName: string; detach?: boolean }

/** How a queue sweep ended: null when detached, 'unreached' when stopped before Redis was reached (nothing queued). */
type QueueEnd = null | 'unreached' | (SweepOutcome & { stopped: boolean });

/**
 * The command's path flags, which the jobs carry as absolute paths: resolved against this working folder, as a local
 * sweep's runs (children in this folder) read them, rather than against each worker's.
 */
function pathFlagsOf(spec: SweepSpec): PathFlags {
  const table = Object.entries(COMMAND_FLAG_SPECS[spec.command]).filter(([, f]) => f.kind === 'path');
  return { names: table.map(([n]) => n), inputs: table.filter(([, f]) => f.mustExist).map(([n]) => n), base: process.cwd() };
}

async function viaQueue(spec: SweepSpec, dir: string, f: SweepFlags, line: (s: string) => void, warn: (s: string) => void): Promise<QueueEnd> {
  const url = f.queue!;
  const pathFlags = pathFlagsOf(spec);
  let queued = false;
  // Installed before connecting: Ctrl-C while Redis is out of reach must still release the lock and say so. Until the
  // runs are queued the first Ctrl-C prints nothing of its own: the line saying where it stopped follows at once.
  // Ctrl-C while waiting stops the waiting, not the workers: sweep.json gets the runs' state so far.
  const stop = onStopSignals(line, () => (queued ? 'Stopping the wait: the workers go on with the queued runs; the same command waits again. Ctrl-C again stops at once.' : null));
  try {
    let q: { queued: number; done: number };
    try {
      q = await enqueueSweep(spec, dir, { url, name: f.queueName, onConnection: line, onWarning: warn, signal: stop.signal, pathFlags });
    } catch (e) {
      if (e instanceof ConnectStoppedError) return 'unreached';
      throw e;
    }
    queued = true;
    // Runs neither added nor complete had their job on the queue already (queued before): they are not queued twice.
    const onQueue = expandRuns(spec).length - q.queued - q.done;
    line(`Queued ${q.queued} run(s) on ${shownUrl(url)} (${onQueue ? `${onQueue} already on the queue, ` : ''}${q.done} already complete) for the sweep in ${dir}.`);
    for (const n of specNotes(spec)) line(n);
    if (f.detach) {
      line(`Workers take them: rnnlab worker --queue ${shownUrl(url)}${f.queueName === DEFAULT_QUEUE_NAME ? '' : ` --queue-name ${f.queueName}`}; rnnlab sweep with the same spec and --out waits for the results.`);
      return null;
    }
    let last = '';
    const outcome = await waitForSweep(spec, dir, {
      url, name: f.queueName, signal: stop.signal, pathFlags, onWarning: warn,
      onLost: (id) => line(`lost: ${id} was no longer on the queue (Redis flushed?) and is not complete: queued it again`),
      onConnection: line,
      onProgress: (p) => {
        const running = p.active.map((a) => `${a.runId} epoch ${a.epoch}/${a.epochs} on ${a.worker}`).join(', ');
        const s = `${p.completed}/${p.total} done, ${p.failed} failed${running ? `; running ${running}` : ''}`;
        if (s !== last) line(s);
        last = s;
      },
    });
    return { ...outcome, stopped: stop.signal.aborted };
  } finally {
    stop.release();
  }
}

/** The spec file, read and checked; anything wrong with it (unreadable, malformed, a bad field) is a usage error naming the file and the field. */
function readSweepSpec(file: string): SweepSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new UsageError(`${file} is a folder, not a sweep spec file`, 'sweep');
    throw new UsageError(`${file}: cannot read the sweep spec: ${errnoWords(e)}`, 'sweep');
  }
  let spec: SweepSpec;
  try {
    spec = parseSpec(text, file, COMMAND_FLAG_NAMES);
    // Expanded once here so that a run it cannot name (a folder name too long) is refused before anything is written.
    expandRuns(spec, file);
  } catch (e) {
    if (e instanceof SweepSpecError) throw new UsageError(e.message, 'sweep');
    throw e;
  }
  checkSpecValues(spec, file);
  return spec;
}

/**
 * Each flag value of the spec as its command would read it, before anything is written: a switch takes true or false,
 * a flag with a value takes one its command accepts. Paths are left to the runs (a queued run's worker may see
 * another disk); what depends on several flags together (--training-size against --digits) fails its run, unretried.
 */
export function checkSpecValues(spec: SweepSpec, file: string): void {
  const table = COMMAND_FLAG_SPECS[spec.command];
  /** The value as the command reads it (a path resolved against the working folder, unchecked: x and ./x are one). */
  const check = (field: string, name: string, value: FlagValue): unknown => {
    const f = table[name];
    if (!f) return value;
    if (f.kind === 'bool') {
      if (typeof value !== 'boolean') throw new UsageError(`${file}: ${field}: --${name} is a switch; give true or false, got ${JSON.stringify(value)}`, 'sweep');
      return value;
    }
    if (typeof value === 'boolean') throw new UsageError(`${file}: ${field}: --${name} takes a value, got ${value}`, 'sweep');
    // As the run reads it: x.tar.gz and ./x.tar.gz are one file, so one setting.
    if (f.kind === 'path') return path.resolve(String(value));
    try {
      return convertFlag(name, f, String(value), 'sweep');
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${file}: ${field}: ${e.message}`, 'sweep');
      throw e;
    }
  };
  for (const [name, v] of Object.entries(spec.flags)) check(`flags.${name}`, name, v);
  /** Per grid axis: each value as the command reads it → its index in the axis. */
  const gridRead = new Map<string, Map<string, number>>();
  for (const [name, vs] of Object.entries(spec.grid)) {
    // Two values the command reads alike (8 and ' 8', 0.1 and 0.10) would run one setting twice as two.
    const read = new Map<string, number>();
    vs.forEach((v, i) => {
      const key = JSON.stringify(check(`grid.${name}[${i}]`, name, v));
      const first = read.get(key);
      if (first !== undefined) {
        throw new UsageError(`${file}: grid.${name}: ${JSON.stringify(vs[first])} and ${JSON.stringify(v)} are the same --${name} (${key}); list each value once`, 'sweep');
      }
      read.set(key, i);
    });
    gridRead.set(name, read);
  }
  // Two list entries the command reads alike but written apart ({hidden: 4}, {hidden: '04'}) would run one setting
  // twice under two names (entries written alike are one run already).
  const readEntries = new Map<string, number>();
  spec.list.forEach((item, i) => {
    const read = Object.entries(item).map(([name, v]) => [name, check(`list[${i}].${name}`, name, v)] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const key = JSON.stringify(read), first = readEntries.get(key);
    if (first !== undefined && JSON.stringify(spec.list[first]) !== JSON.stringify(item)) {
      throw new UsageError(`${file}: list[${first}] ${JSON.stringify(spec.list[first])} and list[${i}] ${JSON.stringify(item)} are the same setting as the command reads them; list it once`, 'sweep');
    }
    if (first === undefined) readEntries.set(key, i);
    checkListAgainstGrid(spec, file, i, read, gridRead);
  });
  // A flag the command requires must reach every run: fixed, on every grid point, or in every list entry. Runs
  // other than the list's come from the grid, or are the one plain setting of a spec with neither.
  const gridRuns = Object.keys(spec.grid).length > 0 || spec.list.length === 0;
  for (const [name, f] of Object.entries(table)) {
    if (!f.required || name in spec.flags || name in spec.grid) continue;
    const missing = spec.list.findIndex((item) => !(name in item));
    if (!gridRuns && missing < 0) continue;
    const where = missing >= 0 ? `list[${missing}] has none` : spec.list.length ? "the grid's runs have none" : 'no run has it';
    throw new UsageError(`${file}: rnnlab ${spec.command} needs --${name} (${where}): give it in flags (${name}: ...), in grid, or in every list entry`, 'sweep');
  }
}

/**
 * A list entry the command reads as one of the grid's points but written otherwise ({lr: "0.010"} beside grid lr
 * [0.01]) would run that setting twice, under two names: refused, naming both places. Written alike, it is that point's
 * run (expand.ts sameRunKey), and runs once. Checked against every point the grid holds, drawn by `samples` or not.
 */
function checkListAgainstGrid(spec: SweepSpec, file: string, i: number, read: readonly (readonly [string, unknown])[], gridRead: Map<string, Map<string, number>>): void {
  if (read.length !== gridRead.size || !read.every(([name]) => gridRead.has(name))) return;
  const at = read.map(([name, v]) => [name, gridRead.get(name)!.get(JSON.stringify(v))] as const);
  if (at.some(([, index]) => index === undefined)) return;
  const item = spec.list[i];
  if (at.every(([name, index]) => writtenAlike(spec.grid[name][index!], item[name]))) return;
  const places = at.map(([name, index]) => `grid.${name}[${index}] (${JSON.stringify(spec.grid[name][index!])})`).join(', ');
  throw new UsageError(`${file}: list[${i}] ${JSON.stringify(item)} and the grid's point at ${places} are the same setting as the command reads them; ` +
    'leave the entry out, or write it as the grid does (it then runs once)', 'sweep');
}

export function register(program: Command, ctx: CliContext): void {
  const cmd = program.command('sweep')
    .summary('Run a hyper-parameter sweep (grid, random or list, times seeds) and rank the settings.')
    .argument('<spec>', 'the sweep spec, YAML or JSON');
  addFlags(cmd, FLAGS, 'sweep');
  helpExtras(cmd, {
    description: [
      'Each run goes to <out>/runs/<settings>, in its own process; sweep.json and report.html rank the settings by',
      'the metric (mean ± std over seeds) and show each axis\'s effect and the curves. A spec:',
      '  command: imdb            # imdb or addition',
      '  flags: { data: aclImdb_v1.tar.gz, limit: 2000, epochs: 2, maxlen: 200 }',
      '  grid: { model: [lstm, gru], units: [32, 100] }   # every combination; samples: N draws N of them (sample_seed: S)',
      '  list: [ { model: cnn, units: 250 } ]              # extra settings, as listed',
      '  seeds: [1, 2, 3]',
      '  metric: test_accuracy   # as results.json names it; goal: max|min (default from the name)',
      '  attempts: 3             # tries per run before it is recorded as failed',
    ],
    examples: ['rnnlab sweep sweep.yaml --out runs/my-sweep', 'rnnlab sweep sweep.yaml --parallel 2 --threads 1', 'rnnlab sweep sweep.yaml --queue redis://127.0.0.1:6379'],
  });
  cmd.action(async (specFile: string, f: SweepFlags) => {
    if (f.detach && !f.queue) throw new UsageError('--detach needs --queue: a local sweep runs in this process', 'sweep');
    if (f.queue && f.parallel !== undefined) throw new UsageError('--parallel sizes the local pool; with --queue, size the workers (rnnlab worker --concurrency N)', 'sweep');
    if (f.queue && f.threads !== undefined) throw new UsageError('--threads sizes the local pool\'s runs; with --queue, the workers run them (rnnlab worker --threads N)', 'sweep');
    if (!f.queue && cmd.getOptionValueSource('queueName') === 'cli') throw new UsageError('--queue-name needs --queue: a local sweep uses no queue', 'sweep');
    const badName = f.queue === undefined ? null : queueNameProblem(f.queueName);
    if (badName) throw new UsageError(badName, 'sweep');
    const badUrl = f.queue === undefined ? null : redisUrlProblem(f.queue);
    if (badUrl) throw new UsageError(badUrl, 'sweep');
    if (f.out !== undefined) {
      checkSweepOut(f.out);
      checkWritesNotOverInputs(f.out, SWEEP_WRITES, [{ flag: 'spec', path: specFile }], 'sweep');
    }
    const spec = readSweepSpec(specFile);
    // Another spec's sweep folder is refused before anything is printed or written there (so is a damaged sweep.json,
    // whose error names the file and field: readSweepRecord throws it).
    const mismatch = f.out === undefined ? null : specMismatch(f.out, spec);
    if (mismatch) throw new UsageError(`--out: ${mismatch}`, 'sweep');
    const dir = f.out ?? createRunDir(defaultOutDir(`sweep-${spec.command}`));
    const release = lockSweepDir(dir);
    try {
      await sweepIn(spec, dir, f, ctx);
    } finally {
      release();
    }
  });
}

/**
 * A local sweep's first Ctrl-C: each run under way stops as Ctrl-C stops a run, so that the same command resumes it; an
 * imdb run saves a checkpoint, an addition run none (it starts over).
 */
export function sweepStopping(command: SweepCommand): string {
  const how = command === 'imdb' ? 'saves a checkpoint and stops' : 'stops (an addition run keeps no checkpoint: it starts over when the sweep resumes)';
  return `Stopping: each run under way ${how}. Ctrl-C again stops at once.`;
}

async function sweepIn(spec: SweepSpec, dir: string, f: SweepFlags, ctx: CliContext): Promise<void> {
    const line = (s: string) => ctx.out.write(`${s}\n`);
    // On stderr as other rnnlab warnings are: without it a queued sweep's would come out in Node's own format, and a
    // local one's would be mixed into the progress lines a script reads from stdout.
    const warn = (s: string) => ctx.err.write(`rnnlab sweep: warning: ${s}\n`);
    // The runs said it on their own stderr, which a sweep keeps only for failures: said here, once, however the sweep ends.
    const sayFallback = (summary: SweepOutcome['summary']) => {
      const fellBack = precisionFallbackLine(summary);
      if (fellBack) ctx.err.write(`rnnlab sweep: ${fellBack}\n`);
    };
    let outcome: SweepOutcome | null;
    if (f.queue) {
      const queued = await viaQueue(spec, dir, f, line, warn);
      if (!queued) return;
      if (queued === 'unreached') {
        line(`Stopped before Redis was reached: nothing was queued; the same command queues the runs. Wrote ${path.join(dir, 'sweep.json')}.`);
        ctx.exitCode = 130;
        return;
      }
      if (queued.stopped) {
        sayFallback(queued.summary);
        line(`\nStopped waiting: ${queued.summary.completed} of ${queued.entries.length} run(s) done so far; the same command waits for the rest. Wrote ${path.join(dir, 'sweep.json')}.`);
        ctx.exitCode = 130;
        return;
      }
      outcome = queued;
    } else {
      // Workers and sweeps already running on this machine keep their threads: the pool is sized to the rest.
      const cores = availableParallelism();
      const count = expandRuns(spec).length;
      const atOnce = (free: number) => { const s = poolSize(f, free); return Math.min(s.parallel, count) * s.threads; };
      const claim = await claimHostThreads(atOnce, `sweep ${dir}`, { cores });
      const size = poolSize(f, claim.free);
      line(`Sweep of ${count} run(s) of rnnlab ${spec.command} in ${dir}: ${size.parallel} at a time, ${size.threads} thread(s) each.`);
      for (const n of specNotes(spec)) line(n);
      const crowded = oversubscription(Math.min(size.parallel, count), size.threads, claim.others, cores);
      if (crowded) line(`${crowded}.`);
      const stop = onStopSignals(line, () => sweepStopping(spec.command));
      try {
        outcome = await runSweepLocal(spec, {
          dir, ...size, signal: stop.signal,
          onEvent: (e) => {
            if (e.type === 'done') line(`${e.how === 'skipped' ? 'already done' : 'done'}: ${e.run.id}  ${spec.metric} ${e.value.toFixed(4)}`);
            else if (e.type === 'failed') line(`failed: ${e.run.id}${e.retrying ? ' (trying again)' : ''}: ${e.error}`);
            else if (e.type === 'interrupted') line(`stopped: ${e.run.id}`);
            else if (e.type === 'warning') warn(e.message);
          },
        });
      } finally {
        stop.release();
        claim.release();
      }
      // A stop that left no run to resume (the last ones completed as it came) finished the sweep: it reports as usual.
      if (stop.signal.aborted && outcome.record.finishedAt === null) {
        sayFallback(outcome.summary);
        line(`\nStopped: ${outcome.summary.pending} run(s) left; the same command resumes the sweep${spec.command === 'imdb' ? ' (an imdb run from its checkpoint)' : ''}. Wrote ${path.join(dir, 'sweep.json')}.`);
        ctx.exitCode = 130;
        return;
      }
    }
    sayFallback(outcome.summary);
    for (const l of summaryLines(outcome.summary, outcome.entries)) line(l);
    line(`\nWrote ${path.join(dir, 'sweep.json')} and ${path.join(dir, 'report.html')}.`);
    ctx.exitCode = outcome.summary.failed || outcome.summary.pending ? 1 : 0;
}
