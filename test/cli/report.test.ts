import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { svgToPng } from '../../src/report/png.js';
import { recordJson } from '../../src/report/record.js';
import { defaultOutDir, finishRecord, startRecord, writeRun } from '../../src/report/run.js';
import { chartGridSvg, chartSvg, niceTicks } from '../../src/report/svg.js';
import { formatTable } from '../../src/report/table.js';
import { checkReport, cleanup, tempDir } from './helpers.js';

afterAll(cleanup);

describe('report building blocks', () => {
  it('nice ticks cover the range with round steps', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.43, 0.71)).toEqual([0.4, 0.5, 0.6, 0.7, 0.8]);
    expect(niceTicks(5, 5).length).toBeGreaterThanOrEqual(2);
  });

  it('line charts have axes, labels, a legend and one path per series; log axes skip non-positive values', () => {
    const svg = chartSvg({ title: 'Loss & accuracy', xLabel: 'epoch', yLabel: 'loss', series: [{ name: 'train', y: [0.7, 0.5, 0.3] }, { name: 'val <test>', y: [0.72, 0.6, 0.55], dashed: true }] });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('Loss &amp; accuracy');
    expect(svg).toContain('val &lt;test&gt;');
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('stroke-dasharray');
    const log = chartSvg({ title: 'g', logY: true, series: [{ name: 'a', y: [1e-9, 0, 1e-3, NaN, 1] }] });
    expect(log).toContain('>1e-9<');
    expect(log.match(/<circle /g)).toHaveLength(3);
    expect(chartSvg({ title: 'empty', series: [] })).toContain('no data');
  });

  it('renders SVG to PNG with text', () => {
    const png = svgToPng(chartGridSvg([{ title: 'a', series: [{ name: 's', y: [1, 2] }] }, { kind: 'bar', title: 'b', categories: ['x', 'y'], series: [{ name: 'v', y: [3, 4] }] }]));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // Two 640-wide cells side by side: the PNG header says 1280 x 400.
    expect(png.readUInt32BE(16)).toBe(1280);
    expect(png.readUInt32BE(20)).toBe(400);
  });

  it('plain-text tables right-align numbers', () => {
    expect(formatTable({ columns: ['model', 'params', 'acc'], rows: [['lstm', 1080501, '87.10%'], ['gru', 60600, '9.00%']] })).toEqual([
      'model     params     acc',
      '-----  ---------  ------',
      'lstm   1,080,501  87.10%',
      'gru       60,600   9.00%',
    ]);
  });

  it('writes results.json (NaN as null, typed arrays as arrays), a self-contained report.html and report.png', () => {
    const dir = path.join(tempDir(), 'nested', 'run');
    const start = startRecord({ command: 'test', argv: ['test'], source: 'cli', runName: 'test', startedAt: new Date() });
    const history = { loss: Array.from(new Float32Array([0.5, 0.25])) };
    const record = finishRecord(start, { config: { a: 1 }, data: null, models: [{ name: 'm', params: 3, history, secondsPerEpoch: [NaN, 1] }], metrics: { x: NaN }, finding: 'It works.' });
    const files = writeRun(dir, record,
      { title: 'T', finding: 'It works.', sections: [{ title: 'Curves', charts: [{ title: 'Loss', series: [{ name: 'train', y: [0.5, 0.25] }] }] }, { title: 'S', pre: '<pre> & "quotes"' }] });
    expect(files.png).not.toBeNull();
    const res = JSON.parse(readFileSync(files.results, 'utf8'));
    expect(res.metrics.x).toBeNull();
    expect(res.models[0].history.loss).toEqual([0.5, 0.25]);
    expect(res.models[0].secondsPerEpoch).toEqual([null, 1]);
    expect(res).toMatchObject({ schemaVersion: 1, status: 'completed', pid: null, source: 'cli' });
    const { html } = checkReport(dir);
    expect(html).toContain('<p class="finding">It works.</p>');
    expect(html).toContain('&lt;pre&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('<h2>Environment</h2>');
    expect(recordJson({ v: Infinity, t: new Float32Array([1]) })).toBe('{\n  "v": null,\n  "t": [\n    1\n  ]\n}');
  });

  it('default run folders are runs/<timestamp>-<name>', () => {
    expect(defaultOutDir('imdb-lstm', new Date(2026, 0, 2, 3, 4, 5))).toBe(path.join('runs', '20260102-030405-imdb-lstm'));
    expect(renderHtml({ title: 'x', sections: [] })).toMatch(/^<!DOCTYPE html>/);
  });
});
