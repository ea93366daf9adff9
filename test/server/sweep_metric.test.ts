/**
 * The sweep package and the dashboard's sweep view judge a completed run alike through one function in
 * src/sweep/outcome.ts: its metric under either spelling, or failed naming the metrics it does report.
 */
import { describe, expect, it } from 'vitest';
import { completedRun, metricOf } from '../../src/sweep/outcome.js';

describe('how a completed run counts in a sweep', () => {
  it('finds the metric under its snake_case or camelCase name, only as a finite number', () => {
    expect(metricOf({ testAccuracy: 0.8 }, 'test_accuracy')).toBe(0.8);
    expect(metricOf({ testAccuracy: 0.8 }, 'testAccuracy')).toBe(0.8);
    expect(metricOf({ exact_match: 0.5 }, 'exact_match')).toBe(0.5);
    // A record writes a non-finite number as null; a nested group of metrics is not a metric.
    expect(metricOf({ loss: null }, 'loss')).toBeUndefined();
    expect(metricOf({ perModel: { lstm: 0.7 } }, 'perModel')).toBeUndefined();
    expect(metricOf({}, 'loss')).toBeUndefined();
  });

  it('is completed with the value, or failed naming the metrics the run has', () => {
    expect(completedRun({ testAccuracy: 0.8, loss: 0.3 }, 'test_accuracy', 'r1')).toEqual({ status: 'completed', value: 0.8 });
    expect(completedRun({ loss: 0.3, bad: null, perModel: { a: 1 } }, 'test_accuracy', 'r1'))
      .toEqual({ status: 'failed', error: "run r1 reports no metric 'test_accuracy' (it has: loss)" });
    expect(completedRun({}, 'loss', 'r2')).toEqual({ status: 'failed', error: "run r2 reports no metric 'loss' (it has: none)" });
  });

  it('a metric that is there but not a finite number is named with its value, not called missing', () => {
    expect(completedRun({ loss: NaN, acc: 0.5 }, 'loss', 'r3')).toEqual({ status: 'failed', error: 'run r3 reports loss = NaN (not a finite number)' });
    expect(completedRun({ valLoss: Infinity }, 'val_loss', 'r4')).toEqual({ status: 'failed', error: 'run r4 reports val_loss = Infinity (not a finite number)' });
    // As read back from results.json, where a non-finite number is written as null.
    expect(completedRun({ loss: null }, 'loss', 'r5')).toEqual({ status: 'failed', error: 'run r5 reports loss = null (not a finite number)' });
  });

  it('takes the first finite value of the two spellings', () => {
    expect(metricOf({ testAccuracy: NaN, test_accuracy: 0.7 }, 'test_accuracy')).toBe(0.7);
    expect(metricOf({ testAccuracy: null, test_accuracy: 0.7 }, 'test_accuracy')).toBe(0.7);
    expect(metricOf({ testAccuracy: 0.6, test_accuracy: 0.7 }, 'test_accuracy')).toBe(0.6);
    expect(completedRun({ valLoss: NaN, val_loss: 0.2 }, 'val_loss', 'r6')).toEqual({ status: 'completed', value: 0.2 });
  });
});
