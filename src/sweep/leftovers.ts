/**
 * What an unfinished try of a run leaves in its folder when it never wrote a readable results.json (a full disk
 * mid-write, a kill between its outputs): report.html, report.png, a truncated results.json, model/. The run's own
 * --out check takes those for files it did not write and refuses the folder (exit 2, never retried), so the run
 * could never run again. The folder is the sweep's, and those files are the outputs the run writes anew: they go.
 */
import { lstatSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isRunRecordFile, REPORT_FILES, RESULTS_FILE } from '../report/record.js';
import { foreignModelFiles } from '../tasks/text_output.js';

const entryOf = (p: string) => lstatSync(p, { throwIfNoEntry: false });

/**
 * Removes an unfinished try's outputs from a run folder whose results.json is missing or not a run record; returns
 * the names removed. A folder with a readable record is left alone (the run replaces its outputs itself), and so is
 * anything that is not a plain file of the run's names, or a model/ holding files rnnlab did not write: the run's
 * check still refuses those, naming them.
 */
export function clearUnfinishedOutputs(dir: string): string[] {
  if (!entryOf(dir)?.isDirectory() || isRunRecordFile(path.join(dir, RESULTS_FILE))) return [];
  const removed: string[] = [];
  for (const name of REPORT_FILES) {
    if (!entryOf(path.join(dir, name))?.isFile()) continue;
    rmSync(path.join(dir, name));
    removed.push(name);
  }
  const model = path.join(dir, 'model');
  if (entryOf(model)?.isDirectory() && foreignModelFiles(model).length === 0) {
    rmSync(model, { recursive: true });
    removed.push('model/');
  }
  return removed;
}
