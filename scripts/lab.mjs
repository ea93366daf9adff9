#!/usr/bin/env node
// Runs the lab's TypeScript port (compiled by `npm run lab` into dist/examples): every section in order, or
// the ones named. Usage: npm run lab -- [section ...] [--quick] [--data <tarball or folder>] [--list]
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMPILED = resolve(ROOT, 'dist/examples/lab8');
const IMDB_FILE = 'aclImdb_v1.tar.gz';
const USAGE = `usage: npm run lab -- [section ...] [--quick] [--data <${IMDB_FILE} or its folder>] [--list]`;

function usageError(message) {
  process.stderr.write(`lab: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parse(argv, count) {
  const o = { sections: [], quick: false, data: undefined, list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--list') o.list = true;
    else if (a === '--help' || a === '-h') { process.stdout.write(`${USAGE}\n`); process.exit(0); }
    else if (a === '--data' || a.startsWith('--data=')) {
      o.data = a === '--data' ? argv[++i] : a.slice('--data='.length);
      if (!o.data || o.data.startsWith('--')) usageError(`--data needs a path to ${IMDB_FILE} or the folder holding it`);
    } else if (a.startsWith('-')) usageError(`unknown flag ${a}`);
    else {
      // Digits only: Number() would also take '1e0', '0x2' and ' 3'.
      const n = /^[0-9]+$/.test(a) ? Number(a) : NaN;
      if (!Number.isInteger(n) || n < 1 || n > count) usageError(`section '${a}' is not a number from 1 to ${count} (--list shows them)`);
      o.sections.push(n);
    }
  }
  return o;
}

if (!existsSync(resolve(COMPILED, 'sections.js'))) usageError('the examples are not compiled: run `npm run lab` (it compiles them first)');
const { LAB_SECTIONS } = await import(pathToFileURL(resolve(COMPILED, 'sections.js')).href);
const o = parse(process.argv.slice(2), LAB_SECTIONS.length);
if (o.list) {
  for (const s of LAB_SECTIONS) process.stdout.write(`${String(s.id).padStart(2)}  ${s.title}  (examples/lab8/${s.file})\n`);
  process.exit(0);
}
if (o.data !== undefined) {
  // The loader's own test (as rnnlab's --data): the sections get the path as RNNLAB_DATA, whose error would name that
  // variable instead of the flag the user gave.
  const { imdbPathProblem } = await import(pathToFileURL(resolve(ROOT, 'dist/data/imdb_source.js')).href);
  if (typeof imdbPathProblem !== 'function') usageError('dist/ predates src/: run `npm run build`');
  const why = imdbPathProblem(o.data);
  if (why !== undefined) usageError(`--data: ${why}: ${o.data}`);
}
// The sections read these when they load; a section imports the ones it builds on, which run first.
if (o.quick) process.env.RNNLAB_LAB_QUICK = '1';
if (o.data !== undefined) process.env.RNNLAB_DATA = resolve(o.data);
const compiled = (s) => resolve(COMPILED, s.file.replace(/\.ts$/, '.js'));
// The sections a section imports (directly or through others): they run when it loads, so each is run first
// under its own header instead of printing inside the importer's.
function builtOn(s, into = new Set()) {
  for (const m of readFileSync(compiled(s), 'utf8').matchAll(/from\s+['"]\.\/([^'"]+)\.js['"]/g)) {
    const dep = LAB_SECTIONS.find((d) => d.file === `${m[1]}.ts`);
    if (dep && !into.has(dep.id)) builtOn(dep, into.add(dep.id));
  }
  return into;
}
const asked = o.sections.length ? new Set(o.sections) : new Set(LAB_SECTIONS.map((s) => s.id));
const needs = new Map([...asked].map((id) => [id, builtOn(LAB_SECTIONS[id - 1])]));
const chosen = [...new Set([...needs].flatMap(([id, deps]) => [id, ...deps]))].sort((a, b) => a - b);
const started = performance.now();
for (const id of chosen) {
  const s = LAB_SECTIONS[id - 1];
  const needed = asked.has(id) ? '' : ` [needed by ${[...needs].filter(([, deps]) => deps.has(id)).map(([a]) => a).join(', ')}]`;
  process.stdout.write(`\n=== ${s.id}. ${s.title} (examples/lab8/${s.file})${needed} ===\n`);
  const t0 = performance.now();
  try {
    await import(pathToFileURL(compiled(s)).href);
  } catch (e) {
    // One line, as the rnnlab command prints it (the stack with RNNLAB_DEBUG=1, read as the command reads it).
    process.stderr.write(`lab: section ${s.id} (examples/lab8/${s.file}): ${e?.name === 'DataError' ? 'data error' : 'error'}: ${e?.message ?? String(e)}\n`);
    const { envFlag } = await import(pathToFileURL(resolve(ROOT, 'dist/env.js')).href);
    let debug = false;
    try { debug = envFlag('RNNLAB_DEBUG'); } catch { /* a bad value: checkEnv's warning is the command's business */ }
    if (debug && e?.stack) process.stderr.write(`${e.stack}\n`);
    process.exit(1);
  }
  process.stdout.write(`--- section ${s.id} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
process.stdout.write(`\nlab: ${chosen.length} section(s) in ${((performance.now() - started) / 1000).toFixed(1)} s${o.quick ? ' (quick mode)' : ''}\n`);
