/**
 * Checkpointing for a CLI training run: every epoch a checkpoint goes to <out>/checkpoint, Ctrl-C saves one and
 * prints the command that continues the run, and `--resume DIR` (the run folder or its checkpoint/ folder)
 * picks it up, writing the rest of the run into the same folder unless --out says otherwise.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { BackupAndRestore } from '../callbacks/backup_and_restore.js';
import { hasCheckpoint, readCheckpointInfo } from '../io/checkpoint.js';
import { createRunDir, removeRunDirIfEmpty } from '../report/run.js';
import { UsageError } from './context.js';
import { shellQuote } from './paths.js';

export interface RunCheckpointOptions {
  /** The command ("imdb"), for the usage error's pointer to its --help. */
  command: string;
  /** --out, when given. */
  out?: string;
  /** --resume, when given. */
  resume?: string;
  /** The run's epochs (--epochs or the command's default): a resumed run must have some left. */
  epochs?: number;
  /** Where the run goes without --out (and without --resume): created here, with a -2, -3, ... suffix if taken. */
  defaultOut: string;
  /** The command line after `rnnlab`, for the resume hint. */
  argv: readonly string[];
  /** Messages (restored, interrupted). */
  err: { write(s: string): unknown };
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

export function runCheckpoint(o: RunCheckpointOptions): { outDir: string; checkpointDir: string; callback: BackupAndRestore; release(): void } {
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
    if (o.epochs !== undefined) {
      // Fewer epochs than the checkpoint has run (Keras's fit would train nothing and record the run as done with
      // the longer history): a usage error, before any data is loaded. As many as it finished re-writes that run.
      const { nextEpoch, progress } = readCheckpointInfo(checkpointDir).state;
      const least = progress ? nextEpoch + 1 : nextEpoch;
      if (o.epochs < least) {
        const where = progress ? `stopped inside epoch ${nextEpoch + 1}` : `holds ${nextEpoch} finished epoch${nextEpoch === 1 ? '' : 's'}`;
        throw new UsageError(`--epochs ${o.epochs}: the checkpoint in ${o.resume} ${where}; give --epochs ${least} or more to continue it`, o.command);
      }
    }
    outDir = o.out ?? (basename(checkpointDir) === 'checkpoint' ? dirname(checkpointDir) : (made = createRunDir(o.defaultOut)));
  } else {
    outDir = o.out ?? (made = createRunDir(o.defaultOut));
    checkpointDir = join(resolve(outDir), 'checkpoint');
  }
  const runDir = basename(checkpointDir) === 'checkpoint' ? dirname(checkpointDir) : checkpointDir;
  const shownDir = o.out === undefined && o.resume === undefined ? outDir : runDir;
  const hint = `rnnlab ${[...withoutResume(o.argv), '--resume', shownDir].map(shellQuote).join(' ')}`;
  const callback = new BackupAndRestore({
    backupDir: checkpointDir, restore: o.resume !== undefined ? 'require' : 'never', deleteCheckpoint: false, resumeHint: hint, out: o.err,
  });
  const release = () => { if (made) removeRunDirIfEmpty(made); };
  return { outDir, checkpointDir, callback, release };
}
