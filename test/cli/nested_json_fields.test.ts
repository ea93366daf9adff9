/**
 * train, evaluate and predict read nested JSON Lines fields named by a dotted --text-column / --label-column
 * (`{"meta": {"text": ...}, "y": {"label": ...}}`), and a row lacking one stops the run naming the file, line and path.
 * Runs the CLI in-process (no dist needed).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, readResults, run, tempDir } from './helpers.js';

const WORDS: Record<string, string[]> = { good: ['superb', 'moving', 'brilliant', 'lovely'], bad: ['dull', 'awful', 'boring', 'tedious'] };

/** n nested records per class, in a fixed order. */
function records(n: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    for (const c of Object.keys(WORDS)) out.push({ id: out.length, meta: { text: `${WORDS[c][i % 4]} film, ${WORDS[c][(i + 1) % 4]} story`, lang: 'en' }, y: { label: c } });
  }
  return out;
}

const dir = tempDir('rnnlab-nested-cli-');
const write = (name: string, rows: unknown[]) => {
  const f = path.join(dir, name);
  writeFileSync(f, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return f;
};
afterAll(cleanup);

describe('nested JSON Lines fields on the command line', () => {
  const model = path.join(dir, 'run');
  const data = write('train.jsonl', records(20));
  beforeAll(async () => {
    const r = await run(['train', '--data', data, '--text-column', 'meta.text', '--label-column', 'y.label', '--model', 'ff_embed',
      '--units', '8', '--embedding-dim', '8', '--epochs', '30', '--seed', '1', '--out', model]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  }, 120_000);

  it('train reads the nested texts and labels', () => {
    const results = readResults(model);
    expect(results.data.classes).toEqual(['bad', 'good']);
    expect(results.metrics.validationAccuracy).toBeGreaterThan(0.7);
  });

  it('evaluate reads them with the same flags', async () => {
    const r = await run(['evaluate', '--model', model, '--data', write('test.jsonl', records(4)), '--text-column', 'meta.text', '--label-column', 'y.label',
      '--out', path.join(dir, 'eval')]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^Accuracy: \d+\.\d\d%$/);
    expect(readResults(path.join(dir, 'eval')).metrics.testAccuracy).toBeGreaterThan(0.7);
  });

  it('predict --file reads the nested text field, in order', async () => {
    const rows = records(2);
    const r = await run(['predict', '--model', model, '--file', write('score.jsonl', rows), '--text-column', 'meta.text', '--format', 'jsonl']);
    expect(r.code).toBe(0);
    const out = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(out.map((o) => o.text)).toEqual(rows.map((x) => (x as { meta: { text: string } }).meta.text));
    expect(out.map((o) => o.label)).toEqual(['good', 'bad', 'good', 'bad']);
  });

  it('a row lacking the nested field stops train and evaluate with its file, line and path', async () => {
    const rows = records(3);
    rows[3] = { id: 3, meta: { title: 'no text here' }, y: { label: 'bad' } };
    const gap = write('gap.jsonl', rows);
    const t = await run(['train', '--data', gap, '--text-column', 'meta.text', '--label-column', 'y.label', '--epochs', '1', '--out', path.join(dir, 'never')]);
    expect(t.code).toBe(1);
    expect(t.err).toContain(`${gap}:4: no text field 'meta.text' (--text-column): every row needs it; 'meta' has no field 'text': its fields are "title"`);
    rows[3] = { id: 3, meta: { text: 'dull' }, y: ['bad'] };
    const list = write('list.jsonl', rows);
    const e = await run(['evaluate', '--model', model, '--data', list, '--text-column', 'meta.text', '--label-column', 'y.label', '--out', path.join(dir, 'never2')]);
    expect(e.code).toBe(1);
    expect(e.err).toContain(`${list}:4: no label field 'y.label' (--label-column): 'y' is a list on this line: a path through a list is not read`);
  });
});
