/**
 * train's label notes and --classes naming numbers: the note that labels differing only in case are different classes
 * is kept in results.json (details.notes) and the report, not only printed; and --classes naming two spellings of one
 * number ('1' and '1.0'), which labels that are all numbers would read as one class (as a file's labels 1 and 1.0
 * are), is refused naming the flag and both names, while names that are not all numbers stay as written.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, expectRefused, run, schemaProblems, tempDir } from './helpers.js';

afterAll(cleanup);
const SMALL = ['--units', '4', '--embedding-dim', '4', '--epochs', '1', '--threads', '1', '--maxlen', '6'];
const results = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8'));

function csv(dir: string, labels: string[]): string {
  const f = path.join(dir, 'labels.csv');
  writeFileSync(f, ['text,label', ...labels.map((l, i) => `film number ${i} here,${l}`)].join('\n') + '\n');
  return f;
}

/** A folder dataset with one subfolder per name, four short texts in each. */
function classFolders(dir: string, names: string[]): string {
  const data = path.join(dir, 'data');
  for (const n of names) {
    mkdirSync(path.join(data, n), { recursive: true });
    for (let i = 0; i < 4; i++) writeFileSync(path.join(data, n, `${i}.txt`), `text ${i} of class ${n} here`);
  }
  return data;
}

describe('train records the notes it prints', () => {
  it('labels differing only in case: the notes are in results.json details.notes and in the report', async () => {
    const dir = tempDir('rnnlab-label-notes-');
    const data = csv(dir, Array.from({ length: 16 }, (_, i) => ['Pos', 'NEG', 'neg', 'pos'][i % 4]));
    const out = path.join(dir, 'run');
    const r = await run(['train', '--data', data, ...SMALL, '--out', out]);
    expect(r.code, r.err).toBe(0);
    const res = results(out);
    expect(schemaProblems(res)).toEqual([]);
    expect(res.details.notes).toEqual([
      'note: labels "NEG" and "neg" are different classes (labels keep their case); if they mean one class, write them one way',
      'note: labels "Pos" and "pos" are different classes (labels keep their case); if they mean one class, write them one way',
    ]);
    // The same words as printed, each once.
    for (const note of res.details.notes) expect(r.err.split(`rnnlab train: ${note}\n`)).toHaveLength(2);
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Notes</h2>');
    expect(html).toContain('labels &quot;Pos&quot; and &quot;pos&quot; are different classes');
  }, 60_000);

  it('no such labels: no notes in results.json nor in the report', async () => {
    const dir = tempDir('rnnlab-label-nonotes-');
    const out = path.join(dir, 'run');
    const r = await run(['train', '--data', csv(dir, Array.from({ length: 12 }, (_, i) => (i % 2 ? 'pos' : 'neg'))), ...SMALL, '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(results(out).details.notes).toBeUndefined();
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).not.toContain('<h2>Notes</h2>');
  }, 60_000);
});

describe('--classes naming two spellings of one number', () => {
  it('is a usage error naming the flag and both names, before any data is read', async () => {
    const dir = tempDir('rnnlab-classes-number-');
    const data = classFolders(dir, ['1', '1.0', '2']);
    const out = path.join(dir, 'run');
    const r = await run(['train', '--data', data, '--classes', '1,2,1.0', ...SMALL, '--out', out]);
    expectRefused(r, 'train', /--classes names '1' and '1\.0', two spellings of one number/, out);
    // As evaluate reads --classes the same way.
    const e = await run(['evaluate', '--model', path.join(dir, 'no-model'), '--data', data, '--classes', '01,1']);
    expectRefused(e, 'evaluate', /--classes names '01' and '1', two spellings of one number/);
  });

  it('names that are not all numbers stay as written: 1, 1.0 and pos are three classes', async () => {
    const dir = tempDir('rnnlab-classes-mixed-');
    const data = classFolders(dir, ['1', '1.0', 'pos']);
    const out = path.join(dir, 'run');
    const r = await run(['train', '--data', data, '--classes', '1,1.0,pos', ...SMALL, '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(results(out).data.classes).toEqual(['1', '1.0', 'pos']);
  }, 60_000);
});
