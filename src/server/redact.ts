/** Keeps the machine's absolute folders out of what the dashboard answers: users see names relative to where they work. */
import { homedir } from 'node:os';
import path from 'node:path';
import { packageRoot } from '../compiled_entry.js';

/** Where p lies inside folder, relative to it ('' for the folder itself); null when outside. */
function inside(folder: string, p: string): string | null {
  const rel = path.relative(folder, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel)) ? rel : null;
}

/** p relative to the working folder ('.' for itself); null when outside it. */
function fromWork(p: string): string | null {
  const rel = inside(process.cwd(), p);
  return rel === null ? null : rel || '.';
}

/**
 * A folder as answers may name it: relative to the working folder when inside it, as ~/… when inside the home folder
 * (a bare last name, such as the cache folder's "rnnlab", would read as a folder where the user works), else only its
 * last name.
 */
export function publicPath(p: string): string {
  const home = homedir();
  // A home folder that is the root (a daemon's, a container's) would show every folder in full as ~/...
  const inHome = home === path.parse(home).root ? null : inside(home, p);
  return fromWork(p) ?? (inHome === null ? path.basename(p) : path.join('~', inHome));
}

/**
 * A function replacing the given folders, the working folder, the home folder and the installed package's own
 * folder (its files show in stack traces) in a text (plain or JSON-encoded) with their public names. Longest first, so a runs folder inside the home folder keeps its name.
 */
export function pathRedactor(folders: (string | undefined)[]): (text: string) => string {
  const home = homedir();
  const pkg = packageRoot();
  const known = [...new Set([...folders, process.cwd(), home, pkg])]
    .filter((f): f is string => !!f && path.isAbsolute(f) && f !== path.parse(f).root)
    .sort((a, b) => b.length - a.length);
  const pairs: [RegExp, string][] = [];
  // Only a whole folder name is replaced: with the working folder /x/lab, a sibling /x/lab_data must not become
  // "._data" (a full stop ending a sentence still ends the name).
  const whole = (f: string) => new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}_~-]|\\.[\\p{L}\\p{N}_~-])`, 'gu');
  for (const f of known) {
    // Stack frames name the package's own files: which file matters, not where the package is installed.
    const name = f === home ? '~' : f === pkg ? (fromWork(f) ?? path.basename(f)) : publicPath(f);
    pairs.push([whole(f), name]);
    const escaped = JSON.stringify(f).slice(1, -1);
    if (escaped !== f) pairs.push([whole(escaped), JSON.stringify(name).slice(1, -1)]);
  }
  return (text) => pairs.reduce((out, [from, to]) => out.replace(from, () => to), text);
}
