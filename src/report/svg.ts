/**
 * Dependency-free SVG charts for reports: line charts (linear or log y axis), grouped bar charts and heatmaps,
 * with axes, ticks, axis labels, a title and a legend. Everything is plain data in, an SVG string out, so the
 * same spec renders inline in HTML and, through resvg, to PNG.
 */

export interface Series {
  name: string;
  /** Defaults to 1, 2, 3, ... (epochs). */
  x?: number[];
  y: number[];
  dashed?: boolean;
  color?: string;
}

/** A matrix drawn as coloured cells: values[row][column], each cell's value in its <title> (shown on hover). */
export interface HeatmapData {
  rows: string[];
  columns: string[];
  values: number[][];
  /** The colour scale's ends; default 0 and the largest value. */
  min?: number;
  max?: number;
}

export interface ChartSpec {
  kind?: 'line' | 'bar' | 'heatmap';
  title: string;
  xLabel?: string;
  yLabel?: string;
  series: Series[];
  /** Bar charts: one label per value of each series. */
  categories?: string[];
  /** Heatmaps: the matrix (series is then empty). */
  heatmap?: HeatmapData;
  logY?: boolean;
  yMin?: number;
  yMax?: number;
  width?: number;
  height?: number;
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
export const FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const num = (v: number) => (Math.round(v * 100) / 100).toString();

/**
 * Finite values are clamped to ±PLOT_LIMIT (log-axis values to [1/PLOT_LIMIT, PLOT_LIMIT]) before an axis is
 * fitted, so a diverged run's 1e308 (or a denormal gradient norm) cannot overflow the axis range into NaN coordinates.
 */
const PLOT_LIMIT = 1e300;
const clampPlot = (v: number) => Math.max(-PLOT_LIMIT, Math.min(PLOT_LIMIT, v));
const clampLog = (v: number) => Math.max(1 / PLOT_LIMIT, Math.min(PLOT_LIMIT, v));

/** A user-set axis end, if it is usable: finite, and positive on a log axis. */
function axisEnd(v: number | undefined, log = false): number | undefined {
  return v !== undefined && Number.isFinite(v) && (!log || v > 0) ? (log ? clampLog(v) : clampPlot(v)) : undefined;
}

// Loops, not Math.min(...v): a spread of a long history (or a big heatmap) overflows the call stack.
function minOf(v: number[]): number {
  let m = Infinity;
  for (const x of v) if (x < m) m = x;
  return m;
}
function maxOf(v: number[]): number {
  let m = -Infinity;
  for (const x of v) if (x > m) m = x;
  return m;
}

/** "Nice" tick positions covering [lo, hi] (about `count` of them). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(hi - lo)) return [0, 1];
  if (hi === lo) {
    const d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= d;
    hi += d;
  }
  const raw = (hi - lo) / Math.max(count, 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const start = Math.floor(lo / step + 1e-9) * step;
  const end = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let k = 0; start + k * step <= end + step * 1e-6 && k <= 50; k++) {
    const v = Number((start + k * step).toPrecision(12));
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  if (ticks.length < 2) ticks.push(Number((start + step).toPrecision(12)));
  return ticks;
}

/** `v` in exponential notation with `digits` after the point, trailing zeros dropped: 1.50e+7 reads 1.5e7. */
function exponential(v: number, digits: number): string {
  const [m, e] = v.toExponential(Math.max(0, Math.min(20, digits))).split('e');
  return `${Number(m)}e${Number(e)}`;
}

/** A number to three significant digits (a log axis's powers of ten, a table's cells): 0.0234, 2.35e-5, 1.23e5. */
export function formatTick(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return exponential(v, 2);
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}

/**
 * Labels for one linear axis's ticks, each carrying the last significant digit of the smallest spacing between them
 * and no more, so that neighbours on a narrow range (2.4725 beside 2.475) never read alike while 0..1 still reads
 * 0, 0.2, ... 1.
 */
export function formatTicks(ticks: number[]): string[] {
  let step = Infinity;
  for (let i = 1; i < ticks.length; i++) {
    const d = Math.abs(ticks[i] - ticks[i - 1]);
    if (d > 0 && d < step) step = d;
  }
  if (!Number.isFinite(step)) return ticks.map(formatTick);
  // The power of ten of the step's last significant digit (0.25 -> -2, 2000 -> 3), to four significant digits at most.
  const [m, e] = step.toExponential(3).split('e');
  const last = Number(e) - (m.replace(/0+$/, '').split('.')[1]?.length ?? 0);
  return ticks.map((v) => {
    if (v === 0 || !Number.isFinite(v)) return String(v);
    const a = Math.abs(v);
    // Exponential only where it is shorter than the plain number: 2e5, but 123456.5.
    if ((a >= 1e5 && last >= 3) || a < 1e-3) return exponential(v, Number(v.toExponential().split('e')[1]) - last);
    return String(Number(v.toFixed(Math.min(20, Math.max(0, -last)))));
  });
}

function logTicks(lo: number, hi: number): number[] {
  const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
  const stride = Math.max(1, Math.ceil((b - a) / 8));
  const out: number[] = [];
  for (let e = a; e <= b; e += stride) out.push(10 ** e);
  if (out.length < 2) out.push(10 ** (a + stride));
  return out;
}

interface Frame { left: number; top: number; right: number; bottom: number }

/**
 * Text widths are estimated, not measured (there is no font engine here): DejaVu Sans, measured through resvg,
 * advances 0.51-0.55 em a character over English titles, names and numbers, 0.58-0.64 em in bold; these take the top.
 * Capitals run wider (W is 0.9 em), so a name in capitals can still overrun a little.
 */
const EM_PER_CHAR = 0.56, EM_PER_BOLD_CHAR = 0.64;

/**
 * `text` in at most `maxLines` lines of at most `maxChars` characters, broken at spaces where it can be; what is
 * still left over ends the last line in an ellipsis (`cut`).
 */
function fitText(text: string, maxChars: number, maxLines = 1): { lines: string[]; cut: boolean } {
  const width = Math.max(2, Math.floor(maxChars));
  const lines: string[] = [];
  let rest = text.trim();
  while (lines.length < maxLines - 1 && Array.from(rest).length > width) {
    // Code points, not UTF-16 units, so that a break never splits an emoji.
    const head = Array.from(rest).slice(0, width + 1).join('');
    const space = head.lastIndexOf(' ');
    const at = space > 0 ? space : Array.from(rest).slice(0, width).join('').length;
    lines.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  const chars = Array.from(rest);
  const cut = chars.length > width;
  lines.push(cut ? chars.slice(0, width - 1).join('').trimEnd() + '…' : rest);
  return { lines, cut };
}

/** The full text as a tooltip (SVG <title>) around what was drawn, when the drawn text was cut. */
const withTooltip = (drawn: string, full: string, cut: boolean) => (cut ? `<g><title>${escapeXml(full)}</title>${drawn}</g>` : drawn);

/** The chart's contents (no outer <svg>), laid out in a width x height box at the origin. */
export function chartBody(spec: ChartSpec, width = spec.width ?? 640, height = spec.height ?? 400): string {
  const showLegend = spec.series.length > 1 || (spec.series.length === 1 && spec.kind !== 'bar');
  // Up to three legend entries a row; fewer series share the row's width, so their names get more room.
  const legendCols = Math.min(3, spec.series.length);
  const legendRows = showLegend ? Math.ceil(spec.series.length / legendCols) : 0;
  // A title too wide for one line at 15 px goes on two at 13 px (charts are tiled side by side in report.png).
  const titleRoom = width - 20;
  const oneLine = Array.from(spec.title).length * 15 * EM_PER_BOLD_CHAR <= titleRoom;
  const title = oneLine ? { lines: [spec.title], cut: false } : fitText(spec.title, titleRoom / (13 * EM_PER_BOLD_CHAR), 2);
  const titleExtra = title.lines.length > 1 ? 14 : 0;
  const legendTop = 40 + titleExtra;
  const f: Frame = { left: 70, top: legendTop + legendRows * 18, right: width - 20, bottom: height - 50 };
  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(withTooltip(oneLine
    ? `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" fill="#222">${escapeXml(spec.title)}</text>`
    : title.lines.map((line, i) => `<text x="${width / 2}" y="${18 + 16 * i}" text-anchor="middle" font-size="13" font-weight="bold" fill="#222">${escapeXml(line)}</text>`).join(''),
  spec.title, title.cut));
  if (spec.xLabel) parts.push(`<text x="${(f.left + f.right) / 2}" y="${height - 12}" text-anchor="middle" font-size="12" fill="#333">${escapeXml(spec.xLabel)}</text>`);
  if (spec.yLabel) {
    const cy = (f.top + f.bottom) / 2;
    parts.push(`<text x="16" y="${cy}" text-anchor="middle" font-size="12" fill="#333" transform="rotate(-90 16 ${cy})">${escapeXml(spec.yLabel)}</text>`);
  }
  parts.push(spec.kind === 'bar' ? barPlot(spec, f) : spec.kind === 'heatmap' ? heatmapPlot(spec, f) : linePlot(spec, f));
  if (legendRows) {
    const colW = (f.right - f.left) / legendCols;
    // The name starts 24 px into its column and keeps 10 px clear of the next.
    const nameChars = (colW - 34) / (12 * EM_PER_CHAR);
    spec.series.forEach((s, i) => {
      const x = f.left + (i % legendCols) * colW, y = legendTop + Math.floor(i / legendCols) * 18;
      const color = s.color ?? PALETTE[i % PALETTE.length];
      parts.push(spec.kind === 'bar'
        ? `<rect x="${x}" y="${y - 9}" width="18" height="10" fill="${color}"/>`
        : `<line x1="${x}" y1="${y - 4}" x2="${x + 18}" y2="${y - 4}" stroke="${color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
      const name = fitText(s.name, nameChars);
      parts.push(withTooltip(`<text x="${num(x + 24)}" y="${y}" font-size="12" fill="#222">${escapeXml(name.lines[0])}</text>`, s.name, name.cut));
    });
  }
  return `<g font-family="${FONT}">${parts.join('')}</g>`;
}

function axes(f: Frame, yTicks: { v: number; y: number; label: string }[], xTicks: { x: number; label: string }[]): string {
  const p: string[] = [];
  for (const t of yTicks) {
    p.push(`<line x1="${f.left}" y1="${num(t.y)}" x2="${f.right}" y2="${num(t.y)}" stroke="#e6e6e6" stroke-width="1"/>`);
    p.push(`<text x="${f.left - 6}" y="${num(t.y + 4)}" text-anchor="end" font-size="11" fill="#444">${escapeXml(t.label)}</text>`);
  }
  for (const t of xTicks) {
    p.push(`<line x1="${num(t.x)}" y1="${f.bottom}" x2="${num(t.x)}" y2="${f.bottom + 5}" stroke="#444" stroke-width="1"/>`);
    p.push(`<text x="${num(t.x)}" y="${f.bottom + 18}" text-anchor="middle" font-size="11" fill="#444">${escapeXml(t.label)}</text>`);
  }
  p.push(`<line x1="${f.left}" y1="${f.bottom}" x2="${f.right}" y2="${f.bottom}" stroke="#444" stroke-width="1"/>`);
  p.push(`<line x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${f.bottom}" stroke="#444" stroke-width="1"/>`);
  return p.join('');
}

/** Bare axes saying "no data", for a chart with nothing finite to draw. */
function noData(f: Frame): string {
  return axes(f, [], []) + `<text x="${(f.left + f.right) / 2}" y="${(f.top + f.bottom) / 2}" text-anchor="middle" font-size="13" fill="#888">no data</text>`;
}

function linePlot(spec: ChartSpec, f: Frame): string {
  const log = !!spec.logY;
  // Each series as runs of drawable points: a NaN, an infinity (or a value <= 0 on a log axis) ends a run, so the
  // line breaks there instead of joining its neighbours as if the run had gone on smoothly.
  const runs = spec.series.map((s) => {
    const out: [number, number][][] = [[]];
    s.y.forEach((y, i) => {
      const x = s.x?.[i] ?? i + 1;
      if (Number.isFinite(x) && Number.isFinite(y) && (!log || y > 0)) out[out.length - 1].push([clampPlot(x), log ? clampLog(y) : clampPlot(y)]);
      else if (out[out.length - 1].length) out.push([]);
    });
    return out.filter((r) => r.length > 0);
  });
  const pts = runs.map((r) => r.flat());
  const all = pts.flat();
  if (all.length === 0) return noData(f);
  let xLo = minOf(all.map((p) => p[0])), xHi = maxOf(all.map((p) => p[0]));
  if (xLo === xHi) { xLo -= 1; xHi += 1; }
  let yLo = axisEnd(spec.yMin, log) ?? minOf(all.map((p) => p[1])), yHi = axisEnd(spec.yMax, log) ?? maxOf(all.map((p) => p[1]));
  if (yLo > yHi) [yLo, yHi] = [yHi, yLo];
  let yTickVals: number[];
  let ty: (v: number) => number;
  if (log) {
    if (yLo === yHi) { yLo /= 10; yHi *= 10; }
    yTickVals = logTicks(yLo, yHi);
    const a = Math.log10(Math.min(yTickVals[0], yLo)), b = Math.log10(Math.max(yTickVals[yTickVals.length - 1], yHi));
    ty = (v) => f.bottom - ((Math.log10(v) - a) / (b - a || 1)) * (f.bottom - f.top);
  } else {
    yTickVals = niceTicks(yLo, yHi);
    const a = Math.min(yTickVals[0], yLo), b = Math.max(yTickVals[yTickVals.length - 1], yHi);
    ty = (v) => f.bottom - ((v - a) / (b - a || 1)) * (f.bottom - f.top);
  }
  const xIsInt = all.every((p) => Number.isInteger(p[0]));
  let xTickVals = niceTicks(xLo, xHi, 8);
  if (xIsInt) xTickVals = xTickVals.filter((v) => Number.isInteger(v));
  xTickVals = xTickVals.filter((v) => v >= xLo - 1e-9 && v <= xHi + 1e-9);
  if (xTickVals.length === 0) xTickVals = [xLo, xHi];
  const tx = (v: number) => f.left + 10 + ((v - xLo) / (xHi - xLo)) * (f.right - f.left - 20);
  const yLabels = log ? yTickVals.map(formatTick) : formatTicks(yTickVals), xLabels = formatTicks(xTickVals);
  const out: string[] = [axes(f, yTickVals.map((v, i) => ({ v, y: ty(v), label: yLabels[i] })), xTickVals.map((v, i) => ({ x: tx(v), label: xLabels[i] })))];
  runs.forEach((r, i) => {
    const s = spec.series[i];
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const dot = ([x, y]: [number, number]) => `<circle cx="${num(tx(x))}" cy="${num(ty(y))}" r="3" fill="${color}"/>`;
    const d = r.filter((run) => run.length > 1).map((run) => run.map(([x, y], k) => `${k ? 'L' : 'M'}${num(tx(x))} ${num(ty(y))}`).join(' ')).join(' ');
    if (d) out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} stroke-linejoin="round"/>`);
    // Every point gets a dot on a short series; on a long one only a point alone between gaps, which no line shows.
    if (pts[i].length <= 40) out.push(...pts[i].map(dot));
    else for (const run of r) if (run.length === 1) out.push(dot(run[0]));
  });
  return out.join('');
}

/** About the width of one character of an 11 px axis label. */
const LABEL_CHAR_PX = 5.6;

function barPlot(spec: ChartSpec, f: Frame): string {
  const cats = spec.categories ?? spec.series[0]?.y.map((_, i) => String(i + 1)) ?? [];
  const vals = spec.series.flatMap((s) => s.y.filter(Number.isFinite).map(clampPlot));
  // No bar to draw: an axis scaled to nothing would read as measured zeros.
  if (vals.length === 0) return noData(f);
  const lo = Math.min(0, axisEnd(spec.yMin) ?? minOf(vals)), hi = Math.max(lo + 1e-12, axisEnd(spec.yMax) ?? Math.max(0, maxOf(vals), 1e-12));
  const ticks = niceTicks(lo, hi);
  const a = Math.min(ticks[0], lo), b = Math.max(ticks[ticks.length - 1], hi);
  const ty = (v: number) => f.bottom - ((v - a) / (b - a || 1)) * (f.bottom - f.top);
  const groupW = (f.right - f.left) / Math.max(cats.length, 1);
  const barW = (groupW * 0.8) / Math.max(spec.series.length, 1);
  // Labels wider than their group would run into each other (a 20-bin histogram): label every k-th group then.
  const every = Math.max(1, Math.ceil((LABEL_CHAR_PX * maxOf(cats.map((c) => c.length)) + 2) / groupW));
  const xTicks = cats.map((c, i) => ({ x: f.left + groupW * (i + 0.5), label: c })).filter((_, i) => i % every === 0);
  const labels = formatTicks(ticks);
  const out: string[] = [axes(f, ticks.map((v, i) => ({ v, y: ty(v), label: labels[i] })), xTicks)];
  spec.series.forEach((s, si) => {
    const color = s.color ?? PALETTE[si % PALETTE.length];
    s.y.forEach((v, ci) => {
      if (!Number.isFinite(v)) return;
      const x = f.left + groupW * ci + groupW * 0.1 + barW * si;
      const y0 = ty(0), y1 = ty(clampPlot(v));
      out.push(`<rect x="${num(x)}" y="${num(Math.min(y0, y1))}" width="${num(Math.max(barW - 2, 1))}" height="${num(Math.abs(y0 - y1))}" fill="${color}"/>`);
    });
  });
  return out.join('');
}

/** White to dark blue by t in [0, 1], and the ink (black or white) that stays readable on it. */
export function heatColor(t: number): { fill: string; ink: string } {
  const u = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0));
  const [r, g, b] = [255 + (8 - 255) * u, 255 + (48 - 255) * u, 255 + (107 - 255) * u].map(Math.round);
  return { fill: `rgb(${r},${g},${b})`, ink: u > 0.45 ? '#fff' : '#111' };
}

const tokenText = (t: string) => (t === ' ' ? '␣' : t);

function heatmapPlot(spec: ChartSpec, f: Frame): string {
  const h = spec.heatmap;
  if (!h || h.rows.length === 0 || h.columns.length === 0) return axes(f, [], []);
  const all = h.values.flat().filter(Number.isFinite).map(clampPlot);
  const lo = axisEnd(h.min) ?? 0, hi = axisEnd(h.max) ?? Math.max(lo + 1e-12, maxOf(all));
  // Room for the row labels on the left (the frame's left edge is the cells' left edge).
  const labelW = Math.min(120, 8 + 7 * maxOf(h.rows.map((r) => Array.from(tokenText(r)).length)));
  const left = Math.max(f.left, 20 + labelW), top = f.top;
  const cw = (f.right - left) / h.columns.length, ch = (f.bottom - top) / h.rows.length;
  const labelled = cw >= 26 && ch >= 14;
  const out: string[] = [];
  h.rows.forEach((row, i) => {
    out.push(`<text x="${num(left - 6)}" y="${num(top + ch * (i + 0.5) + 4)}" text-anchor="end" font-size="11" fill="#444">${escapeXml(tokenText(row))}</text>`);
    h.columns.forEach((col, j) => {
      const v = h.values[i]?.[j] ?? NaN;
      const c = heatColor((clampPlot(v) - lo) / (hi - lo || 1));
      const x = left + cw * j, y = top + ch * i;
      out.push(`<rect class="cell" x="${num(x)}" y="${num(y)}" width="${num(cw)}" height="${num(ch)}" fill="${c.fill}" stroke="#fff" stroke-width="0.5">` +
        `<title>${escapeXml(`${spec.yLabel ?? 'row'} ${tokenText(row)}, ${spec.xLabel ?? 'column'} ${tokenText(col)}: ${Number.isFinite(v) ? v.toFixed(3) : 'none'}`)}</title></rect>`);
      if (labelled && Number.isFinite(v)) out.push(`<text x="${num(x + cw / 2)}" y="${num(y + ch / 2 + 4)}" text-anchor="middle" font-size="10" fill="${c.ink}">${v.toFixed(2)}</text>`);
    });
  });
  h.columns.forEach((col, j) => {
    out.push(`<text x="${num(left + cw * (j + 0.5))}" y="${f.bottom + 16}" text-anchor="middle" font-size="11" fill="#444">${escapeXml(tokenText(col))}</text>`);
  });
  out.push(`<rect x="${num(left)}" y="${top}" width="${num(f.right - left)}" height="${num(f.bottom - top)}" fill="none" stroke="#444" stroke-width="1"/>`);
  return out.join('');
}

/** One chart as a standalone SVG document. */
export function chartSvg(spec: ChartSpec): string {
  const w = spec.width ?? 640, h = spec.height ?? 400;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeXml(spec.title)}">${chartBody(spec, w, h)}</svg>`;
}

/** Several charts tiled into one SVG (columns wide), for the PNG. */
export function chartGridSvg(specs: ChartSpec[], columns = 2, cellW = 640, cellH = 400): string {
  const cols = Math.max(1, Math.min(columns, specs.length));
  const rows = Math.max(1, Math.ceil(specs.length / cols));
  const W = cols * cellW, H = rows * cellH;
  const cells = specs.map((s, i) => `<g transform="translate(${(i % cols) * cellW} ${Math.floor(i / cols) * cellH})">${chartBody(s, cellW, cellH)}</g>`);
  if (specs.length === 0) cells.push(`<rect width="${W}" height="${H}" fill="#fff"/><text x="${W / 2}" y="${H / 2}" text-anchor="middle" font-family="${FONT}" font-size="14" fill="#888">no curves</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${cells.join('')}</svg>`;
}
