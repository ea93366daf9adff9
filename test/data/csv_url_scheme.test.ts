/** rl.data.csv reads local files: a URL of another scheme than file:// (tfjs fetches http ones) is refused by scheme. */
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { csv } from '../../src/data_pipeline/csv_dataset.js';
import { scratchFiles } from './scratch_files.js';

const { file } = scratchFiles('rnnlab-csv-url-');

describe('rl.data.csv and URLs', () => {
  it('refuses http(s) and other schemes by name, before reading anything', () => {
    const url = 'https://storage.googleapis.com/tfjs-examples/multivariate-linear-regression/data/boston-housing-train.csv';
    expect(() => csv(url)).toThrow(`data.csv: unsupported URL scheme 'https://' in '${url}'; rnnlab reads local files, given as paths or file:// URLs: download the file and give its path`);
    expect(() => csv('http://example.com/a.csv')).toThrow(/unsupported URL scheme 'http:\/\/'/);
    expect(() => csv('s3://bucket/a.csv')).toThrow(/unsupported URL scheme 's3:\/\/'/);
  });

  it('reads a path and a file:// URL (any case, %20 for a space) of the same file alike', async () => {
    const f = file('house prices.csv', 'rooms,price\n3,10.5\n4,12\n');
    const rows = [{ rooms: 3, price: 10.5 }, { rooms: 4, price: 12 }];
    expect(await csv(f).toArray()).toEqual(rows);
    expect(await csv(pathToFileURL(f).href).toArray()).toEqual(rows);
    expect(pathToFileURL(f).href).toMatch(/%20prices\.csv$/);
    expect(await csv(`FILE://${f}`).toArray()).toEqual(rows);
    expect(() => csv('file:///data%2Fx.csv')).toThrow(/data\.csv: cannot read the URL 'file:\/\/\/data%2Fx\.csv' as a local file: .*encoded \/ characters/);
  });
});
