/**
 * A dashboard addition job cancelled inside its first epoch reports no train accuracy: that epoch never finished. Nor
 * has it a whole epoch to score its validation questions with: its held-out accuracies are null and it lists no sample
 * answers (not the scores of the cut epoch's half-updated weights).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterFirstBatch, finished, PAUSE_MS, post, SMALL_SUM, useTestServer } from './helpers.js';

describe('a dashboard addition job cancelled mid-epoch', () => {
  const s = useTestServer({ batchDelayMs: PAUSE_MS });

  it('has train accuracy and validation scores null in the job, the record and its model entry, no samples, the cut epoch kept in the history', async () => {
    const id = (await post(s.base, '/api/jobs', { ...SMALL_SUM, name: 'cut' })).body.job.id;
    await afterFirstBatch(s, id);
    await post(s.base, `/api/jobs/${id}/cancel`, {});
    const job = await finished(s.base, id);
    expect(job.status).toBe('cancelled');
    const record = JSON.parse(readFileSync(join(s.runsDir, job.runId, 'results.json'), 'utf8'));
    expect(record.cancellation).toEqual({ afterEpochs: 0, partialLastEpoch: true });
    expect(record.models[0].history.accuracy).toHaveLength(1);
    expect([job.metrics.trainAccuracy, record.metrics.trainAccuracy, record.models[0].metrics.trainAccuracy]).toEqual([null, null, null]);
    expect(record.metrics.valLoss).toBeNull();
    for (const m of [job.metrics, record.metrics, record.models[0].metrics]) {
      expect([m.perCharAccuracy, m.exactMatchAccuracy]).toEqual([null, null]);
    }
    expect(record.samples).toEqual([]);
    expect(record.models[0].history.val_exact).toEqual([]);
  }, 120000);
});
