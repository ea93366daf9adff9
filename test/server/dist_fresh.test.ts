/**
 * The dashboard tests' server runs src/ but its jobs run dist/ (test/helpers/dist_fresh.ts): a src module the job
 * child imports that is newer than its compiled copy, or has none, stops the tests with the file named.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertDistFresh, sourceClosure, staleDistFile } from '../helpers/dist_fresh.js';
import { tempDir } from './helpers.js';

function tree(): string {
  const root = tempDir('rnnlab-fresh-');
  mkdirSync(join(root, 'src', 'server'), { recursive: true });
  mkdirSync(join(root, 'dist', 'server'), { recursive: true });
  writeFileSync(join(root, 'src', 'server', 'child.ts'), "import type { M } from './shape.js';\nimport { run } from '../run.js';\nrun();\n");
  writeFileSync(join(root, 'src', 'server', 'shape.ts'), 'export type M = 1;\n');
  writeFileSync(join(root, 'src', 'run.ts'), "export function run() { return import('./late.js'); }\n");
  writeFileSync(join(root, 'src', 'late.ts'), 'export {};\n');
  writeFileSync(join(root, 'src', 'unrelated.ts'), 'export {};\n');
  for (const f of ['server/child', 'server/shape', 'run', 'late']) writeFileSync(join(root, 'dist', `${f}.js`), '');
  const old = Date.now() / 1000 - 100;
  for (const f of ['server/child', 'server/shape', 'run', 'late', 'unrelated']) utimesSync(join(root, 'src', `${f}.ts`), old, old);
  return root;
}

describe('the dist/ freshness check', () => {
  it('follows static, type and dynamic imports from the entry', () => {
    expect(sourceClosure('server/child.ts', tree()).sort()).toEqual(['late.ts', 'run.ts', 'server/child.ts', 'server/shape.ts'].map((f) => join(f)).sort());
  });

  it('names the first src file newer than its compiled copy, or without one, and passes a current build', () => {
    const root = tree();
    expect(staleDistFile('server/child.ts', root)).toBeNull();
    // A file the child does not import may be newer: it does not run in the child.
    utimesSync(join(root, 'src', 'unrelated.ts'), new Date(), new Date(Date.now() + 5000));
    expect(staleDistFile('server/child.ts', root)).toBeNull();
    const later = Date.now() / 1000 + 5;
    utimesSync(join(root, 'src', 'server', 'shape.ts'), later, later);
    expect(() => assertDistFresh('server/child.ts', root)).toThrow(`dist/ is older than src/server/shape.ts: run npm run build`);
    writeFileSync(join(root, 'dist', 'server', 'shape.js'), '');
    utimesSync(join(root, 'dist', 'server', 'shape.js'), later + 1, later + 1);
    expect(staleDistFile('server/child.ts', root)).toBeNull();
    writeFileSync(join(root, 'src', 'late.ts'), "import './added.js';\n");
    writeFileSync(join(root, 'src', 'added.ts'), '');
    utimesSync(join(root, 'src', 'late.ts'), later, later);
    utimesSync(join(root, 'dist', 'late.js'), later + 1, later + 1);
    // A module newly imported and never built.
    expect(staleDistFile('server/child.ts', root)).toBe('added.ts');
  });

  it('is cheap on the real job child', () => {
    const t = performance.now();
    const files = sourceClosure('server/job_child.ts');
    staleDistFile('server/job_child.ts');
    console.log(`dist freshness: ${files.length} files in ${(performance.now() - t).toFixed(1)} ms`);
    expect(files).toContain(join('server', 'train.ts'));
  });
});
