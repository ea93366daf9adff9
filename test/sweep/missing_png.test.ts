import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingChart } from '../../src/sweep/execute.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-chart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a sweep run completed without its chart', () => {
  it('is said, with the reason the run printed on its stderr (which a sweep shows only for failed runs)', () => {
    mkdirSync(dir, { recursive: true });
    const tail = ['something else', 'rnnlab: report.png not written: ENOSPC: no space left on device, write'];
    expect(missingChart(dir, tail)).toBe('completed without report.png (ENOSPC: no space left on device, write)');
    expect(missingChart(dir, ['other lines'])).toBe('completed without report.png');
    writeFileSync(path.join(dir, 'report.png'), 'png');
    expect(missingChart(dir, tail)).toBeNull();
  });
});
