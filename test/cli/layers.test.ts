/**
 * The upper layer's import directions (docs/ARCHITECTURE.md): cli -> server -> experiments -> report, never back,
 * type-only and dynamic imports included; and no import cycle among these folders.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers.js';

const ORDER = ['cli', 'server', 'experiments', 'report'];
const SRC = path.join(REPO_ROOT, 'src');

function imports(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const folder of ORDER) {
    for (const f of readdirSync(path.join(SRC, folder)).filter((n) => n.endsWith('.ts'))) {
      const file = path.join(folder, f);
      const text = readFileSync(path.join(SRC, file), 'utf8');
      const deps = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)]
        .map((m) => path.relative(SRC, path.resolve(path.dirname(path.join(SRC, file)), (m[1] ?? m[2]).replace(/\.js$/, '.ts'))));
      graph.set(file, deps);
    }
  }
  return graph;
}

describe('the upper layer', () => {
  it('imports only downwards: cli -> server -> experiments -> report', () => {
    const wrong: string[] = [];
    for (const [file, deps] of imports()) {
      const rank = ORDER.indexOf(file.split(path.sep)[0]);
      for (const d of deps) {
        const r = ORDER.indexOf(d.split(path.sep)[0]);
        if (r >= 0 && r < rank) wrong.push(`${file} -> ${d}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import cycle', () => {
    const graph = imports();
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (f: string, trail: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') { cycles.push([...trail.slice(trail.indexOf(f)), f].join(' -> ')); return; }
      state.set(f, 'open');
      for (const d of graph.get(f) ?? []) if (graph.has(d)) visit(d, [...trail, f]);
      state.set(f, 'done');
    };
    for (const f of graph.keys()) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
