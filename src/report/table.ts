/** Tables shared by the terminal output and the HTML report. */

export type Cell = string | number | null;

export interface Table {
  columns: string[];
  rows: Cell[][];
  caption?: string;
}

/** Numbers as the tables show them: integers with thousands separators, others with `digits` decimals. */
export function formatCell(v: Cell, digits = 4): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toFixed(digits);
}

/** A number with `digits` decimals; 'n/a' where there is none (a run stopped before it), NaN/Infinity as such. */
export function fixed(v: number | undefined, digits = 4): string {
  if (v === undefined) return 'n/a';
  return Number.isFinite(v) ? v.toFixed(digits) : String(v);
}

/** A fraction as a percentage; 'n/a' where there is no number (a run cancelled before its evaluation). */
export function percent(v: number, digits = 2): string {
  return Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : 'n/a';
}

/** A plain-text table: columns padded, numbers right-aligned, a rule under the header. */
export function formatTable(t: Table): string[] {
  const cells = t.rows.map((r) => r.map((c) => formatCell(c)));
  const widths = t.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  // A column of numbers stays right-aligned around the cells that stand for a number: 'n/a', '1 + partial', NaN.
  const numeric = t.columns.map((_, i) => {
    const col = t.rows.map((r) => r[i]);
    return col.some(isNumberCell) && col.every((c) => isNumberCell(c) || c === null || isNumberStandIn(c));
  });
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const out: string[] = [];
  if (t.caption) out.push(t.caption);
  out.push(line(t.columns), widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells) out.push(line(r));
  return out;
}

function isNumberCell(c: Cell): boolean {
  return typeof c === 'number' || (typeof c === 'string' && /^[-+]?[\d,.]+%?$/.test(c));
}

/** What a numeric column prints where it has no plain number: none measured, a whole count plus a cut epoch, NaN. */
function isNumberStandIn(c: Cell): boolean {
  return typeof c === 'string' && /^(n\/a|-|NaN|-?Infinity|\d+ \+ partial)$/.test(c);
}

/** Seconds with enough digits to be useful at both ends: 123.4, 1.23, 0.012; 'n/a' where there is none (no epoch ran). */
export function seconds(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  return v >= 10 ? v.toFixed(1) : v >= 0.1 ? v.toFixed(2) : v.toFixed(3);
}
