/** A sweep folder of another spec is a usage error, refused before anything is printed or written there. */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseSpec } from '../../src/sweep/spec.js';
import { specMismatch } from '../../src/sweep/record.js';
import { cleanup, tempDir } from './helpers.js';

afterAll(cleanup);

/** Every entry under dir (the folder itself included) with its modification time, in ns. */
function snapshot(dir: string): string[] {
  const rows = [`. ${statSync(dir, { bigint: true }).mtimeNs}`];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) rows.push(`${name} ${statSync(path.join(dir, name), { bigint: true }).mtimeNs}`);
  return rows.sort();
}

async function sweep(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(['sweep', ...args], { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

const base = 'command: addition\nflags: { digits: 1, training-size: 40, epochs: 1, samples: 0 }\n';

describe('rnnlab sweep --out on a folder of another sweep', () => {
  it('exits 2 naming the change, prints nothing on stdout, and leaves the folder exactly as it was', async () => {
    const root = tempDir();
    const dir = path.join(root, 'sweep');
    const first = parseSpec(`${base}grid: { hidden: [4, 5] }\n`);
    // The folder as an earlier sweep left it: sweep.json and a run folder.
    mkdirSync(path.join(dir, 'runs', 'hidden-4_seed-1'), { recursive: true });
    writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify({ schemaVersion: 1, kind: 'sweep', spec: first, createdAt: 'x', updatedAt: 'x', finishedAt: null, runs: [], summary: null }));
    const spec = path.join(root, 'changed.yaml');
    writeFileSync(spec, `${base.replace('epochs: 1', 'epochs: 2')}grid: { hidden: [4, 5] }\n`);
    const before = snapshot(dir);
    for (const extra of [[], ['--queue', 'redis://127.0.0.1:1']]) {
      const r = await sweep([spec, '--out', dir, ...extra]);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toContain(`--out: ${path.join(dir, 'sweep.json')} holds a sweep with another spec (flags.epochs is 2 here, 1 in the folder's sweep); use another --out, or the same spec to resume it`);
      expect(snapshot(dir)).toEqual(before);
    }
  });

  it("the fixed flags' order is no change (it names no run): the folder resumes", () => {
    const root = tempDir();
    const first = parseSpec(`${base}grid: { hidden: [4, 5] }\n`);
    const reordered = parseSpec('command: addition\nflags: { samples: 0, epochs: 1, training-size: 40, digits: 1 }\ngrid: { hidden: [4, 5] }\n');
    expect(Object.keys(reordered.flags)).not.toEqual(Object.keys(first.flags));
    const old = { schemaVersion: 1, kind: 'sweep', spec: first, createdAt: 'x', updatedAt: 'x', finishedAt: null, runs: [], summary: null } as never;
    expect(specMismatch(root, reordered, old)).toBeNull();
  });

  it('stops on a sweep.json that is not a sweep record before writing anything, naming it (exit 1, as before)', async () => {
    const root = tempDir();
    const dir = path.join(root, 'sweep');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'sweep.json'), '{ "kind": "sweep", ');
    const spec = path.join(root, 'spec.yaml');
    writeFileSync(spec, base);
    const before = snapshot(dir);
    const r = await sweep([spec, '--out', dir]);
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toMatch(/sweep\.json: not valid JSON .*; move it away to start the sweep afresh/);
    expect(snapshot(dir)).toEqual(before);
  });
});
