/** Keeps the machine's absolute folders out of what the dashboard answers: users see names relative to where they work. */
import { homedir } from 'node:os';
import path from 'node:path';
import { packageRoot } from '../compiled_entry.js';

/** A folder as answers may name it: relative to the working folder when inside it, else only its last name. */
export function publicPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.basename(p);
}

/**
 * A function replacing the given folders, the working folder, the home folder and the installed package's own
 * folder (its files show in stack traces) in a text (plain or JSON-encoded) with their public names. Longest first, so a runs folder inside the home folder keeps its name.
 */
export function pathRedactor(folders: (string | undefined)[]): (text: string) => string {
  const home = homedir();
  const known = [...new Set([...folders, process.cwd(), home, packageRoot()])]
    .filter((f): f is string => !!f && path.isAbsolute(f) && f !== path.parse(f).root)
    .sort((a, b) => b.length - a.length);
  const pairs: [RegExp, string][] = [];
  // Only a whole folder name is replaced: with the working folder /x/lab, a sibling /x/lab_data must not become
  // "._data" (a full stop ending a sentence still ends the name).
  const whole = (f: string) => new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}_~-]|\\.[\\p{L}\\p{N}_~-])`, 'gu');
  for (const f of known) {
    const name = f === home ? '~' : publicPath(f);
    pairs.push([whole(f), name]);
    const escaped = JSON.stringify(f).slice(1, -1);
    if (escaped !== f) pairs.push([whole(escaped), JSON.stringify(name).slice(1, -1)]);
  }
  return (text) => pairs.reduce((out, [from, to]) => out.replace(from, () => to), text);
}
