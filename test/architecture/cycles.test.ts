import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/imdb.js';
import { areaGraph, describeCycles, importGraph, type ImportGraph } from './import_graph.js';

const graphOf = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

describe('the cycle finder', () => {
  it('reports each tangle once, by its shortest cycle, and passes an acyclic graph', () => {
    expect(describeCycles(graphOf({ a: ['b'], b: ['c'], c: [] }))).toEqual([]);
    expect(describeCycles(graphOf({ a: ['b'], b: ['a', 'c'], c: ['d'], d: ['c'], e: ['e'] }))).toEqual(['a → b → a', 'c → d → c', 'e → e']);
    expect(describeCycles(graphOf({ a: ['b'], b: ['c'], c: ['a', 'b'] }))).toEqual(['a → b → c → a']);
    expect(describeCycles(graphOf({ a: ['b', 'c'], b: ['a'], c: ['a'] }))).toEqual(['a → b → a (3 modules tangled: a, b, c)']);
  });

  it('sees type-only imports, re-exports and dynamic import() in src/', () => {
    const graph = importGraph(join(REPO_ROOT, 'src'));
    expect(graph.size).toBeGreaterThan(50);
    // src/index.ts re-exports the public API, so it reaches the models.
    expect([...graph.get('index.ts')!].some((m) => m.startsWith('models/'))).toBe(true);
  });
});

describe('src/ has no import cycles (type-only and dynamic imports included)', () => {
  it('finds none', () => {
    const cycles = describeCycles(importGraph(join(REPO_ROOT, 'src')));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });
});

describe('the folders of src/ import each other without cycles', () => {
  it('finds none between folders either (e.g. cli ↔ server, io ↔ callbacks)', () => {
    const cycles = describeCycles(areaGraph(importGraph(join(REPO_ROOT, 'src'))));
    expect(cycles, `cycles between folders of src/:\n${cycles.join('\n')}`).toEqual([]);
  });
});
