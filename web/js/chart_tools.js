// What every chart offers besides its drawing: a legend in HTML that wraps instead of clipping and shows each
// series' dash pattern and marker (train and validation differ without colour), CSV export of the chart's data,
// and for curves an EMA smoothing slider and a wall-clock x axis. Settings live on the canvas's dataset, so a
// chart rebuilt on the same canvas keeps them.
import { el } from './api.js';

/** TensorBoard's smoothing: an exponential moving average, debiased so the first points are not pulled to 0. */
export function ema(values, weight) {
  if (!(weight > 0)) return values.slice();
  let last = 0, n = 0;
  return values.map((y) => {
    if (typeof y !== 'number' || !Number.isFinite(y)) return y;
    last = last * weight + (1 - weight) * y;
    n++;
    return last / (1 - weight ** n);
  });
}

const smoothingOf = (chart) => Number(chart.canvas.dataset.smoothing ?? 0);
const timeAxis = (chart) => chart.canvas.dataset.xmode === 'time';

/** Applies smoothing and the time axis to the series the caller set (kept as ds.$raw), before every draw. */
export const viewPlugin = {
  id: 'rnnlabView',
  beforeUpdate(chart) {
    const meta = chart.$rnnlab;
    if (!meta?.curves) return;
    const w = smoothingOf(chart), time = timeAxis(chart);
    for (const ds of chart.data.datasets) {
      if (ds.data !== ds.$view) ds.$raw = ds.data;
      let pts = ds.$raw;
      if (time) pts = pts.filter((p) => Number.isFinite(p.t)).map((p) => ({ ...p, x: p.t }));
      if (w > 0 && ds.smooth !== false) {
        const ys = ema(pts.map((p) => p.y), w);
        pts = pts.map((p, i) => ({ ...p, y: ys[i] }));
      }
      ds.data = pts;
      ds.$view = pts;
    }
    const x = chart.options.scales.x;
    x.title.text = time ? 'wall-clock time since training began (s)' : meta.xLabel;
    if (time && x.ticks?.stepSize) { meta.stepSize = x.ticks.stepSize; delete x.ticks.stepSize; }
    if (!time && meta.stepSize && x.ticks) x.ticks.stepSize = meta.stepSize;
  },
};

function dashOf(ds) {
  return Array.isArray(ds.borderDash) && ds.borderDash.length ? ds.borderDash.join(' ') : '';
}

function markerSvg(style, color) {
  const ns = 'http://www.w3.org/2000/svg';
  const shape = style === 'triangle' ? document.createElementNS(ns, 'polygon') : style === 'rect' ? document.createElementNS(ns, 'rect') : document.createElementNS(ns, 'circle');
  if (style === 'triangle') shape.setAttribute('points', '17,2 22,11 12,11');
  else if (style === 'rect') { shape.setAttribute('x', '13'); shape.setAttribute('y', '2'); shape.setAttribute('width', '8'); shape.setAttribute('height', '8'); }
  else { shape.setAttribute('cx', '17'); shape.setAttribute('cy', '6.5'); shape.setAttribute('r', '3.5'); }
  shape.setAttribute('fill', color);
  return shape;
}

function legendSample(ds) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', '34');
  svg.setAttribute('height', '13');
  svg.setAttribute('aria-hidden', 'true');
  const color = ds.borderColor ?? '#333';
  if (ds.showLine !== false) {
    const line = document.createElementNS(ns, 'line');
    for (const [k, v] of Object.entries({ x1: 1, y1: 6.5, x2: 33, y2: 6.5, stroke: color, 'stroke-width': 2 })) line.setAttribute(k, String(v));
    if (dashOf(ds)) line.setAttribute('stroke-dasharray', dashOf(ds));
    svg.append(line);
  }
  // pointStyle false: a plain line (a reference level), no marker.
  if (ds.pointStyle !== false) svg.append(markerSvg(ds.pointStyle ?? 'circle', color));
  return svg;
}

/** The legend as HTML below the chart: items wrap onto more lines, long names break; a click hides a series. */
export const legendPlugin = {
  id: 'rnnlabLegend',
  afterUpdate(chart) {
    const list = chart.$rnnlab?.legendEl;
    if (!list) return;
    list.replaceChildren(...chart.data.datasets.map((ds, i) => {
      const shown = chart.isDatasetVisible(i);
      const b = el('button', { type: 'button', class: 'legend-item', 'aria-pressed': String(shown), title: shown ? 'hide this series' : 'show this series',
        dataset: { dash: dashOf(ds) || 'solid', marker: ds.pointStyle === false ? 'none' : ds.pointStyle ?? 'circle' } }, legendSample(ds), el('span', { text: ds.label }));
      b.addEventListener('click', () => { chart.setDatasetVisibility(i, !shown); chart.update(); });
      return el('li', {}, b);
    }));
  },
};

const quote = (v) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
export const csvText = (rows) => rows.map((r) => r.map(quote).join(',')).join('\n') + '\n';

/** The chart's data as rows (header first): what the user sees, unsmoothed, with the smoothed value beside it. */
export function chartRows(chart) {
  const meta = chart.$rnnlab ?? {};
  if (meta.csv) return meta.csv();
  if (chart.config.type === 'bar') {
    const ds = chart.data.datasets[0];
    return [[meta.xLabel ?? 'category', ds?.label ?? 'value'], ...chart.data.labels.map((l, i) => [l, ds?.data[i]])];
  }
  const w = smoothingOf(chart);
  const rows = [['series', meta.xLabel ?? 'x', 'wall_clock_seconds', meta.yLabel ?? 'y', ...(w > 0 ? [`smoothed (EMA ${w})`] : [])]];
  for (const ds of chart.data.datasets) {
    const raw = ds.$raw ?? ds.data;
    const smooth = ema(raw.map((p) => p.y), w);
    raw.forEach((p, i) => rows.push([ds.label, p.x, p.t ?? '', p.y, ...(w > 0 ? [smooth[i]] : [])]));
  }
  return rows;
}

function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const slug = (s) => (s || 'chart').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'chart';

/**
 * The toolbar above a chart (made once per canvas; its controls act on whichever chart the canvas holds now) and
 * the HTML legend below it. opts: name (file name), curves (smoothing), time (wall-clock axis), legend.
 */
export function attachTools(canvas, chart, chartOf, opts) {
  const box = canvas.closest('.chart-box') ?? canvas.parentElement;
  chart.$rnnlab = { ...(chart.$rnnlab ?? {}), xLabel: opts.xLabel, yLabel: opts.yLabel, curves: !!opts.curves };
  let wrap = box.parentElement.classList.contains('chart-wrap') ? box.parentElement : null;
  if (!wrap) {
    wrap = el('div', { class: 'chart-wrap' });
    box.before(wrap);
    wrap.append(box);
  }
  let bar = wrap.querySelector(':scope > .chart-tools');
  if (!bar) {
    const name = `${slug(opts.name ?? canvas.getAttribute('aria-label'))}.csv`;
    const csv = el('button', { type: 'button', class: 'secondary small csv', 'aria-label': `download the data of ${canvas.getAttribute('aria-label') ?? 'this chart'} as CSV`, text: 'CSV' });
    csv.addEventListener('click', () => download(name, csvText(chartRows(chartOf(canvas)))));
    const parts = [];
    if (opts.curves) {
      const slider = el('input', { type: 'range', min: '0', max: '0.99', step: '0.01', value: canvas.dataset.smoothing ?? '0', class: 'smoothing', 'aria-label': 'smoothing (exponential moving average weight)' });
      const shown = el('output', { text: Number(slider.value).toFixed(2) });
      slider.addEventListener('input', () => { canvas.dataset.smoothing = slider.value; shown.textContent = Number(slider.value).toFixed(2); chartOf(canvas)?.update(); });
      parts.push(el('label', { class: 'tool' }, 'smoothing ', slider, shown));
    }
    if (opts.time) {
      const sel = el('select', { class: 'xmode', 'aria-label': 'x axis' }, el('option', { value: 'step', text: opts.xLabel }), el('option', { value: 'time', text: 'wall-clock time' }));
      sel.addEventListener('change', () => { canvas.dataset.xmode = sel.value; chartOf(canvas)?.update(); });
      parts.push(el('label', { class: 'tool' }, 'x axis ', sel));
    }
    bar = el('div', { class: 'chart-tools' }, ...parts, csv);
    box.before(bar);
  }
  if (opts.legend) {
    let list = wrap.querySelector(':scope > .chart-legend');
    if (!list) {
      list = el('ul', { class: 'chart-legend', 'aria-label': `series of ${canvas.getAttribute('aria-label') ?? 'the chart'}` });
      box.after(list);
    }
    chart.$rnnlab.legendEl = list;
  }
}
