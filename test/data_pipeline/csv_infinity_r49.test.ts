/**
 * rl.data.csv reads `Infinity` and `-Infinity` as numbers, as tfjs's csv does (it parses fields with Number()), and
 * `NaN` as text, as tfjs does. Expected values checked against @tensorflow/tfjs-data 4.22.
 */
import { describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { tempCsvFiles } from './csv_file.js';

const { csvFile } = tempCsvFiles('rl-csvinf-');

describe('rl.data.csv and non-finite numbers', () => {
  it('without a dtype Infinity, -Infinity, +Infinity and an overflowing 1e400 are numbers; NaN and inf stay text', async () => {
    const f = csvFile('a,b\n1,Infinity\n2,-Infinity\n3,+Infinity\n4,1e400\n5,NaN\n6,inf\n');
    expect(await rl.data.csv(f).toArray()).toEqual([
      { a: 1, b: Infinity }, { a: 2, b: -Infinity }, { a: 3, b: Infinity }, { a: 4, b: Infinity }, { a: 5, b: 'NaN' }, { a: 6, b: 'inf' },
    ]);
  });

  it('a float32 column takes ±Infinity and batches it; NaN there is an error naming the column, file and line', async () => {
    const f = csvFile('a,b\n1,Infinity\n2,-Infinity\n3,0.5\n');
    const cfg = { columnConfigs: { b: { dtype: 'float32' as const } } };
    expect(await rl.data.csv(f, cfg).toArray()).toEqual([{ a: 1, b: Infinity }, { a: 2, b: -Infinity }, { a: 3, b: 0.5 }]);
    const [batch] = await rl.data.csv(f).batch(3).toArray() as Array<{ b: rl.Tensor }>;
    expect(Array.from(batch.b.dataSync())).toEqual([Infinity, -Infinity, 0.5]);
    rl.dispose(batch as never);
    const g = csvFile('a,b\n1,2\n2,NaN\n');
    await expect(rl.data.csv(g, cfg).toArray()).rejects.toThrow(/f\d+\.csv:3: column b \(dtype float32\) holds 'NaN', not a number/);
  });

  it('an int32 column still refuses Infinity, as not an integer; a float32 default may be Infinity', async () => {
    const f = csvFile('a,b\n1,Infinity\n');
    await expect(rl.data.csv(f, { columnConfigs: { b: { dtype: 'int32' } } }).toArray()).rejects.toThrow(/column b \(dtype int32\) holds 'Infinity', not an integer/);
    const g = csvFile('a,b\n1,\n');
    expect(await rl.data.csv(g, { columnConfigs: { b: { dtype: 'float32', default: -Infinity } } }).toArray()).toEqual([{ a: 1, b: -Infinity }]);
    expect(() => rl.data.csv(g, { columnConfigs: { b: { dtype: 'float32', default: NaN } } })).toThrow(/columnConfigs\.b\.default NaN is not a value of dtype float32/);
  });
});
