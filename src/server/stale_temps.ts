/**
 * At startup the server removes the temp files that interrupted atomic writes left in its runs folder, by the one
 * rule of src/io/atomic.ts (isStaleTempFile): untouched for an hour, written on this host, and their writer gone or
 * its pid now another process's (writerAlive). A write in progress, here or on a machine sharing the folder, stays.
 * Symbolic links are neither followed nor removed, and hidden folders are not entered.
 */
import { readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { removeIfStaleTemp, TEMP_PREFIX } from '../io/atomic.js';
import { writerAlive } from './process_identity.js';

/** Deep enough for <run>/model/ and <sweep>/runs/<run>/model/. */
const DEPTH = 4;

/** Removes the stale temp files under root (and up to depth folders down); tells `log` of each; returns their paths. */
export function removeStaleTemps(root: string, log: (line: string) => void = () => {}, depth = DEPTH): string[] {
  const removed: string[] = [];
  const walk = (dir: string, left: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isFile() && e.name.startsWith(TEMP_PREFIX) && removeIfStaleTemp(p, writerAlive)) {
        removed.push(p);
        log(`removed ${p}: a temp file an interrupted write left (untouched for an hour, its writer gone)`);
      } else if (e.isDirectory() && left > 0 && !e.name.startsWith('.')) walk(p, left - 1);
    }
  };
  walk(root, depth);
  return removed;
}
