/**
 * Every --lr takes a rate the optimizer can hold: > 0 and within float32's range (the optimizer keeps its rate in
 * float32, as Keras). One beyond it is a usage error (exit 2) naming --lr and the limit, before anything is written,
 * on every command that has the flag and in a sweep spec's values.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './helpers.js';

const root = mkdtempSync(path.join(tmpdir(), 'rnnlab-lr-float32-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const outDir = () => path.join(root, `out-${n++}`);
const RULE = "--lr must be a number > 0 that float32 holds (about 3.4e38 at most), got '1e39'";

describe('--lr beyond float32', () => {
  it('seq2seq: exit 2 naming --lr and the limit, no --out folder made', async () => {
    const out = outDir();
    const r = await run(['seq2seq', '--generate', 'reverse-words', '--lr', '1e39', '--epochs', '1', '--count', '50', '--units', '8', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`rnnlab seq2seq: error: ${RULE}`);
    expect(r.out).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    [['imdb', '--model', 'lstm']],
    [['compare']],
    [['addition']],
    [['experiment', 'digitwise']],
    [['experiment', 'gradients']],
  ])('%j: exit 2 naming --lr and the limit', async (cmd) => {
    const out = outDir();
    const r = await run([...cmd, '--lr', '1e39', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(RULE);
    expect(existsSync(out)).toBe(false);
  });

  it('a rate past any number (1e400) and a negative one say the same range', async () => {
    const big = await run(['seq2seq', '--generate', 'reverse-words', '--lr', '1e400']);
    expect(big.code).toBe(2);
    expect(big.err).toContain("--lr expects a number > 0 that float32 holds (about 3.4e38 at most), got '1e400'");
    const neg = await run(['seq2seq', '--generate', 'reverse-words', '--lr', '-1']);
    expect(neg.code).toBe(2);
    expect(neg.err).toContain("--lr must be a number > 0 that float32 holds (about 3.4e38 at most), got '-1'");
  });

  it('a sweep spec whose grid gives --lr 1e39 is refused naming the file and entry, nothing written', async () => {
    const spec = path.join(root, 'lr.yaml');
    writeFileSync(spec, 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, samples: 0 }\ngrid: { lr: [0.01, 1e39] }\n');
    const out = outDir();
    const r = await run(['sweep', spec, '--out', out]);
    expect(r.code).toBe(2);
    // YAML reads 1e39 as a number, which the check spells back as 1e+39.
    expect(r.err).toContain(`${spec}: grid.lr[1]: ${RULE.replace('1e39', '1e+39')}`);
    expect(existsSync(out)).toBe(false);
  });
});
