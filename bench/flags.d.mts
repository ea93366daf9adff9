// Types of bench/flags.mjs, for the TypeScript tests that parse benchmark command lines.
export interface FlagSpec {
  kind: 'bool' | 'int' | 'positive' | 'fraction' | 'text' | 'file' | 'dir' | 'path' | 'json' | 'list';
  value?: string;
  help: string;
  default?: unknown;
  min?: number;
  choices?: readonly string[];
  item?: 'int';
  pattern?: RegExp;
  itemHelp?: string;
  needs?: readonly string[];
}
export interface ScriptSpec {
  name: string;
  usage: string;
  summary: string;
  notes?: string;
  flags: Record<string, FlagSpec>;
}
export interface Parsed {
  opts: Record<string, unknown>;
  given: Set<string>;
}
export class UsageError extends Error {
  exitCode: 2;
}
export function parseFlags(spec: ScriptSpec, argv: readonly string[]): Parsed;
export function checkPaths(spec: ScriptSpec, parsed: Parsed): void;
export function helpText(spec: ScriptSpec): string;
export function loadAddonFlag(spec: ScriptSpec, flag: string, file: string): unknown;
