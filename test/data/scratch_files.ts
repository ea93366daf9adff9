/** A test file's scratch folder of small data files, removed after its tests: file() writes one, tree() a folder. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export function scratchFiles(prefix: string) {
  const root = mkdtempSync(path.join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let counter = 0;
  return {
    file(name: string, content: string | Buffer): string {
      const p = path.join(root, `${counter++}-${name}`);
      writeFileSync(p, content);
      return p;
    },
    tree(files: Record<string, string | Buffer>): string {
      const dir = path.join(root, `tree-${counter++}`);
      for (const [rel, content] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), content);
      }
      return dir;
    },
  };
}
