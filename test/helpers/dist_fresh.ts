/**
 * Under vitest the code under test is src/, but a child process (a dashboard job, a sweep run) runs dist/: a src
 * file edited since the last build would be tested from its old compiled copy, or a changed message between server
 * and child would hang. This checks, by modification time, every src module the child entry imports (type imports
 * included: they carry the messages' shapes), following imports from the source.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './imdb.js';

/** `import ... from './x.js'`, `export ... from`, a bare `import './x.js'` and `import('./x.js')`. */
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** The src files `entry` (relative to src/, e.g. 'server/job_child.ts') imports, itself included. */
export function sourceClosure(entry: string, root = REPO_ROOT): string[] {
  const src = path.join(root, 'src');
  const seen = new Set<string>();
  const todo = [path.join(src, entry)];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2]).replace(/\.js$/, '.ts');
      todo.push(path.resolve(path.dirname(file), spec));
    }
  }
  return [...seen].map((f) => path.relative(src, f));
}

/** The first src file of the closure whose compiled copy is missing or older, or null when dist/ is current. */
export function staleDistFile(entry: string, root = REPO_ROOT): string | null {
  for (const rel of sourceClosure(entry, root)) {
    const compiled = path.join(root, 'dist', rel.replace(/\.ts$/, '.js'));
    if (!existsSync(compiled) || statSync(path.join(root, 'src', rel)).mtimeMs > statSync(compiled).mtimeMs) return rel;
  }
  return null;
}

const checked = new Set<string>();

/** Throws "dist/ is older than src/<file>: run npm run build" when the child `entry` would run stale code. */
export function assertDistFresh(entry: string, root = REPO_ROOT): void {
  if (checked.has(entry)) return;
  const stale = staleDistFile(entry, root);
  if (stale) throw new Error(`dist/ is older than src/${stale.split(path.sep).join('/')}: run npm run build (child processes run the compiled dist/)`);
  checked.add(entry);
}
