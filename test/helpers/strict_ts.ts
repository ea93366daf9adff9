/**
 * tsc's diagnostics for a snippet of user code, typechecked as a user's strict .mts file that imports 'rnnlab'
 * (resolved to src/index.ts): what a TypeScript user of the published types would see.
 */
import path from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './imdb.js';

const OPTIONS: ts.CompilerOptions = {
  strict: true, noImplicitOverride: true, noEmit: true, skipLibCheck: true, types: ['node'],
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  baseUrl: REPO_ROOT, paths: { rnnlab: ['src/index.ts'] },
};

/** `line: message` for each diagnostic of code, read as the (never written) file at relPath under the repository. */
export function strictDiagnostics(code: string, relPath: string): string[] {
  const file = path.join(REPO_ROOT, relPath);
  const host = ts.createCompilerHost(OPTIONS);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, ...rest) => (path.resolve(name) === file ? ts.createSourceFile(name, code, ts.ScriptTarget.ES2022, true) : getSourceFile.call(host, name, ...rest));
  host.fileExists = (name) => path.resolve(name) === file || fileExists.call(host, name);
  host.readFile = (name) => (path.resolve(name) === file ? code : readFile.call(host, name));
  const program = ts.createProgram([file], OPTIONS, host);
  const source = program.getSourceFile(file)!;
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]
    .map((d) => `${d.start === undefined ? '' : source.getLineAndCharacterOfPosition(d.start).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}
