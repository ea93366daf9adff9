/** Class folders given as links (data/pos -> elsewhere), which Keras's text_dataset_from_directory reads as classes. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTextDataset } from '../../src/data/text_dataset.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-folder-links-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

describe('folder datasets with linked class folders', () => {
  it('a class folder that is a link is a class, not silently left out', async () => {
    write('elsewhere/neg/1.txt', 'awful');
    write('elsewhere/neg/2.txt', 'dull');
    write('data/pos/1.txt', 'great');
    write('data/mid/1.txt', 'fine');
    symlinkSync(path.join(root, 'elsewhere', 'neg'), path.join(root, 'data', 'neg'), 'dir');
    const ds = await loadTextDataset(path.join(root, 'data'));
    expect(ds.labels).toEqual(['mid', 'neg', 'neg', 'pos']);
    expect(ds.texts).toEqual(['fine', 'awful', 'dull', 'great']);
  });

  it('a broken link is not a class; a link to a folder inside a class is not walked (Keras walks without following links)', async () => {
    write('d2/pos/1.txt', 'great');
    write('d2/neg/1.txt', 'bad');
    write('outside/extra.txt', 'not an example');
    symlinkSync(path.join(root, 'missing'), path.join(root, 'd2', 'gone'), 'dir');
    symlinkSync(path.join(root, 'outside'), path.join(root, 'd2', 'pos', 'more'), 'dir');
    const ds = await loadTextDataset(path.join(root, 'd2'));
    expect(ds.labels).toEqual(['neg', 'pos']);
    expect(ds.texts).toEqual(['bad', 'great']);
  });
});
