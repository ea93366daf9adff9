/**
 * The notebook's output on Deno's Jupyter kernel: the setup cell's notebook_output.ts collects what a cell prints
 * (fit's progress through process.stdout included) and sends it before the cell's end is published; the generator
 * refuses a cell whose value the notebook would dump. The kernel itself is not needed: a stand-in for its `Deno`
 * global records what would be sent.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../data/fixtures.js';
import { REPO_ROOT } from '../helpers/imdb.js';

const TSC = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
const COMPILED = join(REPO_ROOT, 'dist/examples/lab8/notebook_output.js');
let dir = '';

beforeAll(() => {
  const built = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.examples.json'], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(built.stdout + built.stderr).toBe('');
  dir = tempDir('rnnlab-lab8-nb-');
}, 120_000);

afterAll(() => removeDir(dir));

/** Runs `body` in a fresh Node process after importing notebook_output.js; what it writes to fd 1 comes back. */
function runWith(prelude: string, body: string) {
  const script = join(dir, `probe-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(script, `import { writeSync } from 'node:fs';\n${prelude}\nconst m = await import(${JSON.stringify(pathToFileURL(COMPILED).href)});\n${body}\n`);
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

// Deno's kernel as far as notebook_output.ts sees it: broadcast records, broadcastResult is the cell's end.
const FAKE_KERNEL = `
const internal = Symbol('Deno.internal');
const sent = [];
let publishedAfter = -1;
globalThis.Deno = {
  internal,
  inspect: (v) => JSON.stringify(v),
  jupyter: { broadcast: (type, content) => { sent.push({ type, name: content.name, text: content.text }); } },
  [internal]: { jupyter: { broadcastResult: async () => { publishedAfter = sent.length; } } },
};`;

describe('examples/lab8/notebook_output.ts', () => {
  it('in the kernel: sends whole lines, fit progress written to process.stdout included, before the cell ends', () => {
    const r = runWith(FAKE_KERNEL, `
console.log('Model:', { params: 2026 });
process.stdout.write('Epoch 1/1\\n');
process.stdout.write(' 1/63 [>.....]\\r63/63 [======]');
process.stdout.write(' - loss: 1.9699\\n');
console.warn('careful');
process.stdout.write(new TextEncoder().encode('no newline'));
const beforeEnd = sent.length;
await Deno[internal].jupyter.broadcastResult(1, undefined);
writeSync(1, JSON.stringify({ inKernel: m.inJupyterKernel, beforeEnd, sent, publishedAfter }));`);
    expect(r.inKernel).toBe(true);
    // Nothing went out through the racing path while the cell ran synchronously; all of it before the end.
    expect(r.beforeEnd).toBe(0);
    expect(r.publishedAfter).toBe(r.sent.length);
    expect(r.sent.every((m: { type: string }) => m.type === 'stream')).toBe(true);
    const text = (name: string) => r.sent.filter((m: { name: string }) => m.name === name).map((m: { text: string }) => m.text).join('');
    expect(text('stdout')).toBe('Model: {"params":2026}\nEpoch 1/1\n63/63 [======] - loss: 1.9699\nno newline');
    expect(text('stderr')).toBe('careful\n');
  });

  it('in the kernel: lines printed across turns of the event loop go out in order, each cell holding its own', () => {
    const r = runWith(FAKE_KERNEL, `
console.log('cell 1 line 1');
await new Promise((done) => setTimeout(done, 20));
console.log('cell 1 line 2');
await Deno[internal].jupyter.broadcastResult(1, undefined);
const firstCell = publishedAfter;
console.log('cell 2 line 1');
await Deno[internal].jupyter.broadcastResult(2, undefined);
writeSync(1, JSON.stringify({ sent, firstCell, publishedAfter }));`);
    expect(r.sent.map((m: { text: string }) => m.text).join('')).toBe('cell 1 line 1\ncell 1 line 2\ncell 2 line 1\n');
    expect(r.sent.slice(0, r.firstCell).map((m: { text: string }) => m.text).join('')).toBe('cell 1 line 1\ncell 1 line 2\n');
    expect(r.publishedAfter).toBe(r.sent.length);
  });

  it('outside the kernel (npm run lab, Node) leaves console and process.stdout alone', () => {
    const r = runWith('const log = console.log, write = process.stdout.write;', `
writeSync(1, JSON.stringify({ inKernel: m.inJupyterKernel, same: console.log === log && process.stdout.write === write }));`);
    expect(r).toEqual({ inKernel: false, same: true });
  });
});

describe('scripts/lab_notebook.mjs and the notebook cells', () => {
  it('the setup cell loads notebook_output.ts before rnnlab', () => {
    const nb = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/lab8.ipynb'), 'utf8'));
    const setup = nb.cells.find((c: { id: string }) => c.id === 'setup');
    expect(setup.source[0]).toBe("import { inJupyterKernel } from './lab8/notebook_output.ts';\n");
  });

  it('no code cell ends in a bare await, whose value (a History object) the notebook would dump', () => {
    const nb = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/lab8.ipynb'), 'utf8'));
    const bare = nb.cells
      .filter((c: { cell_type: string }) => c.cell_type === 'code')
      .filter((c: { source: string[] }) => /^await\b/.test(c.source.at(-1) ?? ''))
      .map((c: { id: string }) => c.id);
    expect(bare).toEqual([]);
  });

  it('the generator refuses a section whose code cell ends in a bare await, naming the file and line', () => {
    // A copy of what the generator reads, with section 15's fit left unbound.
    const root = join(dir, 'repo');
    mkdirSync(join(root, 'scripts'), { recursive: true });
    cpSync(join(REPO_ROOT, 'scripts/lab_notebook.mjs'), join(root, 'scripts/lab_notebook.mjs'));
    cpSync(join(REPO_ROOT, 'dist/examples/lab8'), join(root, 'dist/examples/lab8'), { recursive: true });
    cpSync(join(REPO_ROOT, 'examples/lab8'), join(root, 'examples/lab8'), { recursive: true });
    const file = join(root, 'examples/lab8/15_exercise_digit_by_digit.ts');
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('const history = await by_hand.fit('));
    expect(at).toBeGreaterThan(0);
    lines[at] = lines[at].replace('const history = ', '');
    writeFileSync(file, lines.join('\n'));
    const r = spawnSync(process.execPath, [join(root, 'scripts/lab_notebook.mjs')], { cwd: root, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`examples/lab8/15_exercise_digit_by_digit.ts:${at + 1}: a code cell ends in a bare 'await ...'`);
  });
});
