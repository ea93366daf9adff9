#!/usr/bin/env node
// Writes examples/lab8.ipynb from the section files in examples/lab8, so the notebook never drifts from the
// scripts: `// %% [markdown]` starts a markdown cell (its `// ` comments become the text), `// %%` a code cell.
// In a notebook every cell shares one scope, so imports between sections and `export` keywords are dropped,
// and one setup cell imports rnnlab and the lab's settings. Usage: node scripts/lab_notebook.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const USAGE = 'usage: node scripts/lab_notebook.mjs [--check]   (= npm run lab:notebook)\n\n'
  + 'Writes examples/lab8.ipynb from examples/lab8/*.ts (compiled first by npm run lab:notebook).\n'
  + '  --check   write nothing; exit 1 if the notebook is out of date with the section files\n'
  + '  --help    this text\n';
// Read before anything else: a misspelt --check (or any other argument) must not rewrite the notebook.
let check = false;
for (const a of process.argv.slice(2)) {
  if (a === '--check') check = true;
  else if (a === '--help' || a === '-h') { process.stdout.write(USAGE); process.exit(0); }
  else { process.stderr.write(`lab_notebook: unknown argument '${a}'\n${USAGE}`); process.exit(2); }
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NOTEBOOK = resolve(ROOT, 'examples/lab8.ipynb');
const SOURCES = resolve(ROOT, 'examples/lab8');
const { LAB_SECTIONS } = await import(pathToFileURL(resolve(ROOT, 'dist/examples/lab8/sections.js')).href);

const RNNLAB_IMPORT = "import * as rl from 'rnnlab';";
const LOCAL_IMPORT = /^import .* from '\.\/[^']+';$/;

/** Splits one section file into cells of { kind, lines }. */
export function cellsOf(source, file) {
  const cells = [];
  let cell = null;
  source.split('\n').forEach((line, i) => {
    const marker = line.match(/^\/\/ %%( \[markdown\])?\s*$/);
    if (marker) {
      cell = { kind: marker[1] ? 'markdown' : 'code', lines: [], lastLine: 0 };
      cells.push(cell);
      return;
    }
    if (!cell) {
      if (line.trim() !== '') throw new Error(`${file}:${i + 1}: text before the first '// %%' marker`);
      return;
    }
    if (cell.kind === 'markdown') {
      if (line !== '' && line !== '//' && !line.startsWith('// ')) throw new Error(`${file}:${i + 1}: a markdown cell holds only '// ' comment lines`);
      cell.lines.push(line.slice(3));
    } else if (line !== RNNLAB_IMPORT && !LOCAL_IMPORT.test(line)) {
      cell.lines.push(line.replace(/^export (?=(const|let|function|async function|class|type|interface) )/, ''));
      if (line.trim() !== '') cell.lastLine = i + 1;
    }
  });
  for (const c of cells) {
    // Deno's kernel shows a cell's last value: a bare `await model.fit(...)` would dump its History object.
    const last = c.kind === 'code' ? trimBlank(c.lines).at(-1) : undefined;
    if (last !== undefined && /^await\b/.test(last)) {
      throw new Error(`${file}:${c.lastLine}: a code cell ends in a bare 'await ...', whose value the notebook would print: bind it (const x = await ...)`);
    }
  }
  return cells.map(({ lastLine, ...c }) => ({ ...c, lines: trimBlank(c.lines) })).filter((c) => c.lines.length > 0);
}

function trimBlank(lines) {
  let a = 0, b = lines.length;
  while (a < b && lines[a].trim() === '') a++;
  while (b > a && lines[b - 1].trim() === '') b--;
  return lines.slice(a, b);
}

function nbCell(kind, lines, id) {
  const source = lines.map((l, i) => (i < lines.length - 1 ? `${l}\n` : l));
  return kind === 'markdown'
    ? { cell_type: 'markdown', id, metadata: {}, source }
    : { cell_type: 'code', execution_count: null, id, metadata: {}, outputs: [], source };
}

export function buildNotebook() {
  const cells = [
    nbCell('markdown', [
      '# CS-109B Lab 8: Recurrent Neural Networks, in TypeScript with rnnlab',
      '',
      'Generated from `examples/lab8/*.ts` by `npm run lab:notebook`; edit those files, not this notebook.',
      'Runs on the Deno kernel (see `examples/lab8/README.md`). Quick mode (a small slice of the data, one epoch):',
      'start Jupyter with `RNNLAB_LAB_QUICK=1`. The IMDb tarball comes from `RNNLAB_DATA` (or the cache).',
    ], 'title'),
    // notebook_output.ts first: it makes the kernel put every line printed from here on (fit's progress too)
    // into the cell that printed it.
    nbCell('code', ["import { inJupyterKernel } from './lab8/notebook_output.ts';", RNNLAB_IMPORT, "import { epochs, percent, quick, SEED } from './lab8/lab.ts';"], 'setup'),
  ];
  // Helper modules (files that are not sections, besides lab.ts) go in once, before their first user.
  const sectionFiles = new Set(LAB_SECTIONS.map((s) => s.file));
  const inlined = new Set(['lab.ts', 'notebook_output.ts']);
  const add = (file, idPrefix) => {
    const source = readFileSync(resolve(SOURCES, file), 'utf8');
    for (const [, name] of source.matchAll(/^import .* from '\.\/([\w-]+)\.js';$/gm)) {
      const dep = `${name}.ts`;
      if (sectionFiles.has(dep) || inlined.has(dep)) continue;
      inlined.add(dep);
      add(dep, name);
    }
    cellsOf(source, `examples/lab8/${file}`).forEach((c, k) => cells.push(nbCell(c.kind, c.lines, `${idPrefix}-${k + 1}`)));
  };
  for (const s of LAB_SECTIONS) add(s.file, `s${String(s.id).padStart(2, '0')}`);
  const notebook = {
    cells,
    metadata: {
      kernelspec: { display_name: 'Deno', language: 'typescript', name: 'deno' },
      language_info: { codemirror_mode: 'typescript', file_extension: '.ts', mimetype: 'text/x.typescript', name: 'typescript', pygments_lexer: 'typescript' },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(notebook, null, 1)}\n`;
}

const text = buildNotebook();
if (check) {
  let current = '';
  try { current = readFileSync(NOTEBOOK, 'utf8'); } catch { /* missing counts as stale */ }
  if (current !== text) {
    process.stderr.write('examples/lab8.ipynb is out of date with examples/lab8/*.ts: run `npm run lab:notebook`\n');
    process.exit(1);
  }
} else {
  writeFileSync(NOTEBOOK, text);
  process.stdout.write(`wrote examples/lab8.ipynb (${JSON.parse(text).cells.length} cells)\n`);
}
