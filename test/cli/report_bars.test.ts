/** Bar charts in report.png / report.html: category labels never run into each other, and short ones all show. */
import { describe, expect, it } from 'vitest';
import { chartSvg } from '../../src/report/svg.js';

/** The x labels a bar chart drew: the texts on the line below the plot (the y labels are right-aligned). */
function xLabels(svg: string): string[] {
  return [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="middle" font-size="11" fill="#444">([^<]*)<\/text>/g)].map((m) => m[1]);
}

describe('bar chart category labels', () => {
  it('a 20-bin histogram (commutativity\'s cosine chart) labels every other bin instead of overlapping them', () => {
    // Before: all 20 centres ("-0.27-0.20-0.14...") were printed 27 px apart, each about 30 px wide.
    const categories = Array.from({ length: 20 }, (_, i) => (-0.3 + (i + 0.5) * 0.065).toFixed(2));
    const svg = chartSvg({ kind: 'bar', title: 'Cosine similarity', categories, series: [{ name: 'a', y: categories.map(() => 0.05) }] });
    expect(xLabels(svg)).toEqual(categories.filter((_, i) => i % 2 === 0));
    // Every bar is still drawn.
    expect(svg.match(/<rect /g)!.length).toBeGreaterThanOrEqual(20);
  });

  it('the nine models of experiment params keep every label', () => {
    const categories = ['ff_raw', 'ff_embed', 'cnn', 'simple_rnn', 'lstm', 'cnn_lstm', 'gru', 'bilstm', 'addition'];
    const svg = chartSvg({ kind: 'bar', title: 'Parameters per model', categories, series: [{ name: 'parameters', y: categories.map((_, i) => i + 1) }] });
    expect(xLabels(svg)).toEqual(categories);
  });
});
