/**
 * What a user's run can hand the report renderers: NaN and infinite losses, one epoch, none (a run stopped at once),
 * thousands, values near the float64 limit, labels with HTML special characters and unicode, empty tables. The SVG
 * must stay well-formed with finite coordinates (no NaN in path data), the HTML escaped, and the PNG must render.
 */
import { describe, expect, it } from 'vitest';
import { compareModels } from '../../src/experiments/compare.js';
import { experimentDoc } from '../../src/experiments/experiment_result.js';
import { imdbBody, imdbDoc, imdbFinding } from '../../src/experiments/imdb_result.js';
import type { ImdbArrays, ImdbRun } from '../../src/experiments/imdb_task.js';
import { renderHtml } from '../../src/report/html.js';
import { pngAvailable, svgToPng } from '../../src/report/png.js';
import { chartGridSvg, chartSvg, niceTicks, type ChartSpec } from '../../src/report/svg.js';
import { fixed, formatTable, seconds } from '../../src/report/table.js';

const NASTY = `<script>alert("x")</script> & 'q' ünï 日本 🙂`;

const SPECS: Record<string, ChartSpec> = {
  nonFinite: { title: 'loss', series: [{ name: 'train', y: [NaN, Infinity, -Infinity, 0.5, NaN] }] },
  allNaN: { title: 'loss', series: [{ name: 'train', y: [NaN, NaN] }] },
  oneEpoch: { title: 'loss', series: [{ name: 'train', y: [0.69] }, { name: 'val', y: [0.7], dashed: true }] },
  zeroEpochs: { title: 'loss', series: [{ name: 'train', y: [] }] },
  thousands: { title: 'loss', series: [{ name: 'train', y: Array.from({ length: 200_000 }, (_, i) => 1 / (i + 1)) }] },
  nearFloatMax: { title: 'diverged', series: [{ name: 'train', y: [1e308, -1e308, 1.7e308, 0.3] }] },
  hugeX: { title: 'x', series: [{ name: 'a', x: [-1.7e308, 1.7e308], y: [1, 2] }] },
  negative: { title: 'neg', series: [{ name: 'a', y: [-5, -3, -1e6] }] },
  logWithZeroAndDenormal: { title: 'grad', logY: true, series: [{ name: 'a', y: [-5, 0, 5e-324, 1e-40, 1e30] }] },
  logYMinZero: { title: 'grad', logY: true, yMin: 0, series: [{ name: 'a', y: [1, 2] }] },
  nonFiniteAxisEnds: { title: 'acc', yMin: NaN, yMax: Infinity, series: [{ name: 'a', y: [0.1, 0.9] }] },
  invertedAxisEnds: { title: 'acc', yMin: 1, yMax: 0, series: [{ name: 'a', y: [0.1, 0.9] }] },
  escaped: { title: NASTY, xLabel: NASTY, yLabel: NASTY, series: [{ name: NASTY, y: [1, 2] }, { name: '"&"', y: [2, 1] }] },
  barHuge: { kind: 'bar', title: 'b', categories: [NASTY, 'b', 'c'], series: [{ name: 'x', y: [1e308, -1e308, NaN] }] },
  barEmpty: { kind: 'bar', title: 'b', series: [] },
  barAllNaN: { kind: 'bar', title: 'b', yMin: NaN, series: [{ name: 'x', y: [NaN] }] },
  heatmapRagged: { kind: 'heatmap', title: 'h', series: [], heatmap: { rows: ['<', '&'], columns: ['"', ' '], values: [[NaN, 1e308], [-1e308]], min: NaN } },
  heatmapEmpty: { kind: 'heatmap', title: 'h', series: [], heatmap: { rows: [], columns: [], values: [] } },
  heatmapMissing: { kind: 'heatmap', title: 'h', series: [] },
};

/** Every number in the SVG's coordinate attributes and path data. */
function coordinates(svg: string): number[] {
  const out: number[] = [];
  for (const m of svg.matchAll(/ (?:x|y|x1|x2|y1|y2|cx|cy|width|height)="([^"]*)"/g)) out.push(Number(m[1]));
  for (const m of svg.matchAll(/ d="([^"]*)"/g)) for (const n of m[1].split(/[ML ]+/).filter(Boolean)) out.push(Number(n));
  return out;
}

describe('report charts on edge-case runs', () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    it(`${name}: finite coordinates, escaped text, renders to PNG`, () => {
      const svg = chartSvg(spec);
      expect(svg).not.toMatch(/NaN|Infinity|undefined/);
      const coords = coordinates(svg);
      expect(coords.length).toBeGreaterThan(0);
      for (const v of coords) expect(Number.isFinite(v), `${name}: ${v}`).toBe(true);
      // Points stay on the canvas (a clamped 1e308 is drawn at the frame's edge, not off to infinity).
      for (const m of svg.matchAll(/ d="([^"]*)"/g)) {
        const nums = m[1].split(/[ML ]+/).filter(Boolean).map(Number);
        for (const v of nums) expect(v >= 0 && v <= 640, `${name}: ${v}`).toBe(true);
      }
      expect(svg).not.toContain('<script');
      if (pngAvailable()) {
        const png = svgToPng(svg);
        expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      }
    });
  }

  it('escapes labels in text and attributes', () => {
    const svg = chartSvg(SPECS.escaped);
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;');
    expect(svg).toContain('aria-label="&lt;script&gt;');
    expect(svg).toContain('日本 🙂');
  });

  it('niceTicks survives a range that overflows float64', () => {
    for (const t of niceTicks(-1.7e308, 1.7e308)) expect(Number.isFinite(t)).toBe(true);
  });

  it('tiles every spec, and none, into one PNG', () => {
    const grid = chartGridSvg(Object.values(SPECS));
    expect(grid).not.toMatch(/NaN|Infinity/);
    if (pngAvailable()) {
      expect(svgToPng(grid).length).toBeGreaterThan(1000);
      expect(svgToPng(chartGridSvg([])).length).toBeGreaterThan(100);
    }
  });
});

describe('report HTML and tables on edge cases', () => {
  it('escapes every user string and renders empty tables', () => {
    const html = renderHtml({
      title: NASTY, subtitle: NASTY, finding: NASTY, metrics: { [NASTY]: NASTY, loss: NaN },
      config: { name: NASTY, missing: undefined, none: null, nested: { tag: '<b>' } },
      sections: [{ title: NASTY, text: [NASTY], pre: NASTY, tables: [{ columns: [], rows: [] }, { caption: NASTY, columns: [NASTY], rows: [[NASTY], [NaN], [null], [-1e308]] }], charts: [SPECS.escaped] }],
    });
    expect(html).not.toMatch(/<script|<b>/);
    expect(html.match(/&lt;script&gt;/g)!.length).toBeGreaterThan(8);
    expect(html).toContain('<table><thead><tr></tr></thead><tbody></tbody></table>');
    expect(html).not.toContain('missing');
    expect(html).toContain('日本 🙂');
  });

  it('formats missing and non-finite numbers without inventing values', () => {
    expect(seconds(NaN)).toBe('n/a');
    expect(seconds(12.34)).toBe('12.3');
    expect(fixed(undefined)).toBe('n/a');
    expect(fixed(NaN)).toBe('NaN');
    expect(fixed(Infinity)).toBe('Infinity');
    expect(fixed(0.123456)).toBe('0.1235');
    expect(formatTable({ columns: [], rows: [] })).toEqual(['', '']);
    expect(formatTable({ columns: ['a', 'b'], rows: [[1], [NaN, 'x']] })).toEqual(['  a  b', '---  -', '  1', 'NaN  x']);
  });
});

const DATA = { nTrain: 100, nTest: 100, vocab: 1000, maxlen: 50, meanLength: 40, loadSeconds: 0.1 } as ImdbArrays;
function run(over: Partial<ImdbRun>): Omit<ImdbRun, 'model'> {
  return {
    name: 'lstm', params: 1234, summary: ['Model: "x"'], config: { epochs: 3, batchSize: 64 }, history: { loss: [], accuracy: [] }, secondsPerEpoch: [],
    meanSecondsPerEpoch: NaN, trainAccuracy: NaN, trainLoss: NaN, testAccuracy: NaN, testLoss: NaN, evalSeconds: 0, totalSeconds: 0.2, cancelled: true, ...over,
  };
}

describe('IMDb reports of stopped and diverged runs', () => {
  it('a run stopped before its first epoch says so, with no NaN in the finding or the report', () => {
    const r = run({});
    expect(imdbFinding(r, DATA)).toBe('lstm was stopped after 0 epoch(s), before the test evaluation.');
    const body = imdbBody(r, DATA, null);
    const html = renderHtml(imdbDoc(r, DATA, body));
    expect(html).not.toMatch(/NaN/);
    expect(html).toContain('<dt>test loss</dt><dd>n/a</dd>');
    expect(html).toContain('<dt>seconds per epoch</dt><dd>n/a</dd>');
  });

  it('a run stopped after two epochs reports those epochs', () => {
    const r = run({ history: { loss: [0.7, 0.6], accuracy: [0.5, 0.6], val_loss: [0.8] }, secondsPerEpoch: [2, 4], meanSecondsPerEpoch: 3, trainAccuracy: 0.6, trainLoss: 0.6 });
    expect(imdbFinding(r, DATA)).toBe('lstm was stopped after 2 epoch(s), before the test evaluation (train accuracy 60.00%, 3.00 s per epoch on 100 reviews).');
    const html = renderHtml(imdbDoc(r, DATA, imdbBody(r, DATA, null)));
    // epoch 2 has no val_loss: shown as n/a, not NaN
    expect(html).toContain('<tr><td class="num">2</td><td class="num">4.00</td><td class="num">0.6000</td><td class="num">0.6000</td><td>n/a</td></tr>');
  });

  it('a diverged (NaN loss) completed run shows NaN where the run produced NaN', () => {
    const r = run({ cancelled: false, history: { loss: [NaN] }, secondsPerEpoch: [1], meanSecondsPerEpoch: 1, testLoss: NaN, testAccuracy: 0.5, trainAccuracy: 0.5 });
    const html = renderHtml(imdbDoc(r, DATA, imdbBody(r, DATA, null)));
    expect(html).toContain('<dt>test loss</dt><dd>NaN</dd>');
    expect(imdbFinding(r, DATA)).toContain('reaches 50.00% test accuracy after 1 epoch(s)');
  });

  it('compare never names a stopped model the best or the fastest', async () => {
    // Stopped at the first of two batches: lstm stops in its first epoch, cnn is never started. (A stop read as the
    // last batch ends stops nothing: training is over, src/experiments/train_hooks.ts.)
    const ac = new AbortController();
    const rl = await import('../../src/index.js');
    const x = rl.preprocessing.padSequences([[1, 2, 3], [4, 5], [6, 7, 8], [9]], { maxlen: 5 });
    const y = rl.tensor(Float32Array.from([0, 1, 0, 1]), [4, 1]);
    const data = { ...DATA, xTrain: x, yTrain: y, xTest: x, yTest: y, nTrain: 4, nTest: 4, vocab: 10, maxlen: 5 } as ImdbArrays;
    const res = await compareModels(data, ['lstm', 'cnn'], { epochs: 1, batchSize: 2, units: 2, embeddingDim: 2, verbose: 0, signal: ac.signal,
      onBatchEnd: () => ac.abort() });
    expect(res.finding).toBe('No model was evaluated (lstm started). Stopped while training lstm (in epoch 1 of 1); not trained: cnn.');
    expect(res.runs.map((r) => r.name)).toEqual(['lstm']);
    for (const c of res.charts) expect(chartSvg(c)).not.toMatch(/NaN|Infinity/);
  });
});

describe('experiment reports', () => {
  it('show an unmeasured number as n/a and keep the others exact', () => {
    const doc = experimentDoc({ name: 'digitwise', title: NASTY, finding: NASTY, numbers: { minExactLonger: NaN, params: 2026, exact: 0.5, tiny: 1e-5, big: Infinity },
      tables: [], charts: [], config: {} });
    expect(doc.metrics).toEqual({ minExactLonger: 'n/a', params: '2,026', exact: '0.5000', tiny: '1.000e-5', big: 'Infinity' });
    expect(doc.sections).toEqual([]);
    expect(renderHtml(doc)).not.toMatch(/NaN|<script/);
  });
});
