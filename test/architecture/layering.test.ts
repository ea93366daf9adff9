/** docs/ARCHITECTURE.md's direction: each layer of src/ imports only from the layers below it. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/imdb.js';
import { areaOf, importGraph } from './import_graph.js';

const APPS = ['cli', 'server', 'experiments', 'report'];
const API = ['models', 'layers', 'io', 'callbacks', 'optimizers', 'losses.ts'];
const TENSORS = ['tensor.ts', 'variable.ts', 'autograd'];

/** Area of src/ → the areas it must never import. */
const FORBIDDEN: Record<string, string[]> = {
  backend: [...APPS, ...API, ...TENSORS, 'data'],
  'tensor.ts': [...APPS, ...API, 'data'],
  'variable.ts': [...APPS, ...API, 'data'],
  autograd: [...APPS, ...API, 'data'],
  layers: [...APPS, 'data'],
  optimizers: [...APPS, 'data'],
  'losses.ts': [...APPS, 'data'],
  models: APPS,
  io: APPS,
  callbacks: APPS,
  data: [...APPS, ...API, ...TENSORS, 'backend'],
  report: ['cli', 'server', 'experiments'],
  experiments: ['cli', 'server'],
  // The CLI starts the dashboard (`rnnlab serve`); the dashboard never reaches back into the CLI.
  server: ['cli'],
};

/** "from → imported" for every import that breaks the table. */
function violations(graph: Map<string, Set<string>>, forbidden: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const banned = forbidden[areaOf(from)] ?? [];
    for (const t of targets) if (banned.includes(areaOf(t))) out.push(`${from} → ${t}`);
  }
  return out.sort();
}

describe('layer direction in src/', () => {
  const graph = importGraph(join(REPO_ROOT, 'src'));

  it('the rule table names only areas that exist', () => {
    const areas = new Set([...graph.keys()].map(areaOf));
    const named = new Set([...Object.keys(FORBIDDEN), ...Object.values(FORBIDDEN).flat()]);
    expect([...named].filter((a) => !areas.has(a))).toEqual([]);
  });

  it('flags an import that goes up', () => {
    const g = new Map([['backend/index.ts', new Set(['layers/dense.ts', 'random.ts'])], ['layers/dense.ts', new Set(['backend/index.ts'])]]);
    expect(violations(g, FORBIDDEN)).toEqual(['backend/index.ts → layers/dense.ts']);
  });

  it('no module imports from a layer above its own', () => {
    const found = violations(graph, FORBIDDEN);
    expect(found, `imports against docs/ARCHITECTURE.md's direction:\n${found.join('\n')}`).toEqual([]);
  });
});
