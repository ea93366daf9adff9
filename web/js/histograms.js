/**
 * Weight and gradient histograms per epoch (TensorBoard's histograms tab): for each trainable weight, its values
 * and its epoch's last batch's gradient as bars over equal-width bins, one epoch at a time chosen on a slider.
 * Each bar names its range and count in a <title> (hover, and read by screen readers).
 */
import { el } from './api.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 240, H = 72;
const fmt = (v) => (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4) || v === 0 ? String(+v.toPrecision(3)) : v.toExponential(2);

function svgEl(tag, attrs) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** One histogram {min, max, counts} as SVG bars; constant values have one bar that spans the chart's middle bin. */
export function histogramSvg(h, kind, label) {
  const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H + 14}`, width: W, height: H + 14, class: `hist hist-${kind}`, role: 'img', 'aria-label': label });
  const n = h.counts.length, top = Math.max(1, ...h.counts), bw = W / n, step = (h.max - h.min) / n;
  h.counts.forEach((c, i) => {
    const bh = (c / top) * H;
    const bar = svgEl('rect', { x: i * bw + 0.5, y: H - bh, width: Math.max(1, bw - 1), height: Math.max(c ? 1 : 0, bh), class: 'hist-bar' });
    const lo = h.min + i * step, hi = i === n - 1 ? h.max : h.min + (i + 1) * step;
    const title = svgEl('title', {});
    title.textContent = `${label}: ${step === 0 ? `all ${fmt(h.min)}` : `[${fmt(lo)}, ${fmt(hi)}${i === n - 1 ? ']' : ')'}`}: ${c}`;
    bar.append(title);
    svg.append(bar);
  });
  const axis = (x, anchor, v) => { const t = svgEl('text', { x, y: H + 12, 'text-anchor': anchor, class: 'hist-axis' }); t.textContent = fmt(v); return t; };
  svg.append(axis(1, 'start', h.min), axis(W - 1, 'end', h.max));
  return svg;
}

function weightRow(w) {
  const shape = `[${w.shape.join('×')}]`;
  return el('div', { class: 'hist-weight', dataset: { weight: w.name } },
    el('h4', { text: `${w.name} ${shape}` }),
    el('div', { class: 'hist-pair' },
      el('figure', {}, histogramSvg(w.values, 'values', `${w.name} values`), el('figcaption', { text: 'values' })),
      el('figure', {}, w.gradients ? histogramSvg(w.gradients, 'gradients', `${w.name} gradient`) : el('p', { class: 'muted small', text: 'no gradient' }),
        el('figcaption', { text: 'gradient (last batch)' }))));
}

/**
 * The histograms of [{epoch, weights}] with a slider over the epochs; shows `selected` (an epoch number) when it
 * is there, else the latest. Returns null when no epoch has histograms.
 */
export function histogramsPanel(perEpoch, selected) {
  const list = perEpoch.filter((e) => Array.isArray(e.weights) && e.weights.length);
  if (!list.length) return null;
  let index = list.findIndex((e) => e.epoch === selected);
  if (index < 0) index = list.length - 1;
  const grid = el('div', { class: 'hist-grid' });
  const label = el('span', { class: 'hist-epoch' });
  const panel = el('div', { class: 'histograms' });
  const show = (i) => {
    panel.dataset.epoch = String(list[i].epoch);
    label.textContent = `after epoch ${list[i].epoch}`;
    grid.replaceChildren(...list[i].weights.map(weightRow));
  };
  const slider = el('input', { type: 'range', min: 0, max: list.length - 1, step: 1, value: index, 'aria-label': 'epoch of the histograms', class: 'hist-slider',
    oninput: (ev) => show(Number(ev.target.value)) });
  slider.disabled = list.length === 1;
  panel.append(el('h3', { text: 'Weight and gradient histograms ' }, label), el('label', { class: 'small' }, 'Epoch ', slider), grid);
  show(index);
  return panel;
}

/** The histograms of a run record (details.histograms), as histogramsPanel takes them. */
export function histogramsOf(r) {
  const h = r?.details?.histograms;
  return Array.isArray(h) ? h : [];
}
