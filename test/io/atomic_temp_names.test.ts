/** The temp files writeFileAtomic makes name their writer's pid, which tempFileWriter reads back (stale-temp cleaning relies on it). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setBeforeRenameHook, TEMP_HOST, tempFileWriter, TEMP_PREFIX, writeFileAtomic } from '../../src/io/atomic.js';
import { processAlive } from '../../src/io/process_alive.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-atomic-names-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('atomic temp file names', () => {
  it('give back the pid and host of the process that wrote them; other names give null', () => {
    const seen: string[] = [];
    setBeforeRenameHook((tmp) => seen.push(path.basename(tmp)));
    try {
      writeFileAtomic(path.join(root, 'worker-1.json'), '{}');
    } finally {
      setBeforeRenameHook(null);
    }
    expect(seen).toHaveLength(1);
    expect(seen[0].startsWith(`${TEMP_PREFIX}worker-1.json-`)).toBe(true);
    expect(tempFileWriter(seen[0])).toEqual({ pid: process.pid, host: TEMP_HOST });
    expect(seen[0]).toMatch(new RegExp(`-${process.pid}-[0-9a-f]{8}@${TEMP_HOST.replace(/\./g, '\\.')}$`));
    // Names from before the host was added still read, host unknown.
    expect(tempFileWriter(`${TEMP_PREFIX}results.json-4242-0badc0de`)).toEqual({ pid: 4242, host: null });
    expect(tempFileWriter(`${TEMP_PREFIX}results.json-4242-0badc0de@gpu-7.lab`)).toEqual({ pid: 4242, host: 'gpu-7.lab' });
    expect(tempFileWriter('results.json-4242-0badc0de')).toBeNull();
    // Exactly 8 hex digits, as the writer makes them: a user's '.rnnlab-tmp-notes-2024-01' is not a temp file.
    expect(tempFileWriter(`${TEMP_PREFIX}notes-2024-01`)).toBeNull();
    expect(tempFileWriter(`${TEMP_PREFIX}results.json-4242-0badc0de0`)).toBeNull();
    expect(tempFileWriter(`${TEMP_PREFIX}results.json-4242-dead`)).toBeNull();
    expect(tempFileWriter(`${TEMP_PREFIX}model`)).toBeNull();
  });

  it('processAlive: this process is, a pid that never ran is not', () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 12345)).toBe(false);
  });
});
