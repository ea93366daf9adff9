/** A user's own labelled texts read by loadTextDataset: awkward folders, headers and numeric labels. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTextDataset } from '../../src/data/text_dataset.js';
import { encodeLabels, mapLabels, resolveLabelMap } from '../../src/data/text_labels.js';
import { scratchFiles } from './scratch_files.js';

const { file, tree } = scratchFiles('rnnlab-own-data-');

describe('folder of class subfolders, as Keras indexes it', () => {
  it('does not take hidden folders for classes (a Jupyter .ipynb_checkpoints, a .git)', async () => {
    const dir = tree({ 'pos/1.txt': 'good', 'neg/1.txt': 'bad', '.ipynb_checkpoints/1-checkpoint.txt': 'copy', '.git/x.txt': 'z' });
    const ds = await loadTextDataset(dir);
    expect(encodeLabels(ds.labels, ds.where, dir).classNames).toEqual(['neg', 'pos']);
    expect(ds.texts).toEqual(['bad', 'good']);
    await expect(loadTextDataset(dir, { classes: ['.git', 'pos'] })).rejects.toThrow(/no subfolder '\.git'.*the subfolders are neg, pos$/);
  });

  it('reads the .txt files of nested folders in a class, ordered by folder then name, and skips hidden ones', async () => {
    const dir = tree({
      'pos/b.txt': 'top b', 'pos/a.txt': 'top a', 'pos/2019/x.txt': 'nested x', 'pos/2019/deeper/y.TXT': 'deep y',
      'pos/.ipynb_checkpoints/a-checkpoint.txt': 'a copy', 'pos/._a.txt': Buffer.from([0x00, 0x05, 0x16, 0x07, 0xff]),
      'neg/n.txt': 'bad', 'neg/notes.md': 'not an example',
    });
    const ds = await loadTextDataset(dir);
    expect(ds.texts).toEqual(['bad', 'top a', 'top b', 'nested x', 'deep y']);
    expect(ds.labels).toEqual(['neg', 'pos', 'pos', 'pos', 'pos']);
    expect(ds.where[4]).toBe(path.join(dir, 'pos', '2019', 'deeper', 'y.TXT'));
  });

  it('aclImdb/ itself (train/ and test/ holding pos/ and neg/) is not read as the classes train and test', async () => {
    const dir = tree({ 'train/pos/1.txt': 'good', 'train/neg/1.txt': 'bad', 'test/pos/1.txt': 'fine', 'test/neg/1.txt': 'awful', 'README': 'x' });
    await expect(loadTextDataset(dir)).rejects.toThrow(/the \.txt files of every subfolder \(test\/, train\/\) lie almost all in folders inside it \(test\/: 0 of its own, 2 below; train\/: 0 of its own, 2 below\): the classes look one level down; give one of .*test, .*train as the data/);
    expect((await loadTextDataset(path.join(dir, 'train'))).texts).toEqual(['bad', 'good']);
  });

  it('the real aclImdb/ is refused too: the urls_*.txt beside pos/ and neg/ do not make train/ and test/ classes', async () => {
    // The extracted tarball's top levels: each split holds a urls_<class>.txt of its own per class folder, a few
    // files against the thousands of reviews in its class folders (here 160 per class, the share under 1 %).
    const reviews = (split: string, cls: string) => Object.fromEntries(Array.from({ length: 160 }, (_, i) => [`${split}/${cls}/${i}_${cls === 'pos' ? 9 : 2}.txt`, `${cls} ${i}`]));
    const dir = tree({
      ...reviews('train', 'pos'), ...reviews('train', 'neg'), 'train/unsup/0_0.txt': 'meh',
      'train/urls_pos.txt': 'http://a', 'train/urls_neg.txt': 'http://b', 'train/urls_unsup.txt': 'http://c',
      ...reviews('test', 'pos'), ...reviews('test', 'neg'), 'test/urls_pos.txt': 'http://d', 'test/urls_neg.txt': 'http://e',
      'imdbEr.txt': '0.1', 'README': 'x', 'imdb.vocab': 'the',
    });
    await expect(loadTextDataset(dir, { optionNames: { classes: '--classes' } })).rejects.toThrow(
      /\(test\/: 2 of its own, 320 below; train\/: 3 of its own, 321 below\): the classes look one level down; give one of .*test, .*train as the data, or name the classes with --classes test,train to read every \.txt file in them$/);
    // Given as the data, train/ reads its class folders; its own urls_*.txt are not examples.
    const train = await loadTextDataset(path.join(dir, 'train'), { classes: ['neg', 'pos'] });
    expect(train.texts).toHaveLength(320);
    expect(train.texts.every((t, i) => t.startsWith(train.labels[i] + ' '))).toBe(true);
    expect(new Set(train.labels)).toEqual(new Set(['neg', 'pos']));
  });

  it('classes that keep some examples beside a folder of more (pos/a.txt, pos/2019/*.txt) are read as Keras reads them', async () => {
    const dir = tree({ 'pos/a.txt': 'good', 'pos/2019/b.txt': 'fine', 'pos/2019/c.txt': 'nice', 'neg/d.txt': 'bad', 'neg/2019/e.txt': 'poor', 'neg/2019/f.txt': 'dull' });
    const ds = await loadTextDataset(dir);
    expect(ds.labels).toEqual(['neg', 'neg', 'neg', 'pos', 'pos', 'pos']);
    expect([...ds.texts].sort()).toEqual(['bad', 'dull', 'fine', 'good', 'nice', 'poor']);
  });

  it('an empty class beside folders of classes is listed as empty, not as nested', async () => {
    const dir = tree({ 'train/pos/1.txt': 'good', 'train/neg/1.txt': 'bad' });
    mkdirSync(path.join(dir, 'extra'));
    await expect(loadTextDataset(dir)).rejects.toThrow(/\(extra\/: none; train\/: 0 of its own, 2 below\)/);
  });

  it('a class holding more files of its own than in folders inside it stays a class, and an even share too', async () => {
    const dir = tree({ 'pos/a.txt': 'good', 'pos/b.txt': 'fine', 'pos/old/c.txt': 'nice', 'neg/a.txt': 'bad', 'neg/old/b.txt': 'poor' });
    const ds = await loadTextDataset(dir);
    expect(ds.labels).toEqual(['neg', 'neg', 'pos', 'pos', 'pos']);
    expect(ds.texts).toEqual(['bad', 'poor', 'good', 'fine', 'nice']);
  });

  it('a layout nested in every class (pos/2019/*.txt) reads once the classes are named', async () => {
    const dir = tree({ 'pos/2019/1.txt': 'good', 'neg/2019/1.txt': 'bad' });
    await expect(loadTextDataset(dir, { optionNames: { classes: '--classes' } })).rejects.toThrow(/or name the classes with --classes neg,pos to read every \.txt file in them/);
    const ds = await loadTextDataset(dir, { classes: ['neg', 'pos'] });
    expect(ds.texts).toEqual(['bad', 'good']);
    expect(ds.labels).toEqual(['neg', 'pos']);
  });

  it('a class whose only files are hidden has no examples, and says so', async () => {
    const dir = tree({ 'pos/1.txt': 'good', 'neg/.draft.txt': 'bad' });
    await expect(loadTextDataset(dir)).rejects.toThrow(/no \.txt files in neg\/; every class subfolder needs examples/);
  });
});

describe('CSV headers that cannot be read as meant', () => {
  it('names semicolons in a one-column header (a spreadsheet\'s locale CSV)', async () => {
    const f = file('semi.csv', 'text;label\ngood;1\nbad;0\n');
    await expect(loadTextDataset(f)).rejects.toThrow(/semi\.csv:1: no text column found .*"text;label".*the header holds semicolons: fields must be separated by commas \(CSV\) or tabs \(TSV\)/);
  });

  it('refuses a header naming the text or label column twice, with the fields', async () => {
    await expect(loadTextDataset(file('dup.csv', 'text,label,text\na,pos,b\nc,neg,d\n'))).rejects.toThrow(/dup\.csv:1: the header names the column 'text' 2 times \(fields 1, 3\)/);
    await expect(loadTextDataset(file('dup.tsv', 'label\ttext\tlabel\n1\ta\t0\n'))).rejects.toThrow(/dup\.tsv:1: the header names the column 'label' 2 times \(fields 1, 3\)/);
    // A repeated column that is neither the text nor the label is no ambiguity.
    const ok = await loadTextDataset(file('notes.csv', 'note,text,label,note\nx,good,1,y\nx,bad,0,y\n'));
    expect(ok.texts).toEqual(['good', 'bad']);
  });
});

describe('numeric labels matched to a model\'s classes by value', () => {
  it('an explicit map from 1 also maps a label written 1.0', () => {
    expect(mapLabels(['1.0', '0', '0.0', '1', 'x'], { 0: 'neg', 1: 'pos' })).toEqual(['pos', 'neg', 'neg', 'pos', 'x']);
    // A spelling the map names as written wins over the lookup by value.
    expect(mapLabels(['1.0', '1'], { '1.0': 'a', 1: 'b' })).toEqual(['a', 'b']);
  });

  it('sentiment labels written 1.0 / 0.0 are matched by polarity, as 1 / 0 are', () => {
    const map = resolveLabelMap(['1.0', '0', '0.0', '1.0'], ['neg', 'pos']);
    expect(map).toEqual({ '1.0': 'pos', 0: 'neg', '0.0': 'neg' });
    const labels = mapLabels(['1.0', '0', '0.0', '1.0'], map);
    expect(Array.from(encodeLabels(labels, ['f:2', 'f:3', 'f:4', 'f:5'], 'f', ['neg', 'pos']).ids)).toEqual([1, 0, 0, 1]);
    // Numbers with no polarity are left for encodeLabels to name.
    expect(resolveLabelMap(['2.0', '1.0'], ['neg', 'pos'])).toEqual({ '1.0': 'pos' });
  });
});
