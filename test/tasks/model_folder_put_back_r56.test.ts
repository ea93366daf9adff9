/**
 * saveModelFolder swaps a new model folder in for an earlier one: the earlier one is moved aside, the new one renamed
 * in, and, if that rename fails, the earlier one put back. When putting it back fails too, the error must not say
 * "nothing was replaced" (the folder is gone): it names where the earlier model now is. The renames fail through a
 * mock of node:fs's renameSync (the rest of node:fs is the real one).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { saveModelFolder } from '../../src/tasks/text_output.js';
import { cleanup, tempDir } from '../cli/helpers.js';

/** The renames to fail, by a test of (from, to); null: none. */
const failing = vi.hoisted(() => ({ rename: null as ((from: string, to: string) => boolean) | null }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const renameSync = (from: string, to: string) => {
    if (failing.rename?.(String(from), String(to))) throw Object.assign(new Error(`EACCES: permission denied, rename '${from}' -> '${to}'`), { code: 'EACCES', syscall: 'rename', path: from, dest: to });
    return real.renameSync(from, to);
  };
  return { ...real, default: { ...real, renameSync }, renameSync };
});

afterEach(() => { failing.rename = null; });
afterAll(cleanup);

/** A stand-in for a model whose save writes model.json holding `text`. */
const modelSaying = (text: string) => ({
  async save(url: string) {
    const dir = url.replace(/^file:\/\//, '');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'model.json'), text);
  },
});

/** An earlier model folder (model.json 'earlier') to save over. */
function earlierModel(): string {
  const dir = path.join(tempDir(), 'model');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'model.json'), 'earlier');
  return dir;
}

describe('saveModelFolder over an earlier model, its swap failing', () => {
  it('puts the earlier model back ("nothing was replaced"); where that fails too, names where the earlier model is instead', async () => {
    const kept = earlierModel();
    // The new folder's rename in fails; the earlier one's rename back works.
    failing.rename = (from, to) => to === kept && !path.basename(from).includes('-old');
    await expect(saveModelFolder(kept, modelSaying('new'), {})).rejects.toThrow(`cannot write ${kept}: permission denied; nothing was replaced`);
    expect(readFileSync(path.join(kept, 'model.json'), 'utf8')).toBe('earlier');

    const dir = earlierModel();
    let aside: string | undefined;
    failing.rename = (from, to) => {
      if (to !== dir) { if (from === dir) aside = to; return false; }
      return true;
    };
    const error = await saveModelFolder(dir, modelSaying('new'), {}).then(() => null, (e: Error) => e);
    expect(aside).toBeDefined();
    expect(error?.message).toBe(`cannot write ${dir}: permission denied, and the earlier model could not be put back (permission denied): ` +
      `it is in ${aside}; move it back to ${dir} before saving there again`);
    expect(error?.message).not.toContain('nothing was replaced');
    // It is where the message says, whole; the new model's staging folder is gone.
    expect(existsSync(dir)).toBe(false);
    expect(readFileSync(path.join(aside!, 'model.json'), 'utf8')).toBe('earlier');
  });
});
