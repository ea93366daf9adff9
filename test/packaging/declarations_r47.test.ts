/**
 * The published declarations as a user's compiler sees them: dist/'s .d.ts files installed as node_modules/rnnlab
 * beside the package's production dependencies only (no devDependencies, so no @types/node), checked by a strict
 * consumer that does not skip library checks and loads no ambient types. Every error here is one such a user gets.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { assertDistFresh } from '../helpers/dist_fresh.js';
import { REPO_ROOT } from '../helpers/imdb.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rnnlab-declarations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTIONS: ts.CompilerOptions = {
  strict: true, skipLibCheck: false, types: [], noEmit: true,
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
};

/** A consumer project in dir: rnnlab's package.json and declarations, its dependencies, and one file importing it. */
function installConsumer(): string {
  const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { types: string; dependencies: Record<string, string> };
  const installed = path.join(dir, 'node_modules', 'rnnlab');
  mkdirSync(installed, { recursive: true });
  cpSync(path.join(REPO_ROOT, 'package.json'), path.join(installed, 'package.json'));
  cpSync(path.join(REPO_ROOT, 'dist'), path.join(installed, 'dist'), {
    recursive: true,
    filter: (from) => statSync(from).isDirectory() || from.endsWith('.d.ts'),
  });
  for (const dep of Object.keys(pkg.dependencies)) {
    const at = path.join(dir, 'node_modules', dep);
    mkdirSync(path.dirname(at), { recursive: true });
    symlinkSync(path.join(REPO_ROOT, 'node_modules', dep), at, 'junction');
  }
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const file = path.join(dir, 'consumer.ts');
  writeFileSync(file, "import * as rl from 'rnnlab';\n\nexport const api: typeof rl = rl;\n");
  return file;
}

/** The consumer's compile errors under options, with the files it loaded (installed once for both checks). */
let consumer: string | undefined;
function compile(options: ts.CompilerOptions): { loaded: string[]; errors: string[] } {
  consumer ??= installConsumer();
  const program = ts.createProgram([consumer], options);
  const loaded = program.getSourceFiles().map((f) => path.relative(dir, f.fileName).split(path.sep).join('/'));
  const errors = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${path.relative(dir, d.file.fileName)}(${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1})` : '';
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  return { loaded, errors };
}

describe('the published declarations', () => {
  it('typecheck in a strict consumer with skipLibCheck false and no ambient types (no @types/node)', () => {
    assertDistFresh('index.ts');
    const { loaded, errors } = compile(OPTIONS);
    // The check reads the installed copy, not src/ or the repository's own node_modules/@types.
    expect(loaded).toContain('node_modules/rnnlab/dist/index.d.ts');
    expect(loaded.filter((f) => f.includes('@types/node/'))).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);

  it('typecheck with lib ES2022 alone (no DOM), as a Node consumer without @types/node compiles', () => {
    assertDistFresh('index.ts');
    const { loaded, errors } = compile({ ...OPTIONS, lib: ['lib.es2022.d.ts'] });
    expect(loaded.filter((f) => /lib\.dom\b/.test(f))).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);
});
