/**
 * docs/CLI.md against the real commander program: every command has a section, every flag its --help shows is
 * written in that section, and every flag written anywhere in CLI.md exists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';

const CLI_MD = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'CLI.md'), 'utf8');
const silent = { write: () => true };

/** flags: what --help shows; known: every option commander accepts (the hidden --no-NAME of booleans too). */
interface CommandInfo { path: string; flags: string[]; known: string[]; booleans: string[]; children: string[] }

/** Every command and sub-command of the program, by its path after "rnnlab" ("imdb", "experiment digitwise"). */
function commandTree(): Map<string, CommandInfo> {
  const tree = new Map<string, CommandInfo>();
  const walk = (cmd: Command, prefix: string): string[] => {
    const paths: string[] = [];
    for (const sub of cmd.commands) {
      if (sub.name() === 'help') continue;
      const path = prefix ? `${prefix} ${sub.name()}` : sub.name();
      const options = sub.options.filter((o) => o.long && o.long !== '--help');
      const shown = sub.createHelp().visibleOptions(sub).filter((o) => o.long && o.long !== '--help');
      const children = walk(sub, path);
      tree.set(path, {
        path,
        flags: shown.map((o) => o.long!.slice(2)),
        known: options.map((o) => o.long!.slice(2)),
        booleans: options.filter((o) => o.isBoolean()).map((o) => o.long!.slice(2)),
        children,
      });
      paths.push(path, ...children);
    }
    return paths;
  };
  walk(buildProgram({ out: silent, err: silent }), '');
  return tree;
}

/** CLI.md cut at its headings; a heading "`rnnlab experiment digitwise ...`" names the command its text is about. */
function sections(tree: Map<string, CommandInfo>): { command: string | null; heading: string; text: string }[] {
  const parts = CLI_MD.split(/^(?=#{1,4} )/m);
  return parts.map((part) => {
    const heading = part.split('\n')[0];
    const words = /^#{1,4} `rnnlab ([^`]*)`/.exec(heading)?.[1].split(/\s+/) ?? [];
    let command: string | null = null;
    for (const word of words) {
      const next: string = command ? `${command} ${word}` : word;
      if (!tree.has(next)) break;
      command = next;
    }
    return { command, heading, text: part };
  });
}

function flagsIn(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1]));
}

/** A flag written for a command exists when it or one of its sub-commands has it (also as --no-NAME of a boolean). */
function exists(flag: string, infos: CommandInfo[]): boolean {
  return infos.some((c) => c.known.includes(flag) || (flag.startsWith('no-') && c.booleans.includes(flag.slice(3))));
}

describe('docs/CLI.md and the commands --help shows', () => {
  const tree = commandTree();
  const parts = sections(tree);

  it('walks every command of main.ts, sub-commands included', () => {
    for (const name of ['imdb', 'compare', 'addition', 'experiment digitwise', 'tokenize', 'predict', 'serve', 'sweep', 'worker', 'export', 'cache ls', 'cache clean', 'version']) {
      expect(tree.has(name), name).toBe(true);
    }
  });

  it('has a section for every command', () => {
    const documented = new Set(parts.map((p) => p.command));
    const missing = [...tree.keys()].filter((path) => !documented.has(path));
    expect(missing, `commands without a "## \`rnnlab CMD\`" section in docs/CLI.md`).toEqual([]);
  });

  it('describes every flag of a command in its own section', () => {
    const missing: string[] = [];
    for (const info of tree.values()) {
      const written = new Set(parts.filter((p) => p.command === info.path).flatMap((p) => [...flagsIn(p.text)]));
      for (const flag of info.flags) if (!written.has(flag)) missing.push(`rnnlab ${info.path} --${flag}`);
    }
    expect(missing, 'flags --help shows that docs/CLI.md does not describe').toEqual([]);
  });

  it('writes only flags that exist, under the command that has them', () => {
    const all = [...tree.values()];
    const wrong: string[] = [];
    for (const part of parts) {
      // Outside a command's section (the introduction, the RunRecord) a flag must exist on some command.
      const owners = part.command ? [tree.get(part.command)!, ...tree.get(part.command)!.children.map((c) => tree.get(c)!)] : all;
      for (const flag of flagsIn(part.text)) {
        // --help is on every command, --version on the program itself.
        if (flag === 'help' || flag === 'version') continue;
        if (!exists(flag, owners)) wrong.push(`--${flag} under "${part.heading}"`);
      }
    }
    expect(wrong, 'flags docs/CLI.md writes that the command does not have').toEqual([]);
  });

  it('catches a flag that is missing or made up', () => {
    const imdb = tree.get('imdb')!;
    expect(exists('mask-zero', [imdb])).toBe(true);
    expect(exists('no-mask-zero', [imdb])).toBe(true);
    expect(exists('no-epochs', [imdb])).toBe(false);
    expect(imdb.flags).not.toContain('no-mask-zero');
    expect(exists('learning-rate', [imdb])).toBe(false);
    expect([...flagsIn('use `--epochs=3`, not x--y or --Foo; --no-reverse')]).toEqual(['epochs', 'no-reverse']);
  });
});

/** "default X" as --help or docs/CLI.md states it, with the per-model values after it ("default 100; 250 for cnn, ff_embed"), backticks dropped. */
function statedDefaults(text: string): string[] {
  return [...text.replace(/`/g, '').replace(/\s+/g, ' ').matchAll(/\bdefault:? "?([\w.]+)"?((?:; [\d.]+ for [^;)]+)*)/g)].map((m) => `default ${m[1]}${m[2]}`);
}

describe('train: the defaults --help states are the ones docs/CLI.md states', () => {
  const train = buildProgram({ out: silent, err: silent }).commands.find((c) => c.name() === 'train')!;
  const section = sections(commandTree()).filter((p) => p.command === 'train').map((p) => p.text).join('\n');
  /** What the doc says right after each mention of `--flag`, up to the next flag. */
  const docOf = (flag: string) => section.split(/(?=`--[a-z])/).filter((s) => s.startsWith(`\`--${flag} `) || s.startsWith(`\`--${flag}\``)).join('\n');
  const helpOf = (flag: string) => {
    const o = train.options.find((x) => x.long === `--${flag}`)!;
    return [...statedDefaults(o.description), ...(o.defaultValue === undefined ? [] : [`default ${String(o.defaultValue)}`])];
  };

  for (const flag of ['model', 'layers', 'units', 'embedding-dim', 'dropout', 'recurrent-dropout', 'maxlen', 'vocab', 'validation-split', 'epochs', 'batch-size', 'seed']) {
    it(`--${flag}`, () => {
      const help = helpOf(flag);
      expect(help.length, `--help of train --${flag} states no default`).toBe(1);
      expect(statedDefaults(docOf(flag)), `docs/CLI.md's train section on --${flag}`).toEqual(help);
    });
  }

  it('reads a default with its per-model values, and tells two apart', () => {
    expect(statedDefaults('(`--units N` default 100; 250 for `cnn`, `ff_embed`), more')).toEqual(['default 100; 250 for cnn, ff_embed']);
    expect(statedDefaults('(default 3; 2 for cnn; 20 for simple_rnn)')).not.toEqual(statedDefaults('(default 3; 2 for cnn)'));
    expect(statedDefaults('(default: "lstm")')).toEqual(['default lstm']);
  });
});
