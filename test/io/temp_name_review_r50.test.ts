/**
 * A too-long name or path is said of the part that is too long: a folder name of the target's path (exportONNX as
 * writeFileAtomic), or, where the target's own path fits, the temp file's path beside it (the target is not blamed).
 * And only names rnnlab's writers give count as their temp files in a model folder: a user's `.rnnlab-tmp-…` file is
 * the user's, which a re-save must not delete.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { TEMP_HOST, TEMP_PREFIX, writeFileAtomic } from '../../src/io/atomic.js';
import { PATH_MAX_BYTES, pathTooLongWords, tempName } from '../../src/temp_names.js';
import { isModelFolderFile, saveModelFolder } from '../../src/tasks/text_output.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const newDir = () => { const d = mkdtempSync(path.join(tmpdir(), 'rnnlab-temp-review-')); dirs.push(d); return d; };
const bytes = (s: string) => Buffer.byteLength(s);
const model = () => rl.sequential({ layers: [rl.layers.dense({ units: 1, inputDim: 2 })] });
const exportError = (file: string) => rl.exportONNX(model(), file).then(() => null, (e: Error) => e.message);

/** A folder (made) whose path leaves `room` bytes for a name below it within PATH_MAX, built of names under 255 bytes. */
function deepFolder(room: number): string {
  let d = newDir();
  while (bytes(d) < PATH_MAX_BYTES - 200) d = path.join(d, 'd'.repeat(150));
  d = path.join(d, 'e'.repeat(PATH_MAX_BYTES - 1 - bytes(d) - 1 - room));
  mkdirSync(d, { recursive: true });
  return d;
}

describe('a target whose path fits but whose temp file path does not', () => {
  const name = 'model-weights.bin';
  const dir = deepFolder(name.length + 12);
  const target = path.join(dir, name);
  const tempBytes = bytes(path.join(dir, tempName(name)));
  const words = `its path (${bytes(target)} bytes) leaves no room for the temporary file written beside it first (${tempBytes} bytes; `
    + `paths take ${PATH_MAX_BYTES - 1} at most): a shorter folder or file name makes room`;

  it('is a path the file system takes (a plain write succeeds), and its temp path is past PATH_MAX', () => {
    expect(bytes(target)).toBe(PATH_MAX_BYTES - 12);
    expect(tempBytes).toBeGreaterThanOrEqual(PATH_MAX_BYTES);
    writeFileSync(`${target}.plain`, 'x');
    rmSync(`${target}.plain`);
  });

  it('writeFileAtomic says the temp file has no room, with both lengths, and leaves nothing', () => {
    expect(() => writeFileAtomic(target, 'x')).toThrow(`cannot write ${target}: ${words}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('exportONNX says the same', async () => {
    expect(await exportError(target)).toBe(`ONNX export: cannot write '${target}': ${words}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a target whose own path is past PATH_MAX is still said to be too long', () => {
    const far = path.join(dir, 'g'.repeat(40));
    expect(bytes(far)).toBeGreaterThanOrEqual(PATH_MAX_BYTES);
    expect(() => writeFileAtomic(far, 'x')).toThrow(`cannot write ${far}: the path is too long for the file system`);
  });
});

describe('a folder name over 255 bytes in the target path', () => {
  const folder = 'f'.repeat(260);
  const words = `the folder name '${folder}' is too long (260 bytes; file systems take 255 at most)`;

  it('exportONNX names that folder name, as writeFileAtomic names the folder', async () => {
    const dir = newDir(), file = path.join(dir, folder, 'x.onnx');
    expect(await exportError(file)).toBe(`ONNX export: cannot write '${file}': ${words}`);
    expect(() => writeFileAtomic(file, 'x')).toThrow(`cannot make the folder ${path.join(dir, folder)}: the file name is too long (260 bytes`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('pathTooLongWords finds the first component over 255 bytes, counting bytes, not characters', () => {
    expect(pathTooLongWords(`a/${folder}/b/x.bin`, 'a/t')).toBe(words);
    const multi = '語'.repeat(86);
    expect(pathTooLongWords(`a/${multi}/${folder}/x.bin`)).toBe(`the folder name '${multi}' is too long (258 bytes; file systems take 255 at most)`);
    expect(pathTooLongWords(`a/${folder}`)).toBe('the file name is too long (260 bytes; file systems take 255 at most)');
    expect(pathTooLongWords('a/x.bin')).toBe('the path is too long for the file system');
    // A temp path that fits is no reason: the words stay the general ones.
    expect(pathTooLongWords('a/x.bin', 'a/.rnnlab-tmp-x.bin-1-0123abcd@h')).toBe('the path is too long for the file system');
  });
});

describe("a user's file named like a temp file in a model folder", () => {
  it("refuses the re-save as any other user file does, and stays", async () => {
    const dir = path.join(newDir(), 'model');
    await saveModelFolder(dir, model(), {});
    const mine = path.join(dir, '.rnnlab-tmp-my-notes.txt');
    writeFileSync(mine, 'mine');
    await expect(saveModelFolder(dir, model(), {})).rejects.toThrow(`cannot save the model in ${dir}: it holds '.rnnlab-tmp-my-notes.txt', which rnnlab did not write; nothing was replaced`);
    expect(readFileSync(mine, 'utf8')).toBe('mine');
  });

  it('isModelFolderFile takes the temp names writers give, this host\'s, another\'s and the older ones without a host', () => {
    expect(isModelFolderFile(tempName('weights.bin'))).toBe(true);
    expect(isModelFolderFile(`${TEMP_PREFIX}model.json-123-0123abcd@other-host`)).toBe(true);
    expect(isModelFolderFile(`${TEMP_PREFIX}model.json-123-0123abcd`)).toBe(true);
    expect(tempName('model.json').endsWith(`@${TEMP_HOST}`)).toBe(true);
    for (const n of ['.rnnlab-tmp-my-notes.txt', `${TEMP_PREFIX}model.json-123`, `${TEMP_PREFIX}model.json-123-0123ABCD`]) expect(isModelFolderFile(n)).toBe(false);
  });
});
