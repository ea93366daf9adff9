// Chart.js helpers: line charts with labelled axes, and heatmaps drawn inside a Chart.js chart so they get
// the same axes, ticks and titles as the other charts.
/* global Chart */
import { el } from './api.js';
import { attachTools, legendPlugin, viewPlugin } from './chart_tools.js';

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

Chart.defaults.font.family = '"DejaVu Sans", system-ui, sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = '#3a4150';
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.animation = false;

const charts = new WeakMap();
Chart.register(viewPlugin, legendPlugin);

/** Train and validation differ without colour: solid with circles, dashed with triangles (and the legend says which). */
export const TRAIN_STYLE = { pointStyle: 'circle' };
export const VALIDATION_STYLE = { borderDash: [6, 4], pointStyle: 'triangle' };

/** Replaces any chart on this canvas. */
export function fresh(canvas, config) {
  const old = charts.get(canvas) ?? Chart.getChart(canvas);
  if (old) old.destroy();
  const c = new Chart(canvas, config);
  charts.set(canvas, c);
  return c;
}

export function axis(title, extra = {}) {
  return { title: { display: true, text: title, font: { weight: 'bold' } }, grid: { color: '#eceff3' }, ...extra };
}

/**
 * A line chart over a linear x axis, with an HTML legend and a CSV button. opts: xLabel, yLabel, logY, yMin, yMax,
 * percent (y values are fractions, shown as %), title, name (of the CSV file), smoothing (an EMA slider), time (points carry t, wall-clock
 * seconds, and the x axis can show it).
 */
export function lineChart(canvas, opts) {
  const y = axis(opts.yLabel, { type: opts.logY ? 'logarithmic' : 'linear' });
  if (opts.yMin !== undefined) y.min = opts.yMin;
  if (opts.yMax !== undefined) y.max = opts.yMax;
  if (opts.percent) y.ticks = { callback: (v) => `${Math.round(v * 100)}%` };
  if (opts.logY) y.ticks = { callback: (v) => { const e = Math.log10(v); return Math.abs(e - Math.round(e)) < 1e-9 ? `1e${Math.round(e)}` : ''; } };
  const chart = fresh(canvas, {
    type: 'line',
    data: { datasets: [] },
    options: {
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', intersect: false, axis: 'x' },
      plugins: {
        legend: { display: false },
        title: opts.title ? { display: true, text: opts.title } : undefined,
        tooltip: {
          callbacks: {
            label: (ctx) => `${ctx.dataset.label}: ${opts.percent ? `${(ctx.parsed.y * 100).toFixed(2)}%` : Number(ctx.parsed.y).toPrecision(4)}`,
            title: (items) => (items[0] ? (canvas.dataset.xmode === 'time' ? `${Number(items[0].parsed.x).toFixed(1)} s` : `${opts.xLabel} ${Number(items[0].parsed.x).toFixed(opts.xDigits ?? 2)}`) : ''),
          },
        },
      },
      scales: { x: axis(opts.xLabel, { type: 'linear', ...(opts.xMin !== undefined ? { min: opts.xMin } : {}) }), y },
    },
  });
  attachTools(canvas, chart, chartOf, { xLabel: opts.xLabel, yLabel: opts.yLabel, name: opts.name ?? opts.title, curves: opts.smoothing !== false, time: !!opts.time, legend: true });
  return chart;
}

/** A bar chart over categories. opts: xLabel, yLabel, yMin, yMax. */
export function barChart(canvas, labels, values, opts) {
  const y = axis(opts.yLabel, { type: 'linear' });
  if (opts.yMin !== undefined) y.min = opts.yMin;
  if (opts.yMax !== undefined) y.max = opts.yMax;
  const chart = fresh(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label: opts.label ?? opts.yLabel, data: values, backgroundColor: labels.map((_, i) => PALETTE[(opts.colorOffset ?? 0) + i] ?? PALETTE[0]) }] },
    options: {
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => `${opts.yLabel}: ${Number(ctx.parsed.y).toFixed(3)}` } } },
      scales: { x: axis(opts.xLabel, { type: 'category', grid: { display: false } }), y },
    },
  });
  attachTools(canvas, chart, chartOf, { xLabel: opts.xLabel, yLabel: opts.yLabel });
  return chart;
}

export function series(label, points, i, extra = {}) {
  const color = PALETTE[i % PALETTE.length];
  return {
    label, data: points, borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: points.length > 60 ? 0 : 2.5,
    tension: 0, spanGaps: true, pointStyle: extra.borderDash ? 'triangle' : 'circle', ...extra,
  };
}

/** The chart on a canvas, if any. */
export const chartOf = (canvas) => charts.get(canvas) ?? Chart.getChart(canvas);

/**
 * Empties a canvas whose chart showed what is no longer there (a deleted model's numbers), with the toolbar and
 * legend beside it: attachTools makes them again for the next chart.
 */
export function clearChart(canvas) {
  chartOf(canvas)?.destroy();
  charts.delete(canvas);
  const wrap = canvas.closest('.chart-wrap');
  for (const part of wrap?.querySelectorAll(':scope > .chart-tools, :scope > .chart-legend') ?? []) part.remove();
  for (const k of ['series', 'points', 'marked']) delete canvas.dataset[k];
}

// Colour scales ---------------------------------------------------------------------------------------------

const lerp = (a, b, t) => Math.round(a + (b - a) * t);
const mix = (c1, c2, t) => [lerp(c1[0], c2[0], t), lerp(c1[1], c2[1], t), lerp(c1[2], c2[2], t)];
const WHITE = [247, 247, 247];

/** -1 blue ... 0 white ... +1 red (hidden states are tanh outputs). */
export function divergingColor(v, max = 1) {
  const t = Math.max(-1, Math.min(1, v / max));
  return t < 0 ? mix(WHITE, [33, 102, 172], -t) : mix(WHITE, [178, 24, 43], t);
}

/** 0 white ... 1 dark blue (gates are sigmoid outputs). */
export function sequentialColor(v) {
  const t = Math.max(0, Math.min(1, v));
  return mix([255, 255, 255], [8, 48, 107], t);
}

/** A review's probability of being positive: 0 red, 0.5 white, 1 green. */
export function sentimentColor(p) {
  const t = Math.max(0, Math.min(1, p));
  return t < 0.5 ? mix([245, 245, 245], [198, 40, 40], (0.5 - t) * 2) : mix([245, 245, 245], [26, 127, 55], (t - 0.5) * 2);
}

export const css = ([r, g, b]) => `rgb(${r}, ${g}, ${b})`;

const channel = (v) => { const c = v / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
/** WCAG relative luminance of rgb. */
export const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
const DARK_INK_LUMINANCE = luminance([17, 17, 17]);

/** Black or white text, whichever has the higher WCAG contrast on rgb. */
export const inkOn = (rgb) => {
  const l = luminance(rgb);
  return (l + 0.05) / (DARK_INK_LUMINANCE + 0.05) >= 1.05 / (l + 0.05) ? '#111' : '#fff';
};

// Heatmaps --------------------------------------------------------------------------------------------------

const heatmapPlugin = {
  id: 'rnnlabHeatmap',
  beforeDatasetsDraw(chart) {
    const h = chart.options.plugins.rnnlabHeatmap;
    if (!h || !h.image) return;
    const { ctx, chartArea: a } = chart;
    ctx.save();
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(h.image, a.left, a.top, a.right - a.left, a.bottom - a.top);
    ctx.restore();
  },
  afterDatasetsDraw(chart) {
    const cur = chart.$rnnlab?.cursor;
    if (!cur) return;
    const { ctx, scales: { x, y } } = chart;
    const x0 = x.getPixelForValue(cur.c - 0.5), x1 = x.getPixelForValue(cur.c + 0.5);
    const y0 = y.getPixelForValue(cur.r + 0.5), y1 = y.getPixelForValue(cur.r - 0.5);
    ctx.save();
    ctx.strokeStyle = '#111';
    ctx.lineWidth = 2;
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
    ctx.restore();
  },
};
Chart.register(heatmapPlugin);

/**
 * A heatmap of matrix[col][row] (e.g. [time step][unit]) inside a Chart.js chart with labelled axes.
 * opts: title, xLabel, yLabel, xTicks (labels for columns), yTicks (labels for rows, else indices),
 * color (value -> [r, g, b]), format (value -> text), legend ('states' | 'gates' | 'diverging'), legendText,
 * level: the title's heading level, one below the heading the map sits under (3 under a card's h2), so none is skipped.
 */
export function heatmap(container, matrix, opts) {
  if (![3, 4, 5, 6].includes(opts.level)) throw new Error(`heatmap level must be 3 to 6, got ${opts.level}`);
  const cols = matrix.length, rows = cols ? matrix[0].length : 0;
  const img = document.createElement('canvas');
  img.width = Math.max(1, cols);
  img.height = Math.max(1, rows);
  const g = img.getContext('2d');
  const data = g.createImageData(img.width, img.height);
  for (let c = 0; c < cols; c++) {
    for (let r = 0; r < rows; r++) {
      // Row 0 at the bottom, as the y axis counts up.
      const [R, G, B] = opts.color(matrix[c][r]);
      const o = ((rows - 1 - r) * cols + c) * 4;
      data.data[o] = R; data.data[o + 1] = G; data.data[o + 2] = B; data.data[o + 3] = 255;
    }
  }
  g.putImageData(data, 0, 0);

  const canvas = el('canvas', { 'aria-label': `${opts.title}; focus and use the arrow keys to read the values`, role: 'img', tabindex: '0' });
  const hover = el('div', { class: 'hover', 'aria-live': 'polite', text: 'hover over a cell, or focus the map and use the arrow keys, for its value' });
  const legend = opts.legend ? el('div', { class: 'legend-bar' }, el('span', { text: opts.legendText?.[0] ?? '' }), el('div', { class: `grad ${opts.legend}` }), el('span', { text: opts.legendText?.[1] ?? '' })) : null;
  const box = el('div', { class: 'map', dataset: { kind: opts.kind ?? 'heatmap', cols: String(cols), rows: String(rows) } },
    el(`h${opts.level}`, { text: opts.title }), el('div', { class: 'chart-box' }, canvas), legend, hover);
  container.append(box);
  const tickLabel = (labels) => (v) => {
    if (!Number.isInteger(v)) return '';
    return labels ? (labels[v] ?? '') : String(v);
  };
  // Ticks on cell centres (0, 1, 2, ...), thinned to about `most` of them; Chart.js would start at the -0.5 edge.
  const cellTicks = (n, most) => (scale) => {
    const step = Math.max(1, Math.ceil(n / most));
    scale.ticks = Array.from({ length: Math.ceil(n / step) }, (_, i) => ({ value: i * step }));
  };
  const chart = fresh(canvas, {
    type: 'scatter',
    data: { datasets: [{ data: [] }] },
    options: {
      plugins: { legend: { display: false }, tooltip: { enabled: false }, rnnlabHeatmap: { image: img } },
      scales: {
        x: axis(opts.xLabel, { type: 'linear', min: -0.5, max: cols - 0.5, grid: { display: false }, afterBuildTicks: cellTicks(cols, opts.xTicks ? 60 : 20),
          ticks: { autoSkip: true, maxRotation: 60, minRotation: opts.xTicks ? 45 : 0, callback: tickLabel(opts.xTicks) } }),
        y: axis(opts.yLabel, { type: 'linear', min: -0.5, max: rows - 0.5, grid: { display: false }, afterBuildTicks: cellTicks(rows, opts.yTicks ? 40 : 10),
          ticks: { autoSkip: true, callback: tickLabel(opts.yTicks) } }),
      },
    },
  });
  const xName = (c) => (opts.xTicks ? `${opts.xLabel} ${c + 1} "${opts.xTicks[c]}"` : `${opts.xLabel} ${c}`);
  const yName = (r) => (opts.yTicks ? `${opts.yLabel} "${opts.yTicks[r]}"` : `${opts.yLabel} ${r}`);
  const value = (c, r) => (opts.format ? opts.format(matrix[c][r]) : String(matrix[c][r]));
  const show = (c, r) => {
    const text = `${xName(c)}, ${yName(r)}: ${value(c, r)}`;
    hover.textContent = text;
    canvas.title = text;
    box.dataset.cell = `${c},${r}`;
  };
  attachTools(canvas, chart, chartOf, { xLabel: opts.xLabel, yLabel: opts.yLabel, name: opts.title });
  chart.$rnnlab.csv = () => [[opts.xLabel, opts.yLabel, 'value'],
    ...matrix.flatMap((col, c) => col.map((v, r) => [opts.xTicks ? opts.xTicks[c] : c, opts.yTicks ? opts.yTicks[r] : r, v]))];
  canvas.addEventListener('mousemove', (e) => {
    const c = Math.round(chart.scales.x.getValueForPixel(e.offsetX));
    const r = Math.round(chart.scales.y.getValueForPixel(e.offsetY));
    if (c < 0 || c >= cols || r < 0 || r >= rows) return;
    show(c, r);
  });
  // The keyboard reaches every cell: arrows move a framed cursor, Home/End jump along the row.
  const moveCursor = (c, r) => {
    const cur = { c: Math.max(0, Math.min(cols - 1, c)), r: Math.max(0, Math.min(rows - 1, r)) };
    chart.$rnnlab.cursor = cur;
    show(cur.c, cur.r);
    chart.draw();
  };
  canvas.addEventListener('focus', () => { if (cols && rows) moveCursor(chart.$rnnlab.cursor?.c ?? 0, chart.$rnnlab.cursor?.r ?? rows - 1); });
  canvas.addEventListener('blur', () => { chart.$rnnlab.cursor = null; chart.draw(); });
  canvas.addEventListener('keydown', (e) => {
    const cur = chart.$rnnlab.cursor;
    if (!cur) return;
    const to = { ArrowLeft: [cur.c - 1, cur.r], ArrowRight: [cur.c + 1, cur.r], ArrowUp: [cur.c, cur.r + 1], ArrowDown: [cur.c, cur.r - 1], Home: [0, cur.r], End: [cols - 1, cur.r] }[e.key];
    if (!to) return;
    e.preventDefault();
    moveCursor(...to);
  });
  return { chart, box };
}
