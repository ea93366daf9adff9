/**
 * csvLogger finds a file it cannot write before any batch trains (Keras opens it in on_train_begin), with an error
 * naming CSVLogger, the file and why; a new file exists from onTrainBegin; a row whose write fails part-way leaves no
 * half line for a later append to continue; a separator Python's csv writer would refuse is refused.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as rl from '../../src/index.js';
import { LINEAR_X, LINEAR_Y, tempDirs, tinyLinearModel } from '../helpers/tiny_linear.js';

/** When armed, the next non-empty write writes half its bytes, then fails as a full disk does. */
const disk = { failNext: false };
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((fd: number, data: unknown, ...rest: unknown[]) => {
    if (disk.failNext && ArrayBuffer.isView(data) && data.byteLength > 0) {
      disk.failNext = false;
      const [offset = 0, length = data.byteLength] = rest as number[];
      real.writeSync(fd, data as Uint8Array, offset, Math.floor(length / 2));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    }
    return (real.writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
  }) as typeof real.writeSync;
  const mocked = { ...real, writeSync };
  return { ...mocked, default: mocked };
});

const tempDir = tempDirs('rl-csv-r53-');

/** fit for 2 epochs with a callback counting batches listed first, the logger after it. */
async function run(logger: rl.CSVLogger, extra: rl.Callback[] = []) {
  const m = tinyLinearModel();
  const before = m.getWeights().map((w) => Array.from(w.dataSync()));
  let batches = 0;
  const fit = m.fit(LINEAR_X, LINEAR_Y, { epochs: 2, verbose: 0, callbacks: [{ onBatchEnd() { batches++; } }, logger, ...extra] });
  const error = await fit.then(() => null, (e: Error) => e);
  return { error, batches, unchanged: JSON.stringify(m.getWeights().map((w) => Array.from(w.dataSync()))) === JSON.stringify(before) };
}

describe('csvLogger checks its file before training', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a missing folder', () => join(tempDir(), 'no', 'such', 'x.csv'), /its folder does not exist/],
    ['a folder', () => tempDir(), /it is a folder/],
    ['a device with no space', () => '/dev/full', /no space left on the device/],
  ];
  if (existsSync('/proc/version')) cases.push(['a /proc file that opens but takes no writes', () => '/proc/version', /EIO/]);
  it.each(cases)('%s: refused before the first batch, naming CSVLogger and the file', async (_, where, why) => {
    const f = where();
    const { error, batches, unchanged } = await run(rl.callbacks.csvLogger(f));
    expect(error?.message).toMatch(new RegExp(`^CSVLogger: cannot write the log file ${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
    expect(error?.message).toMatch(why);
    expect(batches).toBe(0);
    expect(unchanged).toBe(true);
  });

  it('a new file exists from onTrainBegin, before the first epoch ends (Keras makes it there)', async () => {
    const f = join(tempDir(), 'new.csv');
    const seen: boolean[] = [];
    const { error } = await run(rl.callbacks.csvLogger(f), [new (class extends rl.Callback { override async onEpochBegin() { seen.push(existsSync(f)); } })()]);
    expect(error).toBeNull();
    expect(seen).toEqual([true, true]);
  });

  it('a run refused by a later callback\'s check leaves no file behind, and an existing log as it was', async () => {
    const dir = tempDir();
    // Listed with no callback of the user's before it, modelCheckpoint checks its path's keys before training.
    const refused = (logger: rl.CSVLogger) => tinyLinearModel().fit(LINEAR_X, LINEAR_Y, {
      epochs: 2, verbose: 0, callbacks: [logger, rl.callbacks.modelCheckpoint({ path: join(dir, 'ck-{val_los:.2f}') })],
    });
    const f = join(dir, 'new.csv');
    await expect(refused(rl.callbacks.csvLogger(f))).rejects.toThrow(/modelCheckpoint: path .* names '\{val_los\}'/);
    expect(existsSync(f)).toBe(false);
    const old = join(dir, 'old.csv');
    writeFileSync(old, 'epoch,loss\n0,1\n');
    await expect(refused(rl.callbacks.csvLogger(old, { append: true }))).rejects.toThrow(/modelCheckpoint: path/);
    expect(readFileSync(old, 'utf8')).toBe('epoch,loss\n0,1\n');
  });
});

describe('csvLogger writes whole lines', () => {
  it('a row whose write fails part-way is cut back; the error names the file; a later append continues after whole lines', async () => {
    const f = join(tempDir(), 'log.csv');
    const arm = new (class extends rl.Callback { override async onEpochBegin(epoch: number) { if (epoch === 1) disk.failNext = true; } })();
    const m = tinyLinearModel();
    let loss0 = '';
    const fit = m.fit(LINEAR_X, LINEAR_Y, {
      epochs: 2, verbose: 0, callbacks: [arm, rl.callbacks.csvLogger(f), { onEpochEnd(e: number, logs?: Record<string, unknown>) { if (e === 0) loss0 = String(logs!.loss); } }],
    });
    await expect(fit).rejects.toThrow(`CSVLogger: cannot write the log file ${f}: no space left on the device`);
    expect(disk.failNext).toBe(false);
    expect(readFileSync(f, 'utf8')).toBe(`epoch,loss,val_loss\n0,${loss0},NA\n`);
    const h = await m.fit(LINEAR_X, LINEAR_Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.csvLogger(f, { append: true })] });
    expect(readFileSync(f, 'utf8')).toBe(`epoch,loss,val_loss\n0,${loss0},NA\n0,${h.history.loss[0]},NA\n`);
  });

  it('the first row of a replaced log failing part-way leaves an empty file, not half a header', async () => {
    const f = join(tempDir(), 'log.csv');
    writeFileSync(f, 'epoch,loss\n0,1\n');
    const arm = new (class extends rl.Callback { override async onTrainBegin() { disk.failNext = true; } })();
    const { error } = await run(rl.callbacks.csvLogger(f), [arm]);
    expect(error?.message).toBe(`CSVLogger: cannot write the log file ${f}: no space left on the device`);
    expect(readFileSync(f, 'utf8')).toBe('');
  });
});

describe('csvLogger separator', () => {
  it.each([[''], [';;'], [', ']])('%j is not one character: refused as Python\'s csv writer refuses it', (sep) => {
    expect(() => rl.callbacks.csvLogger('x.csv', { separator: sep })).toThrow(`CSVLogger: separator must be one character (Python's csv writer, which Keras uses: "delimiter must be a 1-character string"), got ${JSON.stringify(sep)}`);
  });

  it.each([['"'], ['\n'], ['\r']])('%j, a quote mark or a line break, is refused', (sep) => {
    expect(() => rl.callbacks.csvLogger('x.csv', { separator: sep })).toThrow(`CSVLogger: separator ${JSON.stringify(sep)} cannot be a quote mark or a line break`);
  });

  it('a number is refused; one character beyond the BMP is one character, and its fields are quoted where they hold it', async () => {
    expect(() => rl.callbacks.csvLogger('x.csv', { separator: 5 as never })).toThrow(/separator must be one character .*got 5$/);
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    const f = join(dir, 'sub', 'log.csv');
    const h = await tinyLinearModel().fit(LINEAR_X, LINEAR_Y, { epochs: 1, verbose: 0, callbacks: [rl.callbacks.csvLogger(f, { separator: '😀' })] });
    expect(readFileSync(f, 'utf8')).toBe(`epoch😀loss😀val_loss\n0😀${h.history.loss[0]}😀NA\n`);
  });
});
