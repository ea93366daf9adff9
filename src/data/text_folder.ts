/**
 * Keras's text_dataset_from_directory layout: DIR/<class>/*.txt, one example per file, class names from the
 * subfolder names (sorted). Files directly in DIR (aclImdb's urls_*.txt) are not examples, as in Keras.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from './errors.js';
import { optionName } from './text_options.js';
import type { RowSink, TextDatasetOptions } from './text_types.js';
import { DEFAULT_MAX_LINE_CHARS, Utf8Checker, utf8Problem } from './text_stream.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a .txt file, or where and why it cannot be one example (not UTF-8, too long). */
export function readTxtFile(file: string, maxChars = DEFAULT_MAX_LINE_CHARS): { text: string } | { line: number; problem: string } {
  // Checked before reading, so a huge file is never loaded: a UTF-8 character takes at most 4 bytes.
  const size = statSync(file).size;
  if (size > 4 * maxChars) return { line: 1, problem: `the file is ${size} bytes, longer than ${maxChars} characters can be` };
  const bytes = readFileSync(file);
  const checker = new Utf8Checker();
  if (checker.check(bytes) >= 0) return { line: checker.line, problem: utf8Problem(checker) };
  if (checker.truncated) return { line: checker.line, problem: 'the file ends inside a UTF-8 character (truncated or not UTF-8)' };
  const text = utf8.decode(bytes);
  if (text.length > maxChars) return { line: 1, problem: `the text is longer than ${maxChars} characters` };
  return { text };
}

export async function readFolderRows(dir: string, options: TextDatasetOptions, sink: RowSink): Promise<void> {
  const subdirs = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  let classes = subdirs;
  const classesOption = optionName(options.optionNames, 'classes');
  if (options.classes) {
    const missing = options.classes.filter((c) => !subdirs.includes(c));
    if (missing.length) throw new DataError(`${dir}: no subfolder ${missing.map((m) => `'${m}'`).join(', ')}${classesOption ? ` (${classesOption})` : ''}; the subfolders are ${subdirs.join(', ') || 'none'}`);
    classes = [...new Set(options.classes)].sort();
  }
  if (classes.length === 0) throw new DataError(`${dir}: no class subfolders; expected DIR/<class>/*.txt (Keras's text_dataset_from_directory layout)`);
  const listed = classes.map((cls) => ({ cls, names: readdirSync(join(dir, cls)).filter((n) => n.toLowerCase().endsWith('.txt')).sort() }));
  const empty = listed.filter((l) => l.names.length === 0).map((l) => `${l.cls}/`);
  if (empty.length === classes.length) throw new DataError(`${dir}: no .txt files in ${empty.join(', ')}; expected DIR/<class>/*.txt`);
  if (empty.length) throw new DataError(`${dir}: no .txt files in ${empty.join(', ')}; every class subfolder needs examples${classesOption ? ` (or leave it out with ${classesOption})` : ''}`);
  for (const { cls, names } of listed) {
    const sub = join(dir, cls);
    for (const n of names) {
      const file = join(sub, n);
      const read = readTxtFile(file, options.maxLineChars);
      if (!('text' in read)) {
        sink.bad({ where: `${file}:${read.line}`, problem: read.problem });
        continue;
      }
      let text = read.text;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.trim() === '') sink.bad({ where: file, problem: 'empty text' });
      else sink.row({ text, label: cls, where: file });
    }
  }
}
