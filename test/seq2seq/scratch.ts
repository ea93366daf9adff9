/** A scratch folder for a test file's pair files, removed after the file's tests. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export function scratchFolder(): { dir: string; file: (name: string, content: string) => string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-s2s-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    file(name, content) {
      const p = path.join(dir, name);
      writeFileSync(p, content);
      return p;
    },
  };
}
