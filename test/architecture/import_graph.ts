/** The import graph of src/: every static, type-only, re-export and dynamic import between its own files. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Module (path relative to the root, e.g. "cli/main.ts") → the modules it imports. */
export type ImportGraph = Map<string, Set<string>>;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** "./x.js" → x.ts (NodeNext spells TypeScript imports with .js); folders resolve to their index.ts. */
function resolveSpecifier(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => c.endsWith('.ts') && existsSync(c));
}

export function importGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of tsFiles(root)) {
    const text = readFileSync(file, 'utf8');
    // preProcessFile sees `import type`, `export ... from` and `import()` alike, and ignores strings and comments,
    // but not `export * as ns from` (TypeScript 5.9): those come from the top-level statements.
    const { importedFiles } = ts.preProcessFile(text, true, true);
    const specifiers = importedFiles.map((f) => f.fileName);
    for (const st of ts.createSourceFile(file, text, ts.ScriptTarget.Latest).statements) {
      if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) specifiers.push(st.moduleSpecifier.text);
    }
    const targets = new Set<string>();
    for (const fileName of specifiers) {
      const target = resolveSpecifier(file, fileName);
      if (target && target.startsWith(root)) targets.add(relative(root, target));
    }
    graph.set(relative(root, file), targets);
  }
  return graph;
}

/** Strongly connected components with more than one module (or a module importing itself), by Tarjan. */
function cyclicComponents(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.has(v)) out.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** The shortest import path from `start` back to itself, by breadth-first search inside its component. */
function shortestCycle(graph: ImportGraph, start: string, within: Set<string>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!within.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0])!);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

/** One line per tangle of modules: its shortest cycle, and how many modules the tangle holds. */
export function describeCycles(graph: ImportGraph): string[] {
  return cyclicComponents(graph).map((component) => {
    const cycle = shortestCycle(graph, component[0], new Set(component));
    const more = component.length > cycle.length - 1 ? ` (${component.length} modules tangled: ${component.join(', ')})` : '';
    return `${cycle.join(' → ')}${more}`;
  });
}

/** The part of src/ a module belongs to: its top folder ("cli"), or the file itself at the top ("tensor.ts"). */
export function areaOf(module: string): string {
  return module.split('/')[0];
}

/** The graph between areas: an edge when any module of one imports any module of another. */
export function areaGraph(graph: ImportGraph): ImportGraph {
  const out: ImportGraph = new Map();
  for (const [from, targets] of graph) {
    const edges = out.get(areaOf(from)) ?? new Set<string>();
    for (const t of targets) if (areaOf(t) !== areaOf(from)) edges.add(areaOf(t));
    out.set(areaOf(from), edges);
  }
  return out;
}
