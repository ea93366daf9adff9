/**
 * In Chromium, the Sweeps view's per-run table marks a run that trained in another precision than it asked for (the
 * API's precisionFallback) beside its settings, "(ran float32)", with the reason in the marker's title; a run that
 * trained as asked is not marked.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeInChromium } from '../helpers/browser.js';
import { dashboardSession } from './dashboard_harness.js';

function writeSweep(runsDir: string): void {
  const dir = join(runsDir, 'fell-back');
  const at = '2025-01-02T00:00:00.000Z';
  const spec = { command: 'addition', flags: {}, grid: { precision: ['float32', 'mixed_bfloat16'] }, samples: null, sampleSeed: 1, list: [], seeds: [1], goal: 'max', attempts: 1, metric: 'per_char_accuracy' };
  const runs = [
    { id: 'f32', axes: { precision: 'float32' }, seed: 1, status: 'completed', attempts: 1, value: 0.5 },
    { id: 'bf16', axes: { precision: 'mixed_bfloat16' }, seed: 1, status: 'completed', attempts: 1, value: 0.6, precisionFallback: { asked: 'mixed_bfloat16', ran: 'float32' } },
  ];
  for (const r of runs) mkdirSync(join(dir, 'runs', r.id), { recursive: true });
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ schemaVersion: 1, kind: 'sweep', spec, createdAt: at, updatedAt: at, finishedAt: at, runs, summary: null }));
}

describeInChromium("the Sweeps view, a run's precision fallback", () => {
  const session = dashboardSession({ hash: '#sweeps', runs: writeSweep });

  it('marks the run that trained in float32 beside its settings, the reason in the title, and not the other', async () => {
    const { page } = session;
    await page.click('#tab-sweeps');
    await page.click('#sweeps-table tbody tr[data-sweep="fell-back"] button');
    await page.waitForFunction(() => document.querySelector('#sweep-title')?.textContent?.startsWith('fell-back:'));
    const rows = await page.$$eval('#sweep-runs tbody tr', (trs) => trs.map((tr) => {
      const settings = tr.children[1] as HTMLElement;
      const marker = settings.querySelector('[title]');
      return { id: tr.children[0].textContent, settings: settings.textContent, title: marker?.getAttribute('title') ?? null, marker: marker?.textContent ?? null };
    }));
    expect(rows).toHaveLength(2);
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId.bf16.settings).toBe('precision=mixed_bfloat16 (ran float32)');
    expect(byId.bf16.marker).toBe('(ran float32)');
    expect(byId.bf16.title).toMatch(/asked for mixed_bfloat16 and trained in float32: mixed_bfloat16 falls back to float32 where the native kernels cannot run bf16/);
    expect(byId.f32).toEqual({ id: 'f32', settings: 'precision=float32', title: null, marker: null });
    expect(session.pageErrors).toEqual([]);
  });
});
