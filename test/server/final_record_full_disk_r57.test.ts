/**
 * A dashboard job's last write on a nearly full disk (simulated: the real writers fail with ENOSPC where the disk
 * would): the record's reportError names the report files left out and, when it came to that, the details too, with
 * the reason in words. A folder holding only model/ and results.json then says what became of its report.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { finishRecord, startRecord } from '../../src/report/run.js';
import type { RecordBody, RunRecord } from '../../src/report/record.js';
import { writeFinalRecord } from '../../src/server/final_record.js';
import { tempDir } from './helpers.js';

const disk = vi.hoisted(() => ({ full: false, roomForLeanRecord: false, pngFails: false, reportsFail: false }));
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

vi.mock('../../src/io/atomic.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/io/atomic.js')>();
  return {
    ...real,
    // A full disk takes no file; one nearly full still takes a record without its details.
    writeFileAtomic: (...a: Parameters<typeof real.writeFileAtomic>) => {
      const text = String(a[1]);
      if (disk.full && !(disk.roomForLeanRecord && !text.includes('"details"'))) throw enospc();
      return real.writeFileAtomic(...a);
    },
    stageFile: (...a: Parameters<typeof real.stageFile>) => {
      if (disk.full || disk.reportsFail) throw enospc();
      return real.stageFile(...a);
    },
  };
});
vi.mock('../../src/report/png.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/report/png.js')>();
  return {
    ...real,
    svgToPng: (...a: Parameters<typeof real.svgToPng>) => {
      if (disk.pngFails) throw enospc();
      return real.svgToPng(...a);
    },
  };
});

const dirs: string[] = [];
afterEach(() => Object.assign(disk, { full: false, roomForLeanRecord: false, pngFails: false, reportsFail: false }));
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function job(): { dir: string; record: RunRecord } {
  const dir = tempDir('rnnlab-final-r57-');
  dirs.push(dir);
  const body: RecordBody = {
    config: { task: 'addition' }, data: null, metrics: {}, finding: 'trained',
    models: [{ name: 'm', params: 10, history: { loss: [1, 0.5] }, secondsPerEpoch: [1, 1] }],
    details: { histograms: [{ epoch: 1, weights: [] }] },
  } as unknown as RecordBody;
  const record = finishRecord(startRecord({ command: 'addition', argv: [], source: 'dashboard', runName: 'full', startedAt: new Date() }), body, 'completed');
  return { dir, record };
}
const doc = { title: 'full (completed)', sections: [{ title: 's', pre: 'x' }] };
const read = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8'));

describe("a dashboard job's final record on a nearly full disk", () => {
  it('names the report files left out, and the details when those were left out too, with the reason in words', () => {
    const { dir, record } = job();
    disk.full = true;
    disk.roomForLeanRecord = true;
    expect(writeFinalRecord(dir, record, doc)).toBeNull();
    disk.full = false;
    const written = read(dir);
    expect(written.status).toBe('completed');
    expect(written.details).toBeUndefined();
    expect(existsSync(path.join(dir, 'report.html'))).toBe(false);
    expect(existsSync(path.join(dir, 'report.png'))).toBe(false);
    expect(written.reportError).toBe(
      `report.html and report.png were not written, nor the record's details (histograms and samples of every epoch): `
      + `cannot write the run folder ${dir}: no space left on the device (writing ${path.join(dir, 'report.html')}); `
      + 'the record with its details could not be written either: no space left on the device');
    // With no room even for that, the job's process says why (the server then fails the job with it).
    const other = job();
    disk.full = true;
    disk.roomForLeanRecord = false;
    expect(writeFinalRecord(other.dir, other.record, doc)).toBe('no space left on the device');
  });

  it('names the report files left out when the record alone, details and all, still fits', () => {
    const { dir, record } = job();
    disk.reportsFail = true;
    expect(writeFinalRecord(dir, record, doc)).toBeNull();
    expect(existsSync(path.join(dir, 'report.html'))).toBe(false);
    expect(read(dir).details).toBeDefined();
    expect(read(dir).reportError).toBe(
      `report.html and report.png were not written: cannot write the run folder ${dir}: no space left on the device (writing ${path.join(dir, 'report.html')})`);
  });

  it('says report.png is missing when only the figure could not be made', () => {
    const { dir, record } = job();
    disk.pngFails = true;
    expect(writeFinalRecord(dir, record, doc)).toBeNull();
    expect(existsSync(path.join(dir, 'report.html'))).toBe(true);
    expect(existsSync(path.join(dir, 'report.png'))).toBe(false);
    expect(read(dir).reportError).toBe(`report.png was not written: cannot write ${path.join(dir, 'report.png')}: ENOSPC: no space left on device, write`);
    expect(read(dir).details).toBeDefined();
  });
});
