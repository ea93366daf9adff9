/** The report of a tiny seq2seq run draws its attention matrix as a heatmap: one cell per (output, source) token, each value in its <title>. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { finishRecord, startRecord, writeRun } from '../../src/report/run.js';
import { chartSvg } from '../../src/report/svg.js';
import type { Pair } from '../../src/seq2seq/pairs.js';
import { seq2seqBody, seq2seqDoc } from '../../src/seq2seq/result.js';
import { trainSeq2Seq } from '../../src/seq2seq/train.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-report-heatmap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('attention heatmap in the seq2seq report', () => {
  it('has one cell per output and source token, each titled with its weight', async () => {
    const pairs: Pair[] = Array.from({ length: 40 }, (_, i) => {
      const s = ['ab', 'ba', 'abc', 'cab'][i % 4];
      return { source: s, target: [...s].reverse().join(''), where: `gen:${i + 1}` };
    });
    const r = await trainSeq2Seq(pairs, { units: 6, embeddingDim: 4, epochs: 1, batchSize: 8, samples: 2, verbose: 0, seed: 3 });
    const a = r.attention!;
    expect(a.source.length).toBeGreaterThan(1);
    const start = startRecord({ command: 'seq2seq', argv: [], source: 'cli', runName: 'seq2seq', startedAt: new Date() });
    const body = seq2seqBody(r, { file: 'pairs' });
    writeRun(dir, finishRecord(start, body), seq2seqDoc(r, body));
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    const titles = [...html.matchAll(/<rect class="cell"[^>]*><title>([^<]*)<\/title><\/rect>/g)].map((m) => unescape(m[1]));
    expect(titles).toHaveLength(a.output.length * a.source.length);
    const shown = (t: string) => (t === ' ' ? '␣' : t);
    a.output.forEach((o, i) => a.source.forEach((s, j) => {
      expect(titles[i * a.source.length + j]).toBe(`output ${shown(o)}, source ${shown(s)}: ${a.weights[i][j].toFixed(3)}`);
    }));
  }, 60_000);

  it('shades cells by value: the heaviest cell darkest, an empty matrix no cells', () => {
    const svg = chartSvg({ kind: 'heatmap', title: 't', series: [], heatmap: { rows: ['x', 'y'], columns: ['a', 'b', 'c'], values: [[0, 0.5, 1], [0.2, 0.3, 0.5]], min: 0, max: 1 } });
    const fills = [...svg.matchAll(/<rect class="cell"[^>]*fill="rgb\((\d+),(\d+),(\d+)\)"/g)].map((m) => Number(m[1]) + Number(m[2]) + Number(m[3]));
    expect(fills).toHaveLength(6);
    expect(fills[0]).toBe(255 * 3);
    expect(Math.min(...fills)).toBe(fills[2]);
    expect(fills[1]).toBe(fills[5]);
    expect(chartSvg({ kind: 'heatmap', title: 't', series: [], heatmap: { rows: [], columns: [], values: [] } })).not.toContain('class="cell"');
  });
});
