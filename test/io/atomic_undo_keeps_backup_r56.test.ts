// writeFilesAtomic's undo after a failed commit: where an old file cannot be put back from its backup, that backup is
// the only copy of the old file left. It is kept, and the error says where it is instead of "nothing was replaced".
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { setBeforeRenameHook, writeFilesAtomic } from '../../src/io/atomic.js';
import { removeDir, tempDir } from './helpers.js';

const root = tempDir('rnnlab-atomic-undo-');
afterAll(() => removeDir(root));
afterEach(() => setBeforeRenameHook(null));

const diskFull = () => Object.assign(new Error('ENOSPC: no space left on device, rename'), { code: 'ENOSPC' });
const temps = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.rnnlab-tmp-'));

/**
 * A folder with a.bin, b.bin and model.json (old contents); the commit fails at model.json, after a.bin and b.bin were
 * renamed in. Before it fails, a.bin is made a non-empty folder, so renaming a.bin's backup back over it fails
 * (EISDIR or ENOTEMPTY, root or not); b.bin's restore works.
 */
function failedSave(name: string): { dir: string; error: Error & { code?: string } } {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const f of ['a.bin', 'b.bin', 'model.json']) writeFileSync(join(dir, f), `old ${f}`);
  setBeforeRenameHook((_tmp, target) => {
    if (!target.endsWith('model.json')) return;
    unlinkSync(join(dir, 'a.bin'));
    mkdirSync(join(dir, 'a.bin', 'in-the-way'), { recursive: true });
    throw diskFull();
  });
  let error: (Error & { code?: string }) | undefined;
  try {
    writeFilesAtomic(dir, ['a.bin', 'b.bin', 'model.json'].map((f) => ({ path: f, data: `new ${f}` })));
  } catch (e) { error = e as Error; }
  setBeforeRenameHook(null);
  expect(error).toBeDefined();
  return { dir, error: error! };
}

describe('writeFilesAtomic: an old file that cannot be put back', () => {
  it('keeps its backup (the old bytes) and removes every other temp file; the restorable files are back', () => {
    const { dir } = failedSave('kept');
    const left = temps(dir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.rnnlab-tmp-a\.bin-/);
    expect(readFileSync(join(dir, left[0]), 'utf8')).toBe('old a.bin');
    expect(readFileSync(join(dir, 'b.bin'), 'utf8')).toBe('old b.bin');
    expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe('old model.json');
  });

  it('says the save failed, which file was not put back and where its old contents are, and keeps the code', () => {
    const { dir, error } = failedSave('said');
    const [backup] = temps(dir);
    const a = join(dir, 'a.bin');
    expect(error.message).toBe(`cannot write ${join(dir, 'model.json')}: no space left on the device, and the earlier ${a} ` +
      `could not be put back (${error.message.split('could not be put back (')[1].split('):')[0]}): it is in ${join(dir, backup)}; ` +
      `move it back to ${a} before saving there again`);
    expect(error.message).not.toContain('nothing was replaced');
    expect(error.code).toBe('ENOSPC');
    // Moved back as told, the old file is whole.
    rmSync(a, { recursive: true });
    renameSync(join(dir, backup), a);
    expect(readFileSync(a, 'utf8')).toBe('old a.bin');
    expect(temps(dir)).toEqual([]);
  });

  it('several old files not put back: each kept, each named with where it is', () => {
    const dir = join(root, 'several');
    mkdirSync(dir, { recursive: true });
    const names = ['a.bin', 'b.bin', 'model.json'];
    for (const f of names) writeFileSync(join(dir, f), `old ${f}`);
    setBeforeRenameHook((_tmp, target) => {
      if (!target.endsWith('model.json')) return;
      for (const f of ['a.bin', 'b.bin']) { unlinkSync(join(dir, f)); mkdirSync(join(dir, f, 'in-the-way'), { recursive: true }); }
      throw diskFull();
    });
    let message = '';
    try { writeFilesAtomic(dir, names.map((f) => ({ path: f, data: `new ${f}` }))); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/, and the earlier files could not be put back: .*; move each back to its name before saving there again$/);
    for (const f of ['a.bin', 'b.bin']) expect(message).toContain(`${join(dir, f)} (`);
    const left = temps(dir).sort();
    expect(left.map((n) => readFileSync(join(dir, n), 'utf8'))).toEqual(['old a.bin', 'old b.bin']);
    expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe('old model.json');
  });

  it('with every restore working, the error still says nothing was replaced and no backup stays', () => {
    const dir = join(root, 'whole');
    mkdirSync(dir, { recursive: true });
    for (const f of ['a.bin', 'model.json']) writeFileSync(join(dir, f), `old ${f}`);
    setBeforeRenameHook((_tmp, target) => { if (target.endsWith('model.json')) throw diskFull(); });
    expect(() => writeFilesAtomic(dir, ['a.bin', 'model.json'].map((f) => ({ path: f, data: `new ${f}` }))))
      .toThrow(`cannot write ${join(dir, 'model.json')}: no space left on the device; nothing was replaced`);
    expect(temps(dir)).toEqual([]);
    expect(readFileSync(join(dir, 'a.bin'), 'utf8')).toBe('old a.bin');
    expect(existsSync(join(dir, 'model.json'))).toBe(true);
  });
});
