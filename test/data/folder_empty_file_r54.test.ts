/**
 * An empty (or blank) .txt file in a class folder. Keras's text_dataset_from_directory reads it as the example '';
 * rnnlab refuses it as it refuses an empty CSV cell or JSON Lines text (a row with nothing to learn from), naming the
 * file, and skips it with skipBadRows (--skip-bad-rows).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadTextDataset } from '../../src/data/text_dataset.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-folder-empty-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const f = path.join(root, rel);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, text);
  return f;
}

describe('an empty .txt file in a class folder', () => {
  it('stops the load naming the file, and is skipped and counted with skipBadRows', async () => {
    write('d/pos/a.txt', 'great film');
    const empty = write('d/pos/empty.txt', '');
    const blank = write('d/neg/blank.txt', '\ufeff \n\t\n');
    write('d/neg/b.txt', 'awful film');
    const dir = path.join(root, 'd');
    // neg/ comes first (classes sorted), so its blank file is the first bad row.
    await expect(loadTextDataset(dir)).rejects.toThrow(`${blank}: empty text (skip such rows with skipBadRows)`);
    const ds = await loadTextDataset(dir, { skipBadRows: true });
    expect(ds.texts).toEqual(['awful film', 'great film']);
    expect(ds.labels).toEqual(['neg', 'pos']);
    expect(ds.skippedRows).toEqual([{ where: blank, problem: 'empty text' }, { where: empty, problem: 'empty text' }]);
  });

  it('rnnlab train says so with the flag that skips it', async () => {
    write('e/pos/a.txt', 'great film');
    write('e/pos/b.txt', 'lovely film');
    const empty = write('e/neg/empty.txt', '');
    write('e/neg/c.txt', 'awful film');
    let err = '';
    const code = await main(['train', '--data', path.join(root, 'e'), '--epochs', '1', '--units', '2', '--embedding-dim', '2', '--maxlen', '4', '--threads', '1', '--out', path.join(root, 'run')],
      { out: { write: () => true }, err: { write: (s: string) => { err += s; return true; } } });
    expect(code).not.toBe(0);
    expect(err).toContain(`data error: ${empty}: empty text (skip such rows with --skip-bad-rows)`);
  });
});
