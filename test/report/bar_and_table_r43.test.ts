/** A bar chart with nothing to draw says so, and a numeric column keeps its alignment around 'n/a' and '1 + partial'. */
import { describe, expect, it } from 'vitest';
import { chartSvg } from '../../src/report/svg.js';
import { formatTable } from '../../src/report/table.js';

describe('bar chart with no finite value', () => {
  it('draws "no data" and no axis ticks, as the line charts do', () => {
    const svg = chartSvg({ kind: 'bar', title: 'Seconds per epoch', yLabel: 'seconds', categories: ['lstm', 'gru'], series: [{ name: 's/epoch', y: [NaN, NaN] }] });
    expect(svg).toContain('>no data</text>');
    expect(svg).not.toMatch(/e-1\d|<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#1f77b4"/);
  });

  it('still draws the bars when one value is finite', () => {
    const svg = chartSvg({ kind: 'bar', title: 'Seconds per epoch', yLabel: 'seconds', categories: ['lstm', 'gru'], series: [{ name: 's/epoch', y: [2, NaN] }] });
    expect(svg).not.toContain('no data');
    expect(svg.match(/fill="#1f77b4"/g)).toHaveLength(1);
  });
});

describe('formatTable alignment', () => {
  it('right-aligns a numeric column holding one n/a or "1 + partial" cell', () => {
    const lines = formatTable({ columns: ['model', 'epochs', 'test acc'], rows: [['lstm', 2, '50.55%'], ['gru', '1 + partial', 'n/a']] });
    expect(lines).toEqual([
      'model       epochs  test acc',
      '-----  -----------  --------',
      'lstm             2    50.55%',
      'gru    1 + partial       n/a',
    ]);
  });

  it('keeps a column of words left-aligned, n/a among them included', () => {
    const lines = formatTable({ columns: ['model', 'note'], rows: [['lstm', 'n/a'], ['gru', 'slow']] });
    expect(lines[2]).toBe('lstm   n/a');
    expect(lines[3]).toBe('gru    slow');
  });
});
