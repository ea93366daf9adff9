/**
 * writeRun over an earlier run's files: a report.png that cannot be made takes the earlier one with it (its charts
 * are another run's) and the warning names the file; a record that cannot be written changes nothing in the folder.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { ReportDoc } from '../../src/report/html.js';
import { RecordError, type RecordBody, type RunRecord } from '../../src/report/record.js';
import { finishRecord, startRecord, writeRun } from '../../src/report/run.js';

const png = vi.hoisted(() => ({ fail: false }));
vi.mock('../../src/report/png.js', async (original) => {
  const real = await original<typeof import('../../src/report/png.js')>();
  return {
    ...real,
    svgToPng: (...a: Parameters<typeof real.svgToPng>) => {
      if (png.fail) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return real.svgToPng(...a);
    },
  };
});

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const body = (finding: string): RecordBody => ({ config: {}, data: null, models: [], metrics: {}, finding });
const record = (finding: string): RunRecord => finishRecord(startRecord({ command: 'tokenize', argv: [], source: 'cli', runName: 'tokenize', startedAt: new Date() }), body(finding));
const doc: ReportDoc = { title: 't', sections: [] };
const read = (dir: string, f: string) => readFileSync(path.join(dir, f));
const tempsIn = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('.rnnlab-tmp-'));

function earlierRun(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-run-order-'));
  dirs.push(dir);
  png.fail = false;
  expect(writeRun(dir, record('earlier'), doc).png).toBe(path.join(dir, 'report.png'));
  return dir;
}

describe('writeRun over an earlier run', () => {
  it('a report.png that cannot be made removes the earlier one and names the file; the rest is the new run', () => {
    const dir = earlierRun();
    png.fail = true;
    const files = writeRun(dir, record('new'), doc);
    png.fail = false;
    expect(files.png).toBeNull();
    expect(files.pngError).toBe(`cannot write ${path.join(dir, 'report.png')}: ENOSPC: no space left on device, write; the earlier run's report.png there was removed`);
    expect(existsSync(path.join(dir, 'report.png'))).toBe(false);
    expect(JSON.parse(read(dir, 'results.json').toString())).toMatchObject({ finding: 'new', status: 'completed', pid: null });
    expect(tempsIn(dir)).toEqual([]);
  });

  it('a record that fails its check changes nothing: the reports are not renamed in before the record is ready', () => {
    const dir = earlierRun();
    const before = ['results.json', 'report.html', 'report.png'].map((f) => read(dir, f));
    const bad = { ...record('new'), status: 'finished' } as unknown as RunRecord;
    expect(() => writeRun(dir, bad, { title: 'other', sections: [{ title: 's', pre: 'x' }] })).toThrow(RecordError);
    expect(['results.json', 'report.html', 'report.png'].map((f) => read(dir, f))).toEqual(before);
    expect(tempsIn(dir)).toEqual([]);
  });
});
