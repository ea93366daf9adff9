/**
 * seq2seq --generate refuses to replace a pairs.tsv in its run folder that no --generate run wrote there. Resumed into
 * its own folder (--resume DIR, no --out), the refusal names --resume, the flag that gave the folder, not --out.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, expectRefused, readResults, run, snapshotFiles, tempDir } from './helpers.js';

afterAll(cleanup);

const GENERATE_TINY = ['seq2seq', '--generate', 'addition', '--count', '40', '--epochs', '1', '--units', '4', '--embedding-dim', '4', '--samples', '0', '--verbose', '0', '--threads', '1'];

describe('seq2seq --generate --resume DIR over a pairs.tsv no --generate run wrote', () => {
  it('is refused naming --resume and the folder; nothing changes', async () => {
    const dir = path.join(tempDir(), 'gen');
    const first = await run([...GENERATE_TINY, '--out', dir]);
    expect(first.code, first.err).toBe(0);
    // The folder's record says no --generate wrote its pairs.tsv, which is now the user's.
    const record = readResults(dir);
    record.data.generated = null;
    writeFileSync(path.join(dir, 'results.json'), JSON.stringify(record));
    writeFileSync(path.join(dir, 'pairs.tsv'), 'my\town\n');
    const before = snapshotFiles(dir);
    expectRefused(await run([...GENERATE_TINY, '--resume', dir]), 'seq2seq',
      new RegExp(`^rnnlab seq2seq: error: --resume: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} already holds 'pairs\\.tsv', which the earlier run there did not generate ` +
        '\\(its results\\.json records no --generate\\) and which this run would replace with its generated pairs; nothing was changed\\. Give --out a new folder, or move pairs\\.tsv away$'));
    expect(snapshotFiles(dir)).toEqual(before);
    expect(readFileSync(path.join(dir, 'pairs.tsv'), 'utf8')).toBe('my\town\n');
  }, 120_000);
});
