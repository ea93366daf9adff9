/**
 * Keras's text_dataset_from_directory layout: DIR/<class>/*.txt, one example per file, class names from the
 * subfolder names (sorted), or the classes option in its own order (Keras's class_names). Files directly in DIR (aclImdb's urls_*.txt) are not examples, as in Keras. As Keras
 * does, hidden folders are not classes and a class folder's nested folders are read too; hidden files and
 * folders inside a class are skipped as well (.ipynb_checkpoints copies, macOS ._ files would be examples twice
 * or not text at all).
 */
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { DataError } from './errors.js';
import { isDecimalNumber } from './text_labels.js';
import { optionName } from './text_options.js';
import type { RowSink, TextDatasetOptions } from './text_types.js';
import { DEFAULT_MAX_LINE_CHARS, readErrorProblem, Utf8Checker, utf8Problem } from './text_stream.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The text of a .txt file, or where and why it cannot be one example (not UTF-8, too long; line null: the file as a
 * whole cannot be read, as a broken link or a file without read permission).
 */
export function readTxtFile(file: string, maxChars = DEFAULT_MAX_LINE_CHARS): { text: string } | { line: number | null; problem: string } {
  let bytes: Buffer;
  try {
    // Checked before reading, so a huge file is never loaded: a UTF-8 character takes at most 4 bytes.
    const size = statSync(file).size;
    if (size > 4 * maxChars) return { line: 1, problem: `the file is ${size} bytes, longer than ${maxChars} characters can be` };
    bytes = readFileSync(file);
  } catch (e) {
    const problem = readErrorProblem(e);
    if (problem === null) throw e;
    // The folder listed it, so it is a link to a file that is gone (or one removed while the folder was read).
    return { line: null, problem: (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${problem} (a broken link?)` : problem };
  }
  const checker = new Utf8Checker();
  if (checker.check(bytes) >= 0) return { line: checker.line, problem: utf8Problem(checker) };
  if (checker.truncated) {
    // The byte that opened the unfinished character: a Latin-1 'é' (0xe9) as the last byte reads so.
    let at = bytes.length - 1;
    while (at > 0 && (bytes[at] & 0xc0) === 0x80) at--;
    return { line: checker.line, problem: `the file ends inside a UTF-8 character: byte 0x${bytes[at].toString(16)} opens one that never completes (truncated, or not UTF-8; save the file as UTF-8)` };
  }
  const text = utf8.decode(bytes);
  if (text.length > maxChars) return { line: 1, problem: `the text is longer than ${maxChars} characters` };
  return { text };
}

const hidden = (name: string) => name.startsWith('.');

/**
 * A folder, or a link to one: Keras finds classes with isdir, which follows links, so `data/pos -> /disk/pos` is a
 * class (a broken link is not). Folders nested in a class are walked without following links, as Keras's walk.
 */
function isClassFolder(dir: string, d: Dirent): boolean {
  if (d.isDirectory()) return true;
  if (!d.isSymbolicLink()) return false;
  try {
    return statSync(join(dir, d.name)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The .txt files under a class folder, nested folders included, in Keras's order: by folder path, then by name;
 * `direct` counts those in the class folder itself.
 */
function txtFilesUnder(classDir: string): { files: string[]; direct: number; others: string[] } {
  const folders: { dir: string; names: string[] }[] = [];
  // Files not read (no .txt ending), for the message of a class that has no .txt file at all.
  const others: string[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).filter((d) => !hidden(d.name));
    const files = entries.filter((d) => !isClassFolder(dir, d));
    folders.push({ dir, names: files.filter((d) => d.name.toLowerCase().endsWith('.txt')).map((d) => d.name).sort() });
    for (const d of files) if (!d.name.toLowerCase().endsWith('.txt') && others.length < 3) others.push(d.name);
    for (const d of entries) if (d.isDirectory()) walk(join(dir, d.name));
  };
  walk(classDir);
  const direct = folders[0].names.length;
  folders.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  return { files: folders.flatMap((f) => f.names.map((n) => join(f.dir, n))), direct, others };
}

/**
 * Why classes hold no .txt file: files of other names there (20 Newsgroups' are numbers without an extension) are
 * not read, as Keras's text_dataset_from_directory reads only .txt files; saying so beats "no .txt files" alone.
 */
function otherFilesHint(listed: readonly { cls: string; others: string[] }[]): string {
  const withOthers = listed.filter((l) => l.others.length > 0);
  if (withOthers.length === 0) return '';
  const ex = withOthers[0];
  return `; ${ex.cls}/ holds files such as ${ex.others.map((o) => `'${o}'`).join(', ')}, but only files named *.txt are examples ` +
    "(as in Keras's text_dataset_from_directory): rename them to end in .txt";
}

/**
 * Labels that are all numbers are classes by value (1 and 1.0 one class: text_labels.ts), so folders 1 and 01 would
 * be read as one class: two folders are two classes, so that is an error naming them.
 */
function checkNumericFolderNames(dir: string, classes: readonly string[]): void {
  if (!classes.every(isDecimalNumber)) return;
  // Past 2^53 labels stay as written (text_labels.ts), so two such folders stay two classes.
  if (classes.some((c) => !Number.isFinite(Number(c)) || (Number.isInteger(Number(c)) && !Number.isSafeInteger(Number(c))))) return;
  const byValue = new Map<number, string>();
  for (const c of classes) {
    const same = byValue.get(Number(c));
    if (same !== undefined) throw new DataError(`${dir}: the class folders '${same}' and '${c}' name the same number, so they would read as one class; rename one`);
    byValue.set(Number(c), c);
  }
}

export async function readFolderRows(dir: string, options: TextDatasetOptions, sink: RowSink): Promise<void> {
  const subdirs = readdirSync(dir, { withFileTypes: true }).filter((d) => isClassFolder(dir, d) && !hidden(d.name)).map((d) => d.name).sort();
  let classes = subdirs;
  const classesOption = optionName(options.optionNames, 'classes');
  if (options.classes) {
    const missing = options.classes.filter((c) => !subdirs.includes(c));
    if (missing.length) throw new DataError(`${dir}: no subfolder ${missing.map((m) => `'${m}'`).join(', ')}${classesOption ? ` (${classesOption})` : ''}; the subfolders are ${subdirs.join(', ') || 'none'}`);
    // Keras's class_names: the order given is the classes' order (label i is the i-th name), so a user can make pos
    // class 1 (a sigmoid's positive) with neg,pos; sorted only when the classes are the subfolders found.
    classes = [...new Set(options.classes)];
  }
  if (classes.length === 0) throw new DataError(`${dir}: no class subfolders; expected DIR/<class>/*.txt (Keras's text_dataset_from_directory layout)`);
  checkNumericFolderNames(dir, classes);
  const listed = classes.map((cls) => { const { files, direct, others } = txtFilesUnder(join(dir, cls)); return { cls, names: files, direct, others }; });
  // A folder whose .txt files lie almost all in folders inside it (under 1 % its own) is a folder of classes, not a
  // class: aclImdb/ itself would otherwise read as two classes, train and test, since train/ and test/ hold pos/ and
  // neg/ (12,500 reviews each) beside a few urls_*.txt of their own. A class that keeps some examples in a folder
  // inside it (pos/a.txt beside pos/2019/*.txt) stays a class, as Keras reads it; naming the classes reads even an
  // all-nested layout (pos/2019/*.txt) as its classes.
  const classesInside = (l: (typeof listed)[number]) => l.direct * 100 < l.names.length - l.direct;
  if (!options.classes && listed.every((l) => l.names.length === 0 || classesInside(l)) && listed.some((l) => l.names.length > 0)) {
    throw new DataError(`${dir}: the .txt files of every subfolder (${classes.map((c) => `${c}/`).join(', ')}) lie almost all in folders inside it (${
      listed.map((l) => `${l.cls}/: ${l.names.length ? `${l.direct} of its own, ${l.names.length - l.direct} below` : 'none'}`).join('; ')}): ` +
      `the classes look one level down; give one of ${classes.map((c) => join(dir, c)).join(', ')} as the data` +
      `${classesOption ? `, or name the classes with ${classesOption} ${classes.join(',')} to read every .txt file in them` : ''}`);
  }
  const emptyClasses = listed.filter((l) => l.names.length === 0);
  const empty = emptyClasses.map((l) => `${l.cls}/`);
  const hint = otherFilesHint(emptyClasses);
  if (empty.length === classes.length) throw new DataError(`${dir}: no .txt files in ${empty.join(', ')}; expected DIR/<class>/*.txt${hint}`);
  if (empty.length) throw new DataError(`${dir}: no .txt files in ${empty.join(', ')}; every class subfolder needs examples${classesOption ? ` (or leave it out with ${classesOption})` : ''}${hint}`);
  for (const { cls, names } of listed) {
    for (const file of names) {
      const read = readTxtFile(file, options.maxLineChars);
      if (!('text' in read)) {
        sink.bad({ where: read.line === null ? file : `${file}:${read.line}`, problem: read.problem });
        continue;
      }
      let text = read.text;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.trim() === '') sink.bad({ where: file, problem: 'empty text' });
      else sink.row({ text, label: cls, where: file });
    }
  }
}
