/** Temporary CSV files for one test file: a folder of its own, removed after the file's tests. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** Call at a test file's top level: `dir` for other files, and csvFile(text) writes text to a new file named .csv (or `ext`). */
export function tempCsvFiles(prefix: string): { dir: string; csvFile: (text: string, ext?: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const csvFile = (text: string, ext = 'csv'): string => {
    const f = join(dir, `f${n++}.${ext}`);
    writeFileSync(f, text);
    return f;
  };
  return { dir, csvFile };
}
