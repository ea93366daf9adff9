/**
 * The runs folder's listing, shared by the run and sweep views. The folder can vanish or change under a running
 * server (moved, deleted, replaced by a file): that is said, as an error naming the folder and on stderr, never shown
 * as an empty list, which would read as "no runs" while they are elsewhere.
 */
import { readdirSync, type Dirent } from 'node:fs';
import { HttpError } from './http.js';

/** A run's (or sweep's) folder name as the server lists and serves it: no path separators, no leading dot or space. */
export const RUN_ID_RE = /^[A-Za-z0-9_.+-][A-Za-z0-9_.+ -]*$/;

/** What last went wrong with each runs folder (null: listed fine), so stderr hears of each change once. */
const lastProblem = new Map<string, string | null>();

function problemOf(dir: string, code: string | undefined): string {
  if (code === 'ENOENT') return `the runs folder ${dir} is gone (moved or deleted while the server runs); put it back, or restart rnnlab serve with --runs naming where it is now`;
  if (code === 'ENOTDIR') return `the runs folder ${dir} is not a folder any more (a file took its place while the server runs); put the folder back, or restart rnnlab serve with another --runs`;
  return `the runs folder ${dir} cannot be read (${code ?? 'error'}); check its permissions`;
}

/** The entries of the runs folder; an error naming the folder and what happened when it cannot be listed. */
export function listRunsFolder(dir: string, warn: (line: string) => void = (line) => console.error(`rnnlab serve: ${line}`)): Dirent[] {
  try {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (lastProblem.get(dir)) warn(`the runs folder ${dir} can be listed again`);
    lastProblem.set(dir, null);
    return entries;
  } catch (e) {
    const problem = problemOf(dir, (e as NodeJS.ErrnoException).code);
    if (lastProblem.get(dir) !== problem) warn(problem);
    lastProblem.set(dir, problem);
    throw new HttpError(503, problem);
  }
}

/** The runs folder's run (or sweep) folders by name: visible folders whose names RUN_ID_RE takes. */
export function runFolderNames(dir: string): string[] {
  return listRunsFolder(dir).filter((d) => d.isDirectory() && !d.name.startsWith('.') && RUN_ID_RE.test(d.name)).map((d) => d.name);
}
