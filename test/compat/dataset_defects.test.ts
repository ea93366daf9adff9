/** rl.data defects: silent batch corruption, csv validation, leaked file descriptors, fitDataset/evaluateDataset options. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { tempCsvFiles } from '../data_pipeline/csv_file.js';

const { dir, csvFile } = tempCsvFiles('rl-dsdef-');
const C1 = 'a,b,label\n1,2,0\n3,,1\n5,6,x\n';

describe('batch never corrupts data silently', () => {
  it('an empty csv field or a string in a numeric column is an error naming the column and line', async () => {
    const f = csvFile(C1);
    await expect(rl.data.csv(f).batch(3).toArray()).rejects.toThrow(/column 'b': element 1 of the batch \(.*f\d+\.csv line 3\) is missing/);
    const g = csvFile('a,label\n1,0\n5,x\n');
    await expect(rl.data.csv(g).batch(2).toArray()).rejects.toThrow(/column 'label': element 1 .*line 3\) is the string 'x' but element 0 is a number/);
    await expect(rl.data.array([{ x: 1, y: 3 }, { x: 'abc' }] as never[]).batch(2).toArray()).rejects.toThrow(/column 'x': element 1 of the batch is the string 'abc'/);
    await expect(rl.data.array([{ x: 1 }, { x: 2, y: 3 }]).batch(2).toArray()).rejects.toThrow(/element 1 of the batch has key 'y'/);
  });

  it('refuses mixed dtypes instead of truncating floats', async () => {
    const ds = rl.data.array([rl.tensor([1], [1], 'int32'), rl.tensor([2.5], [1])]).batch(2);
    await expect(ds.toArray()).rejects.toThrow(/element 1 of the batch has dtype float32 but element 0 has int32/);
    const [b] = (await rl.data.array([true, false]).batch(2).toArray()) as rl.Tensor[];
    expect(b.dtype).toBe('bool');
  });
});

describe('[x, y] elements of plain lists', () => {
  const dense = (inDim: number, units: number) => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units, inputShape: [inDim] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    return m;
  };

  it('zip keeps its entries apart, even plain lists of one length; a list whose entries differ in shape is a pair too', async () => {
    const xs = rl.data.array([[1, 2], [3, 4]]), ys = rl.data.array([[1, 0], [0, 1]]);
    const [zipped] = (await rl.data.zip([xs, ys]).batch(2).toArray()) as rl.Tensor[][];
    expect(zipped.map((t) => t.shape)).toEqual([[2, 2], [2, 2]]);
    expect(Array.from(zipped[1].dataSync())).toEqual([1, 0, 0, 1]);
    expect((await dense(2, 2).fitDataset(rl.data.zip([xs, ys]).batch(2), { epochs: 1 })).history.loss).toHaveLength(1);
    const [pair] = (await rl.data.array([[[1, 2], [1]], [[3, 4], [0]]]).batch(2).toArray()) as rl.Tensor[][];
    expect(pair.map((t) => t.shape)).toEqual([[2, 2], [2, 1]]);
    expect((await dense(2, 1).fitDataset(rl.data.array([[[1, 2], [1]], [[3, 4], [0]]]).batch(2), { epochs: 1 })).history.loss).toHaveLength(1);
  });

  it('plain lists of one length in an array element stack as one array, and fitDataset says how to keep them apart', async () => {
    const ds = rl.data.array([[[1, 2], [1, 0]], [[3, 4], [0, 1]]]).batch(2);
    await expect(dense(2, 2).fitDataset(ds, { epochs: 1 })).rejects.toThrow(/got one tensor of shape \[2, 2, 2\] .*rl\.data\.zip/);
  });
});

describe('arguments checked when the op is made', () => {
  it('map, mapAsync, filter and forEachAsync take functions; batch takes smallLastBatch as true or false; shuffle a null seed as none', async () => {
    const ds = rl.data.array([1, 2, 3]);
    for (const op of ['map', 'mapAsync', 'filter'] as const) expect(() => (ds[op] as (f: unknown) => unknown)(5)).toThrow(new RegExp(`dataset\\.${op}: expected a function, got number`));
    await expect(ds.forEachAsync('f' as never)).rejects.toThrow(/dataset\.forEachAsync: expected a function, got string/);
    expect(() => ds.batch(2, 'no' as never)).toThrow(/dataset\.batch: smallLastBatch must be true or false, got "no"/);
    expect((await ds.batch(2, false).toArray()).length).toBe(1);
    expect((await ds.shuffle(3, null).toArray()).sort()).toEqual([1, 2, 3]);
  });

  it("an iterator has tfjs's toArray and forEachAsync over what is left of it", async () => {
    const it = await rl.data.array([1, 2, 3]).iterator();
    expect((await it.next()).value).toBe(1);
    expect(await it.toArray()).toEqual([2, 3]);
    const seen: number[] = [];
    await (await rl.data.array([4, 5]).iterator()).forEachAsync((x) => { seen.push(x); });
    expect(seen).toEqual([4, 5]);
  });

  it("a csv column's default must be a value of its dtype (it stands in for the field as read)", async () => {
    const f = csvFile('a,b\n1,\n2,1\n');
    expect(() => rl.data.csv(f, { columnConfigs: { b: { default: '5' } } }).toArray()).not.toThrow();
    expect(() => rl.data.csv(f, { columnConfigs: { b: { dtype: 'float32', default: '5' } } })).toThrow(/columnConfigs\.b\.default "5" is not a value of dtype float32/);
    expect(() => rl.data.csv(f, { columnConfigs: { b: { dtype: 'int32', default: true } } })).toThrow(/columnConfigs\.b\.default true is not a value of dtype int32/);
    expect(await rl.data.csv(f, { columnConfigs: { b: { dtype: 'bool', default: true } } }).toArray()).toEqual([{ a: 1, b: 1 }, { a: 2, b: 1 }]);
  });
});

describe('csv', () => {
  it('validates columnConfigs against the header and its own keys; dtype works', async () => {
    const f = csvFile(C1);
    await expect(rl.data.csv(f, { columnConfigs: { lable: { isLabel: true } } }).toArray())
      .rejects.toThrow('The key "lable" provided in columnConfigs does not match any of the column names (a,b,label).');
    expect(() => rl.data.csv(f, { columnConfigs: { a: { islabel: true } } } as never)).toThrow(/columnConfigs\.a: unknown key 'islabel'/);
    expect(() => rl.data.csv(f, { columnConfigs: { a: { dtype: 'int64' } } } as never)).toThrow(/columnConfigs\.a\.dtype must be one of/);
    const g = csvFile('a,b\n007,1\n');
    expect(await rl.data.csv(g, { columnConfigs: { a: { dtype: 'string' }, b: { dtype: 'bool' } } }).toArray()).toEqual([{ a: '007', b: 1 }]);
    await expect(rl.data.csv(f, { columnConfigs: { label: { dtype: 'float32' } } }).toArray()).rejects.toThrow(/:4: column label \(dtype float32\) holds 'x'/);
  });

  it("fitDataset lays a csv's columns side by side in the file's order, integer-like names too (JS objects list those first)", async () => {
    const f = csvFile('z,10,5,label\n100,10,5,1\n200,20,10,0\n');
    const ds = rl.data.csv(f, { columnConfigs: { label: { isLabel: true } } });
    expect(await ds.columnNames()).toEqual(['z', '10', '5', 'label']);
    // A linear model whose kernel is (1, 0, 0) reads column z only: predictions 100 and 200 in file order.
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [3], useBias: false })] });
    m.layers[0].setWeights([Float32Array.from([1, 0, 0])]);
    m.compile({ optimizer: rl.train.sgd(0), loss: 'meanSquaredError' });
    const mse = (await m.evaluateDataset(ds.batch(2))) as unknown as rl.Tensor;
    expect(mse.dataSync()[0]).toBeCloseTo(((100 - 1) ** 2 + 200 ** 2) / 2, 1);
    const [b] = (await ds.batch(2).toArray()) as { xs: Record<string, rl.Tensor> }[];
    expect(Array.from(b.xs['5'].dataSync())).toEqual([5, 10]);
  });

  it('a csv whose every column read is a label says so in fitDataset', async () => {
    const f = csvFile('a,b\n1,0\n2,1\n');
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const ds = rl.data.csv(f, { columnConfigs: { a: { isLabel: true }, b: { isLabel: true } } }).batch(2);
    await expect(m.fitDataset(ds, { epochs: 1 })).rejects.toThrow(/xs: an object of no columns/);
  });

  it('refuses duplicate header names and names the column and line of an empty label', async () => {
    await expect(rl.data.csv(csvFile('a,a,label\n1,2,0\n')).toArray()).rejects.toThrow(/Duplicate column names found: a/);
    await expect(rl.data.csv(csvFile(C1), { columnConfigs: { b: { isLabel: true } } }).toArray()).rejects.toThrow(/:3: Required column b is empty in this line/);
  });

  it('delivers the rows before a malformed line, and fails only on reaching it', async () => {
    const f = csvFile('a,b\n1,2\n3,4\n5\n7,8\n');
    const seen: unknown[] = [];
    await expect(rl.data.csv(f).forEachAsync((r) => { seen.push(r); })).rejects.toThrow(/f\d+\.csv:4: expected 2 fields, got 1/);
    expect(seen).toEqual([{ a: 1, b: 2 }, { a: 3, b: 4 }]);
    expect(await rl.data.csv(f).take(1).toArray()).toEqual([{ a: 1, b: 2 }]);
  });

  it.runIf(existsSync('/proc/self/fd'))('closes the file when iteration stops early (take, prefetch, evaluateDataset batches)', async () => {
    const big = csvFile(`a,b\n${Array.from({ length: 5000 }, (_, i) => `${i},${i % 2}`).join('\n')}\n`);
    const fds = () => readdirSync('/proc/self/fd').length;
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [1] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const settle = () => new Promise((r) => setTimeout(r, 100));
    await rl.data.csv(big).take(1).toArray(); // warm up whatever the first read opens once
    await settle();
    const f0 = fds();
    for (let i = 0; i < 20; i++) {
      await rl.data.csv(big).take(1).toArray();
      await rl.data.csv(big).prefetch(4).take(1).toArray();
      await rl.data.zip([rl.data.csv(big), rl.data.array([1])]).toArray();
      await m.evaluateDataset(rl.data.csv(big, { columnConfigs: { b: { isLabel: true } } }).batch(4), { batches: 1 });
    }
    await settle();
    expect(fds() - f0).toBeLessThanOrEqual(2);
  });
});

describe('Dataset ops follow tfjs', () => {
  const r5 = () => rl.data.array([0, 1, 2, 3, 4]);
  it('negative take = all, skip = all, repeat = forever; string shuffle seeds are deterministic', async () => {
    expect(await r5().take(-1).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(await r5().skip(-1).toArray()).toEqual([]);
    expect(await r5().repeat(-1).take(7).toArray()).toEqual([0, 1, 2, 3, 4, 0, 1]);
    const a = await r5().shuffle(5, 'abc').toArray();
    expect(await r5().shuffle(5, 'abc').toArray()).toEqual(a);
    expect([...a].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(() => r5().shuffle(5, 1.5)).toThrow(/dataset\.shuffle: seed must be an integer or a string/);
  });

  it('prefetch and generator pass return() on to the source', async () => {
    let closed = 0;
    const g = rl.data.generator(function* () { try { for (let i = 0; ; i++) yield i; } finally { closed++; } });
    expect(await g.prefetch(3).take(2).toArray()).toEqual([0, 1]);
    expect(await g.map((x) => x * 2).batch(2).take(1).toArray()).toHaveLength(1);
    expect(await rl.data.zip([g, rl.data.array([1])]).toArray()).toHaveLength(1);
    expect(closed).toBe(3);
  });
});

describe('fitDataset / evaluateDataset options', () => {
  const mk = () => {
    rl.setSeed(1);
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2], activation: 'sigmoid' })] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    return m;
  };
  const ds = () => rl.data.array([...Array(6)].map((_, i) => ({ xs: [i, i], ys: [i % 2] }))).batch(2);

  it('evaluateDataset refuses unknown options and a non-positive batches', async () => {
    const m = mk();
    await expect(m.evaluateDataset(ds(), { batchSize: 1 } as never)).rejects.toThrow(/unknown option 'batchSize'/);
    await expect(m.evaluateDataset(ds(), { batches: 0 })).rejects.toThrow(/batches must be a positive integer, got 0/);
    await expect(m.evaluateDataset(ds(), { batches: 'x' } as never)).rejects.toThrow(/batches must be a positive integer, got x/);
    await expect(m.evaluateDataset(ds(), { verbose: 2 } as never)).rejects.toThrow(/verbose must be 0 or 1/);
  });

  it('batchesPerEpoch stops training with a warning when the iterator runs out (no restart)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const sizes: number[][] = [];
      const h = await mk().fitDataset(ds(), {
        epochs: 3, batchesPerEpoch: 2,
        callbacks: { onEpochBegin: () => { sizes.push([]); }, onBatchEnd: (_b, l) => { sizes.at(-1)!.push(l!.size as number); } },
      });
      expect(sizes).toEqual([[2, 2], [2]]);
      expect(h.epoch).toEqual([0, 1]);
      expect(warn.mock.calls[0][0]).toMatch(/ran out of data after 3 batches; interrupting training/);
    } finally { warn.mockRestore(); }
  });

  it('validationData [x, y, w] applies the weights', async () => {
    const x = [[1, 2], [3, 1]], y = [[1], [0]];
    const m = mk();
    const h = await m.fitDataset(ds(), { epochs: 1, validationData: [x, y, [1, 0]] });
    // the same numbers as evaluate with sampleWeight (Keras's weighted validation loss)
    const want = m.evaluate(x, y, { sampleWeight: [1, 0] }) as rl.Tensor; // compiled without metrics: one Scalar
    expect(h.history.val_loss[0]).toBeCloseTo(want.dataSync()[0], 5);
    const h2 = await mk().fitDataset(ds(), { epochs: 1, validationData: [x, y, [1, 1]] });
    expect(h2.history.val_loss[0]).not.toBeCloseTo(h.history.val_loss[0], 4);
  });

  it('verbose 1 prints fit\'s per-epoch line; other values are refused', async () => {
    let text = '';
    await mk().fitDataset(ds(), { epochs: 2, verbose: 1, out: { write: (s: string) => { text += s; } } });
    expect(text).toMatch(/^Epoch 1\/2\n3\/3 \[=+\] - \d+s \d+(us|ms|s)\/step - loss: \d\.\d{4}\nEpoch 2\/2\n3\/3 /);
    await expect(mk().fitDataset(ds(), { verbose: 7 } as never)).rejects.toThrow(/verbose must be 0 or 1, got 7/);
    let quiet = '';
    await mk().fitDataset(ds(), { epochs: 1, verbose: 0, out: { write: (s: string) => { quiet += s; } } });
    expect(quiet).toBe('');
  });
});

describe('fitDataset hands its callbacks the model, as fit does', () => {
  const model = () => {
    const m = rl.sequential({ layers: [rl.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: rl.train.sgd(0.01), loss: 'meanSquaredError' });
    return m;
  };
  const ds = () => rl.data.zip({ xs: rl.data.array([[1, 2], [3, 4], [5, 6], [7, 8]]), ys: rl.data.array([[1], [0], [1], [0]]) }).batch(2);

  it('earlyStopping stops it; a plain object stops it through this.model; rl.Callback gets tfjs params', async () => {
    const m = model();
    // No later epoch improves by minDelta, no patience: Keras stops after the second epoch.
    const h = await m.fitDataset(ds(), { epochs: 5, callbacks: [rl.callbacks.earlyStopping({ monitor: 'loss', patience: 0, minDelta: 100 })] });
    expect(h.epoch).toEqual([0, 1]);
    const seen: unknown[] = [];
    const h2 = await m.fitDataset(ds(), { epochs: 5, callbacks: [{ onEpochEnd(this: { model: rl.Sequential }) { seen.push(this.model); this.model.stopTraining = true; } }] });
    expect(h2.epoch).toEqual([0]);
    expect(seen).toEqual([m]);
    let params: Record<string, unknown> = {};
    class C extends rl.Callback { override async onTrainBegin() { params = this.params; expect(this.model).toBe(m); } }
    await m.fitDataset(ds(), { epochs: 2, batchesPerEpoch: 2, callbacks: [new C()] });
    expect(params).toMatchObject({ epochs: 2, steps: 2, samples: null, batchSize: null, metrics: ['loss'] });
  });

  it('refuses the checkpoint callbacks, whose positions are fit\'s', async () => {
    await expect(model().fitDataset(ds(), { callbacks: [rl.callbacks.modelCheckpoint({ filepath: join(dir, 'ck') })] })).rejects.toThrow(/callbacks\[0\] \(ModelCheckpoint\) works with fit, not fitDataset/);
  });
});

describe('csv duplicate names', () => {
  it('are checked on the names in use: columnNames may replace a header that repeats one (tfjs)', async () => {
    const f = csvFile('p,p,y\n1,2,0\n');
    expect(await rl.data.csv(f, { columnNames: ['a', 'b', 'y'] }).toArray()).toEqual([{ a: 1, b: 2, y: 0 }]);
    await expect(rl.data.csv(f).toArray()).rejects.toThrow(/Duplicate column names found: p/);
  });
});
