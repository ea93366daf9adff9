/**
 * The explanation of a job's process that died without a result (src/server/crash_note.ts): the cause line is kept
 * however many lines follow it, lines split across chunks come out whole, and every line and the whole are capped.
 */
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { packageRoot } from '../../src/compiled_entry.js';
import { CrashNote } from '../../src/server/crash_note.js';
import { pathRedactor } from '../../src/server/redact.js';

function note(...chunks: string[]): string {
  const n = new CrashNote();
  for (const c of chunks) n.push(c);
  return n.text();
}

describe("a crashed job process's stderr", () => {
  it('keeps the uncaught error line and the last lines, not only the stack frames', () => {
    const frames = Array.from({ length: 12 }, (_, i) => `    at frame${i} (file:///x/dist/server/job_child.js:${i}:1)`).join('\n');
    expect(note(`file:///x/a.js:1\nthrow new Error('boom')\n^\n\nError: boom\n${frames}\n\nNode.js v20.20.2\n`))
      .toBe('Error: boom | … | at frame10 (file:///x/dist/server/job_child.js:10:1) | at frame11 (file:///x/dist/server/job_child.js:11:1) | Node.js v20.20.2');
  });

  it("keeps V8's out-of-memory line ahead of the native frames", () => {
    const text = note('<--- Last few GCs --->\n\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n',
      ...Array.from({ length: 10 }, (_, i) => ` ${i + 1}: 0x10e91f1 v8::internal::Heap${i} [/usr/bin/node]\n`));
    expect(text).toBe('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory | … | 8: 0x10e91f1 v8::internal::Heap7 [/usr/bin/node] | 9: 0x10e91f1 v8::internal::Heap8 [/usr/bin/node] | 10: 0x10e91f1 v8::internal::Heap9 [/usr/bin/node]');
  });

  it('without an error line keeps the first line; joins a line split across chunks; says nothing when there was nothing', () => {
    expect(note('warming up\nstep 1\nst', 'ep 2\nstep 3\nstep 4')).toBe('warming up | … | step 2 | step 3 | step 4');
    expect(note('only\nthree\nlines\n')).toBe('only | three | lines');
    expect(note('TypeError: x is', ' not a function\n')).toBe('TypeError: x is not a function');
    expect(note('', '\n\n')).toBe('');
  });

  it('cuts a long line and the whole', () => {
    const long = `RangeError: ${'x'.repeat(5000)}`;
    const text = note(`${long}\n${'y'.repeat(5000)}\n${'z'.repeat(5000)}\n${'w'.repeat(5000)}`);
    const parts = text.split(' | ');
    expect(parts[0]).toBe(`${long.slice(0, 299)}…`);
    expect(parts.slice(1, 3)).toEqual(['y', 'z'].map((c) => `${c.repeat(299)}…`));
    // Four lines of 300 and their separators are more than the whole may be: the last is cut there.
    expect(text).toHaveLength(1200);
    expect(parts[3]).toMatch(/^w+…$/);
    expect(note(Array.from({ length: 8 }, (_, i) => `Error${i}: ${'q'.repeat(400)}`).join('\n')).length).toBe(1200);
  });
});

describe("the dashboard's path redactor", () => {
  it("replaces the installed package's own folder, as a crash's stack names it, also when working elsewhere", () => {
    // A working folder that holds neither the package nor is inside it (a checkout may itself sit in the temp folder).
    const cwd = vi.spyOn(process, 'cwd').mockReturnValue(join(tmpdir(), 'rnnlab-working-elsewhere'));
    try {
      const frame = `at run (file://${packageRoot()}/dist/server/job_child.js:52:7)`;
      expect(pathRedactor([])(frame)).toBe(`at run (file://${basename(packageRoot())}/dist/server/job_child.js:52:7)`);
    } finally {
      cwd.mockRestore();
    }
  });
});
