/** rl.data.csv on a folder or a missing file: an error naming the path and what is wrong, not a raw EISDIR. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-csv-folder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rl.data.csv on a path that is not a CSV file', () => {
  it('a folder is named as a folder, for iteration and columnNames alike', async () => {
    const folder = join(dir, 'data.csv.d');
    mkdirSync(folder);
    const message = `data.csv: ${folder} is a folder, not a CSV file`;
    await expect(rl.data.csv(folder).toArray()).rejects.toThrow(message);
    await expect(rl.data.csv(folder).columnNames()).rejects.toThrow(message);
    await expect(rl.data.csv(folder, { hasHeader: false, columnNames: ['a'] }).toArray()).rejects.toThrow(message);
  });

  it('a missing file is named with "no such file"', async () => {
    const missing = join(dir, 'nope.csv');
    await expect(rl.data.csv(missing).toArray()).rejects.toThrow(`data.csv: cannot read ${missing}: no such file`);
    await expect(rl.data.csv(missing).columnNames()).rejects.toThrow(`data.csv: cannot read ${missing}: no such file`);
  });
});
