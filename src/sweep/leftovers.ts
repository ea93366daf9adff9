/**
 * What an unfinished try of a run leaves in its folder when it never wrote a readable results.json (a full disk
 * mid-write, a kill between its outputs): report.html, report.png, a truncated results.json, model/. The run's own
 * --out check takes those for files it did not write and refuses the folder (exit 2, never retried), so the run
 * could never run again. The folder is the sweep's, and those files are the outputs the run writes anew: they go.
 * But when the folder holds anything else that check refuses (a link in place of an output, a user's file in model/),
 * the run would be refused anyway: nothing is removed then, so the refused run loses nothing.
 */
import { lstatSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { checkpointClashes } from '../io/checkpoint.js';
import { isRunRecordFile, REPORT_FILES, RESULTS_FILE } from '../report/record.js';
import { modelClashes } from '../tasks/text_output.js';
import type { SweepCommand } from './spec.js';

const entryOf = (p: string) => lstatSync(p, { throwIfNoEntry: false });

/** What a run writes beyond results.json and its reports: the runFolder of each command's --out in src/cli (imdb.ts, flags.ts). */
export interface RunWrites { model: boolean; checkpoint: boolean }

export const RUN_WRITES: Record<SweepCommand, RunWrites> = {
  imdb: { model: true, checkpoint: true },
  addition: { model: false, checkpoint: false },
};

/** "results.json (a link to /x)", or the name with what it is, as the refusals below name an entry. */
function described(dir: string, name: string): string {
  const e = entryOf(path.join(dir, name));
  if (e?.isSymbolicLink()) return `${path.join(dir, name)} (a link to ${readlinkSync(path.join(dir, name))})`;
  return `${path.join(dir, name)}${e?.isDirectory() ? ' (a folder)' : ''}`;
}

/**
 * What in a run folder without a run record the run's own --out check (src/cli/paths.ts, by the same modelClashes and
 * checkpointClashes) refuses that clearing the unfinished outputs would not remove: an output's name that is not a
 * plain file (a link would be written through), a model/ that is not a folder or holds files rnnlab did not write,
 * checkpoint files that are not an rnnlab checkpoint's. Each is named by its path. Links are never followed.
 */
export function refusedEntries(dir: string, writes: RunWrites): string[] {
  const out = REPORT_FILES.filter((n) => { const e = entryOf(path.join(dir, n)); return e && !e.isFile(); });
  if (writes.model) out.push(...modelClashes(dir, true));  // true: what the earlier try saved is cleared below
  if (writes.checkpoint) out.push(...checkpointClashes(dir));
  return out.map((n) => described(dir, n));
}

/** What clearUnfinishedOutputs did: the names it removed, or, when the run would refuse the folder anyway, what it refuses (nothing removed). */
export interface Cleared { removed: string[]; refused: string[] }

/**
 * Removes an unfinished try's outputs from a run folder whose results.json is missing or not a run record (a link
 * there is no record of this run's, whatever it leads to). A folder with a readable record is left alone (the run
 * replaces its outputs itself), and so is one holding anything refusedEntries names: the run's check refuses it,
 * naming it, and what the earlier try left stays.
 */
export function clearUnfinishedOutputs(dir: string, writes: RunWrites): Cleared {
  const none: Cleared = { removed: [], refused: [] };
  if (!entryOf(dir)?.isDirectory()) return none;
  const results = path.join(dir, RESULTS_FILE);
  if (entryOf(results)?.isFile() && isRunRecordFile(results)) return none;
  const refused = refusedEntries(dir, writes);
  if (refused.length) return { removed: [], refused };
  const removed: string[] = [];
  for (const name of REPORT_FILES) {
    if (!entryOf(path.join(dir, name))) continue;
    rmSync(path.join(dir, name));
    removed.push(name);
  }
  const model = path.join(dir, 'model');
  if (writes.model && entryOf(model)) {
    rmSync(model, { recursive: true });
    removed.push('model/');
  }
  return { removed, refused: [] };
}
