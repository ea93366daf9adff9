/**
 * A grid axis none of whose grid runs completed, where a list entry setting it did complete: the summary says that only
 * list entries completed (they make no effect), not that no run varying it completed; an axis with no completed run at
 * all keeps the plain sentence.
 */
import { describe, expect, it } from 'vitest';
import { sweepReportDoc } from '../../src/sweep/report.js';
import { summaryLines } from '../../src/sweep/render.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { summarize, unmeasuredLine, type RunEntry } from '../../src/sweep/summary.js';

const ok = (id: string, axes: RunEntry['axes'], value: number): RunEntry => ({ id, axes, seed: 1, status: 'completed', attempts: 1, value });
const failed = (id: string, axes: RunEntry['axes']): RunEntry => ({ id, axes, seed: 1, status: 'failed', attempts: 2, error: 'metric is NaN' });

const grid = { units: [4, 8], layers: [1, 2] };
const gridFailed: RunEntry[] = [4, 8].flatMap((units) => [1, 2].map((layers) => failed(`u${units}-l${layers}`, { units, layers })));
const LIST_ONLY_UNITS = 'Of the runs varying units, only list entries have completed, and list entries count in no axis\'s effect: its effect is not shown.';

describe('axes with no completed grid run', () => {
  it('one set by a completed list entry: says only list entries completed, in the terminal and in report.html', () => {
    const runs = [...gridFailed, ok('list', { units: 16 }, 0.4)];
    const s = summarize(runs, 'test_accuracy', 'max', [], grid);
    expect(s.effects).toEqual([]);
    expect(s.unmeasured).toEqual(['units', 'layers']);
    expect(unmeasuredLine(s)).toBe(`No run varying layers has completed: its effect is not shown. ${LIST_ONLY_UNITS}`);
    expect(summaryLines(s, runs)).toContain(unmeasuredLine(s));
    const spec = parseSpec('command: imdb\ngrid: { units: [4, 8], layers: [1, 2] }\nlist: [{ units: 16 }]\n');
    expect(sweepReportDoc(spec, s).sections.find((x) => x.title === 'Effect of each axis')!.text).toEqual([unmeasuredLine(s)]);
  });

  it('both set by completed list entries: one sentence naming both', () => {
    const s = summarize([...gridFailed, ok('a', { units: 16, layers: 3 }, 0.4), ok('b', { units: 32, layers: 3 }, 0.5)], 'test_accuracy', 'max', [], grid);
    expect(unmeasuredLine(s)).toBe('Of the runs varying units, layers, only list entries have completed, and list entries count in no axis\'s effect: their effects are not shown.');
  });

  it('set only by a failed list entry: no run varying it has completed', () => {
    const s = summarize([...gridFailed, failed('list', { units: 16 })], 'test_accuracy', 'max', [], grid);
    expect(unmeasuredLine(s)).toBe('No run varying units, layers has completed: their effects are not shown.');
  });
});
