/**
 * Where the compiled modules are. Child processes (a sweep's runs, a dashboard job) always run JavaScript from
 * dist/, since node cannot run TypeScript: under vitest this module is source in src/, and dist/ is its sibling;
 * compiled, it is in dist/ itself.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const compiledRoot = here.endsWith('.ts') ? path.resolve(path.dirname(here), '../dist') : path.dirname(here);

/** The compiled file of a module, named relative to src/ as compiled ('server/job_child.js'). */
export function compiledEntry(relative: string): string {
  return path.join(compiledRoot, relative);
}

/** The package's own folder (where package.json is): its paths show in a child's stack traces. */
export function packageRoot(): string {
  return path.dirname(compiledRoot);
}
