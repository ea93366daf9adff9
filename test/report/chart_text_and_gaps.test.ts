/**
 * What a chart's text and lines must survive: tick labels on a range narrower than their usual three digits, titles
 * and series names longer than their room (charts are tiled two abreast in report.png), and NaN or infinite values
 * in the middle of a curve.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { pngAvailable } from '../../src/report/png.js';
import { chartGridSvg, chartSvg, FONT, formatTick, formatTicks, niceTicks, type ChartSpec } from '../../src/report/svg.js';

/** The y axis's tick labels (right-aligned at the frame's left edge), bottom to top. */
const yLabels = (svg: string) => [...svg.matchAll(/<text [^>]*text-anchor="end" font-size="11" fill="#444">([^<]*)<\/text>/g)].map((m) => m[1]);
/** The x axis's tick labels, left to right. */
const xLabels = (svg: string) => [...svg.matchAll(/<text [^>]*text-anchor="middle" font-size="11" fill="#444">([^<]*)<\/text>/g)].map((m) => m[1]);
const titleLines = (svg: string) => [...svg.matchAll(/<text [^>]*font-weight="bold"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
const legendNames = (svg: string) => [...svg.matchAll(/<text [^>]*font-size="12" fill="#222">([^<]*)<\/text>/g)].map((m) => m[1]);
const paths = (svg: string) => [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);
const circles = (svg: string) => [...svg.matchAll(/<circle cx="([^"]*)" cy="([^"]*)"/g)].map((m) => [Number(m[1]), Number(m[2])]);

/** The width resvg lays `text` out at, in the charts' font: a measurement, not the renderer's own estimate. */
function renderedWidth(text: string, size: number, bold: boolean): number {
  const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="40"><text x="0" y="30" font-family="${FONT}" font-size="${size}"${bold ? ' font-weight="bold"' : ''}>${text}</text></svg>`;
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' } }).getBBox().width;
}

describe('tick labels', () => {
  it('tell neighbouring ticks apart on a narrow range', () => {
    expect(formatTicks(niceTicks(2.4701, 2.4811))).toEqual(['2.47', '2.4725', '2.475', '2.4775', '2.48', '2.4825']);
    expect(formatTicks(niceTicks(0.99991, 0.99995))).toEqual(['0.99991', '0.99992', '0.99993', '0.99994', '0.99995']);
    expect(formatTicks(niceTicks(123456, 123458))).toEqual(['123456', '123456.5', '123457', '123457.5', '123458']);
    expect(formatTicks(niceTicks(1e-7, 3e-7))).toEqual(['1e-7', '1.5e-7', '2e-7', '2.5e-7', '3e-7']);
    expect(formatTicks(niceTicks(100000, 150000))).toEqual(['1e5', '1.1e5', '1.2e5', '1.3e5', '1.4e5', '1.5e5']);
  });

  it('keep the short look on ordinary ranges', () => {
    expect(formatTicks(niceTicks(0, 1))).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);
    expect(formatTicks(niceTicks(0, 100))).toEqual(['0', '20', '40', '60', '80', '100']);
    expect(formatTicks(niceTicks(0, 1e6))).toEqual(['0', '2e5', '4e5', '6e5', '8e5', '1e6']);
    expect(formatTicks(niceTicks(0, 0.004))).toEqual(['0', '0.001', '0.002', '0.003', '0.004']);
    expect(formatTicks(niceTicks(-3, 7))).toEqual(['-4', '-2', '0', '2', '4', '6', '8']);
  });

  it('are distinct on the axes of a rendered chart', () => {
    const svg = chartSvg({ title: 'loss', series: [{ name: 'train', x: [0.99991, 0.99993, 0.99995], y: [2.4811, 2.4739, 2.4701] }] });
    expect(yLabels(svg)).toEqual(['2.47', '2.4725', '2.475', '2.4775', '2.48', '2.4825']);
    const x = xLabels(svg);
    expect(x.length).toBeGreaterThanOrEqual(3);
    expect(new Set(x).size).toBe(x.length);
    const bars = chartSvg({ kind: 'bar', title: 'count', categories: ['a', 'b'], series: [{ name: 'n', y: [123456, 123458] }], yMin: 123456 });
    const y = yLabels(bars);
    expect(new Set(y).size).toBe(y.length);
  });

  it('formatTick gives three significant digits at every magnitude (the gradient table)', () => {
    expect([2.345e-5, 0.0234, 0.5, 12.345, 7, 123456, 1e-9].map(formatTick)).toEqual(['2.35e-5', '0.0234', '0.5', '12.3', '7', '1.23e5', '1e-9']);
  });
});

describe('titles and legend names', () => {
  const long = 'Training and validation loss per epoch for LSTM, GRU, SimpleRNN and the CNN-LSTM hybrid (IMDb, 10 epochs)';

  it('a short title stays one 15 px line', () => {
    const svg = chartSvg({ title: 'Loss', series: [{ name: 'a', y: [1, 2] }] });
    expect(svg).toContain('font-size="15" font-weight="bold" fill="#222">Loss</text>');
    expect(svg).not.toContain('<title>');
  });

  it('a long title wraps onto two lines that keep all its words and fit the chart', () => {
    const svg = chartSvg({ title: long, series: [{ name: 'a', y: [1, 2] }] });
    const lines = titleLines(svg);
    expect(lines).toHaveLength(2);
    expect(lines.join(' ')).toBe(long);
    if (pngAvailable()) for (const line of lines) expect(renderedWidth(line, 13, true)).toBeLessThanOrEqual(620);
  });

  it('a title too long for two lines ends in an ellipsis, the full text in a <title>', () => {
    const title = `${long} & ${long} <again>`;
    const svg = chartSvg({ title, series: [{ name: 'a', y: [1, 2] }] });
    const lines = titleLines(svg);
    expect(lines).toHaveLength(2);
    expect(lines[1].endsWith('…')).toBe(true);
    expect(svg).toContain(`<title>${long} &amp; ${long} &lt;again&gt;</title>`);
    if (pngAvailable()) for (const line of lines) expect(renderedWidth(line, 13, true)).toBeLessThanOrEqual(620);
  });

  it('titles in a grid stay inside their own cell', () => {
    const spec: ChartSpec = { title: `${long}, ${long}`, series: [{ name: 'a', y: [1, 2] }] };
    const svg = chartGridSvg([spec, spec]);
    const lines = titleLines(svg);
    expect(lines).toHaveLength(4);
    // Centred at 320 in a 640-wide cell: it stays in its cell when it is under 640 wide (10 px clear each side).
    if (pngAvailable()) for (const line of lines) expect(renderedWidth(line, 13, true)).toBeLessThanOrEqual(620);
  });

  it('long series names are cut to their legend column, the full name in a <title>', () => {
    const name = 'lstm validation, dropout 0.5, recurrent dropout 0.2, 10 000 words';
    const svg = chartSvg({ title: 'loss', series: ['train', name, 'gru'].map((n, i) => ({ name: n, y: [i, i + 1] })) });
    const names = legendNames(svg);
    expect(names[0]).toBe('train');
    expect(names[1].endsWith('…')).toBe(true);
    expect(name.startsWith(names[1].slice(0, -1))).toBe(true);
    expect(svg).toContain(`<title>${name}</title>`);
    // Three columns across the 550 px frame; a name starts 24 px into its column.
    if (pngAvailable()) expect(renderedWidth(names[1], 12, false)).toBeLessThanOrEqual(550 / 3 - 24);
  });

  it('two series share the legend row, so a name that fits half of it is not cut', () => {
    const name = 'validation loss, dropout 0.2';
    const svg = chartSvg({ title: 'loss', series: [{ name: 'train', y: [1, 2] }, { name, y: [2, 1] }] });
    expect(legendNames(svg)).toEqual(['train', name]);
  });
});

describe('line charts over NaN and infinite values', () => {
  it('break the line at each gap instead of joining across it', () => {
    const svg = chartSvg({ title: 'loss', series: [{ name: 'train', y: [1, 2, NaN, 3, Infinity, 2, 2.5] }] });
    const d = paths(svg);
    expect(d).toHaveLength(1);
    // Two runs of two points (epochs 1-2 and 6-7); epoch 4 stands alone, between the gaps.
    expect(d[0].match(/M/g)).toHaveLength(2);
    expect(d[0].match(/L/g)).toHaveLength(2);
    expect(circles(svg)).toHaveLength(5);
  });

  it('a point alone between gaps in a long series still gets a dot', () => {
    const y = Array.from({ length: 100 }, (_, i) => (i === 48 || i === 50 ? NaN : Math.sin(i / 10)));
    const svg = chartSvg({ title: 'loss', series: [{ name: 'train', y }] });
    const [d] = paths(svg);
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.match(/L/g)).toHaveLength(47 + 48);
    // Only the lone point (epoch 50) is marked: a 100-point series draws no dots otherwise.
    const dots = circles(svg);
    expect(dots).toHaveLength(1);
    const starts = [...d.matchAll(/M([\d.]+) /g)].map((m) => Number(m[1]));
    expect(dots[0][0]).toBeGreaterThan(starts[0]);
    expect(dots[0][0]).toBeLessThan(starts[1]);
  });

  it('a value <= 0 breaks a log-axis line too', () => {
    const svg = chartSvg({ title: 'grad', logY: true, series: [{ name: 'g', y: [1, 10, 0, 100, 1000] }] });
    const [d] = paths(svg);
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.match(/L/g)).toHaveLength(2);
  });
});
