/**
 * A dashboard job's last write into its run folder (done in the job's process, job_child.ts): the reports and the
 * record, else the record alone, else the record without its details (every epoch's histograms and samples: most of
 * a long run's record, and what a nearly full disk has no room for). The record's reportError names every file and
 * part left out and why, so a folder holding only model/ and results.json says what became of its report.
 */
import { rawErrnoWords } from '../local_files.js';
import { writeRecord, type RunRecord } from '../report/record.js';
import type { ReportDoc } from '../report/html.js';
import { writeRun } from '../report/run.js';

/** Returns why not even the leanest record could be written, in words, or null. */
export function writeFinalRecord(runDir: string, record: RunRecord, doc: ReportDoc): string | null {
  let why: string;
  try {
    const files = writeRun(runDir, record, doc);
    // writeRun keeps report.html and the record when only the figure fails: the record must still say it is missing.
    if (files.png === null && files.pngError) {
      try {
        writeRecord(runDir, { ...record, reportError: `report.png was not written: ${files.pngError}` });
      } catch { /* the record written by writeRun stands; report.html is there */ }
    }
    return null;
  } catch (e) {
    why = (e as Error).message;
  }
  try {
    writeRecord(runDir, { ...record, reportError: `report.html and report.png were not written: ${why}` });
    return null;
  } catch (e) {
    if (record.details === undefined) return rawErrnoWords(e);
    why = `report.html and report.png were not written, nor the record's details (histograms and samples of every epoch): ${why}; the record with its details could not be written either: ${rawErrnoWords(e)}`;
  }
  const { details: _details, ...lean } = record;
  try {
    writeRecord(runDir, { ...lean, reportError: why });
    return null;
  } catch (e) {
    return rawErrnoWords(e);
  }
}
