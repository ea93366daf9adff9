/**
 * Checkpointing for a CLI training run: every epoch a checkpoint goes to <out>/checkpoint, Ctrl-C saves one and
 * prints the command that continues the run, and `--resume DIR` (the run folder or its checkpoint/ folder)
 * picks it up, writing the rest of the run into the same folder unless --out says otherwise.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { BackupAndRestore } from '../callbacks/backup_and_restore.js';
import { hasCheckpoint, readCheckpointInfo, type CheckpointData } from '../io/checkpoint.js';
import { CheckpointError } from '../io/errors.js';
import type { ResumedEpochTimes } from '../experiments/train_hooks.js';
import { createRunDir, removeRunDirIfEmpty } from '../report/run.js';
import type { RunFolderLock } from '../report/run_lock.js';
import { STOP_SIGNALS, UsageError } from './context.js';
import { checkRunFolder, lockRunFolderFlag, realPathOf, shellQuote, type RunFolderWrites } from './paths.js';

export interface RunCheckpointOptions {
  /** The command ("imdb"), for the usage error's pointer to its --help. */
  command: string;
  /** --out, when given. */
  out?: string;
  /** --resume, when given. */
  resume?: string;
  /** What the run writes into its folder (its --out flag's runFolder): checked on the folder --resume writes into without --out. */
  runFolder: RunFolderWrites;
  /** The run's epochs (--epochs or the command's default): a resumed run must have some left. */
  epochs?: number;
  /** Where the run goes without --out (and without --resume): created here, with a -2, -3, ... suffix if taken. */
  defaultOut: string;
  /** The command line after `rnnlab`, for the resume hint. */
  argv: readonly string[];
  /** Messages (restored, interrupted). */
  err: { write(s: string): unknown };
  /**
   * The options a resumed run must share with the run it continues (learning rate, seed, data sizes, ...): kept in
   * every checkpoint (state.extra.run), for checkSameOptions to compare on --resume.
   */
  sameOptions?: SameOption[];
  /** The run's epoch times: kept in every checkpoint and restored with it, so the record times every epoch once. */
  epochTimes?: ResumedEpochTimes;
  /** The run shuffles every epoch, so a checkpoint inside one must hold that epoch's order. */
  shuffles?: boolean;
}

type OptionValue = string | number | boolean | null;

export interface SameOption {
  /** The flag, as typed: '--maxlen'. */
  flag: string;
  /** This run's value, defaults filled in; null for an unset flag without a default (no --limit). */
  value: OptionValue;
  /** Given on the command line (else it is the default, and the message says so). */
  given: boolean;
  /** The value a checkpoint written without state.extra.run (an earlier rnnlab) shows, or undefined where it cannot tell. */
  legacy?: (ck: CheckpointData) => OptionValue | undefined;
  /**
   * For a value no flag gives (flag is then its key in the checkpoint, e.g. the precision in force, which a fallback
   * makes differ from --precision): the refusal when the checkpoint's value `then` differs, said on its own once the
   * flags agree.
   */
  refusal?: (then: OptionValue) => string;
}

function shownOption(flag: string, v: OptionValue): string {
  if (v === null) return `no ${flag}`;
  if (typeof v === 'boolean') return v ? flag : `--no-${flag.slice(2)}`;
  return `${flag} ${String(v)}`;
}

/**
 * Refuses a resume whose options differ from the checkpointed run's: fit would continue with them (another
 * learning rate, precision or validation for the rest of the run; a seed the restored generator ignores; another
 * length or sample count inside the epoch's saved order), while results.json records one value for the whole run.
 */
export function checkSameOptions(checkpointDir: string, options: readonly SameOption[], resume: string, command: string): void {
  const ck = readCheckpointInfo(checkpointDir);
  const saved = ck.state.extra?.run;
  const run = typeof saved === 'object' && saved !== null && !Array.isArray(saved) ? saved as Record<string, unknown> : null;
  const here: string[] = [], there: string[] = [];
  const refusals: string[] = [];
  for (const o of options) {
    const then = run && Object.hasOwn(run, o.flag) ? run[o.flag] : o.legacy?.(ck);
    if (then === undefined || then === o.value) continue;
    if (!(then === null || ['string', 'number', 'boolean'].includes(typeof then))) continue;
    if (o.refusal) { refusals.push(o.refusal(then as OptionValue)); continue; }
    here.push(`${shownOption(o.flag, o.value)}${o.given ? '' : ' (the default)'}`);
    there.push(shownOption(o.flag, then as OptionValue));
  }
  if (!here.length) {
    if (refusals.length) throw new UsageError(refusals.join('; '), command);
    return;
  }
  throw new UsageError(`${here.join(', ')}: the checkpoint in ${resume} is of a run with ${there.join(', ')}; --resume continues a run with the options it started with, so give ${there.join(', ')} (or leave out --resume to start a new run)`, command);
}

/** The command line without any --resume flag. */
function withoutResume(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--resume') { i++; continue; }
    if (argv[i].startsWith('--resume=')) continue;
    out.push(argv[i]);
  }
  return out;
}

/**
 * backupAndRestore as the CLI runs it: SIGTERM and SIGHUP (a kill, a closed terminal) during training stop the run as
 * Ctrl-C does (a checkpoint, the resume command, exit 130), as docs/CLI.md says of every stop signal; the library's
 * callback keeps to Ctrl-C, as Keras's. The one handler takes all three, so a second signal of any kind quits at once.
 */
class CliBackupAndRestore extends BackupAndRestore {
  constructor(args: ConstructorParameters<typeof BackupAndRestore>[0]) {
    super(args);
    if (this.guard) this.guard.signals = STOP_SIGNALS;
  }
}

export interface RunCheckpoint {
  outDir: string;
  checkpointDir: string;
  callback: BackupAndRestore;
  resumeHint: string;
  /**
   * Takes the run folder lock of outDir and, when --resume names another run's folder (`--resume X --out Y`), of
   * that folder too, whose checkpoint/ the run writes: two runs resuming X at once would write the same checkpoint
   * generations. A busy one is the usage error naming its flag, with nothing locked.
   */
  lock(): RunFolderLock;
  /** Removes the default folder made here while it is empty (a run that failed early); after the lock's release. */
  release(): void;
}

export function runCheckpoint(o: RunCheckpointOptions): RunCheckpoint {
  let outDir: string;
  let checkpointDir: string;
  // The default folder made here, if any: release() removes it again while it is empty (a run that failed early).
  let made: string | null = null;
  if (o.resume !== undefined) {
    const dir = resolve(o.resume);
    if (hasCheckpoint(dir)) checkpointDir = dir;
    else if (hasCheckpoint(join(dir, 'checkpoint'))) checkpointDir = join(dir, 'checkpoint');
    // A folder without a checkpoint is a wrong flag value, refused like a missing one (exit 2), before any data is loaded.
    else throw new UsageError(`--resume: no checkpoint in ${o.resume} (looked for checkpoint.json there and in ${join(o.resume, 'checkpoint')}); give the folder of the run to continue or its checkpoint/ folder`, o.command);
    const info = readCheckpointInfo(checkpointDir);
    if (o.epochs !== undefined) {
      // Fewer epochs than the checkpoint has run (Keras's fit would train nothing and record the run as done with
      // the longer history): a usage error, before any data is loaded. As many as it finished re-writes that run.
      const { nextEpoch, progress } = info.state;
      const least = progress ? nextEpoch + 1 : nextEpoch;
      if (o.epochs < least) {
        const where = progress ? `stopped inside epoch ${nextEpoch + 1}` : `holds ${nextEpoch} finished epoch${nextEpoch === 1 ? '' : 's'}`;
        throw new UsageError(`--epochs ${o.epochs}: the checkpoint in ${o.resume} ${where}; give --epochs ${least} or more to continue it`, o.command);
      }
    }
    // fit reads a missing order as an unshuffled epoch: it would continue the epoch in another order than it began.
    if (o.shuffles && info.state.progress && info.state.progress.order === null) {
      throw new CheckpointError(`checkpoint in ${info.dir}: state.progress.order is missing, but this run shuffles its samples, so the epoch it stopped inside cannot continue in the order it began`);
    }
    // Without --out the rest of the run goes into the checkpoint's run folder, which then gets --out's checks (another
    // command's run, files rnnlab did not write, links) before anything is written. After the checkpoint is read, so
    // that a damaged one is the data error naming its file, not a checkpoint/ that rnnlab did not write.
    if (o.out === undefined && basename(checkpointDir) === 'checkpoint') {
      checkRunFolder(checkpointDir === dir ? join(o.resume, '..') : o.resume, o.command, o.runFolder, '--resume', '--out');
    }
    outDir = o.out ?? (basename(checkpointDir) === 'checkpoint' ? dirname(checkpointDir) : (made = createRunDir(o.defaultOut)));
  } else {
    outDir = o.out ?? (made = createRunDir(o.defaultOut));
    checkpointDir = join(resolve(outDir), 'checkpoint');
  }
  const runDir = basename(checkpointDir) === 'checkpoint' ? dirname(checkpointDir) : checkpointDir;
  const shownDir = o.out === undefined && o.resume === undefined ? outDir : runDir;
  const hint = `rnnlab ${[...withoutResume(o.argv), '--resume', shownDir].map(shellQuote).join(' ')}`;
  const callback = new CliBackupAndRestore({
    backupDir: checkpointDir, restore: o.resume !== undefined ? 'require' : 'never', deleteCheckpoint: false, resumeHint: hint, out: o.err,
  });
  // Read at each save: a value the run learns only once it has its data (imdb's downloaded tarball) is in every checkpoint.
  const same = o.sameOptions;
  const times = o.epochTimes;
  if (same || times) callback.extraState = () => ({ ...(same ? { run: Object.fromEntries(same.map((x) => [x.flag, x.value])) } : {}), ...(times ? { epochSeconds: times.snapshot() } : {}) });
  if (times) callback.onRestored = (st) => times.restore(st.nextEpoch, st.progress !== null, st.extra?.epochSeconds);
  const release = () => { if (made) removeRunDirIfEmpty(made); };
  const lock = (): RunFolderLock => {
    const own = lockRunFolderFlag(outDir, o.command, o.argv, o.out === undefined && o.resume !== undefined ? '--resume' : '--out', '--out', release, made !== null);
    // Compared once outDir exists, links resolved: the same folder by another path is locked once.
    if (realPathOf(runDir) === realPathOf(outDir)) return own;
    let resumed: RunFolderLock;
    try { resumed = lockRunFolderFlag(runDir, o.command, o.argv, '--resume', '--resume'); } catch (e) { own.release(); throw e; }
    return { dir: own.dir, release: () => { resumed.release(); own.release(); } };
  };
  return { outDir, checkpointDir, callback, resumeHint: hint, lock, release };
}
