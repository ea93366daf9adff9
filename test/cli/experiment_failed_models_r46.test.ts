/**
 * A failed `rnnlab experiment NAME` keeps the models it finished before the error: its record lists them as the
 * completed run's record would (history, metrics, summary), names them in details.finishedBeforeFailure and in its
 * finding, and its report shows them. The fault is injected into the real task functions: reverse's second model
 * (after its first has finished), gradients' long-range LSTM (after the IMDb models and the long-range SimpleRNN).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { run as cli, schemaProblems, syntheticImdb, tempDir } from './helpers.js';

/** Which call of the task function throws (0-based; -1: none). */
const fault = vi.hoisted(() => ({ additionCall: -1, longRangeCell: '' }));
let additionCalls = 0;

vi.mock('../../src/experiments/addition_task.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/experiments/addition_task.js')>();
  return {
    ...actual,
    trainAddition: async (...a: Parameters<typeof actual.trainAddition>) => {
      if (additionCalls++ === fault.additionCall) throw new Error('injected fault in the second model');
      return actual.trainAddition(...a);
    },
  };
});

vi.mock('../../src/experiments/long_range.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/experiments/long_range.js')>();
  return {
    ...actual,
    trainLongRange: async (...a: Parameters<typeof actual.trainLongRange>) => {
      if (a[0] === fault.longRangeCell) throw new Error(`injected fault in the long-range ${a[0]}`);
      return actual.trainLongRange(...a);
    },
  };
});

const fx = syntheticImdb('rnnlab-exp-failed-models-', { reviews: 40 });
const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
/**
 * A model entry less what two identical runs in one process do not share: the wall times, and the layer names of the
 * summary (numbered on from the earlier run's): its lines' counts are kept.
 */
const comparable = (m: Record<string, unknown>) => ({ ...m, secondsPerEpoch: (m.secondsPerEpoch as unknown[]).length,
  summary: (m.summary as string[]).map((l) => l.match(/\d+\s*$/)?.[0].trim() ?? '') });
const REVERSE = ['experiment', 'reverse', '--digits', '1', '--training-size', '50', '--hidden', '4', '--epochs', '2', '--batch-size', '8', '--verbose', '0', '--threads', '1'];

describe('a failed experiment keeps the models it finished', () => {
  it('reverse failing in its second model records the first as the completed run lists it', async () => {
    const root = tempDir();
    const ok = join(root, 'ok'), failed = join(root, 'failed');
    additionCalls = 0;
    expect((await cli([...REVERSE, '--out', ok])).code).toBe(0);
    additionCalls = 0;
    fault.additionCall = 1;
    const r = await cli([...REVERSE, '--out', failed]);
    fault.additionCall = -1;
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^rnnlab experiment reverse: .*injected fault in the second model$/m);
    const rec = results(failed);
    expect(schemaProblems(rec)).toEqual([]);
    expect(rec.status).toBe('failed');
    expect(rec.error).toEqual({ name: 'Error', message: 'injected fault in the second model' });
    const plain = results(ok).models.find((m: { name: string }) => m.name === 'plain');
    expect(rec.models.map(comparable)).toEqual([comparable(plain)]);
    expect(rec.models[0].metrics.exactMatchAccuracy).toEqual(expect.any(Number));
    expect(rec.details).toEqual({ finishedBeforeFailure: ['plain'] });
    expect(rec.finding).toMatch(/^Experiment reverse failed before its finding: Error: injected fault in the second model .*; the model\(s\) it finished before the error are recorded: plain$/);
    expect(r.out).toMatch(/ \(the run failed; they record its options, the error and the 1 model\(s\) it finished before it\)$/m);
    const html = readFileSync(join(failed, 'report.html'), 'utf8');
    expect(html).toContain('Models finished before the failure');
    expect(html).toMatch(/<td>plain<\/td>/);
  }, 120_000);

  it('gradients failing in the long-range LSTM records the IMDb models it trained and the long-range SimpleRNN', async () => {
    const out = join(tempDir(), 'gradients');
    fault.longRangeCell = 'lstm';
    const r = await cli(['experiment', 'gradients', '--data', fx.tar, '--vocab', '60', '--maxlen', '12', '--units', '4', '--embedding-dim', '4',
      '--batch-size', '8', '--batches', '1', '--epochs', '1', '--long-range-epochs', '1', '--verbose', '0', '--threads', '1', '--out', out]);
    fault.longRangeCell = '';
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/injected fault in the long-range lstm$/m);
    const rec = results(out);
    expect(schemaProblems(rec)).toEqual([]);
    expect(rec.status).toBe('failed');
    expect(rec.models.map((m: { name: string }) => m.name)).toEqual(['simple_rnn', 'lstm', 'long-range simpleRNN']);
    expect(rec.models.map((m: { history: { loss: number[] } }) => m.history.loss.length)).toEqual([1, 1, 1]);
    expect(rec.models[2].metrics.heldOutAccuracy).toEqual(expect.any(Number));
    expect(rec.details).toEqual({ finishedBeforeFailure: ['simple_rnn', 'lstm', 'long-range simpleRNN'] });
  }, 120_000);
});
