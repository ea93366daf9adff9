/** docs/ARCHITECTURE.md's direction: each layer of src/ imports only from the layers below it. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/imdb.js';
import { areaOf, importGraph } from './import_graph.js';

// Areas other branches add (ops, onnx, tasks, sweep) have their rows already, so a merge needs no edit here.
const APPS = ['cli', 'server', 'experiments', 'report', 'tasks', 'sweep', 'seq2seq'];
const API = ['models', 'layers', 'io', 'callbacks', 'optimizers', 'losses.ts', 'metrics', 'data_pipeline', 'onnx', 'index.ts', 'mixed_precision.ts'];
const TENSORS = ['tensor.ts', 'variable.ts', 'autograd', 'ops'];
const EVERYTHING = [...APPS, ...API, ...TENSORS, 'data', 'backend', 'random.ts', 'env.ts'];

/** Area of src/ → the areas it must never import. Every area of src/ needs a row. */
const FORBIDDEN: Record<string, string[]> = {
  'env.ts': EVERYTHING,
  'random.ts': EVERYTHING.filter((a) => a !== 'env.ts'),
  // A leaf: the typed factory helper of layers and optimizers imports nothing.
  'factory.ts': EVERYTHING,
  // A leaf: the "did you mean" of option errors.
  'near_name.ts': EVERYTHING,
  // A leaf: a bad value in words, for error messages everywhere.
  'describe.ts': EVERYTHING,
  // A leaf: a path or file:// URL read as a local path, and errno codes in words.
  'local_files.ts': EVERYTHING,
  // A leaf: where the compiled package's entry points are (the dashboard's job process, sweep runs).
  'compiled_entry.ts': EVERYTHING,
  // A leaf: the name of a temp file beside its target (atomic writes, ONNX export, model folders share it).
  'temp_names.ts': EVERYTHING,
  // A leaf: a child process's output cut into lines (sweep runs' progress, dashboard jobs' crash notes).
  'line_splitter.ts': EVERYTHING,
  // A leaf: whether a value is a plain {...} record (configs, sweep specs, dataset elements, loss mappings).
  'plain_object.ts': EVERYTHING,
  backend: [...APPS, ...API, ...TENSORS, 'data'],
  'tensor.ts': [...APPS, ...API, 'data'],
  'variable.ts': [...APPS, ...API, 'data'],
  autograd: [...APPS, ...API, 'data'],
  ops: [...APPS, ...API, 'data'],
  layers: [...APPS, 'data'],
  optimizers: [...APPS, 'data'],
  'losses.ts': [...APPS, 'data'],
  // Metrics sit beside losses (models use them); rl.data's pipeline sits on models (it attaches fitDataset).
  metrics: [...APPS, 'data', 'models', 'layers', 'io', 'callbacks', 'data_pipeline'],
  data_pipeline: APPS,
  models: APPS,
  io: APPS,
  callbacks: APPS,
  onnx: APPS,
  'index.ts': APPS,
  'mixed_precision.ts': [...APPS, 'data'],
  data: [...APPS, ...API, ...TENSORS, 'backend'],
  report: ['cli', 'server', 'experiments', 'tasks', 'sweep', 'seq2seq'],
  experiments: ['cli', 'server', 'tasks', 'sweep', 'seq2seq'],
  tasks: ['cli', 'server', 'sweep', 'seq2seq'],
  // The encoder-decoder task sits beside tasks (it reuses its model-folder writer).
  seq2seq: ['cli', 'server', 'sweep'],
  // The CLI starts the dashboard (`rnnlab serve`) and sweeps; nothing reaches back into the CLI.
  server: ['cli'],
  sweep: ['cli'],
  cli: [],
};

/**
 * The one deliberate upward edge (docs/ARCHITECTURE.md): the package re-exports the encoder-decoder as rl.seq2seq,
 * so importing it also loads the parts of tasks/, experiments/ and report/ the seq2seq trainer uses.
 */
const ALLOWED = new Set(['index.ts → seq2seq/index.ts']);

/** "from → imported" for every import that breaks the table. */
function violations(graph: Map<string, Set<string>>, forbidden: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const banned = forbidden[areaOf(from)] ?? [];
    for (const t of targets) if (banned.includes(areaOf(t)) && !ALLOWED.has(`${from} → ${t}`)) out.push(`${from} → ${t}`);
  }
  return out.sort();
}

describe('layer direction in src/', () => {
  const graph = importGraph(join(REPO_ROOT, 'src'));

  it('has a row for every area of src/, so a new folder gets a decision', () => {
    const areas = [...new Set([...graph.keys()].map(areaOf))].sort();
    expect(areas.filter((a) => !(a in FORBIDDEN))).toEqual([]);
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
