/**
 * Arguments of public functions that were taken without a check: each is refused when given, naming the argument
 * or option, and the valid forms keep working. Also: a fit stopped early (a callback's stopTraining, a Ctrl-C whose
 * exit returns) leaves stopTraining set, and the next fit clears it and trains every epoch, as Keras's fit does.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as rl from '../../src/index.js';
import { DataError } from '../../src/data/errors.js';
import { ModelFormatError } from '../../src/io/errors.js';
import { removeDir, silent, tempDir, toyText } from '../io/helpers.js';
import { expectClean } from './helpers.js';

const root = tempDir('rnnlab-r37-options-');
afterAll(() => removeDir(root));
let n = 0;
const fresh = () => join(root, `d${n++}`);

describe('rl.mixedPrecision.POLICY_NAMES', () => {
  it('is frozen, so a pushed name cannot make an unimplemented policy pass the check', async () => {
    const names = rl.mixedPrecision.POLICY_NAMES as unknown as string[];
    expect(() => names.push('float16')).toThrow(TypeError);
    expect([...names]).toEqual(['float32', 'mixed_bfloat16']);
    await expectClean(() => rl.mixedPrecision.setGlobalPolicy('float16' as never), Error, /mixed precision policy 'float16' is not supported/);
    expect(rl.mixedPrecision.getGlobalPolicy().name).toBe('float32');
  });
});

describe('backupAndRestore options used only after Ctrl-C are checked when it is made', () => {
  it('exit must be a function and resumeHint a string', async () => {
    await expectClean(() => rl.callbacks.backupAndRestore({ backupDir: fresh(), exit: 5 as never }), Error, /backupAndRestore: exit must be a function .*got number 5/);
    await expectClean(() => rl.callbacks.backupAndRestore({ backupDir: fresh(), resumeHint: 3 as never }), Error, /backupAndRestore: resumeHint must be a string, got number 3/);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });
});

describe('setProfiling and setPrecision', () => {
  afterEach(() => { rl.setProfiling(false); rl.setPrecision(32); });

  it('setProfiling takes only booleans, so isProfiling() answers one', async () => {
    await expectClean(() => rl.setProfiling('yes' as never), Error, /setProfiling: on must be true or false, got the string "yes"/);
    await expectClean(() => rl.setProfiling(1 as never), Error, /setProfiling: on must be true or false, got number 1/);
    expect(rl.isProfiling()).toBe(false);
    rl.setProfiling(true);
    expect(rl.isProfiling()).toBe(true);
  });

  it('setPrecision says a string "64" is a string', async () => {
    await expectClean(() => rl.setPrecision('64' as never), Error, /setPrecision: bits must be the number 32 or 64, got the string "64"/);
    expect(rl.getPrecision()).toBe(32);
  });
});

describe('CharacterTable', () => {
  const T = rl.preprocessing.CharacterTable;

  it('decode refuses option keys other than argmax, and an argmax that is not a boolean', async () => {
    const t = new T('abc');
    await expectClean(() => t.decode([2, 0, 1], { argMax: false } as never), DataError, /CharacterTable.decode: unknown option 'argMax' \(did you mean 'argmax'\?\)/);
    await expectClean(() => t.decode([2, 0, 1], { calc_argmax: false } as never), DataError, /unknown option 'calc_argmax'.*options: argmax/);
    await expectClean(() => t.decode([2, 0, 1], { argmax: 'no' } as never), DataError, /argmax must be true or false, got the string "no"/);
    expect(t.decode([2, 0, 1], { argmax: false })).toBe('cab');
    expect(t.decode([0, 0, 1, 0, 9, 0])).toBe('cb');
  });

  it('the constructor takes a string or an iterable of single characters', async () => {
    await expectClean(() => new T(5 as never), DataError, /CharacterTable: chars must be a string or an iterable of characters, got number 5/);
    await expectClean(() => new T(null as never), DataError, /chars must be a string or an iterable of characters, got null/);
    await expectClean(() => new T(['a', 'bc']), DataError, /CharacterTable: chars\[1\] must be one character, got the string "bc"/);
    await expectClean(() => new T(['a', 7] as never), DataError, /chars\[1\] must be one character, got number 7/);
    expect(new T(new Set(['c', 'a', '😀'])).chars).toEqual(['a', 'c', '😀']);
    expect(new T(['b', 'a', 'b']).encode('ab', 2).data).toEqual(new Float32Array([1, 0, 0, 1]));
  });
});

describe('rl.io.saveModel and rl.io.writeFileAtomic', () => {
  it('saveModel refuses what is not a model, naming the argument, and writes nothing', async () => {
    const dir = fresh();
    await expectClean(() => rl.io.saveModel({} as never, dir), ModelFormatError, /rl.io.saveModel: model must be an rnnlab model .*got an object/);
    await expectClean(() => rl.io.saveModel(dir as never, dir), ModelFormatError, /model must be an rnnlab model .*got the string/);
    expect(existsSync(dir)).toBe(false);
  });

  it('writeFileAtomic refuses data that is not text or bytes, and writes typed arrays by their bytes', async () => {
    const dir = fresh();
    await expectClean(() => rl.io.writeFileAtomic(join(dir, 'a'), 5 as never), Error, /writeFileAtomic: data must be a string, a Buffer, a typed array or a DataView, got number 5/);
    await expectClean(() => rl.io.writeFileAtomic(join(dir, 'a'), new ArrayBuffer(4) as never), Error, /got an ArrayBuffer \(wrap it: new Uint8Array\(buffer\)\)/);
    await expectClean(() => rl.io.writeFileAtomic(join(dir, 'a'), { text: 'x' } as never), Error, /data must be .*got an object/);
    expect(existsSync(dir)).toBe(false);

    const f32 = join(dir, 'f32');
    rl.io.writeFileAtomic(f32, new Float32Array([1, 2, 3]).subarray(1));
    expect([...new Float32Array(new Uint8Array(readFileSync(f32)).buffer)]).toEqual([2, 3]);
    const view = join(dir, 'view');
    const bytes = Uint8Array.from([9, 8, 7, 6]);
    rl.io.writeFileAtomic(view, new DataView(bytes.buffer, 1, 2));
    expect([...readFileSync(view)]).toEqual([8, 7]);
    rl.io.writeFileAtomic(join(dir, 'text'), 'é\n');
    expect(readFileSync(join(dir, 'text'), 'utf8')).toBe('é\n');
    expect(readdirSync(dir).sort()).toEqual(['f32', 'text', 'view']);
  });
});

describe('rl.data.CSVDataset', () => {
  it('new CSVDataset(path) is refused, pointing at rl.data.csv; csv() still makes one', async () => {
    const file = join(root, 'rows.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    await expectClean(() => new (rl.data.CSVDataset as unknown as new (...a: unknown[]) => unknown)(file, {}), Error, /rl.data.CSVDataset cannot be constructed: make a CSV dataset with rl.data.csv\(path, config\)/);
    const ds = rl.data.csv(file);
    expect(ds).toBeInstanceOf(rl.data.CSVDataset);
    expect(await ds.toArray()).toEqual([{ a: 1, b: 2 }]);
  });
});

describe('stopTraining after a fit stopped early (Keras resets it when fit starts)', () => {
  const data = toyText(32, 6, 10, 4);
  function model(): rl.Sequential {
    rl.setSeed(3);
    const m = rl.sequential({ layers: [rl.layers.embedding({ inputDim: 10, outputDim: 3, inputLength: 6 }), rl.layers.gru({ units: 4 }), rl.layers.dense({ units: 1, activation: 'sigmoid' })] });
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    return m;
  }
  const FIT = { epochs: 3, batchSize: 8, verbose: 0 as const };

  it('a callback\'s stopTraining stays set after fit, and the next fit trains every epoch', async () => {
    const m = model();
    const stop: rl.Callback = { onEpochEnd: function (this: { model: rl.Sequential }) { this.model.stopTraining = true; } } as rl.Callback;
    const first = await m.fit(data.x, data.y, { ...FIT, callbacks: [stop] });
    expect(first.epoch).toEqual([0]);
    expect(m.stopTraining).toBe(true);
    const next = await m.fit(data.x, data.y, FIT);
    expect(next.epoch).toEqual([0, 1, 2]);
    expect(m.stopTraining).toBe(false);
  });

  it('after a Ctrl-C whose exit returns, the next fit trains every epoch', async () => {
    const m = model();
    const exits: number[] = [];
    const backup = rl.callbacks.backupAndRestore({ backupDir: fresh(), out: silent, exit: (c) => { exits.push(c); } });
    const ctrlC: rl.Callback = { onBatchEnd: (b) => { if (b === 1) process.emit('SIGINT'); } };
    await expect(m.fit(data.x, data.y, { ...FIT, callbacks: [backup, ctrlC] })).rejects.toBeInstanceOf(rl.TrainingInterrupted);
    expect(exits).toEqual([130]);
    expect(m.stopTraining).toBe(true);
    const next = await m.fit(data.x, data.y, FIT);
    expect(next.epoch).toEqual([0, 1, 2]);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('fitDataset after a stopped fit trains every epoch too', async () => {
    const m = model();
    const stop: rl.Callback = { onEpochEnd: function (this: { model: rl.Sequential }) { this.model.stopTraining = true; } } as rl.Callback;
    await m.fit(data.x, data.y, { ...FIT, callbacks: [stop] });
    expect(m.stopTraining).toBe(true);
    const ds = rl.data.zip({ xs: rl.data.array(data.x.unstack()), ys: rl.data.array(data.y.unstack()) }).batch(8);
    const h = await m.fitDataset(ds, { epochs: 3, verbose: 0 });
    expect(h.epoch).toEqual([0, 1, 2]);
  });
});
