/** Spec problems `rnnlab sweep` refuses before it writes anything: exit 2, naming the file and the entry. */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, requireFreshDist, sweepSpec, tempDir, TINY_ADDITION } from './helpers.js';

// A spec this file expects refused would otherwise run its runs, forked from dist/.
requireFreshDist();

let root: string;
beforeAll(() => { root = tempDir(); });
afterAll(() => cleanup());

const ADD = TINY_ADDITION;
const sweep = (name: string, text: string) => sweepSpec(root, name, text);

describe('rnnlab sweep refuses up front', () => {
  it('grid values the command reads as one value, naming the axis and both values', async () => {
    const s = sweep('same', `${ADD}grid: { hidden: ['8', ' 8'] }\n`);
    const r = await s.result;
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${s.spec}: grid.hidden: "8" and " 8" are the same --hidden (8); list each value once`);
    expect(existsSync(s.out)).toBe(false);
    const lr = await sweep('same-lr', `${ADD}grid: { hidden: [4], lr: [0.1, '0.10'] }\n`).result;
    expect(lr.err).toMatch(/grid\.lr: 0\.1 and "0\.10" are the same --lr \(0\.1\)/);
    const list = sweep('same-list', `${ADD}list: [ { hidden: 4 }, { hidden: '04' } ]\n`);
    const l = await list.result;
    expect(l.code).toBe(2);
    expect(l.err).toContain(`${list.spec}: list[0] {"hidden":4} and list[1] {"hidden":"04"} are the same setting as the command reads them; list it once`);
    expect(existsSync(list.out)).toBe(false);
  });

  it('a flag the command requires that some run would lack (an imdb sweep without --model), naming the entry', async () => {
    const imdb = 'command: imdb\nflags: { epochs: 1, limit: 20 }\n';
    for (const [name, rest, where] of [['no-model', 'grid: { units: [2, 3] }\n', 'no run has it'],
      ['list-no-model', 'list: [ { model: lstm }, { units: 2 } ]\n', 'list\\[1\\] has none'],
      ['grid-no-model', 'grid: { units: [2] }\nlist: [ { model: lstm } ]\n', "the grid's runs have none"]]) {
      const s = sweep(name, imdb + rest);
      const r = await s.result;
      expect(r.code, name).toBe(2);
      expect(r.err).toMatch(new RegExp(`rnnlab imdb needs --model \\(${where}\\): give it in flags`));
      expect(existsSync(s.out)).toBe(false);
    }
  });

  it('a list entry whose run folder name is too long, naming the entry', async () => {
    // Each value's part of the name is cut at 40 characters, but six of them and their flag names pass 255 bytes.
    const pad = (v: string) => JSON.stringify(v.padStart(40, '0'));
    const values = { digits: '1', 'training-size': '40', hidden: '4', layers: '1', 'batch-size': '16', epochs: '1' };
    const entry = Object.entries(values).map(([k, v]) => `${k}: ${pad(v)}`).join(', ');
    const s = sweep('long', `command: addition\nflags: { samples: 0 }\nlist: [ { hidden: 4 }, { ${entry} } ]\n`);
    const r = await s.result;
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/long\.yaml: list\[1\] gives a run whose folder name is \d+ bytes \(digits-0000.*\.\.\.\); a file name may have at most 255/);
    expect(existsSync(s.out)).toBe(false);
  });
});
